// One measured run of a chip program on the chip functional model: windows of text from position 0 (the perplexity
// protocol's unit), the events per token (events.ts) and the cycles of every decoded position from its exact
// per-tile activity (latency.ts), all from the same run.
import type { ChipProgram, ProgOp } from '../compiler/program.js';
import { SnnModel } from '../runtime/snn.js';
import { eventsFromSnn, type TokenEvents } from './events.js';
import { activityOf, DEFAULT_ASSUMPTIONS, planOf, tokenCycles, type LatencyAssumptions, type LatOp } from './latency.js';

export interface LatencyStats {
  /** mean, min and max cycles per token over the positions run */
  mean: number;
  min: number;
  max: number;
  /** mean critical-path cycles by unit kind */
  byKind: Record<string, number>;
  tokens: number;
}

export interface ReferenceRun {
  events: TokenEvents;
  /** the program's latency plan (the template the extrapolated models' plans are made from) */
  plan: LatOp[];
  latency: LatencyStats;
  windows: number;
  context: number;
  /** mean cached positions of the attention units per token */
  meanPositions: number;
  seconds: number;
}

type LinearOp = ProgOp & { kind: 'linear' };

export function measureProgram(p: ChipProgram, ids: readonly number[], context: number, name: string, a: LatencyAssumptions = DEFAULT_ASSUMPTIONS): ReferenceRun {
  if (ids.length < 2) throw new Error(`measureProgram: ${ids.length} token(s); at least 2 are needed`);
  const t0 = performance.now();
  const m = new SnnModel(p);
  const plan = planOf(p);
  const byInput = new Map<string, LinearOp[]>();
  for (const op of p.ops) if (op.kind === 'linear') byInput.set(op.input, [...(byInput.get(op.input) ?? []), op]);
  const cycles: number[] = [];
  const kinds: Record<string, number> = {};
  let windows = 0;
  let positions = 0;
  for (let b = 0; b < ids.length; b += context) {
    const win = ids.slice(b, b + context);
    const acts = new Map<string, { groups: number; active: number }[][][]>();
    const st = m.newState();
    m.forward(win, st, (tensor, value, S) => {
      for (const op of byInput.get(tensor) ?? []) {
        const per: { groups: number; active: number }[][][] = [];
        for (let s = 0; s < S; s++) per.push(activityOf(p, op, value as Int8Array, s * p.chip.T * op.dIn));
        acts.set(op.name, per);
      }
    });
    m.endSequence(st);
    for (let s = 0; s < win.length; s++) {
      const r = tokenCycles(plan, p.chip, (op, rt, t) => acts.get(op)![s]![rt]![t]!, s + 1, a);
      cycles.push(r.cycles);
      for (const [k, v] of Object.entries(r.byKind)) kinds[k] = (kinds[k] ?? 0) + v;
      positions += s + 1;
    }
    windows++;
  }
  const n = cycles.length;
  return {
    events: eventsFromSnn(m, name),
    plan,
    latency: { mean: cycles.reduce((x, y) => x + y, 0) / n, min: Math.min(...cycles), max: Math.max(...cycles), byKind: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, v / n])), tokens: n },
    windows,
    context,
    meanPositions: positions / n,
    seconds: (performance.now() - t0) / 1000,
  };
}
