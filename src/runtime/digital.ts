// The chip's digital units, in exact integer arithmetic (docs/compiler.md, "Digital units"): the norm unit, the spike
// encoder, fixed-point RoPE, rescaling adds and the activation unit. Every function is deterministic: integers stay
// below 2^53 so float64 holds them exactly, and divisions round half up, as stated.

/** round(a / b) for b > 0, halves up: floor((2a + b) / (2b)). */
export function roundDiv(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

/** round(a / 2^s), halves up. */
export function roundShift(a: number, s: number): number {
  return s === 0 ? a : Math.floor(a / 2 ** s + 0.5);
}

/** floor(sqrt(n)) for an integer n >= 0, exact. */
export function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

const bitLength = (v: number) => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1);

export interface NormFormat {
  bits: number;
  fracBits: number;
}

/**
 * The norm unit on one token's residual r (integers, value r * residualScale): LayerNorm subtracts the rounded mean,
 * RMSNorm does not; the deviations are scaled down by 2^k so their squares sum exactly (k = bit length of the
 * largest |c| less 20, at least 0); sigma = isqrt(floor(sum c'^2 / d) + round(eps / (residualScale 2^k)^2));
 * n_i = clamp(round(c_i 2^F / (sigma 2^k)), +-2^(bits-1)). The affine weights are folded into the next linear op.
 */
export function normUnit(r: Int32Array, d: number, out: Int32Array, mode: 'layernorm' | 'rmsnorm', eps: number, residualScale: number, fmt: NormFormat): void {
  let mean = 0;
  if (mode === 'layernorm') {
    let sum = 0;
    for (let i = 0; i < d; i++) sum += r[i]!;
    mean = roundDiv(sum, d);
  }
  let maxAbs = 0;
  for (let i = 0; i < d; i++) maxAbs = Math.max(maxAbs, Math.abs(r[i]! - mean));
  const k = Math.max(0, bitLength(maxAbs) - 20);
  let ss = 0;
  for (let i = 0; i < d; i++) {
    const c = Math.floor((r[i]! - mean) / 2 ** k);
    ss += c * c;
  }
  const unit = residualScale * 2 ** k;
  const sigma = isqrt(Math.floor(ss / d) + Math.round(eps / (unit * unit)));
  const lim = 2 ** (fmt.bits - 1);
  if (sigma === 0) {
    out.fill(0, 0, d);
    return;
  }
  const den = sigma * 2 ** k;
  for (let i = 0; i < d; i++) out[i] = Math.max(-lim, Math.min(lim - 1, roundDiv((r[i]! - mean) * 2 ** fmt.fracBits, den)));
}

export interface EncoderSpec {
  /** threshold, in input units */
  theta: number;
  /** a threshold per channel instead (per-channel smoothing) */
  thetas?: Int32Array;
  /** largest spike magnitude per step */
  levels: number;
  signed: boolean;
  T: number;
  /** time-to-first-spike instead of integrate-and-fire */
  ttfs?: boolean;
  /** start the membrane at floor(theta/2) (counts round instead of floor) */
  compensate?: boolean;
  /** send the token's count as early as it can: K per step until the rest (fewer active row-steps, same count) */
  burst?: boolean;
}

/**
 * Spike encoder of one token: x (integers) -> spikes [T][width]. Integrate-and-fire with the LIF rule of docs/lif.md
 * (leak none, soft reset, graded spikes of `levels`, negative spikes when signed), constant input x each step, starting
 * from rest. TTFS: m = clamp(round(|x| / theta), 0, T) fires once at
 * step T - m, and the receiving rows hold it until the token ends (x_t = sign for t >= T - m). With compensation the
 * membrane starts at floor(theta/2) toward the input's sign, so the count is round(T x / theta) rather than truncated.
 */
export function encode(x: Int32Array, width: number, e: EncoderSpec, out: Int8Array): void {
  const { levels: K, signed, T } = e;
  out.fill(0, 0, T * width);
  if (e.ttfs) {
    for (let i = 0; i < width; i++) {
      const theta = e.thetas ? e.thetas[i]! : e.theta;
      const v = x[i]!;
      if (!signed && v <= 0) continue;
      const m = Math.min(T, roundDiv(Math.abs(v), theta));
      const s = v < 0 ? -1 : 1;
      for (let t = T - m; t < T; t++) out[t * width + i] = s;
    }
    return;
  }
  for (let i = 0; i < width; i++) {
    const theta = e.thetas ? e.thetas[i]! : e.theta;
    const half = e.compensate ? Math.floor(theta / 2) : 0;
    const xi = x[i]!;
    // the encoder knows the sign of its constant input: starting half a threshold toward it makes the count round
    const c0 = xi < 0 ? -half : half;
    let v = 0;
    for (let t = 0; t < T; t++) {
      const u = v + xi + (t === 0 ? c0 : 0);
      const k = fire(u, theta, K, signed);
      v = u - k * theta;
      out[t * width + i] = k;
    }
    if (e.burst) {
      // the same count, front-loaded: |c| / K steps of K, then the rest
      let c = 0;
      for (let t = 0; t < T; t++) c += out[t * width + i]!;
      const sgn = c < 0 ? -1 : 1;
      let left = Math.abs(c);
      for (let t = 0; t < T; t++) {
        const k = Math.min(K, left);
        out[t * width + i] = sgn * k;
        left -= k;
      }
    }
  }
}

/** The LIF firing rule (docs/lif.md step 4): the largest j <= K with u >= j theta, or the mirror for signed alphabets. */
export function fire(u: number, theta: number, K: number, signed: boolean): number {
  if (theta <= 0) return u >= 0 ? K : signed ? -K : 0;
  if (u >= theta) return Math.min(K, Math.floor(u / theta));
  if (signed && u <= -theta) return -Math.min(K, Math.floor(-u / theta));
  return 0;
}

/** Fixed-point RoPE on one token's integer vector at position pos: pairs rotated by cos/sin rounded to fracBits. */
export function ropeInt(x: Int32Array, width: number, headDim: number, invFreq: readonly number[], pos: number, fracBits: number, out: Int32Array): void {
  const one = 2 ** fracBits;
  for (let i = 0; i < width; i += 2) {
    const a = pos * invFreq[(i % headDim) / 2]!;
    const c = Math.round(Math.cos(a) * one);
    const s = Math.round(Math.sin(a) * one);
    const x0 = x[i]!;
    const x1 = x[i + 1]!;
    out[i] = roundShift(x0 * c - x1 * s, fracBits);
    out[i + 1] = roundShift(x0 * s + x1 * c, fracBits);
  }
}
