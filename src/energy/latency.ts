// Cycles per decoded token from the chip's cycle behaviour (docs/energy.md, "Latency"). Times are edge indices: a
// unit that accepts work at edge a is described by its spec's schedule from cycle a + 1 on.
//  - Crossbar tile: a timestep accepted at edge a with n active row groups is done (ready again, last group shown)
//    at edge a + timestepCycles(n) (docs/crossbar.md). The row tiles of a linear op form a chain pipelined by
//    timestep: tile rt takes step t once tile rt-1's partial sums of step t are buffered (one edge after it is done)
//    and it has finished step t-1; column tiles run in parallel. Output spikes of step t reach the next op the same way.
//  - Attention unit: tokenSchedule() (docs/attention.md), its output encoder emitting step t after (t+1) Hq C words.
//  - Encoders (time-multiplexed LIF arrays, docs/lif.md): one word of `lanes` neurons per cycle, results 2 cycles later.
//  - Digital units and count units (no RTL yet): `digitalLanes` elements per cycle plus a fixed latency (assumed).
//  - Weight streaming: the tile images of every round reloaded per token, at the assumed off-chip bandwidth.
// Ops run as their inputs allow; tokens run one after another (decode). Tiles and the attention unit are calibrated
// against Verilator (test/energy/rtl-cycles.test.ts); the digital units, encoders and streaming are assumptions.
import type { ChipConfig } from '../compiler/chip-config.js';
import { tileSpec } from '../compiler/chip-config.js';
import { attentionSpecOf } from '../compiler/attention-spec.js';
import { blob, type ChipProgram, type ProgOp } from '../compiler/program.js';
import { chunks, tokenSchedule, type AttentionSpec } from '../spec/attention.js';
import { colGroups, outputLatency, timestepCycles, type CrossbarSpec } from '../spec/crossbar.js';

export interface LatencyAssumptions {
  /** elements per cycle of a digital unit (norm, residual, activation, rope, count) and its pipeline latency */
  digitalLanes: number;
  digitalLatency: number;
  /** neurons per word of an input encoder (LIF array lanes) */
  encoderLanes: number;
  /** off-chip bandwidth for weight streaming, bytes per second */
  dramBytesPerSecond: number;
}

export const DEFAULT_ASSUMPTIONS: LatencyAssumptions = { digitalLanes: 16, digitalLatency: 2, encoderLanes: 16, dramBytesPerSecond: 100e9 };

/** Active row groups of row tile `rt` of a linear op at step t (exact, or a mean for extrapolated models). */
export type Activity = (op: string, rt: number, t: number) => { groups: number; active: number };

export type LatOp =
  | { kind: 'host'; name: string; out: string }
  | { kind: 'linear'; name: string; input: string; out: string; tile: CrossbarSpec; rowTiles: number; readout: 'spikes' | 'membrane' }
  | { kind: 'encode'; name: string; input: string; out: string; width: number; attention?: AttentionSpec }
  | { kind: 'count'; name: string; input: string; out: string; width: number }
  | { kind: 'digital'; name: string; inputs: string[]; out: string; width: number }
  | { kind: 'attention'; name: string; inputs: string[]; out: string; spec: AttentionSpec };

/** The latency plan of a chip program: its ops with what each waits for. */
export function planOf(p: ChipProgram): LatOp[] {
  const att = new Map<string, AttentionSpec>();
  const out: LatOp[] = [];
  for (const op of p.ops) {
    const w = (t: string) => p.tensors[t]!.width;
    switch (op.kind) {
      case 'embed':
        out.push({ kind: 'host', name: op.name, out: op.out });
        break;
      case 'linear':
        out.push({ kind: 'linear', name: op.name, input: op.input, out: op.out, tile: tileSpec(p.chip, op.tiles.kind), rowTiles: op.tiles.rowTiles, readout: op.readout });
        break;
      case 'encode':
        out.push({ kind: 'encode', name: op.name, input: op.input, out: op.out, width: w(op.out), attention: att.get(op.input) });
        break;
      case 'count':
        out.push({ kind: 'count', name: op.name, input: op.input, out: op.out, width: w(op.out) });
        break;
      case 'attention': {
        const spec = attentionSpecOf(p.chip, op, op.inRange);
        att.set(op.out, spec);
        out.push({ kind: 'attention', name: op.name, inputs: [op.q, op.k, op.v], out: op.out, spec });
        break;
      }
      case 'logits':
        break;
      default: {
        const o = op as Exclude<ProgOp, { kind: 'embed' | 'linear' | 'encode' | 'count' | 'attention' | 'logits' }>;
        const inputs = 'add' in o ? [o.input, o.add] : 'a' in o ? [o.a, o.b] : [o.input];
        out.push({ kind: 'digital', name: o.name, inputs, out: o.out, width: w(o.out) });
      }
    }
  }
  return out;
}

export interface TokenLatency {
  cycles: number;
  /** cycles during which each kind of unit is the one the token waits for (critical path, by the op that ends last) */
  byKind: Record<string, number>;
}

/** Availability of a tensor: per step (spike trains) or once (integers), as the edge a consumer may take it at. */
type Avail = { steps: number[] } | { at: number };
const allAt = (a: Avail) => ('at' in a ? a.at : a.steps[a.steps.length - 1]!);
const stepAt = (a: Avail, t: number) => ('at' in a ? a.at : a.steps[t]!);

/**
 * Edges one token takes through the plan, starting at edge 0, with the attention unit holding `positions` cached
 * positions after the append. `byKind` splits the critical path by the kind of op that set each op's finishing time.
 */
export function tokenCycles(plan: readonly LatOp[], chip: ChipConfig, activity: Activity, positions: number, a: LatencyAssumptions = DEFAULT_ASSUMPTIONS): TokenLatency {
  const T = chip.T;
  const avail = new Map<string, Avail>();
  const get = (t: string) => {
    const v = avail.get(t);
    if (!v) throw new Error(`latency: tensor '${t}' is read before it is produced`);
    return v;
  };
  const digital = (width: number) => Math.ceil(width / a.digitalLanes) + a.digitalLatency;
  for (const op of plan) {
    switch (op.kind) {
      case 'host':
        avail.set(op.out, { at: 0 });
        break;
      case 'digital':
        avail.set(op.out, { at: Math.max(...op.inputs.map((i) => allAt(get(i)))) + digital(op.width) });
        break;
      case 'count':
        avail.set(op.out, { at: allAt(get(op.input)) + digital(op.width) });
        break;
      case 'encode': {
        const x = allAt(get(op.input));
        if (op.attention) {
          // the attention unit's own encoder: word i of the T x Hq x C issued from E shows at E + i + 3 (tokenSchedule)
          const words = op.attention.qHeads * chunks(op.attention);
          avail.set(op.out, { steps: Array.from({ length: T }, (_, t) => x + (t + 1) * words + 3) });
        } else {
          const words = Math.ceil(op.width / a.encoderLanes);
          avail.set(op.out, { steps: Array.from({ length: T }, (_, t) => x + (t + 1) * words + 2) });
        }
        break;
      }
      case 'attention': {
        const start = Math.max(...op.inputs.map((i) => allAt(get(i))));
        const s = tokenSchedule(op.spec, positions, T);
        // the normalised outputs are complete when the encoder starts (cycle E after the accepting edge)
        avail.set(op.out, { at: start + s.encode });
        break;
      }
      case 'linear': {
        const x = get(op.input);
        let prev: number[] = Array.from({ length: T }, (_, t) => stepAt(x, t));
        for (let rt = 0; rt < op.rowTiles; rt++) {
          const done: number[] = [];
          for (let t = 0; t < T; t++) {
            const { groups, active } = activity(op.name, rt, t);
            const accept = Math.max(prev[t]!, t > 0 ? done[t - 1]! : 0);
            // the chain's tiles before the last are psum tiles (one cycle less output latency than time-multiplexed neurons)
            done.push(accept + stepCyclesOf(rt < op.rowTiles - 1 ? psumTile(op.tile) : op.tile, groups, active));
          }
          prev = done.map((d) => d + 1);
        }
        avail.set(op.out, op.readout === 'spikes' ? { steps: prev } : { at: prev[T - 1]! });
        break;
      }
    }
  }
  const end = Math.max(...[...avail.values()].map(allAt));
  return { cycles: end, byKind: criticalPath(plan, avail) };
}

function psumTile(t: CrossbarSpec): CrossbarSpec {
  const { neuron: _, ...rest } = t;
  return { ...rest, output: 'psum' };
}

/** timestepCycles() for a possibly fractional mean number of active row groups (`active`: chance of any). */
export function stepCyclesOf(t: CrossbarSpec, groups: number, active: number): number {
  if (Number.isInteger(groups) && (active === 0 || active === 1)) return timestepCycles(t, groups);
  return groups * colGroups(t) + active + colGroups(t) + outputLatency(t);
}

/** Attributes the token's time to op kinds along the chain of ops that finished last (a simple critical path). */
function criticalPath(plan: readonly LatOp[], avail: Map<string, Avail>): Record<string, number> {
  const by: Record<string, number> = {};
  const finish = (op: LatOp) => allAt(avail.get(op.out)!);
  const inputsOf = (op: LatOp): string[] => ('inputs' in op ? op.inputs : 'input' in op ? [op.input] : []);
  const producer = new Map(plan.map((o) => [o.out, o]));
  let op: LatOp | undefined = plan.reduce((m, o) => (finish(o) >= finish(m) ? o : m), plan[0]!);
  while (op) {
    const ins: LatOp[] = inputsOf(op).flatMap((i) => producer.get(i) ?? []);
    const from = ins.length ? Math.max(...ins.map(finish)) : 0;
    const kind = op.kind === 'encode' && op.attention ? 'attention' : op.kind;
    by[kind] = (by[kind] ?? 0) + finish(op) - from;
    op = ins.length ? ins.reduce((m: LatOp, o: LatOp) => (finish(o) >= finish(m) ? o : m), ins[0]!) : undefined;
  }
  return by;
}

/** Exact activity of a linear op from its input spikes of one position [T][dIn] and its row masks. */
export function activityOf(p: ChipProgram, op: ProgOp & { kind: 'linear' }, x: Int8Array, offset: number): { groups: number; active: number }[][] {
  const t = tileSpec(p.chip, op.tiles.kind);
  const T = p.chip.T;
  const masks = op.tiles.masks?.map((m) => blob(p, m));
  const out: { groups: number; active: number }[][] = [];
  for (let rt = 0; rt < op.tiles.rowTiles; rt++) {
    const row: { groups: number; active: number }[] = [];
    for (let s = 0; s < T; s++) {
      // column tiles of a row tile share the inputs; with masks, the slowest column tile sets the pace
      let worst = 0;
      for (let ct = 0; ct < (masks ? op.tiles.colTiles : 1); ct++) {
        const mask = masks?.[rt * op.tiles.colTiles + ct];
        let g = 0;
        for (let grp = 0; grp < t.rows / t.rowsPerCycle; grp++) {
          for (let i = 0; i < t.rowsPerCycle; i++) {
            const r = rt * t.rows + grp * t.rowsPerCycle + i;
            if (r < op.dIn && x[offset + s * op.dIn + r] !== 0 && (!mask || mask[r - rt * t.rows] === 1)) {
              g++;
              break;
            }
          }
        }
        worst = Math.max(worst, g);
      }
      row.push({ groups: worst, active: worst > 0 ? 1 : 0 });
    }
    out.push(row);
  }
  return out;
}

/** Cycles per token spent reloading tiles from DRAM when the program streams weights: bits / bandwidth at the clock. */
export function streamingCycles(bitsPerToken: number, chip: ChipConfig, a: LatencyAssumptions = DEFAULT_ASSUMPTIONS): number {
  return bitsPerToken ? Math.ceil(((bitsPerToken / 8) / a.dramBytesPerSecond) * chip.clockHz) : 0;
}
