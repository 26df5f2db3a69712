// The pruning controller in the chip functional model (docs/pruning.md): a whole token's activity at once, counted
// with typed-array loops (count = min(2^cb - 1, count + hits), the same as saturating one hit at a time), and the
// policy by THE function nextMask() at each window's end (closeWindow, shared with the golden model). Computes what the golden model does, counters included
// (test/golden/pruning.test.ts); no cycles, so no `ignored` counter.
import { captureLoc } from '../hdl/srcloc.js';
import { closeWindow, initialStats, zeroPruningCounters, type WindowState } from '../golden/pruning.js';
import { checkPruningSpec, comparisonsPerWindow, countMax, PruningInputError, type MaskStats, type MaskUpdate, type PruningSpec } from '../spec/pruning.js';

export class PruningFunctional implements WindowState {
  readonly rowCounts: Uint32Array;
  readonly colCounts: Uint32Array;
  /** the masks in force, 1 = enabled / active (what the tile's mask register holds) */
  readonly rowMask: Uint8Array;
  readonly colMask: Uint8Array;
  tokensInWindow = 0;
  last: MaskStats;
  readonly counters = zeroPruningCounters();
  private readonly max: number;
  private readonly perWindow: number;
  private readonly rowHits: Uint32Array;
  private readonly colHits: Uint32Array;

  constructor(readonly spec: PruningSpec) {
    checkPruningSpec(spec, captureLoc(), 'PruningFunctional');
    this.rowCounts = new Uint32Array(spec.rows);
    this.colCounts = new Uint32Array(spec.cols);
    this.rowHits = new Uint32Array(spec.rows);
    this.colHits = new Uint32Array(spec.cols);
    this.rowMask = new Uint8Array(spec.rows).fill(1);
    this.colMask = new Uint8Array(spec.cols).fill(1);
    this.max = countMax(spec);
    this.perWindow = comparisonsPerWindow(spec);
    this.last = initialStats(spec);
  }

  /**
   * One token of T timesteps: x holds the row inputs [t * R + r], y the column outputs [t * C + c] (nonzero = active).
   * Returns the update when the token completes a window (the masks then apply from the next token on).
   */
  token(x: ArrayLike<number>, y: ArrayLike<number>, T: number): MaskUpdate | undefined {
    const { rows: R, cols: C } = this.spec;
    if (!Number.isInteger(T) || T < 0) throw new PruningInputError(`timesteps T = ${T}: expected a non-negative integer`);
    if (x.length !== T * R) throw new PruningInputError(`row inputs: ${x.length} values, expected T x R = ${T} x ${R} = ${T * R}`);
    if (y.length !== T * C) throw new PruningInputError(`column outputs: ${y.length} values, expected T x C = ${T} x ${C} = ${T * C}`);
    this.rowHits.fill(0);
    this.colHits.fill(0);
    for (let t = 0; t < T; t++) {
      const xo = t * R;
      for (let r = 0; r < R; r++) if (x[xo + r] !== 0) this.rowHits[r]!++;
      const yo = t * C;
      for (let c = 0; c < C; c++) if (y[yo + c] !== 0) this.colHits[c]!++;
    }
    return this.hits(this.rowHits, this.colHits);
  }

  /** A token whose activity is already counted: timesteps each row / column was active in. */
  hits(rowHits: ArrayLike<number>, colHits: ArrayLike<number>): MaskUpdate | undefined {
    const { rows: R, cols: C } = this.spec;
    if (rowHits.length !== R) throw new PruningInputError(`rowHits: ${rowHits.length} values, the tile has ${R} rows`);
    if (colHits.length !== C) throw new PruningInputError(`colHits: ${colHits.length} values, the tile has ${C} columns`);
    // checked before anything is counted, so a refused call changes nothing
    checkHits('rowHits', rowHits);
    checkHits('colHits', colHits);
    const max = this.max;
    let inc = 0;
    for (let r = 0; r < R; r++) {
      inc += rowHits[r]!;
      this.rowCounts[r] = Math.min(max, this.rowCounts[r]! + rowHits[r]!);
    }
    for (let c = 0; c < C; c++) {
      inc += colHits[c]!;
      this.colCounts[c] = Math.min(max, this.colCounts[c]! + colHits[c]!);
    }
    this.counters.increments += inc;
    this.counters.tokens++;
    if (++this.tokensInWindow < this.spec.window) return undefined;
    this.tokensInWindow = 0;
    return closeWindow(this, this.spec, this.perWindow);
  }
}

function checkHits(name: string, v: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i]) || v[i]! < 0) throw new PruningInputError(`${name}[${i}] = ${v[i]}: expected a non-negative integer`);
}
