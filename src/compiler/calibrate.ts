// Calibration statistics: the float model (the IR after the passes that keep it dense-equivalent) runs on calibration
// text from the training split, and every tensor's values are sampled (a fixed-size reservoir, seeded) so that the
// lowering can pick clipping ranges: the largest magnitude, percentiles, and the clip minimising the mean squared
// quantization error at a given number of levels.
import { Rng } from '../util/random.js';
import { runFloat } from './float-run.js';
import type { ModelIR } from './ir.js';

export interface TensorStats {
  count: number;
  absMax: number;
  /** a uniform sample of the values (seeded reservoir) */
  sample: Float32Array;
  zeros: number;
}

export class CalibrationError extends Error {}

const RESERVOIR = 65536;

/** Runs the IR over windows of `ids` (context `context`, non-overlapping) and samples every tensor. */
export function calibrate(ir: ModelIR, ids: readonly number[], context: number, seed = 1): Map<string, TensorStats> {
  if (ids.length < 16) throw new CalibrationError(`calibration text gives ${ids.length} tokens; at least 16 are needed (use more calibration text)`);
  const rng = new Rng(seed);
  const stats = new Map<string, TensorStats>();
  const seen = new Map<string, number>();
  for (let b = 0; b + 2 <= ids.length; b += context) {
    const w = ids.slice(b, Math.min(ids.length, b + context));
    runFloat(ir, w, {
      tap: (name, data) => {
        let st = stats.get(name);
        if (!st) stats.set(name, (st = { count: 0, absMax: 0, sample: new Float32Array(RESERVOIR), zeros: 0 }));
        let n = seen.get(name) ?? 0;
        for (let i = 0; i < data.length; i++) {
          const x = data[i]!;
          const a = x < 0 ? -x : x;
          if (a > st.absMax) st.absMax = a;
          if (x === 0) st.zeros++;
          if (n < RESERVOIR) st.sample[n] = x;
          else {
            const j = Math.floor(rng.next() * (n + 1));
            if (j < RESERVOIR) st.sample[j] = x;
          }
          n++;
        }
        seen.set(name, n);
        st.count = n;
      },
    });
  }
  for (const st of stats.values()) if (st.count < RESERVOIR) st.sample = st.sample.slice(0, st.count);
  return stats;
}

/** The p-quantile (0..1) of |x| over the sample (or of x itself when `positive`: values <= 0 are left out). */
export function quantile(st: TensorStats, p: number, positive = false): number {
  const v = Array.from(st.sample, (x) => (positive ? x : Math.abs(x))).filter((x) => (positive ? x > 0 : true));
  if (!v.length) return 0;
  v.sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(p * (v.length - 1)))]!;
}

/**
 * The clip c minimising the mean squared error of uniform quantization with `levels` steps per sign on [-c, c]
 * (or [0, c] when unsigned: negative values become 0, as a ReLU neuron gives), among candidates from the 90th
 * percentile to the maximum.
 */
export function mseClip(st: TensorStats, levels: number, signed: boolean): number {
  const xs = st.sample;
  const candidates = [0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1].map((p) => (p === 1 ? st.absMax : quantile(st, p, !signed)));
  let best = candidates[candidates.length - 1]!;
  let bestErr = Infinity;
  for (const c of candidates) {
    if (!(c > 0)) continue;
    const step = c / levels;
    let err = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = signed ? xs[i]! : Math.max(0, xs[i]!);
      const q = Math.max(signed ? -levels : 0, Math.min(levels, Math.round(x / step))) * step;
      err += (x - q) * (x - q);
    }
    if (err < bestErr) {
      bestErr = err;
      best = c;
    }
  }
  return best;
}
