// The chip top (spec: docs/chip.md; rules: src/spec/chip.ts and src/spec/chip-map.ts): a grid of tile slots
// (crossbar tiles with neurons, two pools by neuron alphabet) joined by the spike router mesh, whose last position
// is the host port (spike input and output streams); vertical partial-sum chains between neighbouring slots; one
// attention unit; one pruning controller hook; the weight-streaming loader with its off-chip read port; and the
// configuration interface: one bus (address, data, write/read strobes, ready, error) whose memory map is generated
// from src/spec/chip-map.ts's region table, unmapped accesses refused and counted.
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, mux, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import { paramLocations, resolveParams, type Resolved } from '../src/params/define.js';
import { ATT_COUNTERS, attentionMap } from '../src/spec/attention.js';
import {
  attentionSpecOfChip,
  BUS_COUNTERS,
  checkChipSpec,
  chipId,
  hostTile,
  loaderSpecOf,
  northOf,
  positions,
  pruningSpecOf,
  routerSpecOf,
  SLOT_MODE,
  slotCount,
  slotKind,
  southOf,
  tileSpecOf,
  type ChipSpec,
} from '../src/spec/chip.js';
import {
  ATT_TOKEN,
  busMap,
  LOADER_REG,
  PRUNE_REG,
  REGION_BITS,
  regionByName,
  SLOT_REG,
  SLOT_TARGET,
  UNIT_TARGET,
  wordChunks,
  type RegionDef,
} from '../src/spec/chip-map.js';
import { cfgAddress, colGroups, crossbarMap, REGION } from '../src/spec/crossbar.js';
import { countBits as loaderCountBits, FAULT_BITS, LOADER_COUNTERS } from '../src/spec/memory.js';
import { PRUNING_COUNTERS } from '../src/spec/pruning.js';
import { groupBits, registerAddress, ROUTER_COUNTERS, routerMap, tileBits } from '../src/spec/router.js';
import { attentionUnit } from './attention.js';
import { chipSlot, type SlotParams } from './chip_slot.js';
import { crossbarTile } from './crossbar.js';
import { chipParams } from './params.js';
import { pruningController } from './pruning.js';
import { routerMesh } from './router.js';
import { weightStreamLoader } from './weight_stream.js';

export type ChipParams = Resolved<typeof chipParams>;

/** The chip spec from the parameter file's `chip` section. */
export const chipSpecOf = (params: ChipParams): ChipSpec => params.chip as ChipSpec;

const pack = (xs: Expr[]) => (xs.length === 1 ? xs[0]!.asUnsigned() : cat(...[...xs].reverse().map((x) => x.asUnsigned())));
const fieldOf = (packed: Expr, i: number, w: number) => packed.slice((i + 1) * w - 1, i * w);

/** `values[sel]` as a mux chain (sel out of range gives the last). */
function pick(sel: Expr, values: Expr[]): Expr {
  let out = values[values.length - 1]!;
  for (let i = values.length - 2; i >= 0; i--) out = mux(sel.eq(i), values[i]!, out);
  return out;
}

/** `locs`: where each parameter is defined (paramLocations of dsl/params.ts' chip section), for diagnostics there. */
export function chipTop(spec: ChipSpec, locs?: Record<string, SrcLoc | undefined>): Module {
  checkChipSpec(spec, captureCallerLoc(), 'chipTop', locs);
  const map = busMap(spec);
  const m = new Module('chip_top', flatten(spec), `NeuromorphicLLM chip: ${spec.meshX} x ${spec.meshY} router positions, ${slotCount(spec)} tile slots (spec: docs/chip.md)`);
  const B = map.dataBits;
  const N = slotCount(spec);
  const H = hostTile(spec);
  const T = positions(spec);
  const rs = routerSpecOf(spec);
  const tb = tileBits(rs);
  const as = attentionSpecOfChip(spec);
  const ls = loaderSpecOf(spec);
  const tileS = tileSpecOf(spec, 'signed');
  const tmap = crossbarMap(tileS);
  const G = colGroups(tileS);
  const cw = spec.tile.counterBits;
  const slotBits = bitsFor(Math.max(1, N - 1));
  const prune = spec.pruning.enabled;

  // ---- ports ----
  const busWe = m.input('bus_we', Bool, 'write: performed at an edge where bus_ready = 1');
  const busRe = m.input('bus_re', Bool, 'read (when bus_we = 0): bus_rdata shows the word in the next cycle');
  const busAddr = m.input('bus_addr', UInt(map.addrBits), '{target, region, index}: docs/chip.md memory map');
  const busData = m.input('bus_wdata', UInt(B));
  const sinValid = m.input('sin_valid', Bool, 'host spike input: a packet is offered (taken at an edge where sin_ready = 1)');
  const sinNeuron = m.input('sin_neuron', UInt(rs.neuronBits), 'the input index (its group selects the row tile)');
  const sinTimestep = m.input('sin_timestep', UInt(rs.timestepBits));
  const sinPayload = m.input('sin_payload', UInt(rs.payloadBits), 'signed spike value; 0 = end-of-step marker');
  const soutReady = m.input('sout_ready', Bool, 'host spike output: the host takes the packet offered');
  const memReqReady = m.input('mem_req_ready', Bool, 'off-chip memory takes the burst request');
  const memDataValid = m.input('mem_data_valid', Bool, 'off-chip memory offers a data beat');
  const memData = m.input('mem_data', UInt(ls.beatBits));
  const memDataLast = m.input('mem_data_last', Bool);

  // ---- address decode ----
  const target = m.let('bus_target', busAddr.slice(map.addrBits - 1, REGION_BITS + map.indexBits));
  const region = m.let('bus_region', busAddr.slice(REGION_BITS + map.indexBits - 1, map.indexBits));
  const index = m.let('bus_index', busAddr.slice(map.indexBits - 1, 0));
  const isTarget = (unit: keyof typeof UNIT_TARGET | number) => target.eq(typeof unit === 'number' ? SLOT_TARGET + unit : UNIT_TARGET[unit]);
  const maxIndex = 2 ** map.indexBits;
  const indexBelow = (n: number): Expr => (n >= maxIndex ? lit(1, Bool) : index.lt(n));
  /** the write data has no bits above the top chunk of a word of `width` bits */
  const fitsTop = (width: number): Expr => {
    const top = width - (wordChunks(map, width) - 1) * B;
    return top >= B ? lit(1, Bool) : busData.slice(B - 1, top).eq(0);
  };
  /** word index in range and data fitting (write regions) */
  const wordOk = (r: RegionDef): Expr => {
    const ws = r.words;
    const uniform = ws.every((w) => w && !w.action && w.width === ws[0]!.width);
    if (uniform && ws.length > 0) return r.access === 'w' ? indexBelow(ws.length).and(fitsTop(ws[0]!.width)) : indexBelow(ws.length);
    const terms = ws.flatMap((w, i) => (w ? [index.eq(i).and(r.access === 'w' && !w.action ? fitsTop(w.width) : lit(1, Bool))] : []));
    return terms.length ? terms.reduce((a, b) => a.or(b)) : lit(0, Bool);
  };
  /** the stage words below and the write data on top: the word of a region whose words are `width` bits */
  const stage: Signal[] = [];
  for (let k = 0; k < map.stageSlots; k++) {
    const r = m.reg(`stage_${k}`, UInt(B), { reset: 0, enable: busWe.and(isTarget('chip')).and(region.eq(0)).and(index.eq(k)) }, `staging word ${k}: bits [${k}*${B} +: ${B}] of a wide word`);
    r.assign(busData);
    stage.push(r);
  }
  const wordValue = (width: number): Expr => {
    const n = wordChunks(map, width);
    if (n === 1) return busData.resize(width);
    const top = width - (n - 1) * B;
    return cat(busData.slice(top - 1, 0), ...stage.slice(0, n - 1).reverse());
  };

  const hits: Expr[] = [];
  const readHits: Expr[] = [];
  /** an access to (unit or slot, region) with a good index (and data, for writes); rules added by the caller */
  const regionHit = (unit: keyof typeof UNIT_TARGET | 'slot', slot: number, r: RegionDef, extra?: Expr): Expr => {
    const tsel = unit === 'slot' ? isTarget(slot) : isTarget(unit);
    let h = tsel.and(region.eq(r.region)).and(wordOk(r));
    if (extra) h = h.and(extra);
    (r.access === 'w' ? hits : readHits).push(h);
    return h;
  };
  const region_ = (unit: Parameters<typeof regionByName>[1], name: string) => regionByName(map, unit, name);

  // ---- the chip's own words ----
  const chipRegs = regionHit('chip', 0, region_('chip', 'registers'));
  regionHit('chip', 0, region_('chip', 'stage'));
  const chipInfoR = regionHit('chip', 0, region_('chip', 'info'));
  const chipCountR = regionHit('chip', 0, region_('chip', 'counters'));

  // ---- router ----
  const rtTables = regionHit('router', 0, region_('router', 'tables'));
  const rtRegs = regionHit('router', 0, region_('router', 'registers'));
  const rtCountR = regionHit('router', 0, region_('router', 'counters'));
  const rtStatusR = regionHit('router', 0, region_('router', 'status'));

  // ---- attention ----
  const attRegs = regionHit('attention', 0, region_('attention', 'registers'));
  const attQ = regionHit('attention', 0, region_('attention', 'q'));
  const attK = regionHit('attention', 0, region_('attention', 'k'));
  const attV = regionHit('attention', 0, region_('attention', 'v'));
  const attTok = regionHit('attention', 0, region_('attention', 'token'));
  const attStatusR = regionHit('attention', 0, region_('attention', 'status'));
  const attCountR = regionHit('attention', 0, region_('attention', 'counters'));

  // ---- pruning and loader ----
  const slotBelow = (w: number) => (2 ** w > N ? busData.resize(w).lt(N) : lit(1, Bool));
  const prRegs = prune ? regionHit('pruning', 0, region_('pruning', 'registers'), index.ne(PRUNE_REG.watch).or(slotBelow(slotBits))) : undefined;
  const prStatusR = prune ? regionHit('pruning', 0, region_('pruning', 'status')) : undefined;
  const prCountR = prune ? regionHit('pruning', 0, region_('pruning', 'counters')) : undefined;
  const ldRegs = regionHit('loader', 0, region_('loader', 'registers'), index.ne(LOADER_REG.target).or(slotBelow(slotBits)));
  const ldStatusR = regionHit('loader', 0, region_('loader', 'status'));
  const ldCountR = regionHit('loader', 0, region_('loader', 'counters'));

  // ---- slots ----
  const sTile: Expr[] = [];
  const sRegs: Expr[] = [];
  const sBias: Expr[] = [];
  const sRead: Expr[] = [];
  for (let s = 0; s < N; s++) {
    sTile.push(m.let(`slot${s}_tile_hit`, [REGION.weights, REGION.mask, REGION.registers].map((r) => regionHit('slot', s, map.regions.find((x) => x.unit === 'slot' && x.region === r)!)).reduce((a, b) => a.or(b))));
    // mode link needs a slot below, chain a slot above (refused otherwise)
    const modeOk = southOf(spec, s) === undefined ? index.ne(SLOT_REG.mode).or(busData.slice(1, 0).ne(SLOT_MODE.link)) : lit(1, Bool);
    const chainOk = northOf(spec, s) === undefined ? index.ne(SLOT_REG.chain).or(busData.bit(0).eq(0)) : lit(1, Bool);
    sRegs.push(m.let(`slot${s}_reg_hit`, regionHit('slot', s, region_('slot', 'registers'), modeOk.and(chainOk))));
    sBias.push(regionHit('slot', s, region_('slot', 'bias')));
    sRead.push([5, 6, 7].map((r) => regionHit('slot', s, map.regions.find((x) => x.unit === 'slot' && x.region === r)!)).reduce((a, b) => a.or(b)));
  }
  const writeOk = m.let('bus_write_ok', hits.reduce((a, b) => a.or(b)));
  const readOk = m.let('bus_read_ok', readHits.reduce((a, b) => a.or(b)));

  // ---- ready: a write waits for its target; a refused write and every read are taken at once ----
  const tileReady = Array.from({ length: N }, (_, s) => m.wire(`slot${s}_tile_ready`, Bool));
  const attReady = m.wire('att_ready', Bool);
  const attPending = m.reg('att_pending', Bool, { reset: 0 }, 'a token is offered to the attention unit');
  const ldIdle = m.wire('loader_idle', Bool);
  const ldTarget = m.reg('loader_target', UInt(slotBits), { reset: 0, enable: busWe.and(ldRegs).and(index.eq(LOADER_REG.target)).and(ldIdle) }, 'the slot the loader writes');
  ldTarget.assign(busData.resize(slotBits));
  const prReady = prune ? m.wire('prune_ready', Bool) : undefined;
  const prMaskValid = prune ? m.wire('prune_mask_valid', Bool) : undefined;
  const pend = prune ? Array.from({ length: N }, (_, s) => m.reg(`prune_pending_${s}`, Bool, { reset: 0 }, `slot ${s}: the new row mask is still to be written`)) : undefined;
  const ldBusyOn = (s: number) => ldIdle.not().and(ldTarget.eq(s));
  const slotTileFree = (s: number) => {
    let e: Expr = tileReady[s]!.and(ldBusyOn(s).not());
    if (pend) e = e.and(pend[s]!.not());
    return m.let(`slot${s}_bus_free`, e);
  };
  let waitFor: Expr = lit(1, Bool);
  for (let s = N - 1; s >= 0; s--) waitFor = mux(sTile[s]!, slotTileFree(s), waitFor);
  waitFor = mux(attRegs, attReady, mux(attQ.or(attK).or(attV).or(attTok), attPending.not(), mux(ldRegs, ldIdle, waitFor)));
  if (prRegs && prReady && prMaskValid) waitFor = mux(prRegs.and(index.eq(PRUNE_REG.tokenEnd)), prReady.and(prMaskValid.not()), waitFor);
  const ready = m.let('bus_ready_w', busWe.not().or(writeOk.not()).or(waitFor));
  const wr = m.let('bus_write', busWe.and(ready));
  const rd = m.let('bus_read', busRe.and(busWe.not()));
  const good = m.let('bus_write_good', wr.and(writeOk));
  const refused = m.let('bus_refused', wr.and(writeOk.not()).or(rd.and(readOk.not())));

  // ---- chip registers and counters ----
  const clearBus = m.let('bus_clear', good.and(chipRegs));
  const busErr = m.reg('bus_err', Bool, { reset: 0 }, 'sticky: an access was refused');
  m.when(clearBus, () => busErr.assign(0)).elseWhen(refused, () => busErr.assign(1));
  const busEvents: Record<string, Expr> = { writes: wr, reads: rd, refused };
  const busCounters = BUS_COUNTERS.map((c) => {
    const r = m.reg(`bus_count_${c}`, UInt(cw), { reset: 0 });
    m.when(clearBus, () => r.assign(0)).elseWhen(busEvents[c]!, () => r.assign(r.addWrap(1)));
    return r;
  });

  // ---- router ----
  const rmap = routerMap(rs);
  const tx = Array.from({ length: N }, (_, s) => ({ valid: m.wire(`slot${s}_tx_valid`, Bool), neuron: m.wire(`slot${s}_tx_neuron`, UInt(rs.neuronBits)), timestep: m.wire(`slot${s}_tx_timestep`, UInt(rs.timestepBits)), payload: m.wire(`slot${s}_tx_payload`, UInt(rs.payloadBits)) }));
  const rIn = { valid: [...tx.map((x) => x.valid), sinValid], neuron: [...tx.map((x) => x.neuron), sinNeuron], timestep: [...tx.map((x) => x.timestep), sinTimestep], payload: [...tx.map((x) => x.payload), sinPayload] };
  const rInReady = m.wire('router_in_ready', UInt(T));
  const rOut = { valid: m.wire('router_out_valid', UInt(T)), src: m.wire('router_out_src', UInt(T * tb)), neuron: m.wire('router_out_neuron', UInt(T * rs.neuronBits)), timestep: m.wire('router_out_timestep', UInt(T * rs.timestepBits)), payload: m.wire('router_out_payload', UInt(T * rs.payloadBits)) };
  const rCfgError = m.wire('router_cfg_error', Bool);
  const rCounters = ROUTER_COUNTERS.map((c) => m.wire(`router_cnt_${c}`, UInt(cw)));
  const rIndexBits = tb + groupBits(rs);
  const rAddr = mux(rtRegs, lit(registerAddress(rs, 0), UInt(rmap.addrBits)), cat(lit(0, Bool), index.resize(rIndexBits)).resize(rmap.addrBits));
  m.instance('u_router', routerMesh(rs), {
    cfg_we: good.and(rtTables.or(rtRegs)),
    cfg_addr: m.let('router_cfg_addr', rAddr),
    cfg_data: wordValue(T).resize(rmap.dataBits),
    in_valid: pack(rIn.valid),
    in_neuron: pack(rIn.neuron),
    in_timestep: pack(rIn.timestep),
    in_payload: pack(rIn.payload),
    out_ready: pack([...Array.from({ length: N }, () => lit(1, Bool)), soutReady]),
    in_ready: rInReady,
    out_valid: rOut.valid,
    out_src: rOut.src,
    out_neuron: rOut.neuron,
    out_timestep: rOut.timestep,
    out_payload: rOut.payload,
    cfg_error: rCfgError,
    ...Object.fromEntries(ROUTER_COUNTERS.map((c, i) => [`cnt_${c}`, rCounters[i]!])),
  });
  const rField = (w: Expr, t: number, width: number) => fieldOf(w, t, width);
  m.output('sin_ready', Bool, 'the router takes the host packet at this edge').assign(rInReady.bit(H));
  m.output('sout_valid', Bool, 'a packet for the host is offered (it stays until sout_ready)').assign(rOut.valid.bit(H));
  m.output('sout_src', UInt(tb), 'the slot that sent it').assign(rField(rOut.src, H, tb));
  m.output('sout_neuron', UInt(rs.neuronBits), 'its column').assign(rField(rOut.neuron, H, rs.neuronBits));
  m.output('sout_timestep', UInt(rs.timestepBits)).assign(rField(rOut.timestep, H, rs.timestepBits));
  m.output('sout_payload', UInt(rs.payloadBits), 'signed spike (0: end-of-step marker)').assign(rField(rOut.payload, H, rs.payloadBits));

  // ---- attention unit ----
  const am = attentionMap(as);
  const qkv = (hit: Expr, r: RegionDef, name: string) =>
    r.words.map((w, k) => {
      const reg = m.reg(`att_${name}_${k}`, UInt(w!.width), { reset: 0, enable: good.and(hit).and(index.eq(k)) });
      reg.assign(busData.resize(w!.width));
      return reg;
    });
  const qRegs = qkv(attQ, region_('attention', 'q'), 'q');
  const kRegs = qkv(attK, region_('attention', 'k'), 'k');
  const vRegs = qkv(attV, region_('attention', 'v'), 'v');
  const attSeq = m.reg('att_seq_start', Bool, { reset: 0, enable: good.and(attTok).and(index.eq(ATT_TOKEN.token)) });
  attSeq.assign(busData.bit(0));
  const attCfgWe = m.let('att_cfg_we', good.and(attRegs));
  m.when(good.and(attTok), () => attPending.assign(1)).elseWhen(attReady.and(attCfgWe.not()), () => attPending.assign(0));
  const attOut = { cfgError: m.wire('att_cfg_error', Bool), ctxError: m.wire('att_ctx_error', Bool), tokPos: m.wire('att_tok_pos', UInt(as.positionBits)), cacheLen: m.wire('att_cache_len', UInt(bitsFor(as.context))) };
  const attCounters = ATT_COUNTERS.map((c) => m.wire(`att_cnt_${c}`, UInt(as.counterBits)));
  const attUnit = attentionUnit(as);
  const portType = (mod: Module, n: string) => mod.ports.find((q) => q.name === n)!.type;
  const attOutPorts = ['out_valid', 'out_word', 'out_step', 'out_spikes', 'out_v'].map((n) => m.output(`att_${n}`, portType(attUnit, n), `the attention unit's ${n} (docs/attention.md)`));
  m.instance('u_attention', attUnit, {
    cfg_we: attCfgWe,
    cfg_addr: index.resize(3),
    cfg_data: busData.resize(am.dataBits),
    in_valid: attPending,
    in_seq_start: attSeq,
    in_q: pack(qRegs),
    in_k: pack(kRegs),
    in_v: pack(vRegs),
    ready: attReady,
    cfg_error: attOut.cfgError,
    ctx_error: attOut.ctxError,
    tok_pos: attOut.tokPos,
    cache_len: attOut.cacheLen,
    ...Object.fromEntries(['out_valid', 'out_word', 'out_step', 'out_spikes', 'out_v'].map((n, i) => [n, attOutPorts[i]!])),
    ...Object.fromEntries(ATT_COUNTERS.map((c, i) => [`cnt_${c}`, attCounters[i]!])),
  });

  // ---- slots, their chains and the router's local ports ----
  // one module per slot variant (kind, neighbours), and one tile module per kind, built once
  const variants = new Map<string, Module>();
  const tiles = new Map<string, Module>();
  const slots = Array.from({ length: N }, (_, s) => {
    const kind = slotKind(spec, s);
    const sp: SlotParams = { tile: tileSpecOf(spec, kind), kind, north: northOf(spec, s) !== undefined, south: southOf(spec, s) !== undefined, tap: prune, srcBits: tb, timesteps: spec.timesteps, vWidth: spec.neuronVWidth, busBits: B, indexBits: map.indexBits, neuronBits: rs.neuronBits, timestepBits: rs.timestepBits, payloadBits: rs.payloadBits };
    const key = `${kind}${sp.north}${sp.south}`;
    if (!tiles.has(kind)) tiles.set(kind, crossbarTile(sp.tile));
    if (!variants.has(key)) variants.set(key, chipSlot(sp, tiles.get(kind)!));
    return { sp, mod: variants.get(key)! };
  });
  const wire = (s: number, n: string) => m.wire(`slot${s}_${n}`, portType(slots[s]!.mod, n));
  const outs = slots.map(({ sp }, s) => ({
    took: sp.north || sp.tap ? wire(s, 'took') : undefined,
    link: sp.south ? { valid: wire(s, 'link_valid'), group: wire(s, 'link_group'), psum: wire(s, 'link_psum') } : undefined,
    tap: sp.tap ? { rows: wire(s, 'tap_rows'), valid: wire(s, 'tap_valid'), group: wire(s, 'tap_group'), spikes: wire(s, 'tap_spikes') } : undefined,
    rd: wire(s, 'rd_data'),
  }));

  // tile configuration port of each slot: a pending pruning mask, then the loader, then the bus
  const ldCfg = { we: m.wire('loader_cfg_we', Bool), addr: m.wire('loader_cfg_addr', UInt(tmap.addrBits)), data: m.wire('loader_cfg_data', UInt(tmap.dataBits)) };
  const prRowMask = prune ? m.wire('prune_row_mask', UInt(tileS.rows)) : undefined;
  const busTileAddr = m.let('bus_tile_addr', cat(region.slice(1, 0), index.resize(tmap.indexBits)));
  const weightsW = region_('slot', 'weights').words[0]!.width;
  const busTileData = m.let('bus_tile_data', mux(region.eq(REGION.weights), wordValue(weightsW).resize(tmap.dataBits), mux(region.eq(REGION.mask), wordValue(region_('slot', 'mask').words[0]!.width).resize(tmap.dataBits), busData.resize(tmap.dataBits))));
  const rdRegion = m.let('slot_rd_region', mux(region.eq(5), lit(0, UInt(2)), mux(region.eq(6), lit(1, UInt(2)), lit(2, UInt(2)))));
  const holdW = Array.from({ length: N }, (_, s) => m.wire(`slot${s}_hold`, Bool, 'no timestep: a stream load or a pruning mask is pending'));
  slots.forEach(({ sp, mod }, s) => {
    const pendS = pend?.[s];
    const ldSel = ldCfg.we.and(ldTarget.eq(s));
    const busSel = good.and(sTile[s]!);
    let we: Expr = ldSel.or(busSel);
    let addr: Expr = mux(ldSel, ldCfg.addr, busTileAddr);
    let data: Expr = mux(ldSel, ldCfg.data, busTileData);
    if (pendS && prRowMask) {
      we = pendS.or(we);
      addr = mux(pendS, lit(cfgAddress(tmap, REGION.mask, 0), UInt(tmap.addrBits)), addr);
      data = mux(pendS, prRowMask.resize(tmap.dataBits), data);
    }
    const n = northOf(spec, s);
    const so = southOf(spec, s);
    const bind: Record<string, Expr | Signal> = {
      tile_we: m.let(`slot${s}_tile_we`, we),
      tile_addr: m.let(`slot${s}_tile_addr`, addr),
      tile_data: m.let(`slot${s}_tile_data`, data),
      wr_en: good.and(sRegs[s]!.or(sBias[s]!)),
      wr_region: region.eq(4),
      wr_index: index,
      wr_data: busData.resize(sp.tile.psumBits),
      rd_region: rdRegion,
      rd_index: index,
      hold: holdW[s]!,
      pk_valid: rOut.valid.bit(s),
      pk_src: rField(rOut.src, s, tb),
      pk_neuron: rField(rOut.neuron, s, rs.neuronBits),
      pk_timestep: rField(rOut.timestep, s, rs.timestepBits),
      pk_payload: rField(rOut.payload, s, rs.payloadBits),
      tx_ready: rInReady.bit(s),
      tile_ready: tileReady[s]!,
      tx_valid: tx[s]!.valid,
      tx_neuron: tx[s]!.neuron,
      tx_timestep: tx[s]!.timestep,
      tx_payload: tx[s]!.payload,
      rd_data: outs[s]!.rd,
    };
    if (n !== undefined) Object.assign(bind, { north_valid: outs[n]!.link!.valid, north_group: outs[n]!.link!.group, north_psum: outs[n]!.link!.psum });
    if (so !== undefined) Object.assign(bind, { south_took: outs[so]!.took!, link_valid: outs[s]!.link!.valid, link_group: outs[s]!.link!.group, link_psum: outs[s]!.link!.psum });
    if (outs[s]!.took) bind.took = outs[s]!.took!;
    if (outs[s]!.tap) Object.assign(bind, { tap_rows: outs[s]!.tap!.rows, tap_valid: outs[s]!.tap!.valid, tap_group: outs[s]!.tap!.group, tap_spikes: outs[s]!.tap!.spikes });
    m.instance(`u_slot${s}`, mod, bind);
  });

  // ---- pruning controller hook ----
  let prRead: { status: Expr[]; counters: Expr[] } | undefined;
  const copyBits: Expr[] = [];
  if (prune && pend && prReady && prMaskValid && prRowMask && prRegs) {
    const ps = pruningSpecOf(spec);
    const watch = m.reg('prune_watch', UInt(slotBits), { reset: 0, enable: good.and(prRegs).and(index.eq(PRUNE_REG.watch)) }, 'the slot the controller counts');
    watch.assign(busData.resize(slotBits));
    const copy = m.reg('prune_copy', UInt(N), { reset: 0, enable: good.and(prRegs).and(index.eq(PRUNE_REG.copy)) }, 'bit s: slot s takes each new row mask');
    copy.assign(busData.resize(N));
    const tokenEnd = m.let('prune_token_end', good.and(prRegs).and(index.eq(PRUNE_REG.tokenEnd)));
    const sel = <K extends 'rows' | 'valid' | 'group' | 'spikes'>(k: K, widen?: (e: Expr, s: number) => Expr) => pick(watch, outs.map((o, s) => (widen ? widen(o.tap![k], s) : o.tap![k])));
    // each lane's spike widened to the controller's field (a nonzero spike stays nonzero)
    const colOut = sel('spikes', (e, s) => {
      const w = e.width / ps.colsPerCycle;
      if (w === ps.colWidth) return e;
      const lanes = Array.from({ length: ps.colsPerCycle }, (_, j) => fieldOf(e, j, w));
      return pack(lanes.map((l) => (slotKind(spec, s) === 'signed' ? l.asSigned().resize(ps.colWidth).asUnsigned() : l.resize(ps.colWidth))));
    });
    const ctrl = pruningController(ps);
    const nw = bitsFor(Math.max(ps.rows, ps.cols));
    const st = { colMask: m.wire('prune_col_mask', UInt(ps.cols)), enabled: m.wire('prune_enabled_rows', UInt(nw)), active: m.wire('prune_active_cols', UInt(nw)), off: m.wire('prune_last_rows_off', UInt(nw)), on: m.wire('prune_last_rows_on', UInt(nw)) };
    const prCounters = PRUNING_COUNTERS.map((c) => m.wire(`prune_cnt_${c}`, UInt(cw)));
    const bind: Record<string, Expr | Signal> = {
      row_valid: pick(watch, outs.map((o) => o.took!)),
      row_in: sel('rows'),
      col_valid: sel('valid'),
      col_out: m.let('prune_col_out', colOut),
      token_end: tokenEnd,
      ready: prReady,
      mask_valid: prMaskValid,
      row_mask: prRowMask,
      col_mask: st.colMask,
      enabled_rows: st.enabled,
      active_cols: st.active,
      last_rows_off: st.off,
      last_rows_on: st.on,
      ...Object.fromEntries(PRUNING_COUNTERS.map((c, i) => [`cnt_${c}`, prCounters[i]!])),
    };
    if (G > 1) bind.col_group = sel('group');
    m.instance('u_pruning', ctrl, bind);
    pend.forEach((pr, s) => {
      copyBits.push(copy.bit(s));
      m.when(prMaskValid.and(copy.bit(s)), () => pr.assign(1)).elseWhen(tileReady[s]!, () => pr.assign(0));
    });
    const chunksOf = (v: Expr, n: number) => Array.from({ length: Math.ceil(n / B) }, (_, k) => v.slice(Math.min(n, (k + 1) * B) - 1, k * B).resize(B));
    const anyPending = pend.reduce<Expr>((a, b) => a.or(b), lit(0, Bool));
    prRead = { status: [st.enabled.resize(B), st.active.resize(B), st.off.resize(B), st.on.resize(B), cat(anyPending, prReady).resize(B), ...chunksOf(prRowMask, ps.rows), ...chunksOf(st.colMask, ps.cols)], counters: prCounters.map((c) => c.resize(B)) };
  }
  holdW.forEach((w, s) => {
    let h: Expr = ldBusyOn(s);
    if (pend && prReady && prMaskValid) h = h.or(copyBits[s]!.and(pend[s]!.or(prReady.not()).or(prMaskValid)));
    w.assign(h);
  });

  // ---- weight-streaming loader ----
  const ld = weightStreamLoader(ls);
  const cmd = wordValue(regionByName(map, 'loader', 'registers').words[LOADER_REG.command]!.width);
  let at = 0;
  const cmdField: Record<string, Expr> = {};
  for (const [name, bits] of map.commandFields) {
    cmdField[name] = cmd.slice(at + bits - 1, at);
    at += bits;
  }
  const ldStatus = { loaded: m.wire('loader_loaded', Bool), fault: m.wire('loader_fault', UInt(FAULT_BITS)) };
  const ldCounters = LOADER_COUNTERS.map((c) => m.wire(`loader_cnt_${c}`, UInt(cw)));
  const tgtReady = pick(ldTarget, Array.from({ length: N }, (_, s) => (pend ? tileReady[s]!.and(pend[s]!.not()) : tileReady[s]!)));
  m.instance('u_loader', ld, {
    cmd_valid: good.and(ldRegs).and(index.eq(LOADER_REG.command)),
    cmd_src: cmdField.src!,
    cmd_count: cmdField.count!.resize(loaderCountBits(ls)),
    cmd_region: cmdField.region!,
    cmd_base: cmdField.base!,
    cmd_first: cmdField.first!,
    cmd_ready: ldIdle,
    req_valid: m.output('mem_req_valid', Bool, 'a burst read request to the off-chip memory'),
    req_ready: memReqReady,
    req_addr: m.output('mem_req_addr', UInt(ls.addrBits)),
    req_len: m.output('mem_req_len', portType(ld, 'req_len')),
    data_valid: memDataValid,
    data_ready: m.output('mem_data_ready', Bool, 'the loader takes the data beat'),
    data: memData,
    data_last: memDataLast,
    cfg_we: ldCfg.we,
    cfg_addr: ldCfg.addr,
    cfg_data: ldCfg.data,
    tgt_ready: m.let('loader_tgt_ready', tgtReady),
    loaded: ldStatus.loaded,
    fault: ldStatus.fault,
    ...Object.fromEntries(LOADER_COUNTERS.map((c, i) => [`cnt_${c}`, ldCounters[i]!])),
  });

  // ---- read data ----
  const z = lit(0, UInt(B));
  const unitRead = (hit: Expr, values: Expr[]) => ({ hit, value: pick(index, values.map((v) => v.resize(B))) });
  const reads = [
    unitRead(chipInfoR, [lit(chipId(spec), UInt(32)), lit(N, UInt(bitsFor(N)))]),
    unitRead(chipCountR, busCounters),
    unitRead(rtCountR, rCounters),
    unitRead(rtStatusR, [rCfgError]),
    unitRead(attStatusR, [cat(attOut.cfgError, attOut.ctxError, attReady, attPending), attOut.tokPos, attOut.cacheLen]),
    unitRead(attCountR, attCounters),
    unitRead(ldStatusR, [cat(ldStatus.fault, ldStatus.loaded, ldIdle)]),
    unitRead(ldCountR, ldCounters),
  ];
  if (prRead && prStatusR && prCountR) reads.push(unitRead(prStatusR, prRead.status), unitRead(prCountR, prRead.counters));
  let rvalue: Expr = z;
  for (let s = N - 1; s >= 0; s--) rvalue = mux(sRead[s]!, outs[s]!.rd, rvalue);
  for (const r of [...reads].reverse()) rvalue = mux(r.hit, r.value, rvalue);
  const rdata = m.reg('bus_rdata_r', UInt(B), { reset: 0, enable: rd }, 'the last word read (0 for a refused read)');
  rdata.assign(m.let('bus_read_value', rvalue));
  const rvalid = m.reg('bus_rvalid_r', Bool, { reset: 0 });
  rvalid.assign(rd);

  m.output('bus_ready', Bool, 'the write offered is performed (or refused) at this edge').assign(ready);
  m.output('bus_rvalid', Bool, 'bus_rdata holds the word read at the last edge').assign(rvalid);
  m.output('bus_rdata', UInt(B)).assign(rdata);
  m.output('bus_error', Bool, 'sticky: an access was refused (cleared by a chip clearCounters write)').assign(busErr);
  return m;
}

function flatten(o: object, prefix = ''): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v as string | number | boolean;
  }
  return out;
}

/** Where each chip parameter is defined in dsl/params.ts, keyed as checkChipSpec names them. */
export const chipParamLocations = () => paramLocations(chipParams.chip);

/** The default chip, from dsl/params.ts. */
export function defaultChip(): Module {
  return chipTop(chipSpecOf(resolveParams(chipParams)), chipParamLocations());
}
