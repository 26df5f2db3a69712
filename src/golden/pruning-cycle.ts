// Cycle-level golden model of the pruning controller's ports (docs/pruning.md, "Ports and timing"): which edges
// take inputs, the busy period after a window ends, when the masks, stats and each counter move. The counting and
// the policy are the token-level model's (pruning.ts), run at the edge that takes the inputs; this file only
// places the results in time.
import { colGroups, comparisonsPerWindow, maskLatency, PRUNING_COUNTERS, type MaskUpdate, type PruningSpec } from '../spec/pruning.js';
import { initialStats, PruningController } from './pruning.js';

export interface PrunePortsIn {
  rst: number;
  row_valid: number;
  row_in: bigint;
  col_valid: number;
  col_group: number;
  col_out: bigint;
  token_end: number;
}

const ones = (w: number) => (1n << BigInt(w)) - 1n;

/** Splits a packed port into n fields of w bits (field 0 the least significant), with the shifts made once. */
function fieldReader(n: number, w: number): (packed: bigint) => number[] {
  const m = ones(w);
  const bw = BigInt(w);
  return (packed) => {
    const out = new Array<number>(n);
    let v = packed;
    for (let i = 0; i < n; i++) {
      out[i] = Number(v & m);
      v >>= bw;
    }
    return out;
  };
}
const packBits = (bits: ArrayLike<number>) => {
  let v = 0n;
  for (let i = bits.length - 1; i >= 0; i--) v = (v << 1n) | BigInt(bits[i]!);
  return v;
};

export class PruningCycleModel {
  readonly ctl: PruningController;
  private readonly G: number;
  private readonly latency: number;
  private readonly perWindow: number;
  private readonly rowFields: (packed: bigint) => number[];
  private readonly colFields: (packed: bigint) => number[];
  /** the update being computed and the busy edges left until it is applied */
  private busy: { left: number; update: MaskUpdate } | undefined;
  private shown = { rowMask: 0n, colMask: 0n, maskValid: 0, enabledRows: 0, activeCols: 0, lastOff: 0, lastOn: 0 };
  /** counters as the ports show them (wrapping at counterBits) */
  private cnt: Record<string, bigint> = {};

  constructor(readonly spec: PruningSpec) {
    this.ctl = new PruningController(spec);
    this.G = colGroups(spec);
    this.latency = maskLatency(spec);
    this.perWindow = comparisonsPerWindow(spec);
    this.rowFields = fieldReader(spec.rows, spec.rowWidth);
    this.colFields = fieldReader(spec.colsPerCycle, spec.colWidth);
    this.resetState();
  }

  private resetState(): void {
    this.ctl.reset();
    this.busy = undefined;
    const s = initialStats(this.spec);
    this.shown = { rowMask: ones(this.spec.rows), colMask: ones(this.spec.cols), maskValid: 0, enabledRows: s.enabledRows, activeCols: s.activeCols, lastOff: 0, lastOn: 0 };
    for (const c of PRUNING_COUNTERS) this.cnt[c] = 0n;
  }

  get ready(): boolean {
    return this.busy === undefined;
  }

  outputs(): Record<string, bigint> {
    const s = this.shown;
    const o: Record<string, bigint> = {
      ready: this.ready ? 1n : 0n,
      mask_valid: BigInt(s.maskValid),
      row_mask: s.rowMask,
      col_mask: s.colMask,
      enabled_rows: BigInt(s.enabledRows),
      active_cols: BigInt(s.activeCols),
      last_rows_off: BigInt(s.lastOff),
      last_rows_on: BigInt(s.lastOn),
    };
    for (const c of PRUNING_COUNTERS) o[`cnt_${c}`] = this.cnt[c]!;
    return o;
  }

  private addCount(name: string, n: number): void {
    this.cnt[name] = (this.cnt[name]! + BigInt(n)) & ones(this.spec.counterBits);
  }

  /** One rising edge with these inputs (outputs() before it is what the ports showed during the cycle it ends). */
  edge(x: PrunePortsIn): void {
    if (x.rst) {
      this.resetState();
      return;
    }
    this.shown.maskValid = 0;
    if (this.busy) {
      // counts are frozen while the policy runs: inputs are not taken (the handshake says not to offer any)
      if (x.row_valid || x.col_valid || x.token_end) this.addCount('ignored', 1);
      if (--this.busy.left === 0) this.apply(this.busy.update);
      return;
    }
    const s = this.spec;
    const before = this.ctl.counters.increments;
    if (x.row_valid) this.ctl.observeRows(this.rowFields(x.row_in));
    if (x.col_valid) {
      if (x.col_group < this.G) this.ctl.observeCols(x.col_group * s.colsPerCycle, this.colFields(x.col_out));
      else this.addCount('ignored', 1);
    }
    this.addCount('increments', this.ctl.counters.increments - before);
    if (x.token_end) {
      this.addCount('tokens', 1);
      const u = this.ctl.endToken();
      if (u) this.busy = { left: this.latency, update: u };
    }
  }

  /** The last busy edge: the new masks and stats reach the ports, mask_valid for one cycle. */
  private apply(u: MaskUpdate): void {
    this.busy = undefined;
    this.shown = { rowMask: packBits(u.rowMask), colMask: packBits(u.colMask), maskValid: 1, enabledRows: u.stats.enabledRows, activeCols: u.stats.activeCols, lastOff: u.stats.rowsOff, lastOn: u.stats.rowsOn };
    this.addCount('windows', 1);
    this.addCount('mask_updates', u.stats.changed ? 1 : 0);
    this.addCount('rows_off', u.stats.rowsOff);
    this.addCount('rows_on', u.stats.rowsOn);
    this.addCount('comparisons', this.perWindow);
  }
}
