// Calibration statistics: the float model (the IR after the passes that keep it dense-equivalent) runs on calibration
// text from the training split, and every tensor's values are sampled (evenly, at most RESERVOIR of them) so that the
// lowering can pick clipping ranges: the largest magnitude, percentiles, and the clip minimising the mean squared
// quantization error at a given number of levels.
import { runFloat } from './float-run.js';
import type { ModelIR } from './ir.js';

export interface TensorStats {
  count: number;
  absMax: number;
  /** an evenly spread sample of the values, and the channel (index within a token's vector) of each */
  sample: Float32Array;
  sampleChannel?: Int32Array;
  zeros: number;
  /** largest |value| per channel */
  channelAbsMax?: Float32Array;
}

export class CalibrationError extends Error {}

const RESERVOIR = 65536;

/**
 * Runs the IR over windows of `ids` (context `context`, non-overlapping) and samples every tensor: every value is
 * kept until the sample is full, then every other one is dropped and the stride between kept values doubles — a
 * deterministic, evenly spread sample of at most RESERVOIR values, without a random draw per value.
 */
export function calibrate(ir: ModelIR, ids: readonly number[], context: number): Map<string, TensorStats> {
  if (ids.length < 16) throw new CalibrationError(`calibration text gives ${ids.length} tokens; at least 16 are needed (use more calibration text)`);
  const stats = new Map<string, TensorStats & { stride: number; kept: number; next: number; width: number; ch: Int32Array; cmax: Float32Array }>();
  for (let b = 0; b + 2 <= ids.length; b += context) {
    const w = ids.slice(b, Math.min(ids.length, b + context));
    runFloat(ir, w, {
      tap: (name, data, _rows, width) => {
        let st = stats.get(name);
        if (!st) stats.set(name, (st = { count: 0, absMax: 0, sample: new Float32Array(RESERVOIR), zeros: 0, stride: 1, kept: 0, next: 0, width, ch: new Int32Array(RESERVOIR), cmax: new Float32Array(width) }));
        for (let i = 0; i < data.length; i++) {
          const x = data[i]!;
          const a = x < 0 ? -x : x;
          if (a > st.absMax) st.absMax = a;
          const c = i % width;
          if (a > st.cmax[c]!) st.cmax[c] = a;
          if (x === 0) st.zeros++;
        }
        // the values at indices next, next + stride, ... of the whole stream
        let i = st.next - st.count;
        while (i < data.length) {
          if (st.kept === RESERVOIR) {
            for (let k = 0; k < RESERVOIR / 2; k++) {
              st.sample[k] = st.sample[2 * k]!;
              st.ch[k] = st.ch[2 * k]!;
            }
            st.kept = RESERVOIR / 2;
            st.stride *= 2;
            i += st.stride / 2; // the next kept index moves to the coarser grid
            continue;
          }
          st.ch[st.kept] = i % width;
          st.sample[st.kept++] = data[i]!;
          i += st.stride;
        }
        st.next = st.count + i;
        st.count += data.length;
      },
    });
  }
  const out = new Map<string, TensorStats>();
  for (const [name, st] of stats) out.set(name, { count: st.count, absMax: st.absMax, zeros: st.zeros, sample: st.sample.slice(0, st.kept), sampleChannel: st.ch.slice(0, st.kept), channelAbsMax: st.cmax });
  return out;
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

/**
 * Per-channel smoothing factors r_c = (max_c / median of the channel maxima)^alpha, within [1/16, 16] (SmoothQuant's
 * migration of activation outliers into the weights), and the statistics of the smoothed values x / r_c.
 */
export function smoothed(st: TensorStats, alpha: number): { r: Float64Array; stats: TensorStats } {
  const cm = st.channelAbsMax!;
  const sorted = Float32Array.from(cm).sort();
  const ref = sorted[Math.floor(sorted.length / 2)]! || 1;
  const r = Float64Array.from(cm, (m) => (m > 0 ? Math.min(16, Math.max(1 / 16, (m / ref) ** alpha)) : 1));
  const sample = Float32Array.from(st.sample, (x, k) => x / r[st.sampleChannel![k]!]!);
  let absMax = 0;
  for (let c = 0; c < cm.length; c++) absMax = Math.max(absMax, cm[c]! / r[c]!);
  return { r, stats: { ...st, sample, absMax } };
}
