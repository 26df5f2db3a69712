// Co-simulation driver for the pruning controller: operations (one cycle of activity and/or a token end, idle
// cycles, resets) become per-cycle port vectors by a planner that holds each operation on the ports until the golden
// model says the controller takes it (so held inputs also meet the busy cycles, which must ignore them); the vectors
// then run through the RTL (Verilator) and a fresh golden cycle model and every output is compared on every cycle.
import { pruningController, type PruningParams } from '../dsl/pruning.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { PruningCycleModel, type PrunePortsIn } from '../src/golden/pruning-cycle.js';
import { elaborate } from '../src/hdl/index.js';
import { log2ceil } from '../src/hdl/types.js';
import { colGroups } from '../src/spec/pruning.js';
import type { Rng } from '../src/util/random.js';

/**
 * Parameter sets, both policies: one column group and a hysteresis band; top-k by fraction with a non-power-of-two R
 * and G; top-k by rows over a wider tile; threshold without a band, one token per window, counters that wrap soon;
 * a single row.
 */
export const PRUNE_SETS: Record<string, PruningParams> = {
  threshold: { rows: 8, cols: 4, rowWidth: 1, colWidth: 1, colsPerCycle: 4, window: 3, countBits: 4, counterBits: 16, policy: { kind: 'threshold', thetaOn: 5, thetaOff: 2 }, columns: { thetaOn: 3, thetaOff: 1 } },
  topkFraction: { rows: 12, cols: 6, rowWidth: 2, colWidth: 3, colsPerCycle: 2, window: 2, countBits: 3, counterBits: 16, policy: { kind: 'top-k', keep: { fraction: 5, fractionBits: 3 }, bonus: 2 }, columns: { thetaOn: 1, thetaOff: 0 } },
  topkWide: { rows: 32, cols: 16, rowWidth: 3, colWidth: 10, colsPerCycle: 8, window: 4, countBits: 5, counterBits: 20, policy: { kind: 'top-k', keep: { rows: 10 }, bonus: 3 }, columns: { thetaOn: 4, thetaOff: 2 } },
  thresholdStep: { rows: 16, cols: 8, rowWidth: 2, colWidth: 2, colsPerCycle: 1, window: 1, countBits: 2, counterBits: 8, policy: { kind: 'threshold', thetaOn: 2, thetaOff: 2 }, columns: { thetaOn: 3, thetaOff: 3 } },
  single: { rows: 1, cols: 2, rowWidth: 1, colWidth: 1, colsPerCycle: 1, window: 2, countBits: 1, counterBits: 8, policy: { kind: 'top-k', keep: { rows: 1 }, bonus: 1 }, columns: { thetaOn: 1, thetaOff: 1 } },
};

/** One cycle's offer: row inputs (a timestep), one column group's outputs, a token end; any may be absent. */
export type PruneOp =
  | { kind: 'cycle'; rows?: readonly number[]; col?: { group: number; outs: readonly number[] }; tokenEnd?: boolean }
  | { kind: 'idle'; cycles: number }
  | { kind: 'reset' };

const ones = (w: number) => (1n << BigInt(w)) - 1n;

/** Packs fields (two's complement within `width` bits), field 0 the least significant. */
export function packFields(values: readonly number[], width: number): bigint {
  let v = 0n;
  for (let i = values.length - 1; i >= 0; i--) v = (v << BigInt(width)) | (BigInt(values[i]!) & ones(width));
  return v;
}

/** Ops for one token of `steps` timesteps: row inputs, then each column group's outputs, then the token end. */
export function tokenOps(p: PruningParams, steps: { rows: readonly number[]; cols: readonly number[] }[], merge = false): PruneOp[] {
  const ops: PruneOp[] = [];
  const Pc = p.colsPerCycle;
  for (const s of steps) {
    ops.push({ kind: 'cycle', rows: s.rows });
    for (let g = 0; g < colGroups(p); g++) ops.push({ kind: 'cycle', col: { group: g, outs: s.cols.slice(g * Pc, (g + 1) * Pc) } });
  }
  const last = ops[ops.length - 1];
  if (merge && last?.kind === 'cycle') last.tokenEnd = true;
  else ops.push({ kind: 'cycle', tokenEnd: true });
  return ops;
}

/**
 * Random operations: rows and columns with activity rates that change every few tokens (some silent for whole
 * windows, some always on), timesteps of 1..5 per token, row and column offers in one cycle or apart, token ends
 * alone or with the last activity, all-zero offers, out-of-range column groups, idle cycles, resets.
 */
export function randomOps(p: PruningParams, tokens: number, rng: Rng): PruneOp[] {
  const G = colGroups(p);
  const Pc = p.colsPerCycle;
  const gw = Math.max(1, log2ceil(G));
  const field = (w: number) => (rng.chance(0.2) ? 2 ** w - 1 : rng.int(1, 2 ** w - 1));
  const rates = [0, 0, 0.05, 0.2, 0.5, 0.9, 1];
  const draw = (n: number) => Array.from({ length: n }, () => rates[rng.int(0, rates.length - 1)]!);
  let rowRate = draw(p.rows);
  let colRate = draw(p.cols);
  const ops: PruneOp[] = [{ kind: 'reset' }];
  for (let t = 0; t < tokens; t++) {
    if (rng.chance(0.15)) rowRate = rng.chance(0.5) ? draw(p.rows) : rowRate.map((r) => (rng.chance(0.2) ? rates[rng.int(0, rates.length - 1)]! : r));
    if (rng.chance(0.15)) colRate = draw(p.cols);
    const steps = rng.int(1, 5);
    for (let s = 0; s < steps; s++) {
      const rows = Array.from({ length: p.rows }, (_, r) => (rng.chance(rowRate[r]!) ? field(p.rowWidth) : 0));
      const cols = Array.from({ length: p.cols }, (_, c) => (rng.chance(colRate[c]!) ? field(p.colWidth) : 0));
      const groups: PruneOp[] = Array.from({ length: G }, (_, g) => ({ kind: 'cycle', col: { group: g, outs: cols.slice(g * Pc, (g + 1) * Pc) } }));
      // the row offer alone or together with one of the column groups
      const withRows = rng.chance(0.4) ? rng.int(0, G - 1) : -1;
      if (withRows < 0) ops.push({ kind: 'cycle', rows });
      else (groups[withRows] as PruneOp & { kind: 'cycle' }).rows = rows;
      ops.push(...groups);
      if (rng.chance(0.03)) ops.push({ kind: 'idle', cycles: rng.int(1, 3) });
      if (G > 1 && 2 ** gw > G && rng.chance(0.03)) ops.push({ kind: 'cycle', col: { group: rng.int(G, 2 ** gw - 1), outs: Array.from({ length: Pc }, () => field(p.colWidth)) } });
    }
    const last = ops[ops.length - 1]!;
    if (last.kind === 'cycle' && rng.chance(0.5)) last.tokenEnd = true;
    else ops.push({ kind: 'cycle', tokenEnd: true });
    if (rng.chance(0.1)) ops.push({ kind: 'idle', cycles: rng.int(1, 6) });
    if (rng.chance(0.002)) ops.push({ kind: 'reset' });
  }
  return ops;
}

export type Vector = Record<string, number | bigint>;

const quiet: PrunePortsIn = { rst: 0, row_valid: 0, row_in: 0n, col_valid: 0, col_group: 0, col_out: 0n, token_end: 0 };

function toPorts(p: PruningParams, op: PruneOp & { kind: 'cycle' }): PrunePortsIn {
  if (op.col && op.col.group !== 0 && colGroups(p) === 1) throw new Error(`column group ${op.col.group}: this controller has one column group and no col_group port`);
  return {
    rst: 0,
    row_valid: op.rows ? 1 : 0,
    row_in: op.rows ? packFields(op.rows, p.rowWidth) : 0n,
    col_valid: op.col ? 1 : 0,
    col_group: op.col?.group ?? 0,
    col_out: op.col ? packFields(op.col.outs, p.colWidth) : 0n,
    token_end: op.tokenEnd ? 1 : 0,
  };
}

function toVector(p: PruningParams, x: PrunePortsIn): Vector {
  const v: Vector = { rst: x.rst, row_valid: x.row_valid, row_in: x.row_in, col_valid: x.col_valid, col_out: x.col_out, token_end: x.token_end };
  if (colGroups(p) > 1) v.col_group = x.col_group;
  return v;
}

export const fromVector = (v: Vector): PrunePortsIn => ({ rst: Number(v.rst), row_valid: Number(v.row_valid), row_in: BigInt(v.row_in!), col_valid: Number(v.col_valid), col_group: Number(v.col_group ?? 0), col_out: BigInt(v.col_out!), token_end: Number(v.token_end) });

/** Turns operations into per-cycle port vectors, each offer held on the ports until the golden model takes it. */
export class Planner {
  readonly vectors: Vector[] = [];
  private readonly model: PruningCycleModel;
  constructor(readonly p: PruningParams) {
    this.model = new PruningCycleModel(p);
  }
  private push(x: PrunePortsIn): void {
    this.vectors.push(toVector(this.p, x));
    this.model.edge(x);
  }
  add(ops: readonly PruneOp[]): this {
    for (const op of ops) {
      if (op.kind === 'reset') this.push({ ...quiet, rst: 1 });
      else if (op.kind === 'idle') for (let i = 0; i < op.cycles; i++) this.push(quiet);
      else {
        const x = toPorts(this.p, op);
        for (let guard = 0; ; guard++) {
          if (guard > 10_000) throw new Error('the controller never became ready');
          const taken = this.model.ready;
          this.push(x);
          if (taken) break;
        }
      }
    }
    return this;
  }
  /** Quiet cycles that let the last window's update finish; returns the vectors. */
  finish(): Vector[] {
    for (let i = 0; i < 40; i++) this.push(quiet);
    return this.vectors;
  }
}

/** Per-cycle port vectors that perform `ops` in order. */
export const planVectors = (p: PruningParams, ops: readonly PruneOp[]): Vector[] => new Planner(p).add(ops).finish();

/** Random vectors of at least `cycles` cycles (randomOps in batches), for the suite and the bench. */
export function randomVectors(p: PruningParams, cycles: number, rng: Rng): Vector[] {
  const plan = new Planner(p);
  while (plan.vectors.length < cycles) plan.add(randomOps(p, 500, rng));
  return plan.finish();
}

export interface CosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  /** windows completed, rows flipped and cycles with inputs ignored, as the golden model counted them */
  windows: number;
  flips: number;
  ignored: number;
  simMs: number;
  goldenMs: number;
}

/** Runs the vectors through RTL and a fresh golden model, comparing every output on every cycle after the first reset. */
export async function cosimPruning(dut: Dut, p: PruningParams, vectors: Vector[], name: string, chunk = 20_000): Promise<CosimResult> {
  let windows = 0;
  let flips = 0;
  let ignored = 0;
  const r = await lockstep(dut, vectors, name, new PruningCycleModel(p), fromVector, {
    chunk,
    onCycle: (e, v) => {
      if (e.mask_valid) {
        windows++;
        flips += Number(e.last_rows_off! + e.last_rows_on!);
      }
      if (!e.ready && (v.row_valid || v.col_valid || v.token_end)) ignored++;
    },
  });
  return { ...r, windows, flips, ignored };
}

export async function startPruning(p: PruningParams): Promise<Dut> {
  return Dut.start(elaborate(() => pruningController(p)));
}
