// Pass helper: a weight matrix to crossbar weight levels. One scale per matrix (s_w, real value of one level); the
// clip is the one minimising the squared error over candidates from the 99th percentile of |w| to its maximum;
// levels are integers in -(L^S - 1)..L^S - 1, the crossbar tile's representation (docs/crossbar.md).
import { maxWeight, type CrossbarSpec } from '../../spec/crossbar.js';

export interface QuantizedWeights {
  /** levels, [dIn][dOut] (row = input, as the tiles hold them) */
  levels: Int32Array;
  scale: number;
  clipped: number;
  /** fraction of the squared norm lost to quantization */
  relError: number;
}

/** w: [dOut][dIn] real; magnitude-pruned weights (exact zeros) stay zero. */
export function quantizeWeights(w: Float32Array, dIn: number, dOut: number, tile: Pick<CrossbarSpec, 'cellLevels' | 'slices'>): QuantizedWeights {
  const W = maxWeight(tile);
  const abs = Float32Array.from(w, Math.abs).sort();
  const max = abs[abs.length - 1]!;
  const cands = [0.99, 0.999, 0.9999, 0.99999, 1].map((p) => (p === 1 ? max : abs[Math.floor(p * (abs.length - 1))]!)).filter((c) => c > 0);
  let best = { scale: max > 0 ? max / W : 1, err: Infinity };
  for (const c of cands) {
    const scale = c / W;
    let err = 0;
    for (let i = 0; i < w.length; i++) {
      const q = Math.max(-W, Math.min(W, Math.round(w[i]! / scale))) * scale;
      err += (w[i]! - q) ** 2;
    }
    if (err < best.err) best = { scale, err };
  }
  const levels = new Int32Array(dIn * dOut);
  let clipped = 0;
  let norm = 0;
  for (let o = 0; o < dOut; o++) {
    for (let i = 0; i < dIn; i++) {
      const x = w[o * dIn + i]!;
      norm += x * x;
      const r = Math.round(x / best.scale);
      if (Math.abs(r) > W) clipped++;
      levels[i * dOut + o] = Math.max(-W, Math.min(W, r));
    }
  }
  return { levels, scale: best.scale, clipped, relError: norm > 0 ? best.err / norm : 0 };
}
