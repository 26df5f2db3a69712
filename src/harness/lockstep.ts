// Lockstep co-simulation: input vectors streamed through the RTL in chunks and, cycle by cycle, through a golden cycle
// model; every output the model gives is compared on every cycle after the first reset (up to and including the
// first cycle with rst = 1 the RTL shows whatever state a reused simulator was left in). A Lockstep can be run again
// on more vectors: the model, the cycle count and the scoreboard carry on (long runs planned in segments).
import { Scoreboard } from './assert.js';
import type { Dut } from './cocotb.js';

export type PortVector = Record<string, number | bigint>;

export interface CycleModel<I> {
  /** the outputs in this cycle with inputs x, before the edge (a Moore model ignores x) */
  outputs(x: I): Record<string, bigint>;
  edge(x: I): void;
}

export interface LockstepResult {
  scoreboard: Scoreboard;
  cycles: number;
  simMs: number;
  goldenMs: number;
  /** the RTL's outputs per cycle, with `keep` */
  outputs?: Record<string, bigint>[];
}

export interface LockstepOptions<V> {
  /** vectors per simulator request */
  chunk?: number;
  /** keep the RTL's outputs of every cycle */
  keep?: boolean;
  /** called on every compared cycle with the model's outputs, the inputs and the RTL's outputs (to count or check) */
  onCycle?: (expected: Record<string, bigint>, v: V, got: Record<string, bigint>, cycle: number) => void;
}

export class Lockstep<V extends PortVector, I> implements LockstepResult {
  readonly scoreboard: Scoreboard;
  cycles = 0;
  simMs = 0;
  goldenMs = 0;
  readonly outputs?: Record<string, bigint>[];
  private started = false;
  private readonly widths: Record<string, number>;

  constructor(
    readonly dut: Dut,
    name: string,
    readonly model: CycleModel<I>,
    private readonly toInputs: (v: V) => I,
    private readonly opts: LockstepOptions<V> = {},
  ) {
    this.scoreboard = new Scoreboard(name);
    this.widths = Object.fromEntries(Object.values(dut.handles).map((h) => [h.name, h.width]));
    if (opts.keep) this.outputs = [];
  }

  async run(vectors: readonly V[]): Promise<this> {
    const chunk = this.opts.chunk ?? 20_000;
    for (let start = 0; start < vectors.length; start += chunk) {
      const part = vectors.slice(start, start + chunk);
      const t0 = performance.now();
      const got = await this.dut.stream(part);
      this.simMs += performance.now() - t0;
      this.outputs?.push(...got);
      const t1 = performance.now();
      part.forEach((v, i) => {
        const c = this.cycles + i;
        const x = this.toInputs(v);
        const e = this.model.outputs(x);
        if (this.started) {
          for (const [sig, val] of Object.entries(e)) this.scoreboard.check(c, sig, val, got[i]![sig]!, this.widths[sig]!);
          this.opts.onCycle?.(e, v, got[i]!, c);
        }
        if (Number(v.rst)) this.started = true;
        this.model.edge(x);
      });
      this.goldenMs += performance.now() - t1;
      this.cycles += part.length;
    }
    return this;
  }
}

/** One lockstep run of `vectors` on a fresh model. */
export async function lockstep<V extends PortVector, I>(dut: Dut, vectors: readonly V[], name: string, model: CycleModel<I>, toInputs: (v: V) => I, opts: LockstepOptions<V> = {}): Promise<LockstepResult> {
  const r = await new Lockstep(dut, name, model, toInputs, opts).run(vectors);
  return { scoreboard: r.scoreboard, cycles: r.cycles, simMs: r.simMs, goldenMs: r.goldenMs, outputs: r.outputs };
}
