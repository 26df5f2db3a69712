// Lockstep co-simulation: input vectors streamed through the RTL in chunks and, cycle by cycle, through a golden cycle
// model; every output the model gives is compared on every cycle after the first reset (up to and including the
// first cycle with rst = 1 the RTL shows whatever state a reused simulator was left in).
import { Scoreboard } from './assert.js';
import type { Dut } from './cocotb.js';

export type PortVector = Record<string, number | bigint>;

export interface CycleModel<I> {
  /** the outputs in this cycle, before the edge */
  outputs(): Record<string, bigint>;
  edge(inputs: I): void;
}

export interface LockstepResult {
  scoreboard: Scoreboard;
  cycles: number;
  simMs: number;
  goldenMs: number;
}

export interface LockstepOptions<V> {
  /** vectors per simulator request */
  chunk?: number;
  /** called on every compared cycle with the model's outputs and the inputs (to count events) */
  onCycle?: (expected: Record<string, bigint>, v: V) => void;
}

export async function lockstep<V extends PortVector, I>(dut: Dut, vectors: readonly V[], name: string, model: CycleModel<I>, toInputs: (v: V) => I, opts: LockstepOptions<V> = {}): Promise<LockstepResult> {
  const chunk = opts.chunk ?? 20_000;
  const board = new Scoreboard(name);
  const widths = Object.fromEntries(Object.values(dut.handles).map((h) => [h.name, h.width]));
  let simMs = 0;
  let goldenMs = 0;
  let started = false;
  for (let start = 0; start < vectors.length; start += chunk) {
    const part = vectors.slice(start, start + chunk);
    const t0 = performance.now();
    const got = await dut.stream(part);
    simMs += performance.now() - t0;
    const t1 = performance.now();
    part.forEach((v, i) => {
      const e = model.outputs();
      if (started) {
        for (const [sig, val] of Object.entries(e)) board.check(start + i, sig, val, got[i]![sig]!, widths[sig]!);
        opts.onCycle?.(e, v);
      }
      if (Number(v.rst)) started = true;
      model.edge(toInputs(v));
    });
    goldenMs += performance.now() - t1;
  }
  return { scoreboard: board, cycles: vectors.length, simMs, goldenMs };
}
