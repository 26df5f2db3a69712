// Analysis path of the dense forward's attention (DenseLM.softmaxHook): the same causal attention with a replaceable
// softmax, so the effect of a hardware softmax on a model's perplexity can be measured, and its pre-softmax scores
// recorded. Unused by default; the default path (kernels.ts causalAttentionHead and DenseLM.attendOne) is untouched.
// Also the attention unit's softmax (docs/attention.md) on float scores, as the compiler would fold it.
import { softmaxInPlace } from './kernels.js';
import type { LmConfig } from './model.js';
import { expCutoff, expLut } from '../spec/attention.js';

/** Replaces (or records and then computes) the softmax of one query row: x[off..off+n) are the scaled scores
 *  (q.k / sqrt(head size), natural-log units) of query head `head` in `layer`; it writes the weights in place. */
export type SoftmaxHook = (x: Float32Array, off: number, n: number, layer: number, head: number) => void;

/** The exact softmax as a hook (the reference the approximations are measured against). */
export const exactSoftmax: SoftmaxHook = (x, off, n) => softmaxInPlace(x, off, n);

/**
 * Causal attention of S new rows at positions T-S..T-1 over T cached positions, every head, with `hook` as the
 * softmax. q [S, dModel], K and V [.., kvDim] (cache rows), att [S, dModel]. Scores and sums in double precision.
 */
export function attendHooked(c: LmConfig, att: Float32Array, q: Float32Array, K: Float32Array, V: Float32Array, S: number, T: number, layer: number, hook: SoftmaxHook): void {
  const D = c.dModel;
  const hd = D / c.nHeads;
  const kvd = c.nKvHeads * hd;
  const group = c.nHeads / c.nKvHeads;
  const scale = 1 / Math.sqrt(hd);
  const row = new Float32Array(T);
  const acc = new Float64Array(hd);
  for (let h = 0; h < c.nHeads; h++) {
    const ko = Math.floor(h / group) * hd;
    for (let s = 0; s < S; s++) {
      const n = T - S + s + 1;
      const qo = s * D + h * hd;
      for (let t = 0; t < n; t++) {
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q[qo + i]! * K[t * kvd + ko + i]!;
        row[t] = dot * scale;
      }
      hook(row, 0, n, layer, h);
      acc.fill(0);
      for (let t = 0; t < n; t++) {
        const p = row[t]!;
        if (p === 0) continue;
        for (let i = 0; i < hd; i++) acc[i]! += p * V[t * kvd + ko + i]!;
      }
      for (let i = 0; i < hd; i++) att[qo + i] = acc[i]!;
    }
  }
}

/**
 * The attention unit's softmax on float scores x (natural-log units): the compiler folds log2(e) and 2^f into the
 * scores, which the unit floors to integers s = floor(x log2(e) 2^f); then d = max - s, e = LUT[d mod 2^f] >>
 * floor(d / 2^f) (0 once the shift passes F), p = e / sum(e) (an exact division here: the unit's reciprocal is
 * measured separately). Scores are not saturated (a wide enough scoreBits is assumed).
 */
export function unitSoftmax(f: number, F: number): SoftmaxHook {
  const lut = expLut(f, F);
  const cutoff = expCutoff(f, F);
  const weight = Float64Array.from({ length: cutoff }, (_, d) => Math.floor(lut[d % 2 ** f]! / 2 ** Math.floor(d / 2 ** f)));
  const toUnits = Math.LOG2E * 2 ** f;
  let s = new Float64Array(0);
  return (x, off, n) => {
    if (s.length < n) s = new Float64Array(n);
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      s[i] = Math.floor(x[off + i]! * toUnits);
      if (s[i]! > m) m = s[i]!;
    }
    let den = 0;
    for (let i = 0; i < n; i++) {
      const d = m - s[i]!;
      s[i] = d < cutoff ? weight[d]! : 0;
      den += s[i]!;
    }
    for (let i = 0; i < n; i++) x[off + i] = s[i]! / den;
  };
}
