// How a (dIn x dOut) weight matrix lies on R x C crossbar tiles (docs/crossbar.md, "Partial sums across tiles"):
// row tiles of R inputs, column tiles of C outputs, a missing row or column of the last tile a zero weight with a
// zero input. Also each weight's slice values (g+ - g- of the canonical cells, encodeWeight) and the bounds that
// decide where the per-tile ADC and the saturating chain provably change nothing (the engines' fast path).
import { adcMax, encodeWeight, inputRange, maxWeight, type CrossbarSpec } from '../spec/crossbar.js';

export interface TileGrid {
  dIn: number;
  dOut: number;
  R: number;
  C: number;
  /** row tiles, column tiles */
  RT: number;
  CT: number;
}

export function tileGrid(tile: CrossbarSpec, dIn: number, dOut: number): TileGrid {
  return { dIn, dOut, R: tile.rows, C: tile.cols, RT: Math.ceil(dIn / tile.rows), CT: Math.ceil(dOut / tile.cols) };
}

/** Slice values of a weight matrix: [s][dIn * dOut], slice s = g+_s - g-_s of the weight's canonical cells. */
export function sliceWeights(weights: ArrayLike<number>, tile: CrossbarSpec): Int16Array[] {
  const S = tile.slices;
  const out = Array.from({ length: S }, () => new Int16Array(weights.length));
  // a matrix has few distinct values: encode each once
  const memo = new Map<number, number[]>();
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    let d = memo.get(w);
    if (!d) {
      const c = encodeWeight(w, tile);
      d = c.pos.map((p, s) => p - c.neg[s]!);
      memo.set(w, d);
    }
    for (let s = 0; s < S; s++) out[s]![i] = d[s]!;
  }
  return out;
}

/** The first weight outside the tile's range, as [row, column, value], or undefined. */
export function badWeight(weights: ArrayLike<number>, dOut: number, tile: CrossbarSpec): [number, number, number] | undefined {
  const max = maxWeight(tile);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!Number.isInteger(w) || Math.abs(w) > max) return [Math.floor(i / dOut), i % dOut, w];
  }
  return undefined;
}

/**
 * What decides, per column tile, whether its whole chain is exact without the tile split: a tile cannot clip when
 * K * (sum of |slice values| of each of its columns) <= adcMax, and then with shift 0 its q = I and y = the exact
 * integer sum; the chain cannot saturate when |bias| + K * (sum of |w| over the whole column) <= psumMax. A chain
 * of such tiles, all with shift 0, gives z = bias + the plain dot product (exactChains).
 */
export interface ChainBounds {
  /** [rt * CT + ct]: the tile cannot clip */
  noClip: boolean[];
  /** [ct]: no partial sum of the chain can saturate */
  noSaturation: boolean[];
}

export function chainBounds(g: TileGrid, tile: CrossbarSpec, weights: ArrayLike<number>, slices: Int16Array[], bias: ArrayLike<number> | undefined): ChainBounds {
  const K = inputRange(tile)[1];
  const aMax = adcMax(tile);
  const pMax = 2 ** (tile.psumBits - 1) - 1;
  const colMax = (a: Float64Array, ct: number) => {
    let m = 0;
    for (let j = ct * g.C; j < Math.min((ct + 1) * g.C, g.dOut); j++) m = Math.max(m, a[j]!);
    return m;
  };
  const noClip = new Array<boolean>(g.RT * g.CT).fill(true);
  const a = new Float64Array(g.dOut);
  for (const sl of slices) {
    for (let rt = 0; rt < g.RT; rt++) {
      a.fill(0);
      for (let r = rt * g.R; r < Math.min((rt + 1) * g.R, g.dIn); r++) for (let j = 0; j < g.dOut; j++) a[j]! += Math.abs(sl[r * g.dOut + j]!);
      for (let ct = 0; ct < g.CT; ct++) if (K * colMax(a, ct) > aMax) noClip[rt * g.CT + ct] = false;
    }
  }
  a.fill(0);
  for (let r = 0; r < g.dIn; r++) for (let j = 0; j < g.dOut; j++) a[j]! += Math.abs(weights[r * g.dOut + j]!);
  for (let j = 0; j < g.dOut; j++) a[j] = Math.abs(bias ? bias[j]! : 0) + K * a[j]!;
  const noSaturation = Array.from({ length: g.CT }, (_, ct) => colMax(a, ct) <= pMax);
  return { noClip, noSaturation };
}

/** Column tiles whose chain is exact as one dot product (ChainBounds), given each tile's adc_shift [rt * CT + ct]. */
export function exactChains(g: TileGrid, b: ChainBounds, shifts: ArrayLike<number>): boolean[] {
  return Array.from({ length: g.CT }, (_, ct) => {
    if (!b.noSaturation[ct]) return false;
    for (let rt = 0; rt < g.RT; rt++) if (shifts[rt * g.CT + ct] !== 0 || !b.noClip[rt * g.CT + ct]) return false;
    return true;
  });
}
