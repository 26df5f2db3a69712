// Golden pruning controller at token level, written from docs/pruning.md (not from the RTL): activity counts per
// row and column over a window of W tokens, the policy (src/spec/pruning.ts nextMask) at each window's end, the
// masks and the statistics counters. The port-level cycle model (pruning-cycle.ts) composes this one.
import { captureLoc } from '../hdl/srcloc.js';
import {
  checkPruningSpec,
  comparisonsPerWindow,
  countMax,
  nextMask,
  PRUNING_COUNTERS,
  PruningInputError,
  type MaskStats,
  type MaskUpdate,
  type PruningCounter,
  type PruningSpec,
} from '../spec/pruning.js';

export type PruningCounters = Record<PruningCounter, number>;
export const zeroPruningCounters = (): PruningCounters => Object.fromEntries(PRUNING_COUNTERS.map((c) => [c, 0])) as PruningCounters;

/** Stats before the first window: every row and column enabled, nothing flipped. */
export const initialStats = (p: Pick<PruningSpec, 'rows' | 'cols'>): MaskStats => ({ enabledRows: p.rows, activeCols: p.cols, rowsOff: 0, rowsOn: 0, changed: false });

/** What a window's end reads and writes: the counts, the masks in force, the last stats and the counters. */
export interface WindowState {
  readonly rowCounts: Uint32Array;
  readonly colCounts: Uint32Array;
  readonly rowMask: Uint8Array;
  readonly colMask: Uint8Array;
  last: MaskStats;
  readonly counters: PruningCounters;
}

/**
 * A window's end (docs/pruning.md): the next masks by the policy (nextMask), put in force; counts cleared; the
 * update's stats counted (comparisons: `perWindow`, comparisonsPerWindow of the spec). Shared by the golden and the
 * functional model, which differ in how they count activity.
 */
export function closeWindow(s: WindowState, spec: PruningSpec, perWindow: number): MaskUpdate {
  // the spec was checked when the model was built, and counts stay within 0..2^cb - 1
  const u = nextMask(s.rowCounts, s.colCounts, { rowMask: s.rowMask, colMask: s.colMask }, spec, false);
  s.rowMask.set(u.rowMask);
  s.colMask.set(u.colMask);
  s.rowCounts.fill(0);
  s.colCounts.fill(0);
  s.last = u.stats;
  s.counters.windows++;
  if (u.stats.changed) s.counters.mask_updates++;
  s.counters.rows_off += u.stats.rowsOff;
  s.counters.rows_on += u.stats.rowsOn;
  s.counters.comparisons += perWindow;
  return u;
}

export class PruningController implements WindowState {
  readonly rowCounts: Uint32Array;
  readonly colCounts: Uint32Array;
  /** the masks in force (1 = enabled / active); all ones after construction and reset */
  readonly rowMask: Uint8Array;
  readonly colMask: Uint8Array;
  /** tokens ended in the current window */
  tokensInWindow = 0;
  /** the last update's stats */
  last: MaskStats;
  readonly counters = zeroPruningCounters();
  private readonly max: number;
  private readonly perWindow: number;

  constructor(readonly spec: PruningSpec) {
    checkPruningSpec(spec, captureLoc(), 'PruningController');
    this.rowCounts = new Uint32Array(spec.rows);
    this.colCounts = new Uint32Array(spec.cols);
    this.rowMask = new Uint8Array(spec.rows).fill(1);
    this.colMask = new Uint8Array(spec.cols).fill(1);
    this.max = countMax(spec);
    this.perWindow = comparisonsPerWindow(spec);
    this.last = initialStats(spec);
  }

  /** Back to the state after construction (the RTL's reset). */
  reset(): void {
    this.rowCounts.fill(0);
    this.colCounts.fill(0);
    this.rowMask.fill(1);
    this.colMask.fill(1);
    this.tokensInWindow = 0;
    this.last = initialStats(this.spec);
    for (const k of PRUNING_COUNTERS) this.counters[k] = 0;
  }

  /** One timestep's row inputs (length R): a row is active-in when its input is nonzero, masked or not. */
  observeRows(x: ArrayLike<number>): void {
    const R = this.spec.rows;
    if (x.length !== R) throw new PruningInputError(`row inputs: ${x.length} values, the tile has ${R} rows`);
    this.checkFields('row input x', x, 0, this.spec.rowWidth);
    this.count(this.rowCounts, x, 0);
  }

  /** Outputs of columns first .. first + outs.length - 1 in one timestep: a column is active when nonzero. */
  observeCols(first: number, outs: ArrayLike<number>): void {
    const C = this.spec.cols;
    if (!Number.isInteger(first) || first < 0 || first + outs.length > C) throw new PruningInputError(`column outputs ${first}..${first + outs.length - 1}: the tile has columns 0..${C - 1}`);
    this.checkFields('column output y', outs, first, this.spec.colWidth);
    this.count(this.colCounts, outs, first);
  }

  /** Each value must fit its w-bit port field, read signed or unsigned; checked before anything is counted. */
  private checkFields(name: string, v: ArrayLike<number>, first: number, w: number): void {
    const lo = -(2 ** (w - 1));
    const hi = 2 ** w - 1;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!Number.isInteger(x) || x < lo || x > hi) throw new PruningInputError(`${name}[${first + i}] = ${x} does not fit a ${w}-bit field (${lo}..${hi})`);
    }
  }

  /** One saturating increment per nonzero value. */
  private count(counts: Uint32Array, v: ArrayLike<number>, first: number): void {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === 0) continue;
      this.counters.increments++;
      if (counts[first + i]! < this.max) counts[first + i]!++;
    }
  }

  /** One whole timestep: row inputs (length R) and column outputs (length C); both checked before either is counted. */
  timestep(x: ArrayLike<number>, outs: ArrayLike<number>): void {
    const { rows: R, cols: C } = this.spec;
    if (x.length !== R) throw new PruningInputError(`row inputs: ${x.length} values, the tile has ${R} rows`);
    if (outs.length !== C) throw new PruningInputError(`column outputs: ${outs.length} values, the tile has ${C} columns`);
    this.checkFields('row input x', x, 0, this.spec.rowWidth);
    this.checkFields('column output y', outs, 0, this.spec.colWidth);
    this.count(this.rowCounts, x, 0);
    this.count(this.colCounts, outs, 0);
  }

  /**
   * Ends a token. When it completes a window, the next masks are computed by the policy, put in force (for the next
   * token on), the counts cleared, and the update returned; otherwise undefined.
   */
  endToken(): MaskUpdate | undefined {
    this.counters.tokens++;
    if (++this.tokensInWindow < this.spec.window) return undefined;
    this.tokensInWindow = 0;
    const u = closeWindow(this, this.spec, this.perWindow);
    return u;
  }
}
