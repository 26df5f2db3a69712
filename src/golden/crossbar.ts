// Golden crossbar tile, written from docs/crossbar.md (not from the RTL). `CrossbarTile` is the timestep-level
// exact model: cells, row mask, ADC, recombination, partial sums and the column neurons, with the event counters.
// The cycle-level model that the RTL is co-simulated against (port timing, configuration bus) is in
// crossbar-cycle.ts and composes this one.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';
import {
  adcConvert,
  checkCrossbarSpec,
  colGroups,
  decodeWeight,
  encodeWeight,
  inputRange,
  maxWeight,
  rowGroups,
  tileNeuronSpec,
  TILE_COUNTERS,
  type CellPair,
  type CrossbarSpec,
  type TileCounter,
} from '../spec/crossbar.js';
import { LifNeurons } from './lif.js';

export type TileCounters = Record<TileCounter, number>;

export const zeroCounters = (): TileCounters => Object.fromEntries(TILE_COUNTERS.map((c) => [c, 0])) as TileCounters;

/** Bad data given to a tile model: the message names the tensor or input, the allowed range and the caller's TS line. */
export class TileInputError extends RangeError {
  constructor(message: string) {
    super(`${message} (at ${formatLoc(captureLoc())})`);
    this.name = 'TileInputError';
  }
}

/** Everything one timestep computes, for the cycle model and for tests. */
export interface TileStep {
  /** row groups with at least one active row, in ascending order */
  activeGroups: number[];
  /** exact column sums, [s * C + c] */
  sums: Int32Array;
  /** ADC outputs, [s * C + c] (0 when no row was active: no conversion) */
  q: Int32Array;
  /** recombined tile output y per column */
  y: Int32Array;
  /** psum_in + y saturated to P bits, per column */
  z: Int32Array;
  /** neurons: spike and membrane after the update, per column */
  spikes?: Int32Array;
  v?: Int32Array;
  /** per column group: conversions that clipped, columns whose psum saturated */
  clippedPerGroup: Int32Array;
  saturatedPerGroup: Int32Array;
  /** counter increments of this timestep */
  events: TileCounters;
}

export class CrossbarTile {
  /** g+ and g- levels, [(r * C + c) * S + s] */
  readonly pos: Uint8Array;
  readonly neg: Uint8Array;
  /** row mask, 1 = enabled (all enabled after construction) */
  readonly mask: Uint8Array;
  adcShift = 0;
  threshold = 0;
  leak = 0;
  readonly counters = zeroCounters();
  readonly neurons: LifNeurons | undefined;
  private readonly xLo: number;
  private readonly xHi: number;
  private readonly pMin: number;
  private readonly pMax: number;

  constructor(readonly spec: CrossbarSpec) {
    checkCrossbarSpec(spec, captureLoc(), 'CrossbarTile');
    const n = spec.rows * spec.cols * spec.slices;
    this.pos = new Uint8Array(n);
    this.neg = new Uint8Array(n);
    this.mask = new Uint8Array(spec.rows).fill(1);
    [this.xLo, this.xHi] = inputRange(spec);
    this.pMin = -(2 ** (spec.psumBits - 1));
    this.pMax = 2 ** (spec.psumBits - 1) - 1;
    this.neurons = spec.output === 'neurons' ? new LifNeurons({ ...tileNeuronSpec(spec), neurons: spec.cols }) : undefined;
  }

  /**
   * Programs every cell from a weight matrix [rows][cols] (row-major), canonical cells (docs/crossbar.md). Counted
   * as what loading the matrix over the configuration bus costs: every weight word written once.
   */
  program(weights: ArrayLike<number>): void {
    const { rows: R, cols: C } = this.spec;
    if (weights.length !== R * C) throw new TileInputError(`weights: ${weights.length} values, the tile holds ${R} x ${C} = ${R * C}`);
    const max = maxWeight(this.spec);
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const w = weights[r * C + c]!;
        if (!Number.isInteger(w) || Math.abs(w) > max) throw new TileInputError(`weights[${r}][${c}] = ${w} is outside -${max}..${max} (cellLevels ${this.spec.cellLevels}, slices ${this.spec.slices})`);
        this.setCells(r, c, encodeWeight(w, this.spec));
      }
    }
    this.counters.weight_writes += rowGroups(this.spec) * colGroups(this.spec);
  }

  setCells(r: number, c: number, cells: CellPair): void {
    const S = this.spec.slices;
    const at = (r * this.spec.cols + c) * S;
    for (let s = 0; s < S; s++) {
      this.pos[at + s] = cells.pos[s]!;
      this.neg[at + s] = cells.neg[s]!;
    }
  }

  cells(r: number, c: number): CellPair {
    const S = this.spec.slices;
    const at = (r * this.spec.cols + c) * S;
    return { pos: Array.from(this.pos.subarray(at, at + S)), neg: Array.from(this.neg.subarray(at, at + S)) };
  }

  weight(r: number, c: number): number {
    return decodeWeight(this.cells(r, c), this.spec);
  }

  setMask(mask: ArrayLike<number>): void {
    if (mask.length !== this.spec.rows) throw new TileInputError(`row mask: ${mask.length} bits, the tile has ${this.spec.rows} rows`);
    for (let r = 0; r < mask.length; r++) {
      const b = mask[r]!;
      if (b !== 0 && b !== 1) throw new TileInputError(`row mask[${r}] = ${b}; each mask bit is 0 or 1`);
      this.mask[r] = b;
    }
  }

  /** Clears the counters (register clearCounters). */
  clearCounters(): void {
    for (const k of TILE_COUNTERS) this.counters[k] = 0;
  }

  /** Neuron state back to rest (reset of the tile). */
  resetNeurons(): void {
    this.neurons?.reset();
  }

  /** One timestep: row inputs x (length R), partial sums in (length C, or none = 0), restart = first step of a token. */
  step(x: ArrayLike<number>, psumIn?: ArrayLike<number>, restart = false): TileStep {
    const { rows: R, cols: C, slices: S, rowsPerCycle: Pr, colsPerCycle: Pc } = this.spec;
    if (x.length !== R) throw new TileInputError(`row inputs: ${x.length} values, the tile has ${R} rows`);
    if (psumIn && psumIn.length !== C) throw new TileInputError(`psum_in: ${psumIn.length} values, the tile has ${C} columns`);
    const events = zeroCounters();
    events.timesteps = 1;
    const sums = new Int32Array(S * C);
    const activeGroups: number[] = [];
    let lastGroup = -1;
    for (let r = 0; r < R; r++) {
      const xr = x[r]!;
      if (!Number.isInteger(xr) || xr < this.xLo || xr > this.xHi) throw new TileInputError(`row input x[${r}] = ${xr} is outside the ${this.spec.inSpikes} alphabet ${this.xLo}..${this.xHi}`);
      if (xr === 0) continue;
      if (!this.mask[r]) {
        events.masked_rows++;
        continue;
      }
      events.active_rows++;
      const g = Math.floor(r / Pr);
      if (g !== lastGroup) {
        activeGroups.push(g);
        lastGroup = g;
      }
      const base = r * C * S;
      for (let c = 0; c < C; c++) {
        for (let s = 0; s < S; s++) {
          const k = base + c * S + s;
          sums[s * C + c]! += xr * (this.pos[k]! - this.neg[k]!);
        }
      }
    }
    const any = events.active_rows > 0;
    events.cell_reads = events.active_rows * C * S * 2;
    events.adc_conversions = any ? C * S : 0;
    const G = colGroups(this.spec);
    events.weight_reads = activeGroups.length * G;
    const clippedPerGroup = new Int32Array(G);
    const saturatedPerGroup = new Int32Array(G);
    const q = new Int32Array(S * C);
    const y = new Int32Array(C);
    const z = new Int32Array(C);
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Pc);
      let yc = 0;
      for (let s = S - 1; s >= 0; s--) {
        let qs = 0;
        if (any) {
          const r = adcConvert(sums[s * C + c]!, this.adcShift, this.spec);
          qs = r.q;
          if (r.clip) clippedPerGroup[g]!++;
        }
        q[s * C + c] = qs;
        yc = yc * this.spec.cellLevels + qs;
      }
      y[c] = yc;
      const t = (psumIn ? psumIn[c]! : 0) + yc;
      const zc = Math.min(this.pMax, Math.max(this.pMin, t));
      if (zc !== t) saturatedPerGroup[g]!++;
      z[c] = zc;
    }
    for (let g = 0; g < G; g++) {
      events.adc_clipped += clippedPerGroup[g]!;
      events.psum_saturated += saturatedPerGroup[g]!;
    }
    let spikes: Int32Array | undefined;
    let v: Int32Array | undefined;
    if (this.neurons) {
      spikes = new Int32Array(C);
      this.neurons.stepAll(z, this.threshold, this.leak, spikes, restart);
      v = Int32Array.from(this.neurons.v);
    }
    for (const k of TILE_COUNTERS) this.counters[k] += events[k];
    return { activeGroups, sums, q, y, z, spikes, v, clippedPerGroup, saturatedPerGroup, events };
  }
}
