// AdamW (decoupled weight decay), warmup + cosine schedule, and global-norm gradient clipping.

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  step = 0;
  constructor(
    readonly n: number,
    readonly cfg: AdamWConfig,
    /** [begin, end) ranges of parameters that get weight decay (matrices, not biases or norms) */
    readonly decayRanges: [number, number][],
  ) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
    this.decay = new Uint8Array(n);
    for (const [a, b] of decayRanges) this.decay.fill(1, a, b);
  }
  private readonly decay: Uint8Array;

  update(params: Float32Array, grads: Float32Array, lr: number): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay } = this.cfg;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    const decay = this.decay;
    for (let i = 0; i < this.n; i++) {
      const g = grads[i]!;
      const m = (this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g);
      const v = (this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g);
      const upd = m / bc1 / (Math.sqrt(v / bc2) + eps);
      params[i] = params[i]! - lr * (upd + (decay[i] ? weightDecay * params[i]! : 0));
    }
  }
}

/** Linear warmup to `maxLr`, then cosine decay to `minLr` at `total` steps. */
export function cosineLr(step: number, warmup: number, total: number, maxLr: number, minLr: number): number {
  if (step < warmup) return (maxLr * (step + 1)) / warmup;
  if (step >= total) return minLr;
  const r = (step - warmup) / Math.max(1, total - warmup);
  return minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos(Math.PI * r));
}

/** Scales grads so their global L2 norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let ss = 0;
  for (let i = 0; i < grads.length; i++) ss += grads[i]! * grads[i]!;
  const norm = Math.sqrt(ss);
  if (norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i]! *= s;
  }
  return norm;
}
