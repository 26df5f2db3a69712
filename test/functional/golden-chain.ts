// The golden composition the functional model must equal: one golden CrossbarTile per tile of the grid, chained
// by hand as docs/crossbar.md ("Partial sums across tiles") says: in each column of tiles, tile 0 gets the bias as
// psum_in, tile rt gets z of tile rt - 1, the last is the neurons tile (or a psum tile); missing rows and columns
// of the last tiles are zero weights with zero inputs.
import { CrossbarTile, zeroCounters, type TileCounters } from '../../src/golden/crossbar.js';
import { TILE_COUNTERS, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { Rng } from '../../src/util/random.js';

export interface GridSetup {
  tile: CrossbarSpec;
  dIn: number;
  dOut: number;
  weights: Int32Array;
  /** [rt * CT + ct] */
  shifts: number[];
  /** [ct] */
  thetas: number[];
  leaks: number[];
  bias?: Int32Array;
  /** [rt * CT + ct] -> R bits */
  masks: Uint8Array[];
}

export class GoldenChains {
  readonly RT: number;
  readonly CT: number;
  /** tiles[ct][rt] */
  readonly tiles: CrossbarTile[][];

  constructor(readonly g: GridSetup) {
    const { tile, dIn, dOut } = g;
    const R = tile.rows;
    const C = tile.cols;
    this.RT = Math.ceil(dIn / R);
    this.CT = Math.ceil(dOut / C);
    const psumTile: CrossbarSpec = { ...tile, output: 'psum' };
    delete psumTile.neuron;
    this.tiles = [];
    for (let ct = 0; ct < this.CT; ct++) {
      const chain: CrossbarTile[] = [];
      for (let rt = 0; rt < this.RT; rt++) {
        const t = new CrossbarTile(rt === this.RT - 1 ? tile : psumTile);
        const w = new Array<number>(R * C).fill(0);
        for (let r = 0; r < R; r++) {
          for (let c = 0; c < C; c++) {
            const i = rt * R + r;
            const j = ct * C + c;
            if (i < dIn && j < dOut) w[r * C + c] = g.weights[i * dOut + j]!;
          }
        }
        t.program(w);
        t.adcShift = g.shifts[rt * this.CT + ct]!;
        t.threshold = g.thetas[ct]!;
        t.leak = g.leaks[ct]!;
        t.setMask(g.masks[rt * this.CT + ct]!);
        chain.push(t);
      }
      this.tiles.push(chain);
    }
  }

  /** One timestep of one position: x [dIn]; returns spikes or z [dOut] and the membranes [dOut]. */
  step(x: ArrayLike<number>, restart: boolean): { out: Int32Array; v: Int32Array } {
    const { tile, dIn, dOut } = this.g;
    const R = tile.rows;
    const C = tile.cols;
    const out = new Int32Array(dOut);
    const v = new Int32Array(dOut);
    for (let ct = 0; ct < this.CT; ct++) {
      let psum: Int32Array | undefined;
      if (this.g.bias) {
        psum = new Int32Array(C);
        for (let c = 0; c < C; c++) psum[c] = ct * C + c < dOut ? this.g.bias[ct * C + c]! : 0;
      }
      for (let rt = 0; rt < this.RT; rt++) {
        const xs = Array.from({ length: R }, (_, r) => (rt * R + r < dIn ? x[rt * R + r]! : 0));
        const s = this.tiles[ct]![rt]!.step(xs, psum, restart);
        psum = s.z;
        if (rt === this.RT - 1) {
          for (let c = 0; c < C && ct * C + c < dOut; c++) {
            out[ct * C + c] = s.spikes ? s.spikes[c]! : s.z[c]!;
            v[ct * C + c] = s.v ? s.v[c]! : 0;
          }
        }
      }
    }
    return { out, v };
  }

  counters(): TileCounters {
    const sum = zeroCounters();
    for (const chain of this.tiles) for (const t of chain) for (const k of TILE_COUNTERS) sum[k] += t.counters[k];
    return sum;
  }
}

/** Random integers in [-max, max], with a share at the extremes (so sums reach the ADC and psum limits). */
export function randomWeights(rng: Rng, n: number, max: number, extremeShare = 0.3, positiveShare = 0.5): Int32Array {
  return Int32Array.from({ length: n }, () => {
    const sign = rng.chance(positiveShare) ? 1 : -1;
    if (rng.chance(extremeShare)) return sign * max;
    return rng.int(-max, max);
  });
}

/** Random row inputs in [lo, hi] with about `density` of them nonzero. */
export function randomInputs(rng: Rng, n: number, lo: number, hi: number, density: number): Int8Array {
  return Int8Array.from({ length: n }, () => {
    if (!rng.chance(density)) return 0;
    let v = 0;
    while (v === 0) v = rng.int(lo, hi);
    return v;
  });
}

export function randomMasks(rng: Rng, tiles: number, R: number, maskedShare: number): Uint8Array[] {
  return Array.from({ length: tiles }, () => Uint8Array.from({ length: R }, () => (rng.chance(maskedShare) ? 0 : 1)));
}
