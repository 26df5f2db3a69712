// Spike-router mesh generator (spec: docs/router.md; rules: src/spec/router.ts). X x Y routers, one per tile, each
// with a local port and N/E/S/W links; an input FIFO per port, a round-robin arbiter per output, XY routing of a
// destination set (a bit mask) that is split at every router into the branches of its outputs (tree multicast).
// The local input looks the destination set up in the router's routing table; the mesh top decodes the
// configuration bus, ties the links together and keeps the counters.
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, log2ceil, mux, popcount, sumTree, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import {
  branchTiles,
  candidates,
  checkRouterSpec,
  groupBits,
  groups,
  inputPorts,
  neighbour,
  OPPOSITE,
  outputPorts,
  reachTiles,
  ROUTER_COUNTERS,
  ROUTER_REG,
  ROUTER_REGION,
  routerMap,
  tileBits,
  tiles,
  tileXY,
  type Port,
  type RouterCounter,
  type RouterSpec,
} from '../src/spec/router.js';

export type RouterParams = RouterSpec;

const suffix = (p: RouterParams) => `x${p.meshX}y${p.meshY}_n${p.neuronBits}t${p.timestepBits}p${p.payloadBits}_g${p.groupShift}_d${p.fifoDepth}`;
export const routerMeshName = (p: RouterParams) => `router_mesh_${suffix(p)}_c${p.counterBits}`;

/** AND of the 1-bit conditions (true when there are none). */
const allOf = (cs: Expr[]) => (cs.length ? cs.reduce((a, b) => a.and(b)) : lit(1, Bool));
/** OR of same-width values (0 of `width` bits when there are none). */
const anyOf = (vs: Expr[], width: number) => (vs.length ? vs.reduce((a, b) => a.or(b)) : lit(0, UInt(width)));
/** Bits `positions` of `v`, position list order from bit 0 up. */
const pick = (v: Expr, positions: number[]) => cat(...positions.map((i) => v.bit(i)).reverse());

/** One input FIFO: `in_ready` = not full (registered state only), head readable while `head_valid`. */
export function routerFifo(width: number, depth: number): Module {
  const m = new Module(`router_fifo_w${width}_d${depth}`, { width, depth }, `input FIFO of a router port, ${depth} x ${width} bits (docs/router.md)`);
  const inValid = m.input('in_valid', Bool, 'a packet is offered (taken at an edge where in_ready = 1)');
  const inData = m.input('in_data', UInt(width));
  const pop = m.input('pop', Bool, 'the head leaves at this edge (only while head_valid)');
  const inReady = m.output('in_ready', Bool, 'not full');
  const head = m.output('head', UInt(width));
  const headValid = m.output('head_valid', Bool);
  const count = m.reg('count', UInt(bitsFor(depth)), { reset: 0 });
  const notFull = m.let('not_full', count.ne(depth));
  const push = m.let('push', inValid.and(notFull));
  inReady.assign(notFull);
  headValid.assign(count.ne(0));
  m.when(push.and(pop.not()), () => count.assign(count.addWrap(1))).elseWhen(pop.and(push.not()), () => count.assign(count.subWrap(1)));
  if (depth === 1) {
    const slot = m.reg('slot_0', UInt(width), { reset: null, enable: push });
    slot.assign(inData);
    head.assign(slot);
    return m;
  }
  const pw = log2ceil(depth);
  const next = (ptr: Expr) => (2 ** pw === depth ? ptr.addWrap(1) : mux(ptr.eq(depth - 1), lit(0, UInt(pw)), ptr.addWrap(1)));
  const wr = m.reg('wr_ptr', UInt(pw), { reset: 0, enable: push });
  wr.assign(next(wr));
  const rd = m.reg('rd_ptr', UInt(pw), { reset: 0, enable: pop });
  rd.assign(next(rd));
  const slots = Array.from({ length: depth }, (_, k) => {
    const s = m.reg(`slot_${k}`, UInt(width), { reset: null, enable: push.and(wr.eq(k)) });
    s.assign(inData);
    return s;
  });
  let h: Expr = slots[depth - 1]!;
  for (let k = depth - 2; k >= 0; k--) h = mux(rd.eq(k), slots[k]!, h);
  head.assign(h);
  return m;
}

/**
 * Round-robin arbiter over k >= 2 requests: offers the first requester after the pointer. At the edge: taken
 * (valid and ready) -> pointer := that requester; offered and not taken -> pointer := the one before it, so the
 * same requester comes first again (an offer stays until it is taken).
 */
export function routerArbiter(k: number): Module {
  const m = new Module(`router_arb_k${k}`, { k }, `round-robin arbiter over ${k} requests (docs/router.md)`);
  const req = m.input('req', UInt(k), 'bit c: candidate c requests');
  const ready = m.input('ready', Bool, 'the output\'s downstream takes a packet at this edge');
  const grant = m.output('grant', UInt(k), 'one-hot: the candidate offered (0 when none requests)');
  const valid = m.output('valid', Bool);
  const pw = Math.max(1, log2ceil(k));
  const ptr = m.reg('ptr', UInt(pw), { reset: k - 1 }, 'the candidate taken last');
  const firstAfter = Array.from({ length: k }, (_, v) => {
    let sel: Expr = lit(v, UInt(pw));
    for (let j = k - 1; j >= 1; j--) sel = mux(req.bit((v + j) % k), lit((v + j) % k, UInt(pw)), sel);
    return m.let(`first_after_${v}`, sel);
  });
  let c: Expr = firstAfter[k - 1]!;
  for (let v = k - 2; v >= 0; v--) c = mux(ptr.eq(v), firstAfter[v]!, c);
  const choice = m.let('choice', c);
  const any = m.let('any_req', req.orReduce());
  valid.assign(any);
  grant.assign(cat(...Array.from({ length: k }, (_, i) => any.and(choice.eq(i))).reverse()));
  const before = m.let('choice_before', mux(choice.eq(0), lit(k - 1, UInt(pw)), choice.subWrap(1)));
  m.when(any.and(ready), () => ptr.assign(choice)).elseWhen(any, () => ptr.assign(before));
  return m;
}

/** Layout of a flit on input `port` (LSB first): destination bits of the port's reach, neuron, timestep, payload, src (not on the local FIFO). */
function flitFields(p: RouterParams, reach: number, withSrc: boolean) {
  const f = [['mask', reach], ['neuron', p.neuronBits], ['timestep', p.timestepBits], ['payload', p.payloadBits]] as [string, number][];
  if (withSrc) f.push(['src', tileBits(p)]);
  const at: Record<string, [number, number]> = {};
  let lo = 0;
  for (const [n, w] of f) {
    at[n] = [lo, w];
    lo += w;
  }
  return { at, width: lo };
}

const lower = (d: Port) => d.toLowerCase();

/** Event outputs of a router, summed by the mesh into its counters. */
const EVENTS = ['inject', 'unrouted', 'inject_stall', 'deliver', 'hops', 'stalls', 'replications'] as const;

/** The router of tile t. */
export function routerNode(p: RouterParams, t: number): Module {
  const { x, y } = tileXY(p, t);
  const T = tiles(p);
  const tb = tileBits(p);
  const gb = groupBits(p);
  const m = new Module(`router_node_${x}_${y}_${suffix(p)}`, { ...p, tile: t }, `router of tile ${t} at (${x}, ${y}) in a ${p.meshX} x ${p.meshY} mesh (docs/router.md)`);
  const ins = inputPorts(p, t);
  const outs = outputPorts(p, t);

  // ---- routing table ----
  const tblWe = m.input('tbl_we', Bool, 'write this tile\'s routing-table entry tbl_group');
  const tblGroup = gb > 0 ? m.input('tbl_group', UInt(gb)) : undefined;
  const tblData = m.input('tbl_data', UInt(T), 'destination mask, bit d = tile d');
  const table = Array.from({ length: groups(p) }, (_, g) => {
    const r = m.reg(groups(p) === 1 ? 'route_table' : `route_table_${g}`, UInt(T), { reset: 0, enable: tblGroup ? tblWe.and(tblGroup.eq(g)) : tblWe }, `destinations of neuron group ${g}`);
    r.assign(tblData);
    return r;
  });

  // ---- local input: the table gives the destination set ----
  const inValid = m.input('in_valid', Bool, 'the tile offers a packet (taken at an edge where in_ready = 1)');
  const inNeuron = m.input('in_neuron', UInt(p.neuronBits));
  const inTimestep = m.input('in_timestep', UInt(p.timestepBits));
  const inPayload = m.input('in_payload', UInt(p.payloadBits), 'signed spike value');
  const inReady = m.output('in_ready', Bool, 'the local FIFO is not full');
  let dest: Expr = table[0]!;
  if (gb > 0) {
    const group = m.let('in_group', inNeuron.slice(p.neuronBits - 1, p.groupShift));
    dest = cat(...[...table].reverse()).shrVar(group.mul(T)).slice(T - 1, 0);
  }
  const inDest = m.let('in_dest', dest);
  const inRouted = m.let('in_routed', inDest.orReduce());

  // ---- input FIFOs ----
  const reach = Object.fromEntries(ins.map((i) => [i, reachTiles(p, t, i)])) as Record<Port, number[]>;
  const heads = {} as Record<Port, { valid: Signal; mask: Expr; neuron: Expr; timestep: Expr; payload: Expr; src: Expr; pop: Signal }>;
  for (const i of ins) {
    const f = flitFields(p, reach[i].length, i !== 'L');
    const fifo = routerFifo(f.width, p.fifoDepth);
    const n = lower(i);
    const head = m.wire(`${n}_head`, UInt(f.width));
    const headValid = m.wire(`${n}_head_valid`, Bool);
    const pop = m.wire(`${n}_pop`, Bool);
    const ready = i === 'L' ? inReady : m.output(`${n}_in_ready`, Bool, `the ${i} input FIFO is not full`);
    const data = i === 'L' ? cat(inPayload, inTimestep, inNeuron, inDest) : m.input(`${n}_in_flit`, UInt(f.width), 'flit from the neighbour');
    const valid = i === 'L' ? inValid.and(inRouted) : m.input(`${n}_in_valid`, Bool);
    m.instance(`u_fifo_${n}`, fifo, { in_valid: valid, in_data: data, pop, in_ready: ready, head, head_valid: headValid });
    const field = (name: string) => head.slice(f.at[name]![0] + f.at[name]![1] - 1, f.at[name]![0]);
    heads[i] = { valid: headValid, mask: field('mask'), neuron: field('neuron'), timestep: field('timestep'), payload: field('payload'), src: i === 'L' ? lit(t, UInt(tb)) : field('src'), pop };
  }

  // ---- per output: requests, arbitration, the flit offered ----
  const cand = Object.fromEntries(outs.map((o) => [o, candidates(p, t, o)])) as Record<Port, Port[]>;
  const outsOf = (i: Port) => outs.filter((o) => cand[o].includes(i));
  // the outputs an input's head still has to reach: sent bit j is output outsOf(i)[j]
  const sent = Object.fromEntries(ins.map((i) => [i, m.reg(`${lower(i)}_sent`, UInt(outsOf(i).length), { reset: 0 }, `outputs the ${i} head has been forwarded to`)])) as Record<Port, Signal>;
  const needed = {} as Record<string, Expr>;
  const branchMask = {} as Record<string, Expr>;
  for (const o of outs) {
    const branch = branchTiles(p, t, o);
    for (const c of cand[o]) {
      branchMask[`${c}${o}`] = pick(heads[c].mask, branch.map((d) => reach[c].indexOf(d)));
      needed[`${c}${o}`] = m.let(`${lower(c)}_needs_${lower(o)}`, branchMask[`${c}${o}`]!.orReduce());
    }
  }
  const grants = {} as Record<string, Expr>;
  const transfer = {} as Record<Port, Signal>;
  const stalled: Expr[] = [];
  for (const o of outs) {
    const n = lower(o);
    const reqs = cand[o].map((c) => heads[c].valid.and(needed[`${c}${o}`]!).and(sent[c].bit(outsOf(c).indexOf(o)).not()));
    const ready = o === 'L' ? m.input('out_ready', Bool, 'the local sink takes the packet at this edge') : m.input(`${n}_out_ready`, Bool, 'the neighbour\'s input FIFO is not full');
    let valid: Expr;
    if (reqs.length === 1) {
      valid = reqs[0]!;
      grants[`${cand[o][0]}${o}`] = valid;
    } else {
      const req = m.let(`${n}_req`, cat(...[...reqs].reverse()));
      const grant = m.wire(`${n}_grant`, UInt(reqs.length));
      const v = m.wire(`${n}_valid`, Bool);
      m.instance(`u_arb_${n}`, routerArbiter(reqs.length), { req, ready, grant, valid: v });
      cand[o].forEach((c, k) => (grants[`${c}${o}`] = grant.bit(k)));
      valid = v;
    }
    transfer[o] = m.let(`${n}_transfer`, valid.and(ready));
    stalled.push(valid.and(ready.not()));
    // AND-OR selection by the one-hot grant: 0 when nothing is offered
    const sel = (f: (c: Port) => Expr, w: number) => anyOf(cand[o].map((c) => mux(grants[`${c}${o}`]!, f(c), lit(0, UInt(w)))), w);
    if (o === 'L') {
      m.output('out_valid', Bool, 'a packet for this tile is offered (it stays until out_ready)').assign(valid);
      m.output('out_src', UInt(tb), 'source tile').assign(sel((c) => heads[c].src, tb));
      m.output('out_neuron', UInt(p.neuronBits)).assign(sel((c) => heads[c].neuron, p.neuronBits));
      m.output('out_timestep', UInt(p.timestepBits)).assign(sel((c) => heads[c].timestep, p.timestepBits));
      m.output('out_payload', UInt(p.payloadBits), 'signed spike value').assign(sel((c) => heads[c].payload, p.payloadBits));
    } else {
      const bw = branchTiles(p, t, o).length;
      m.output(`${n}_out_valid`, Bool, `a flit is offered to the ${o} neighbour`).assign(valid);
      const flit = cat(sel((c) => heads[c].src, tb), sel((c) => heads[c].payload, p.payloadBits), sel((c) => heads[c].timestep, p.timestepBits), sel((c) => heads[c].neuron, p.neuronBits), sel((c) => branchMask[`${c}${o}`]!, bw));
      m.output(`${n}_out_flit`, UInt(flit.width), `flit to the ${o} neighbour: the destinations of its branch only`).assign(flit);
    }
  }

  // ---- heads leave once forwarded to every output they need ----
  const replications: Expr[] = [];
  for (const i of ins) {
    const os = outsOf(i);
    const served = os.map((o) => transfer[o].and(grants[`${i}${o}`]!));
    const done = m.let(`${lower(i)}_done`, allOf(os.map((o, j) => needed[`${i}${o}`]!.not().or(sent[i].bit(j)).or(served[j]!))));
    heads[i].pop.assign(heads[i].valid.and(done));
    m.when(heads[i].pop, () => sent[i].assign(0)).elseWhen(heads[i].valid, () => sent[i].assign(sent[i].or(cat(...[...served].reverse()))));
    // a packet leaving with b branches made b - 1 copies (b >= 1: every stored packet has a destination)
    if (os.length > 1) {
      const copies = popcount(os.map((o) => needed[`${i}${o}`]!)).subWrap(1);
      replications.push(mux(heads[i].pop, copies, lit(0, copies.type)));
    }
  }

  // ---- events for the mesh's counters ----
  const inject = m.let('inject', inValid.and(inReady));
  const ev: Record<(typeof EVENTS)[number], Expr> = {
    inject,
    unrouted: inject.and(inRouted.not()),
    inject_stall: inValid.and(inReady.not()),
    deliver: transfer.L,
    hops: outs.length > 1 ? popcount(outs.filter((o) => o !== 'L').map((o) => transfer[o])) : lit(0, Bool),
    stalls: popcount(stalled),
    replications: replications.length ? sumTree(replications) : lit(0, Bool),
  };
  for (const e of EVENTS) m.output(`ev_${e}`, ev[e].type, `events this cycle: ${e}`).assign(ev[e]);
  return m;
}

/** The mesh: routers, links, the configuration decoder and the counters. `locs`: parameter locations for diagnostics. */
export function routerMesh(p: RouterParams, locs?: Record<string, SrcLoc | undefined>): Module {
  checkRouterSpec(p, captureCallerLoc(), 'routerMesh', locs);
  const m = new Module(routerMeshName(p), { ...p }, `Spike router: ${p.meshX} x ${p.meshY} mesh, XY tree multicast (spec: docs/router.md)`);
  const T = tiles(p);
  const map = routerMap(p);
  const tb = map.tileBits;
  const gb = map.groupBits;

  // ---- configuration ----
  const cfgWe = m.input('cfg_we', Bool, 'configuration write (performed at this edge; never stalled)');
  const cfgAddr = m.input('cfg_addr', UInt(map.addrBits), '{region, tile, group}: see docs/router.md');
  const cfgData = m.input('cfg_data', UInt(map.dataBits), 'table entry: bit d = destination tile d');
  const region = m.let('cfg_region', cfgAddr.bit(map.addrBits - 1));
  const index = m.let('cfg_index', cfgAddr.slice(tb + gb - 1, 0));
  const cfgTile = m.let('cfg_tile', cfgAddr.slice(tb + gb - 1, gb));
  const cfgGroup = gb > 0 ? m.let('cfg_group', cfgAddr.slice(gb - 1, 0)) : undefined;
  const conds = [region.eq(ROUTER_REGION.tables)];
  if (2 ** tb > T) conds.push(cfgTile.lt(T));
  if (map.dataBits > T) conds.push(cfgData.slice(map.dataBits - 1, T).eq(0));
  const tableOk = m.let('cfg_table_ok', allOf(conds));
  const clear = m.let('clear_counters', cfgWe.and(region.eq(ROUTER_REGION.registers)).and(index.eq(ROUTER_REG.clearCounters)));
  const refused = m.let('cfg_refused', cfgWe.and(tableOk.not()).and(clear.not()));
  const tableWe = m.let('table_we', cfgWe.and(tableOk));
  const tblData = m.let('tbl_data', cfgData.slice(T - 1, 0));

  // ---- local ports, packed: tile t at [t*w +: w] ----
  const inValid = m.input('in_valid', UInt(T), 'bit t: tile t offers a packet');
  const inNeuron = m.input('in_neuron', UInt(T * p.neuronBits), `tile t's neuron id at [t*${p.neuronBits} +: ${p.neuronBits}]`);
  const inTimestep = m.input('in_timestep', UInt(T * p.timestepBits));
  const inPayload = m.input('in_payload', UInt(T * p.payloadBits), 'signed spike values');
  const outReady = m.input('out_ready', UInt(T), 'bit t: tile t takes the packet offered to it');
  const slot = (v: Expr, t: number, w: number) => v.slice((t + 1) * w - 1, t * w);
  const locals = { in_ready: [] as Signal[], out_valid: [] as Signal[], out_src: [] as Signal[], out_neuron: [] as Signal[], out_timestep: [] as Signal[], out_payload: [] as Signal[] };
  const widths = { in_ready: 1, out_valid: 1, out_src: tb, out_neuron: p.neuronBits, out_timestep: p.timestepBits, out_payload: p.payloadBits };
  const events: Record<string, Signal[]> = Object.fromEntries(EVENTS.map((e) => [e, []]));

  // links: the wires of the flit leaving tile t through port d
  const nodes = Array.from({ length: T }, (_, t) => routerNode(p, t));
  const link = (t: number, d: Port) => {
    const { x, y } = tileXY(p, t);
    const port = nodes[t]!.ports.find((q) => q.name === `${lower(d)}_out_flit`)!;
    return { valid: `link_${x}_${y}_${lower(d)}_valid`, flit: `link_${x}_${y}_${lower(d)}_flit`, ready: `link_${x}_${y}_${lower(d)}_ready`, width: port.width };
  };
  const wires = new Map<string, Signal>();
  const wire = (name: string, w: number) => {
    let s = wires.get(name);
    if (!s) wires.set(name, (s = m.wire(name, UInt(w))));
    return s;
  };
  for (let t = 0; t < T; t++) {
    const { x, y } = tileXY(p, t);
    const node = nodes[t]!;
    const bind: Record<string, Expr | Signal> = { tbl_we: tableWe.and(cfgTile.eq(t)), tbl_data: tblData, in_valid: inValid.bit(t), in_neuron: slot(inNeuron, t, p.neuronBits), in_timestep: slot(inTimestep, t, p.timestepBits), in_payload: slot(inPayload, t, p.payloadBits), out_ready: outReady.bit(t) };
    if (cfgGroup) bind.tbl_group = cfgGroup;
    for (const [k, list] of Object.entries(locals)) {
      const w = m.wire(`${k}_${t}`, UInt(widths[k as keyof typeof widths]));
      list.push(w);
      bind[k] = w;
    }
    for (const e of EVENTS) {
      const port = node.ports.find((q) => q.name === `ev_${e}`)!;
      const w = m.wire(`ev_${e}_${x}_${y}`, port.type);
      events[e]!.push(w);
      bind[`ev_${e}`] = w;
    }
    for (const d of outputPorts(p, t).filter((q) => q !== 'L')) {
      const out = link(t, d);
      const n = lower(d);
      bind[`${n}_out_valid`] = wire(out.valid, 1);
      bind[`${n}_out_flit`] = wire(out.flit, out.width);
      bind[`${n}_out_ready`] = wire(out.ready, 1);
      // the same link seen from the neighbour, which receives it on the opposite port
      const inn = link(neighbour(p, t, d)!, OPPOSITE[d]);
      const ni = lower(d);
      bind[`${ni}_in_valid`] = wire(inn.valid, 1);
      bind[`${ni}_in_flit`] = wire(inn.flit, inn.width);
      bind[`${ni}_in_ready`] = wire(inn.ready, 1);
    }
    m.instance(`u_router_${x}_${y}`, node, bind);
  }
  m.output('in_ready', UInt(T), 'bit t: tile t\'s local FIFO is not full').assign(cat(...[...locals.in_ready].reverse()));
  m.output('out_valid', UInt(T), 'bit t: a packet is offered to tile t (it stays until taken)').assign(cat(...[...locals.out_valid].reverse()));
  m.output('out_src', UInt(T * tb), `source tile of tile t's packet at [t*${tb} +: ${tb}]`).assign(cat(...[...locals.out_src].reverse()));
  m.output('out_neuron', UInt(T * p.neuronBits)).assign(cat(...[...locals.out_neuron].reverse()));
  m.output('out_timestep', UInt(T * p.timestepBits)).assign(cat(...[...locals.out_timestep].reverse()));
  m.output('out_payload', UInt(T * p.payloadBits), 'signed spike values').assign(cat(...[...locals.out_payload].reverse()));

  // ---- sticky error and counters ----
  const err = m.reg('cfg_err', Bool, { reset: 0 });
  m.when(clear, () => err.assign(0)).elseWhen(refused, () => err.assign(1));
  m.output('cfg_error', Bool, 'sticky: a configuration write was refused').assign(err);
  const cw = p.counterBits;
  const fit = (e: Expr) => (e.width >= cw ? e.truncate(cw) : e.resize(cw));
  const sum = (name: string) => m.let(`sum_${name}`, sumTree(events[name]!.map((s) => s as Expr)));
  const increments: Record<RouterCounter, Expr> = {
    injected: sum('inject'),
    unrouted: sum('unrouted'),
    delivered: sum('deliver'),
    hops: sum('hops'),
    replications: sum('replications'),
    stalls: sum('stalls'),
    inject_stalls: sum('inject_stall'),
    refused_writes: refused,
  };
  for (const c of ROUTER_COUNTERS) {
    const r = m.reg(`count_${c}`, UInt(cw), { reset: 0 });
    m.when(clear, () => r.assign(0)).otherwise(() => r.assign(r.addWrap(fit(increments[c]))));
    m.output(`cnt_${c}`, UInt(cw)).assign(r);
  }
  return m;
}
