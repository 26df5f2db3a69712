// The adaptive synaptic pruning controller's definition (docs/pruning.md), shared by the RTL generator
// (dsl/pruning.ts), the golden models (src/golden/pruning.ts), the chip functional model (src/functional/pruning.ts)
// and the compiler: parameters and their ranges, derived widths and latencies, the counters, and THE policy
// function nextMask() that every model calls (the RTL implements it and the co-simulation proves them equal).
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import { captureLoc, formatLoc, type SrcLoc } from '../hdl/srcloc.js';
import { bitsFor, log2ceil } from '../hdl/types.js';
import { requireChoice, requireRange } from '../params/define.js';
import { inputWidth, type CrossbarSpec } from './crossbar.js';

/** How many rows top-k keeps: an integer k, or the fixed-point fraction fraction / 2^fractionBits of R (rounded up). */
export type KeepRule = { rows: number } | { fraction: number; fractionBits: number };

export type RowPolicy =
  /** enabled when count >= thetaOn, disabled when count < thetaOff, otherwise unchanged (thetaOff <= thetaOn) */
  | { kind: 'threshold'; thetaOn: number; thetaOff: number }
  /** the k rows with the highest count (+ bonus when currently enabled), ties to the lower row index */
  | { kind: 'top-k'; keep: KeepRule; bonus: number };

/** The column-activity mask's rule (the threshold rule with hysteresis, as for rows). */
export interface ColumnPolicy {
  thetaOn: number;
  thetaOff: number;
}

/** What nextMask() needs: the row policy and the column rule (a PruningSpec is one). */
export interface MaskPolicy {
  policy: RowPolicy;
  columns: ColumnPolicy;
}

export interface PruningSpec extends MaskPolicy {
  /** R: rows of the watched tile */
  rows: number;
  /** C: columns of the watched tile */
  cols: number;
  /** bits of one row input field (the tile's input width); a row is active-in when its field is nonzero */
  rowWidth: number;
  /** bits of one column output field (spike or partial sum); a column is active when its field is nonzero */
  colWidth: number;
  /** Pc: columns per output cycle of the tile (a column group); divides cols */
  colsPerCycle: number;
  /** W: tokens per window */
  window: number;
  /** bits of each row/column activity count (saturating) */
  countBits: number;
  /** width of the statistics counters (wrapping) */
  counterBits: number;
}

/** Ranges of the integer parameters (documented in docs/pruning.md from this table). */
export const PRUNING_LIMITS = {
  rows: [1, 1024],
  cols: [1, 1024],
  rowWidth: [1, 32],
  colWidth: [1, 32],
  colsPerCycle: [1, 1024],
  window: [1, 65535],
  countBits: [1, 20],
  counterBits: [8, 48],
} as const;

/** Range of fractionBits; fraction itself lies in 1..2^fractionBits, so the kept fraction is in (0, 1]. */
export const FRACTION_BITS: readonly [number, number] = [1, 16];

export const PRUNING_DOC: Record<keyof typeof PRUNING_LIMITS | 'policy' | 'columns', string> = {
  rows: 'R, rows of the watched tile (one activity count each)',
  cols: 'C, columns of the watched tile (one activity count each)',
  rowWidth: 'bits of one row input field (the tile\'s input width)',
  colWidth: 'bits of one column output field (spike or partial-sum width)',
  colsPerCycle: 'Pc, columns per output cycle (a column group, as the tile emits them); divides C',
  window: 'W, tokens per window',
  countBits: 'cb, bits of an activity count (saturating at 2^cb - 1)',
  counterBits: 'statistics counter width (counters wrap modulo 2^counterBits)',
  policy: "row policy: { kind: 'threshold', thetaOn, thetaOff } (0 <= thetaOff <= thetaOn <= 2^cb - 1) or { kind: 'top-k', keep: { rows: k } (1..R) or { fraction, fractionBits } (1..2^fractionBits, fractionBits 1..16), bonus } (0..2^cb - 1)",
  columns: 'column-activity rule: { thetaOn, thetaOff }, the threshold rule (0 <= thetaOff <= thetaOn <= 2^cb - 1)',
};

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Checks the row policy and column rule for R rows and counts up to countMax; every problem is reported at once,
 * at the parameter's own location when `locs` has it ('policy.thetaOn') and at `loc` otherwise. Reports go to the
 * caller's diagnostic sink (run inside validateAll).
 */
function checkPolicy(p: MaskPolicy, rows: number, countMax: number, who: string, at: (name: string) => SrcLoc | undefined): void {
  const bad = (name: string, msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, at(name)));
  // `at` is asked only for a value that is refused (a location may cost a stack capture)
  const range = (name: string, v: number, lo: number, hi: number) => {
    if (!isInt(v) || v < lo || v > hi) requireRange(who, name, v, lo, hi, at(name));
  };
  const band = (prefix: string, on: number, off: number) => {
    range(`${prefix}.thetaOn`, on, 0, countMax);
    range(`${prefix}.thetaOff`, off, 0, countMax);
    if (isInt(on) && isInt(off) && off > on) bad(`${prefix}.thetaOff`, `parameter ${prefix}.thetaOff = ${off} must be <= ${prefix}.thetaOn = ${on} (allowed: 0..${on}; the band thetaOff..thetaOn is the hysteresis)`);
  };
  const pol = p.policy as RowPolicy | undefined;
  if (!pol || typeof pol !== 'object') bad('policy', "parameter policy is missing: { kind: 'threshold', ... } or { kind: 'top-k', ... }");
  else {
    const kind = (pol as { kind: string }).kind;
    if (kind !== 'threshold' && kind !== 'top-k') requireChoice(who, 'policy.kind', kind, ['threshold', 'top-k'], at('policy.kind'));
    if (pol.kind === 'threshold') band('policy', pol.thetaOn, pol.thetaOff);
    if (pol.kind === 'top-k') {
      range('policy.bonus', pol.bonus, 0, countMax);
      const keep = (pol.keep ?? {}) as Partial<{ rows: number; fraction: number; fractionBits: number }>;
      const hasRows = 'rows' in keep;
      const hasFrac = 'fraction' in keep || 'fractionBits' in keep;
      if (hasRows === hasFrac) bad('policy.keep', 'parameter policy.keep must be either { rows: k } or { fraction, fractionBits }');
      else if (hasRows) range('policy.keep.rows', keep.rows!, 1, rows);
      else {
        const fb = keep.fractionBits!;
        range('policy.keep.fractionBits', fb, FRACTION_BITS[0], FRACTION_BITS[1]);
        if (isInt(fb) && fb >= FRACTION_BITS[0] && fb <= FRACTION_BITS[1] && !(isInt(keep.fraction) && keep.fraction >= 1 && keep.fraction <= 2 ** fb)) {
          bad('policy.keep.fraction', `parameter policy.keep.fraction = ${keep.fraction} is outside 1..${2 ** fb} (the kept fraction ${keep.fraction}/2^${fb} must lie in (0, 1])`);
        }
      }
    }
  }
  const cols = p.columns as ColumnPolicy | undefined;
  if (!cols || typeof cols !== 'object') bad('columns', 'parameter columns is missing: { thetaOn, thetaOff }');
  else band('columns', cols.thetaOn, cols.thetaOff);
}

/**
 * Checks every parameter; all problems are reported at once, each at the parameter's own location when `locs` has
 * it (the line in a parameter file, see paramLocations) and at `loc` (the generator's or model's caller) otherwise.
 */
export function checkPruningSpec(p: PruningSpec, loc: SrcLoc | undefined, who = 'pruningController', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(PRUNING_LIMITS)) requireRange(who, k, p[k as keyof typeof PRUNING_LIMITS], lo, hi, at(k));
    if (isInt(p.cols) && isInt(p.colsPerCycle) && p.colsPerCycle >= 1 && p.cols % p.colsPerCycle !== 0) {
      report(makeDiagnostic('PARAM_RANGE', `${who}: colsPerCycle = ${p.colsPerCycle} must divide cols = ${p.cols}`, at('colsPerCycle')));
    }
    const cbOk = isInt(p.countBits) && p.countBits >= PRUNING_LIMITS.countBits[0] && p.countBits <= PRUNING_LIMITS.countBits[1];
    const rowsOk = isInt(p.rows) && p.rows >= PRUNING_LIMITS.rows[0] && p.rows <= PRUNING_LIMITS.rows[1];
    // the policy's ranges depend on rows and countBits; with those invalid, only their own errors are reported
    if (cbOk && rowsOk) checkPolicy(p, p.rows, 2 ** p.countBits - 1, who, at);
  });
}

/** Parameters for watching `tile`: its rows, columns, input field width, output field width and column groups. */
export function pruningForTile(tile: CrossbarSpec, rest: Pick<PruningSpec, 'window' | 'countBits' | 'counterBits' | 'policy' | 'columns'>): PruningSpec {
  // a neurons tile emits spikes of its neurons' alphabet, encoded like a row input of that alphabet
  const n = tile.output === 'neurons' ? tile.neuron : undefined;
  const colWidth = n ? inputWidth({ inSpikes: n.spikes, inLevels: n.levels }) : tile.psumBits;
  return { rows: tile.rows, cols: tile.cols, rowWidth: inputWidth(tile), colWidth, colsPerCycle: tile.colsPerCycle, ...rest };
}

// ---- derived quantities ----

export const countMax = (p: Pick<PruningSpec, 'countBits'>) => 2 ** p.countBits - 1;
export const colGroups = (p: Pick<PruningSpec, 'cols' | 'colsPerCycle'>) => p.cols / p.colsPerCycle;

/** k of a top-k policy for R rows: keep.rows, or ceil(fraction * R / 2^fractionBits) (integer arithmetic). */
export function keepRows(policy: Extract<RowPolicy, { kind: 'top-k' }>, rows: number): number {
  const k = policy.keep;
  if ('rows' in k) return k.rows;
  const den = 2 ** k.fractionBits;
  return Math.floor((k.fraction * rows + den - 1) / den);
}

/** Bits of a top-k ranking score: count + bonus, at most 2^cb - 1 + bonus. */
export function scoreBits(p: Pick<PruningSpec, 'countBits' | 'policy'>): number {
  return bitsFor(countMax(p) + (p.policy.kind === 'top-k' ? p.policy.bonus : 0));
}

/** Bits of the index search of top-k (log2ceil R; 0 for one row). */
export const indexBits = (p: Pick<PruningSpec, 'rows'>) => log2ceil(p.rows);

/**
 * Cycles the controller is busy (ready = 0) after the edge that ends a window: threshold 1 (the mask is computed
 * from the frozen counts); top-k scoreBits (threshold search) + indexBits (tie search) + 1 (apply).
 */
export function maskLatency(p: Pick<PruningSpec, 'rows' | 'countBits' | 'policy'>): number {
  return p.policy.kind === 'threshold' ? 1 : scoreBits(p) + indexBits(p) + 1;
}

/**
 * Comparisons per window, for the energy model (one = a count or score compared with one value): threshold 2 per
 * row (thetaOn, thetaOff); top-k R per busy cycle (score vs candidate, tie/index tests, apply); 2 per column.
 */
export function comparisonsPerWindow(p: Pick<PruningSpec, 'rows' | 'cols' | 'countBits' | 'policy'>): number {
  return (p.policy.kind === 'threshold' ? 2 * p.rows : p.rows * maskLatency(p)) + 2 * p.cols;
}

/** The statistics counters, in port order (out ports cnt_<name>). */
export const PRUNING_COUNTERS = ['tokens', 'windows', 'mask_updates', 'rows_off', 'rows_on', 'increments', 'comparisons', 'ignored'] as const;
export type PruningCounter = (typeof PRUNING_COUNTERS)[number];

export const PRUNING_COUNTER_DOC: Record<PruningCounter, string> = {
  tokens: 'tokens ended (token_end taken)',
  windows: 'windows completed (a next mask computed, changed or not)',
  mask_updates: 'windows whose row mask differs from the previous one',
  rows_off: 'rows turned off, summed over updates (enabled -> disabled)',
  rows_on: 'rows turned on, summed over updates (disabled -> enabled)',
  increments: 'activity count increments: active-in rows + active columns sampled (a saturated count included)',
  comparisons: 'policy comparisons, comparisonsPerWindow() per window (energy model)',
  ignored: 'cycles whose inputs were not taken: row_valid, col_valid or token_end while busy, or col_group >= G (cycle level only)',
};

// ---- THE policy ----

/** Bad data given to a pruning model: the message names the tensor or input, the allowed range and the caller's TS line. */
export class PruningInputError extends RangeError {
  constructor(message: string) {
    super(`${message} (at ${formatLoc(captureLoc())})`);
    this.name = 'PruningInputError';
  }
}

export interface MaskStats {
  /** rows enabled / columns active in the next masks */
  enabledRows: number;
  activeCols: number;
  /** flips: enabled -> disabled, disabled -> enabled */
  rowsOff: number;
  rowsOn: number;
  /** the row mask differs from the previous one */
  changed: boolean;
}

export interface MaskUpdate {
  rowMask: Uint8Array;
  colMask: Uint8Array;
  stats: MaskStats;
}

function checkVector(name: string, v: ArrayLike<number>, n: number, what: string, hi: number): void {
  if (v.length !== n) throw new PruningInputError(`${name}: ${v.length} values, expected ${n} (${what})`);
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isInteger(x) || x < 0 || x > hi) throw new PruningInputError(`${name}[${i}] = ${x} is outside 0..${hi}`);
  }
}

/** The threshold rule with hysteresis: on when count >= thetaOn, off when count < thetaOff, else unchanged. */
const band = (count: number, prev: number, r: ColumnPolicy) => (count >= r.thetaOn ? 1 : count < r.thetaOff ? 0 : prev);

/**
 * THE pruning policy (docs/pruning.md, "The policy"): the next row mask and column-activity mask from one window's
 * activity counts and the masks in force during it (1 = enabled). Rows: the threshold rule, or top-k by score =
 * count + (enabled ? bonus : 0), ties to the lower row index. Columns: the threshold rule with `columns`.
 * Checks the policy (ranges for these R rows) and the data; a bad one throws naming it, its range and the caller's line.
 * `check` = false skips the checks, for models that checked their spec when built and count within range (a window's
 * end then costs the policy alone).
 */
export function nextMask(rowCounts: ArrayLike<number>, colCounts: ArrayLike<number>, prev: { rowMask: ArrayLike<number>; colMask: ArrayLike<number> }, policy: MaskPolicy, check = true): MaskUpdate {
  const R = rowCounts.length;
  const C = colCounts.length;
  if (check) {
    if (R < 1) throw new PruningInputError('rowCounts: 0 values, expected at least 1 row');
    // the caller's location only when there is something to report (capturing a stack costs)
    validateAll(() => checkPolicy(policy, R, 2 ** 31 - 1, 'nextMask', () => captureLoc()));
    checkVector('rowCounts', rowCounts, R, 'one count per row', 2 ** 31 - 1);
    checkVector('colCounts', colCounts, C, 'one count per column', 2 ** 31 - 1);
    checkVector('prev.rowMask', prev.rowMask, R, 'one bit per row', 1);
    checkVector('prev.colMask', prev.colMask, C, 'one bit per column', 1);
  }
  const rowMask = new Uint8Array(R);
  const pol = policy.policy;
  if (pol.kind === 'threshold') {
    for (let r = 0; r < R; r++) rowMask[r] = band(rowCounts[r]!, prev.rowMask[r]!, pol);
  } else {
    const k = keepRows(pol, R);
    // the first k of (score descending, index ascending): every row scoring above the k-th largest score t, then
    // rows scoring t by ascending index until k are kept (a native numeric sort finds t)
    const score = new Float64Array(R);
    for (let r = 0; r < R; r++) score[r] = rowCounts[r]! + (prev.rowMask[r] ? pol.bonus : 0);
    const t = Float64Array.from(score).sort()[R - k]!;
    let left = k;
    for (let r = 0; r < R; r++) {
      if (score[r]! > t) {
        rowMask[r] = 1;
        left--;
      }
    }
    for (let r = 0; r < R && left > 0; r++) {
      if (score[r] === t) {
        rowMask[r] = 1;
        left--;
      }
    }
  }
  const colMask = new Uint8Array(C);
  for (let c = 0; c < C; c++) colMask[c] = band(colCounts[c]!, prev.colMask[c]!, policy.columns);
  let enabledRows = 0;
  let rowsOff = 0;
  let rowsOn = 0;
  for (let r = 0; r < R; r++) {
    enabledRows += rowMask[r]!;
    if (prev.rowMask[r] && !rowMask[r]) rowsOff++;
    if (!prev.rowMask[r] && rowMask[r]) rowsOn++;
  }
  let activeCols = 0;
  for (let c = 0; c < C; c++) activeCols += colMask[c]!;
  return { rowMask, colMask, stats: { enabledRows, activeCols, rowsOff, rowsOn, changed: rowsOff + rowsOn > 0 } };
}
