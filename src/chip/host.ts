// The host side of the RTL-in-the-loop (docs/chip.md, "Running a program"): runs a compiled chip program with the
// crossbar linear ops and the attention unit on the chip and the digital units (embedding, norm, encoders, counts,
// RoPE, activation/mul/residual units, logits) on the host, in the runtime's own code. The program is split into
// loads (as many consecutive chip phases as the chip holds; an op wider than the chip in parts of its column
// tiles); each load is written through the configuration bus (weight streaming when the chip is smaller than the
// model), then every token of the block runs through it: the host sends each spike tensor into the host port, the
// tiles pass partial sums down their chains and spikes through the router, and the host takes spikes from the host
// port and membranes and counters over the bus.
import type { ChipProgram, ProgOp } from '../compiler/program.js';
import type { AttentionCounters } from '../golden/attention.js';
import { SnnModel, type SnnState } from '../runtime/snn.js';
import { ATT_COUNTERS, ATT_REG } from '../spec/attention.js';
import { attentionSpecOfChip, hostTile, SLOT_COUNTERS, type ChipSpec, type SlotCounter } from '../spec/chip.js';
import { busMap, CHIP_REG, SLOT_REG, type BusMap } from '../spec/chip-map.js';
import { TILE_COUNTERS, TILE_REG, type TileCounter } from '../spec/crossbar.js';
import { ROUTER_COUNTERS, ROUTER_REG, type RouterCounter } from '../spec/router.js';
import type { ChipBackend, HostPacket } from './backend.js';
import { fromSignedBits, readWord, signedBits, writeWord, type BusOp } from './bus.js';
import { attentionLoad, chainEnds, checkProgramForChip, ChipProgramError, hostRoutes, linearLoad, placeOps, routeLoad, spikeRoutes, wholeOp, type AttentionOp, type LinearOp, type LinearPart, type Placement, type Route } from './loader.js';

export type Value = Int32Array | Int8Array;

export type Step = { kind: 'host'; op: ProgOp } | { kind: 'attention'; op: AttentionOp } | { kind: 'chip'; input: string; parts: LinearPart[] };
type ChipStep = Step & { kind: 'chip' };

/** The ops' schedule: chip phases (the linear ops reading one host spike tensor, and those reading their spikes) at their first op's place. */
function schedule(ops: readonly ProgOp[]): Step[] {
  const lins = ops.filter((o): o is LinearOp => o.kind === 'linear');
  const done = new Set<string>();
  const steps: Step[] = [];
  for (const op of ops) {
    if (op.kind === 'attention') steps.push({ kind: 'attention', op });
    else if (op.kind !== 'linear') steps.push({ kind: 'host', op });
    else if (!done.has(op.name)) {
      const phase = lins.filter((l) => l.input === op.input && !done.has(l.name));
      for (let grew = true; grew; ) {
        grew = false;
        for (const l of lins) if (!phase.includes(l) && !done.has(l.name) && phase.some((o) => o.out === l.input && o.readout === 'spikes')) (phase.push(l), (grew = true));
      }
      phase.forEach((o) => done.add(o.name));
      steps.push({ kind: 'chip', input: op.input, parts: phase.map(wholeOp) });
    }
  }
  return steps;
}

function fitsChip(spec: ChipSpec, parts: LinearPart[]): boolean {
  try {
    placeOps(spec, parts);
    return true;
  } catch {
    return false;
  }
}

/**
 * A phase too big for the chip, in phases that fit: the ops reading its spikes get phases of their own (the
 * producer's spikes then come back through the host), the readers of the host tensor are grouped as they fit, and
 * an op that alone is too wide runs in parts of as many column tiles as fit. An op one of whose chains alone does not
 * fit is refused (placeOps names it).
 */
function splitPhase(spec: ChipSpec, st: ChipStep): ChipStep[] {
  if (fitsChip(spec, st.parts)) return [st];
  const direct = st.parts.filter((x) => x.op.input === st.input);
  const rest = st.parts.filter((x) => x.op.input !== st.input).map((x) => x.op);
  const groups: LinearPart[][] = [];
  for (const whole of direct) {
    let left = whole.cts;
    while (left.length) {
      // the longest run of the op's column tiles that fits beside the last group, or alone
      const last = groups[groups.length - 1];
      let n = left.length;
      const fitsWith = (g: LinearPart[], k: number) => fitsChip(spec, [...g, { op: whole.op, cts: left.slice(0, k) }]);
      if (last && fitsWith(last, 1)) {
        while (!fitsWith(last, n)) n--;
        last.push({ op: whole.op, cts: left.slice(0, n) });
      } else {
        placeOps(spec, [{ op: whole.op, cts: left.slice(0, 1) }]);
        while (!fitsWith([], n)) n--;
        groups.push([{ op: whole.op, cts: left.slice(0, n) }]);
      }
      left = left.slice(n);
    }
  }
  const out: ChipStep[] = groups.map((parts) => ({ kind: 'chip', input: st.input, parts }));
  for (const sub of schedule(rest)) if (sub.kind === 'chip') out.push(...splitPhase(spec, sub));
  return out;
}

/**
 * The schedule in loads: consecutive steps whose chip phases fit on the chip together (placeOps) with at most one
 * attention op; each load is written once and every token of the block then runs through it (weight streaming when
 * the chip holds less than the model). Phases too big for the chip are split first (splitPhase).
 */
export function loadsOf(spec: ChipSpec, p: ChipProgram, stopAfter?: string): Step[][] {
  const end = stopAfter === undefined ? p.ops.length : p.ops.findIndex((o) => o.name === stopAfter) + 1;
  if (end === 0) throw new ChipProgramError(`stopAfter: the program has no op '${stopAfter}'`);
  const loads: Step[][] = [];
  let cur: Step[] = [];
  const parts = (st: Step[]) => st.flatMap((x) => (x.kind === 'chip' ? x.parts : []));
  for (const st of schedule(p.ops.slice(0, end)).flatMap((x): Step[] => (x.kind === 'chip' ? splitPhase(spec, x) : [x]))) {
    let fits = true;
    if (st.kind === 'attention') fits = !cur.some((x) => x.kind === 'attention');
    // one part of an op per load (its chains keyed by op name)
    if (st.kind === 'chip') fits = fitsChip(spec, [...parts(cur), ...st.parts]) && !st.parts.some((x) => parts(cur).some((y) => y.op === x.op));
    if (!fits) {
      loads.push(cur);
      cur = [];
    }
    cur.push(st);
  }
  if (cur.length) loads.push(cur);
  return loads;
}

export interface LoadTrace {
  placements: Placement[];
  /** tile-to-tile and tile-to-host routes, set at load */
  routes: Route[];
  /** each chip phase: the host tensor it sends, the host routes written for it, its parts (op, column tiles) */
  phases: { input: string; hostRoutes: Route[]; parts: { op: string; cts: number[] }[]; groups: number }[];
}

export interface LoopResult {
  /** every tensor the loop produced, per token */
  tensors: Map<string, Value[]>;
  /** per linear op: the counters of its tiles, summed over its tiles and loads (read from the chip) */
  tileCounters: Map<string, Record<TileCounter, number>>;
  /** per linear op: its slots' counters, summed */
  slotCounters: Map<string, Record<SlotCounter, number>>;
  /** per attention op */
  attentionCounters: Map<string, AttentionCounters>;
  /** per load: the router's counters over its tokens */
  routerCounters: Record<RouterCounter, number>[];
  /** per load: where its ops sat and the routes its phases used (for the functional router model) */
  loads: LoadTrace[];
  /** per load and token: chip cycles of its phases and attention tokens (until nothing is in flight) */
  phaseCycles: number[][];
  /** per load: cycles of writing it */
  loadCycles: number[];
  /** per load: cycles of reading its counters */
  readCycles: number[];
}

export interface LoopOptions {
  /** the last op to run (default: the whole program) */
  stopAfter?: string;
  /** send a copy of every tile-to-tile spike to the host too, so that each one is checked (default true) */
  tapSpikes?: boolean;
  log?: (line: string) => void;
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export class ChipLoop {
  readonly map: BusMap;
  /** the runtime whose op executor runs the digital units on the host (one definition of every op) */
  private readonly runtime: SnnModel;

  constructor(
    readonly program: ChipProgram,
    readonly spec: ChipSpec,
    readonly chip: ChipBackend,
  ) {
    checkProgramForChip(program, spec);
    this.map = busMap(spec);
    this.runtime = new SnnModel(program);
  }

  async run(tokens: readonly number[], opts: LoopOptions = {}): Promise<LoopResult> {
    const p = this.program;
    const m = this.map;
    const res: LoopResult = { tensors: new Map(), tileCounters: new Map(), slotCounters: new Map(), attentionCounters: new Map(), routerCounters: [], loads: [], phaseCycles: [], loadCycles: [], readCycles: [] };
    const vals = tokens.map(() => new Map<string, Value>());
    const loads = loadsOf(this.spec, p, opts.stopAfter);
    for (const [li, steps] of loads.entries()) {
      const parts = steps.flatMap((x) => (x.kind === 'chip' ? x.parts : []));
      const atts = steps.flatMap((x) => (x.kind === 'attention' ? [x.op] : []));
      const places = placeOps(this.spec, parts);
      const placeOf = new Map(places.map((pl) => [pl.op, pl]));
      // spikes go to the ops of this load that read them, or to the host
      const routes: Route[] = [];
      for (const part of parts) {
        if (part.op.readout !== 'spikes') continue;
        const readers = parts.filter((x) => x.op.input === part.op.out).map((x) => placeOf.get(x.op.name)!);
        const rs = spikeRoutes(this.spec, placeOf.get(part.op.name)!, readers);
        if (readers.length && opts.tapSpikes !== false) for (const r of rs) r.dests.push(hostTile(this.spec));
        routes.push(...rs);
      }
      const used = places.flatMap((pl) => pl.chains.flat());
      // write the load, its routes, then clear every counter its tokens will be read by
      const load: BusOp[] = [...parts.flatMap((x) => linearLoad(p, this.spec, x, placeOf.get(x.op.name)!, m)), ...atts.flatMap((op) => attentionLoad(p, this.spec, op, m)), ...routeLoad(this.spec, routes, m)];
      for (const s of used) load.push(...writeWord(m, 'slot', 'tileRegisters', TILE_REG.clearCounters, 0, s), ...writeWord(m, 'slot', 'registers', SLOT_REG.clearCounters, 0, s));
      load.push(...writeWord(m, 'router', 'registers', ROUTER_REG.clearCounters, 0), ...writeWord(m, 'attention', 'registers', ATT_REG.clearCounters, 0), ...writeWord(m, 'chip', 'registers', CHIP_REG.clearCounters, 0));
      res.loadCycles.push(this.chip.plan({ label: `load ${li}`, bus: load, until: (g) => g.quiet() }));
      await this.chip.flush();
      opts.log?.(`load ${li}: ${places.map((pl) => `${pl.op}${pl.cts.length < p.ops.filter((o): o is LinearOp => o.kind === 'linear' && o.name === pl.op)[0]!.tiles.colTiles ? `[${pl.cts.join(',')}]` : ''} on ${pl.chains.map((c) => c.join('>')).join(' ')}`).join('; ')}${atts.length ? '; attention' : ''}: ${res.loadCycles[li]} cycles`);
      const cyc: number[] = [];
      for (const [s, id] of tokens.entries()) {
        const v = vals[s]!;
        const state: SnnState = { pos: s, attention: new Map() };
        let n = 0;
        for (const st of steps) {
          if (st.kind === 'host') v.set(st.op.out, this.runtime.exec(st.op, v, [id], 1, state));
          else if (st.kind === 'attention') n += await this.attention(st.op, v, s === 0);
          else n += await this.phase(st, v, placeOf);
        }
        cyc.push(n);
      }
      res.phaseCycles.push(cyc);
      res.loads.push({
        placements: places,
        routes,
        phases: steps.flatMap((st) => {
          if (st.kind !== 'chip') return [];
          const readers = st.parts.filter((x) => x.op.input === st.input).map((x) => placeOf.get(x.op.name)!);
          return [{ input: st.input, hostRoutes: hostRoutes(this.spec, readers), parts: st.parts.map((x) => ({ op: x.op.name, cts: x.cts })), groups: Math.max(...readers.map((r) => r.chains[0]!.length)) }];
        }),
      });
      // the load's counters
      const nc = TILE_COUNTERS.length + SLOT_COUNTERS.length;
      const reads: BusOp[] = [];
      for (const s of used) for (let k = 0; k < nc; k++) reads.push(readWord(m, 'slot', 'counters', k, s));
      ROUTER_COUNTERS.forEach((_, k) => reads.push(readWord(m, 'router', 'counters', k)));
      ATT_COUNTERS.forEach((_, k) => reads.push(readWord(m, 'attention', 'counters', k)));
      res.readCycles.push(this.chip.plan({ label: `counters of load ${li}`, bus: reads, idle: 2 }));
      const got = (await this.chip.flush()).reads.map(Number);
      let k = 0;
      const perSlot = new Map<number, number[]>();
      for (const s of used) perSlot.set(s, got.slice(k, (k += nc)));
      res.routerCounters.push(Object.fromEntries(ROUTER_COUNTERS.map((c) => [c, got[k++]!])) as Record<RouterCounter, number>);
      const att = Object.fromEntries(ATT_COUNTERS.map((c) => [c, got[k++]!])) as AttentionCounters;
      if (atts[0]) res.attentionCounters.set(atts[0].name, att);
      for (const pl of places) {
        const tc = res.tileCounters.get(pl.op) ?? zeros(TILE_COUNTERS);
        const sc = res.slotCounters.get(pl.op) ?? zeros(SLOT_COUNTERS);
        for (const s of pl.chains.flat()) {
          const c = perSlot.get(s)!;
          TILE_COUNTERS.forEach((name, i) => (tc[name] += c[i]!));
          SLOT_COUNTERS.forEach((name, i) => (sc[name] += c[TILE_COUNTERS.length + i]!));
        }
        res.tileCounters.set(pl.op, tc);
        res.slotCounters.set(pl.op, sc);
      }
    }
    for (const st of loads.flat()) for (const op of st.kind === 'chip' ? st.parts.map((x) => x.op) : [st.op]) res.tensors.set(op.out, vals.map((v) => v.get(op.out)!));
    return res;
  }

  /** One chip phase of one token: the host tensor's spikes in, spikes and membranes out. */
  private async phase(st: ChipStep, v: Map<string, Value>, placeOf: Map<string, Placement>): Promise<number> {
    const p = this.program;
    const T = p.chip.T;
    const m = this.map;
    const x = v.get(st.input);
    if (!(x instanceof Int8Array)) throw new ChipProgramError(`${st.parts[0]!.op.name}: input '${st.input}' is not a spike tensor on the host`);
    const d = p.tensors[st.input]!.width;
    const readers = st.parts.filter((q) => q.op.input === st.input).map((q) => placeOf.get(q.op.name)!);
    const R = this.spec.tile.rows;
    const groups = Math.max(...readers.map((r) => r.chains[0]!.length));
    const packets: HostPacket[] = [];
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < d; i++) if (x[t * d + i]) packets.push({ neuron: i, timestep: t, payload: x[t * d + i]! });
      for (let g = 0; g < groups; g++) packets.push({ neuron: g * R, timestep: t, payload: 0 });
    }
    const cycles = this.chip.plan({ label: `phase ${st.parts.map((q) => q.op.name).join('+')}`, bus: routeLoad(this.spec, hostRoutes(this.spec, readers), m), packets, until: (g) => g.quiet() });
    const reads: BusOp[] = [];
    const membrane = st.parts.filter((q) => q.op.readout === 'membrane');
    for (const q of membrane) for (const e of chainEnds(placeOf.get(q.op.name)!)) for (let c = 0; c < R && e.ct * R + c < q.op.dOut; c++) reads.push(readWord(m, 'slot', 'membranes', c, e.slot));
    if (reads.length) this.chip.plan({ label: 'membranes', bus: reads, idle: 2 });
    const r = await this.chip.flush();
    // an op run in parts fills its tensor part by part: the first part starts it
    const tensor = <A extends Int8Array | Int32Array>(op: LinearOp, cts: number[], make: () => A): A => {
      const old = v.get(op.out);
      const t = cts[0] === 0 || !old ? make() : (old as A);
      v.set(op.out, t);
      return t;
    };
    const bySlot = new Map<number, { op: LinearOp; ct: number; out: Int8Array }>();
    for (const q of st.parts) {
      if (q.op.readout !== 'spikes') continue;
      const out = tensor(q.op, q.cts, () => new Int8Array(T * q.op.dOut));
      for (const e of chainEnds(placeOf.get(q.op.name)!)) bySlot.set(e.slot, { op: q.op, ct: e.ct, out });
    }
    const markers = new Map<number, number>();
    for (const k of r.spikes) {
      const at = bySlot.get(k.src);
      if (!at) throw new ChipProgramError(`the host got a packet from slot ${k.src}, which sends to the host in no op of this phase`);
      if (k.payload === 0) markers.set(k.src, (markers.get(k.src) ?? 0) + 1);
      else at.out[k.timestep * at.op.dOut + at.ct * R + k.neuron] = k.payload;
    }
    for (const [s, at] of bySlot) if ((markers.get(s) ?? 0) !== T) throw new ChipProgramError(`${at.op.name}: slot ${s} sent ${markers.get(s) ?? 0} end-of-step markers, expected ${T}`);
    let k = 0;
    for (const q of membrane) {
      const out = tensor(q.op, q.cts, () => new Int32Array(q.op.dOut));
      for (const e of chainEnds(placeOf.get(q.op.name)!)) for (let c = 0; c < R && e.ct * R + c < q.op.dOut; c++) out[e.ct * R + c] = fromSignedBits(r.reads[k++]!, this.spec.neuronVWidth);
    }
    return cycles;
  }

  /** The attention unit on one token: q, k, v over the bus, o from the unit's membranes at step 0 (θ = 0: v = o). */
  private async attention(op: AttentionOp, v: Map<string, Value>, seqStart: boolean): Promise<number> {
    const a = attentionSpecOfChip(this.spec);
    const m = this.map;
    const bus: BusOp[] = [];
    for (const [name, t, width] of [['q', op.q, a.qBits], ['k', op.k, a.kBits], ['v', op.v, a.vBits]] as const) {
      const x = v.get(t) as Int32Array;
      const words = m.regions.find((r) => r.unit === 'attention' && r.name === name)!.words;
      let packed = 0n;
      for (let i = x.length - 1; i >= 0; i--) packed = (packed << BigInt(width)) | signedBits(x[i]!, width, `${op.name} ${name}[${i}]`);
      words.forEach((w, k) => bus.push(...writeWord(m, 'attention', name, k, (packed >> BigInt(k * m.dataBits)) & ((1n << BigInt(w!.width)) - 1n))));
    }
    bus.push(...writeWord(m, 'attention', 'token', 0, seqStart ? 1 : 0));
    const cycles = this.chip.plan({ label: `attention ${op.name}`, bus, until: (g) => g.quiet() });
    const r = await this.chip.flush();
    const P = a.lanes;
    const o = new Int32Array(a.qHeads * a.headSize);
    let seen = 0;
    for (const w of r.attention) {
      if (w.step !== 0) continue;
      for (let j = 0; j < P; j++) o[w.word * P + j] = fromSignedBits((w.v >> BigInt(j * a.encVBits)) & ((1n << BigInt(a.encVBits)) - 1n), a.encVBits);
      seen++;
    }
    if (seen !== (a.qHeads * a.headSize) / P) throw new ChipProgramError(`${op.name}: the attention unit showed ${seen} output words of step 0, expected ${(a.qHeads * a.headSize) / P} (a refused token? the cache full?)`);
    v.set(op.out, o);
    return cycles;
  }
}
