// Co-simulation driver for the weight-streaming loader. A planner runs the golden loader in a closed loop with the
// behavioural off-chip memory (src/golden/offchip-memory.ts) and a target whose ready stalls at random; it records
// the input vector of every cycle and checks, for every command that ends well, that the target received exactly
// the command's words (the spec's promise, independent of the loader models). The vectors are then run through the
// RTL (Verilator) and a fresh golden model, every output compared on every cycle.
import { weightStreamLoader, type WeightStreamParams } from '../dsl/weight_stream.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { OffchipMemory, type BurstFault, type MemoryTiming } from '../src/golden/offchip-memory.js';
import { WeightStreamModel, quietLoaderInputs, type LoaderPortsIn } from '../src/golden/weight-stream.js';
import { elaborate } from '../src/hdl/index.js';
import { beatsPerWord, checkLoadCommand, padBits, tileTarget, wordBeats, type LoadCommand } from '../src/spec/memory.js';
import type { Rng } from '../src/util/random.js';
import { XBAR_SETS } from './crossbar_cosim.js';

/** Parameter sets: words split over beats and bursts; pad bits; one wide beat per word; a 1152-bit word over 9 beats. */
export const STREAM_SETS: Record<string, WeightStreamParams> = {
  byte: { beatBits: 8, addrBits: 10, maxBurst: 3, maxOutstanding: 1, timeoutCycles: 40, counterBits: 16, target: tileTarget(XBAR_SETS.basic!) },
  padded: { beatBits: 32, addrBits: 16, maxBurst: 8, maxOutstanding: 2, timeoutCycles: 0, counterBits: 20, target: tileTarget(XBAR_SETS.sliced!) },
  single: { beatBits: 64, addrBits: 24, maxBurst: 5, maxOutstanding: 4, timeoutCycles: 200, counterBits: 24, target: tileTarget(XBAR_SETS.grouped!) },
  deep: { beatBits: 128, addrBits: 32, maxBurst: 16, maxOutstanding: 2, timeoutCycles: 1000, counterBits: 32, target: tileTarget(XBAR_SETS.wide!) },
};

export type StreamOp =
  /** a command and the words it loads (placed in the memory before it is offered); padFault: word whose pad is set */
  | { kind: 'cmd'; cmd: LoadCommand; words: bigint[]; padFault?: number }
  /** a command the loader refuses (no words placed) */
  | { kind: 'refused'; cmd: LoadCommand }
  | { kind: 'faults'; faults: BurstFault[] }
  /** a stall of the memory's request or data side for the cycles after the current one */
  | { kind: 'stall'; side: 'req' | 'data'; cycles: number }
  | { kind: 'memory'; timing: Partial<MemoryTiming> }
  | { kind: 'target'; readyChance: number; longStall?: number }
  | { kind: 'idle'; cycles: number }
  | { kind: 'reset' };

/** A target that takes a write in a cycle with ready = 1; ready is decided at the edge before (no combinational path). */
export class RandomTarget {
  ready = 1;
  readyChance = 1;
  longStall = 0;
  private stallLeft = 0;
  readonly writes: { addr: number; data: bigint }[] = [];
  constructor(private readonly rng: Rng) {}
  edge(cfgWe: bigint, addr: bigint, data: bigint): void {
    if (cfgWe && this.ready) this.writes.push({ addr: Number(addr), data });
    if (this.stallLeft > 0) this.stallLeft--;
    else if (this.longStall > 0 && this.rng.chance(this.longStall)) this.stallLeft = this.rng.int(20, 80);
    this.ready = this.stallLeft === 0 && this.rng.chance(this.readyChance) ? 1 : 0;
  }
}

export type Vector = Record<string, number | bigint>;

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const randomBits = (rng: Rng, w: number) => {
  let v = 0n;
  for (let b = 0; b < w; b += 30) v = (v << 30n) | BigInt(rng.int(0, 2 ** 30 - 1));
  return v & mask(w);
};

/** A random command inside a random writable region, with random words. */
export function randomCommand(p: WeightStreamParams, rng: Rng, first: boolean): StreamOp & { kind: 'cmd' } {
  const regions = p.target.regionWords.map((n, r) => (n > 0 ? r : -1)).filter((r) => r >= 0);
  const region = regions[rng.int(0, regions.length - 1)]!;
  const words = p.target.regionWords[region]!;
  const base = rng.chance(0.5) ? 0 : rng.int(0, words - 1);
  const count = rng.chance(0.3) ? words - base : rng.int(1, words - base);
  const beats = count * beatsPerWord(p);
  const top = 2 ** p.addrBits - beats;
  const src = rng.chance(0.1) ? top : rng.int(0, Math.min(top, 4096));
  const cmd = { src, count, region, base, first };
  checkLoadCommand(p, cmd);
  return { kind: 'cmd', cmd, words: Array.from({ length: count }, () => randomBits(rng, p.target.dataBits)) };
}

/** A command the loader must refuse: empty, past its region, an unwritable region, or past the address space. */
export function refusedCommand(p: WeightStreamParams, rng: Rng): StreamOp & { kind: 'refused' } {
  const rw = p.target.regionWords;
  const region = rw.findIndex((n) => n > 0);
  const kinds = [
    { src: 0, count: 0, region, base: 0 },
    { src: 0, count: rw[region]! + 1 - Math.min(rw[region]!, 1), region, base: Math.min(rw[region]!, 1) },
    ...(rw.some((n) => n === 0) ? [{ src: 0, count: 1, region: rw.findIndex((n) => n === 0), base: 0 }] : []),
  ];
  // past the address space by one beat, with src still a valid port value
  const c = Math.min(rw[region]!, 2);
  if (c * beatsPerWord(p) >= 2) kinds.push({ src: 2 ** p.addrBits - c * beatsPerWord(p) + 1, count: c, region, base: 0 });
  return { kind: 'refused', cmd: { ...kinds[rng.int(0, kinds.length - 1)]!, first: rng.chance(0.5) } };
}

/** Random operations: commands (some refused), injected faults, changing memory timing and target readiness, resets. */
export function randomStreamOps(p: WeightStreamParams, rng: Rng, n: number): StreamOp[] {
  const ops: StreamOp[] = [{ kind: 'reset' }];
  const T = p.timeoutCycles;
  for (let k = 0; k < n; k++) {
    const r = rng.next();
    if (r < 0.06) {
      ops.push({ kind: 'memory', timing: { latency: rng.int(1, 12), queue: rng.int(1, p.maxOutstanding + 1), reqStall: [0, 0.1, 0.3, 0.6][rng.int(0, 3)]!, dataStall: [0, 0.1, 0.3, 0.6][rng.int(0, 3)]!, longStall: rng.chance(0.2) ? 0.01 : 0, longStallCycles: [5, T > 0 ? Math.max(6, Math.floor(T / 2)) : 60] } });
    } else if (r < 0.1) ops.push({ kind: 'target', readyChance: [1, 0.9, 0.5, 0.2][rng.int(0, 3)]!, longStall: rng.chance(0.2) ? 0.01 : 0 });
    else if (r < 0.15) ops.push(refusedCommand(p, rng));
    else if (r < 0.21) {
      const f = rng.int(0, 3);
      if (f === 0) ops.push({ kind: 'faults', faults: [rng.chance(0.7) ? { kind: 'earlyLast', beat: 0 } : { kind: 'dataStall', cycles: rng.int(1, 30) }] });
      else if (f === 1) ops.push({ kind: 'faults', faults: [{ kind: 'missingLast' }] });
      else if (f === 2) ops.push({ kind: 'faults', faults: [{ kind: 'hang', cycles: T > 0 && rng.chance(0.5) ? T + rng.int(0, 10) : rng.int(1, T > 0 ? Math.max(1, T - 5) : 80) }] });
      else if (padBits(p) > 0) {
        const c = randomCommand(p, rng, rng.chance(0.4));
        ops.push({ ...c, padFault: rng.int(0, c.cmd.count - 1) });
      }
    } else if (r < 0.24) ops.push({ kind: 'idle', cycles: rng.int(1, 5) });
    else if (r < 0.242) ops.push({ kind: 'reset' });
    else ops.push(randomCommand(p, rng, rng.chance(0.4)));
  }
  return ops;
}

/** Plans per-cycle input vectors that perform operations in order against the golden loader, memory and target
 * (closed loop); `apply` may be called again to extend the plan. */
export class StreamPlanner {
  readonly loader: WeightStreamModel;
  readonly mem: OffchipMemory;
  readonly target: RandomTarget;
  readonly vectors: Vector[] = [];
  /** commands that ended, by how */
  readonly ends: Record<string, number> = {};
  /** good commands whose target writes were checked against their words */
  checked = 0;
  /** the command in flight whose writes are to be checked: from which write on, which words where */
  private pending: { from: number; cmd: LoadCommand; words: bigint[] } | undefined;
  private readonly quiet = quietLoaderInputs();

  constructor(
    readonly p: WeightStreamParams,
    rng: Rng,
  ) {
    this.loader = new WeightStreamModel(p);
    this.mem = new OffchipMemory(p.beatBits, p.addrBits, rng);
    this.target = new RandomTarget(rng);
  }

  private cycle(x: LoaderPortsIn): void {
    const { loader, mem, target } = this;
    const mo = mem.outputs();
    const full: LoaderPortsIn = { ...x, req_ready: mo.req_ready, data_valid: mo.data_valid, data: mo.data, data_last: mo.data_last, tgt_ready: target.ready };
    const o = loader.outputs(full);
    this.vectors.push({ ...full });
    const endedBefore = loader.ended;
    if (full.rst) {
      loader.edge(full);
      mem.flush();
      this.pending = undefined;
      target.edge(0n, 0n, 0n);
      return;
    }
    mem.edge({ req_valid: o.req_valid!, req_addr: o.req_addr!, req_len: o.req_len!, data_ready: o.data_ready! });
    target.edge(o.cfg_we!, o.cfg_addr!, o.cfg_data!);
    loader.edge(full);
    if (loader.ended > endedBefore) {
      const how = loader.lastEnd!;
      this.ends[how] = (this.ends[how] ?? 0) + 1;
      if (this.pending && how === 'done') {
        checkWrites(this.p, target.writes.slice(this.pending.from), this.pending.cmd, this.pending.words);
        this.checked++;
      }
      this.pending = undefined;
    }
  }

  apply(ops: readonly StreamOp[]): this {
    const { p, loader, mem, target, quiet } = this;
    for (const op of ops) {
      if (op.kind === 'reset') this.cycle({ ...quiet, rst: 1 });
      else if (op.kind === 'idle') for (let i = 0; i < op.cycles; i++) this.cycle(quiet);
      else if (op.kind === 'memory') mem.timing = { ...mem.timing, ...op.timing };
      else if (op.kind === 'target') {
        target.readyChance = op.readyChance;
        target.longStall = op.longStall ?? 0;
      } else if (op.kind === 'faults') mem.inject(...op.faults);
      else if (op.kind === 'stall') mem.stall(op.side, op.cycles);
      else {
        const c = op.cmd;
        const x: LoaderPortsIn = { ...quiet, cmd_valid: 1, cmd_src: c.src, cmd_count: c.count, cmd_region: c.region, cmd_base: c.base, cmd_first: c.first ? 1 : 0 };
        for (let guard = 0; ; guard++) {
          if (guard > 1_000_000) throw new Error('the loader never took the command');
          // after a timeout the loader has abandoned what the memory still holds: reset the memory channel
          if (loader.idle && mem.busy) mem.flush();
          const taken = loader.idle;
          // the words go into the memory when the command is taken (the previous command has read all of its own)
          if (taken && op.kind === 'cmd') {
            const beats = op.words.flatMap((w) => wordBeats(p, w));
            if (op.padFault !== undefined) beats[(op.padFault + 1) * beatsPerWord(p) - 1]! |= 1n << BigInt(p.beatBits - 1);
            mem.write(c.src, beats);
            if (op.padFault === undefined) this.pending = { from: target.writes.length, cmd: c, words: op.words };
          }
          this.cycle(x);
          if (taken) break;
        }
      }
    }
    return this;
  }

  /** Runs until the loader is idle, plus a few cycles. */
  finish(): this {
    for (let guard = 0; !this.loader.idle; guard++) {
      if (guard > 1_000_000) throw new Error('the loader never finished');
      this.cycle(this.quiet);
    }
    for (let i = 0; i < 4; i++) this.cycle(this.quiet);
    return this;
  }
}

/** Plans `ops` from a fresh state and finishes. */
export function planStream(p: WeightStreamParams, ops: readonly StreamOp[], rng: Rng): StreamPlanner {
  return new StreamPlanner(p, rng).apply(ops).finish();
}

/** The spec's promise for a command that ended well: word k written at {region, base + k}, in order, once each. */
function checkWrites(p: WeightStreamParams, writes: { addr: number; data: bigint }[], c: LoadCommand, words: bigint[]): void {
  const want = words.map((data, k) => ({ addr: c.region * 2 ** p.target.indexBits + c.base + k, data }));
  const same = writes.length === want.length && writes.every((w, k) => w.addr === want[k]!.addr && w.data === want[k]!.data);
  if (!same) throw new Error(`command ${JSON.stringify(c)}: the target got ${writes.length} writes, not the ${want.length} words of the command`);
}

export interface StreamCosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  simMs: number;
  goldenMs: number;
  /** the RTL's outputs per cycle, when asked for */
  outputs?: Record<string, bigint>[];
}

/** Runs the vectors through RTL and a fresh golden model; every output compared on every cycle after the first reset. */
export async function cosimStream(dut: Dut, p: WeightStreamParams, vectors: Vector[], name: string, chunk = 25_000, keep = false): Promise<StreamCosimResult> {
  return lockstep(dut, vectors, name, new WeightStreamModel(p), (v) => v as unknown as LoaderPortsIn, { chunk, keep });
}

export async function startLoader(p: WeightStreamParams): Promise<Dut> {
  return Dut.start(elaborate(() => weightStreamLoader(p)));
}
