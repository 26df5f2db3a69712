// Co-simulation driver for the LIF array: random and directed stimulus applied to the RTL (Verilator) and to
// the golden model (src/golden/lif.ts), compared cycle by cycle on every output.
import { lifArray, type LifArrayParams } from '../dsl/lif_array.js';
import { Dut } from '../src/harness/cocotb.js';
import { Scoreboard } from '../src/harness/assert.js';
import { Rng } from '../src/util/random.js';
import { SInt, elaborate } from '../src/hdl/index.js';
import { fromBits } from '../src/hdl/types.js';
import { LifParallelModel, LifTimemuxModel } from '../src/golden/lif.js';

export const PARAM_SETS: Record<string, LifArrayParams> = {
  small: { neurons: 4, vWidth: 6, iWidth: 4, leak: 'shift', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1, arch: 'timemux' },
  medium: { neurons: 16, vWidth: 12, iWidth: 10, leak: 'subtract', reset: 'zero', refractory: 3, spikes: 'signed', levels: 1, arch: 'timemux' },
  wide: { neurons: 37, vWidth: 24, iWidth: 16, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'graded-signed', levels: 5, arch: 'timemux' },
  graded: { neurons: 8, vWidth: 10, iWidth: 9, leak: 'shift', reset: 'zero', refractory: 2, spikes: 'graded', levels: 3, arch: 'timemux' },
  // ODIN-style: membrane floored at 0, and per-update restarts (token boundaries)
  floored: { neurons: 6, vWidth: 9, iWidth: 8, leak: 'subtract', reset: 'subtract', refractory: 1, spikes: 'graded', levels: 2, floor: true, restart: true, arch: 'timemux' },
};

/** Time-multiplexed arrays that update several neurons per request (one state word each). */
export const LANE_SETS: Record<string, LifArrayParams> = {
  lanes4: { neurons: 12, vWidth: 10, iWidth: 8, leak: 'shift', reset: 'subtract', refractory: 2, spikes: 'graded-signed', levels: 2, restart: true, lanes: 4, arch: 'timemux' },
  lanes2: { neurons: 6, vWidth: 8, iWidth: 6, leak: 'none', reset: 'zero', refractory: 0, spikes: 'binary', levels: 1, lanes: 2, arch: 'timemux' },
};

/** Time-multiplexed arrays with the state memory's access counters (narrow, so they wrap within a run). */
export const COUNTER_SETS: Record<string, LifArrayParams> = {
  counted: { neurons: 5, vWidth: 9, iWidth: 7, leak: 'subtract', reset: 'subtract', refractory: 1, spikes: 'signed', levels: 1, restart: true, counters: 8, arch: 'timemux' },
  countedLanes: { neurons: 12, vWidth: 8, iWidth: 6, leak: 'shift', reset: 'zero', refractory: 0, spikes: 'graded', levels: 2, lanes: 3, counters: 13, arch: 'timemux' },
};

export function withArch(p: LifArrayParams, arch: LifArrayParams['arch']): LifArrayParams {
  return { ...p, arch };
}

export type Vector = Record<string, number | bigint>;

/** A random stimulus generator that keeps spikes frequent and hits the saturation limits. */
/** `churn`: probability per cycle that threshold and leak change (they are sampled with each request). */
export function randomVectors(p: LifArrayParams, rng: Rng, cycles: number, churn = 0.002): Vector[] {
  const out: Vector[] = [];
  const iMax = 2 ** (p.iWidth - 1) - 1;
  const iMin = -(2 ** (p.iWidth - 1));
  const thMax = 2 ** (p.vWidth - 1) - 1;
  const leakMax = p.leak === 'shift' ? 2 ** Math.max(1, Math.ceil(Math.log2(p.vWidth))) - 1 : thMax;
  const lanes = p.arch === 'timemux' ? (p.lanes ?? 1) : 1;
  const words = p.neurons / lanes;
  const aw = Math.max(1, Math.ceil(Math.log2(words)));
  let threshold = rng.int(1, Math.min(thMax, 4 * iMax));
  let leak = rng.int(0, leakMax);
  let bias = 0;
  const current = () => {
    const r = rng.next();
    if (r < 0.05) return iMax;
    if (r < 0.1) return iMin;
    return Math.max(iMin, Math.min(iMax, Math.round(bias + (rng.next() - 0.5) * iMax)));
  };
  for (let c = 0; c < cycles; c++) {
    if (rng.chance(churn)) threshold = rng.chance(0.05) ? rng.int(0, 1) : rng.chance(0.1) ? thMax : rng.int(1, Math.min(thMax, 4 * iMax));
    if (rng.chance(churn)) leak = rng.int(0, leakMax);
    if (rng.chance(0.01)) bias = (rng.next() - 0.3) * iMax;
    const rst = c < 2 || rng.chance(0.0005) ? 1 : 0;
    const v: Vector = { rst, threshold, in_valid: rng.chance(0.85) ? 1 : 0 };
    if (p.leak !== 'none') v.leak = leak;
    if (p.restart) v.in_restart = rng.chance(0.05) ? 1 : 0;
    if (p.arch === 'parallel') {
      let packed = 0n;
      for (let i = p.neurons - 1; i >= 0; i--) packed = (packed << BigInt(p.iWidth)) | (BigInt(current()) & ((1n << BigInt(p.iWidth)) - 1n));
      v.in_current = packed;
    } else {
      // mostly in range, sometimes out of range (dropped), often back-to-back on one neuron
      const prev = out.length ? Number(out[out.length - 1]!.in_addr ?? 0) : 0;
      v.in_addr = rng.chance(0.3) ? prev : rng.chance(0.05) ? rng.int(0, 2 ** aw - 1) : rng.int(0, words - 1);
      let packed = 0n;
      for (let j = 0; j < lanes; j++) packed = (packed << BigInt(p.iWidth)) | (BigInt(current()) & ((1n << BigInt(p.iWidth)) - 1n));
      v.in_current = packed;
    }
    out.push(v);
  }
  return out;
}

export interface CosimResult {
  cycles: number;
  scoreboard: Scoreboard;
  simMs: number;
  goldenMs: number;
  spikes: number;
  /** the RTL's outputs per cycle, when asked for (keepOutputs) */
  outputs?: Record<string, bigint>[];
}

/** Runs `vectors` through RTL and golden model and compares every output on every cycle. */
export async function cosim(dut: Dut, p: LifArrayParams, vectors: Vector[], name: string, chunk = 25_000, keepOutputs = false): Promise<CosimResult> {
  const board = new Scoreboard(name);
  const model = p.arch === 'parallel' ? new LifParallelModel(p) : new LifTimemuxModel(p);
  const widths: Record<string, number> = Object.fromEntries(Object.values(dut.handles).map((h) => [h.name, h.width]));
  const signedPorts = new Set(Object.values(dut.handles).filter((h) => h.signed).map((h) => h.name));
  let simMs = 0;
  let goldenMs = 0;
  let spikes = 0;
  // inputs a vector leaves out keep their previous value, as in Dut.stream
  const held: Vector = { rst: 0, in_valid: 0, in_addr: 0, in_current: 0n, threshold: 0, leak: 0, in_restart: 0 };
  // before the first reset the RTL state is arbitrary: compare from the cycle after the first reset on
  const firstReset = vectors.findIndex((v) => Number(v.rst) === 1);
  const kept: Record<string, bigint>[] = [];
  for (let start = 0; start < vectors.length; start += chunk) {
    const part = vectors.slice(start, start + chunk);
    const t0 = performance.now();
    const outs = await dut.stream(part);
    simMs += performance.now() - t0;
    if (keepOutputs) kept.push(...outs);
    const t1 = performance.now();
    const expected: Record<string, bigint>[] = [];
    for (const vec of part) {
      Object.assign(held, vec);
      const v = held;
      expected.push(model.outputs());
      if (model instanceof LifParallelModel) {
        model.edge({ rst: Number(v.rst), in_valid: Number(v.in_valid), in_current: BigInt(v.in_current ?? 0), threshold: Number(v.threshold), leak: Number(v.leak ?? 0), in_restart: Number(v.in_restart) });
      } else {
        const cur = (p.lanes ?? 1) > 1 ? BigInt(v.in_current ?? 0) : Number(fromBits(BigInt(v.in_current ?? 0), SInt(p.iWidth)));
        model.edge({ rst: Number(v.rst), in_valid: Number(v.in_valid), in_addr: Number(v.in_addr), in_current: cur, threshold: Number(v.threshold), leak: Number(v.leak ?? 0), in_restart: Number(v.in_restart) });
      }
    }
    goldenMs += performance.now() - t1;
    part.forEach((_, i) => {
      if (firstReset < 0 || start + i <= firstReset) return;
      const e = expected[i]!;
      const a = outs[i]!;
      for (const [sig, val] of Object.entries(e)) board.check(start + i, sig, val, a[sig]!, widths[sig]!, signedPorts.has(sig));
      if (p.arch === 'timemux' ? e.out_valid && e.out_spike : e.out_valid && e.out_spikes) spikes++;
    });
  }
  return { cycles: vectors.length, scoreboard: board, simMs, goldenMs, spikes, outputs: keepOutputs ? kept : undefined };
}

export async function startLif(p: LifArrayParams): Promise<Dut> {
  return Dut.start(elaborate(() => lifArray(p)));
}
