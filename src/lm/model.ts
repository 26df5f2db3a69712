// The dense reference forward: one code path for the GPT-2, OPT and Llama families (the CPU baseline).
// Weights are [out, in] row-major. Llama q/k rows use the interleaved-pair RoPE layout of Meta and llama2.c
// (the HF loader permutes HF checkpoints into it). Decoding keeps a KV cache per layer.
import { causalAttentionHead, gelu, headSlice, headStore, layerNorm, matmulABt, relu, rmsNorm, silu, softmaxInPlace } from './kernels.js';
import { matmulPrepared, prepareWeight, preparedScratch, releaseWeight, scratchFits, wasmAvailable, type PreparedWeight } from './wasm/matmul.js';
import { attendHooked, type SoftmaxHook } from './attention-hook.js';

export type Family = 'gpt2' | 'opt' | 'llama';
export type Activation = 'gelu_new' | 'gelu' | 'relu' | 'silu';

export interface LmConfig {
  family: Family;
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  dFF: number;
  maxSeq: number;
  norm: 'layernorm' | 'rmsnorm';
  normEps: number;
  activation: Activation;
  /** SwiGLU-style gated FFN: down(act(gate(x)) * up(x)) */
  gated: boolean;
  positions: 'learned' | 'rope';
  /** OPT stores learned positions with an offset of 2 */
  posOffset: number;
  ropeTheta: number;
  /** RoPE frequency scaling for longer contexts (HF rope_scaling): none when absent */
  ropeScaling?: RopeScaling;
  tiedHead: boolean;
}

/** HF `rope_scaling`: 'linear' divides every frequency by `factor`; 'llama3' (Llama 3.1+) keeps the high
 *  frequencies, divides the low ones by `factor` and blends in between, by wavelength against the original context. */
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

/** The inverse frequency of each rotated pair of a head (theta^(-2i/hd)), scaled as `scaling` says. */
export function ropeInvFreq(headDim: number, theta: number, scaling?: RopeScaling): Float64Array {
  const inv = Float64Array.from({ length: headDim / 2 }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  if (!scaling) return inv;
  if (scaling.type === 'linear') return inv.map((f) => f / scaling.factor);
  const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: ctx } = scaling;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < ctx / hi) return f;
    if (wavelen > ctx / lo) return f / factor;
    const smooth = (ctx / wavelen - lo) / (hi - lo);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

export interface Linear {
  w: Float32Array;
  b?: Float32Array;
}
export interface Norm {
  w: Float32Array;
  b?: Float32Array;
}
export interface LayerWeights {
  attnNorm: Norm;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  ffnNorm: Norm;
  up: Linear;
  gate?: Linear;
  down: Linear;
}
export interface LmWeights {
  tokEmb: Float32Array;
  posEmb?: Float32Array;
  layers: LayerWeights[];
  finalNorm: Norm;
  /** [vocab, d]; the token embedding itself when tied */
  head: Float32Array;
}

export interface KvCache {
  k: Float32Array[];
  v: Float32Array[];
  length: number;
}

export function paramCount(c: LmConfig): number {
  const hd = c.dModel / c.nHeads;
  const kv = c.nKvHeads * hd;
  const attn = c.dModel * (c.dModel + 2 * kv) + c.dModel * c.dModel;
  const ffn = (c.gated ? 3 : 2) * c.dModel * c.dFF;
  const emb = c.vocabSize * c.dModel * (c.tiedHead ? 1 : 2) + (c.positions === 'learned' ? (c.maxSeq + c.posOffset) * c.dModel : 0);
  const normSize = c.norm === 'layernorm' ? 2 * c.dModel : c.dModel;
  const norms = (2 * c.nLayers + 1) * normSize;
  // GPT-2 and OPT linear layers carry biases; Llama's do not
  const biases = c.family === 'llama' ? 0 : c.nLayers * (2 * c.dModel + 2 * kv + c.dFF + c.dModel);
  return c.nLayers * (attn + ffn) + emb + norms + biases;
}

function releaseAll(held: PreparedWeight[]): void {
  for (const p of held) releaseWeight(p);
  held.length = 0;
}
/** Prepared weights go back to the kernel's memory when their model is garbage-collected. */
const RELEASE_ON_GC = new FinalizationRegistry<PreparedWeight[]>(releaseAll);

export class DenseLM {
  readonly headDim: number;
  readonly kvDim: number;
  private readonly invFreq: Float64Array;
  /** weights held transposed in the SIMD kernel's memory (prepared once; the model is read-only) */
  private prepared = new Map<Float32Array, PreparedWeight>();
  /** the same, as a list the finalizer can free without holding the model */
  private readonly held: PreparedWeight[] = [];
  private readonly useWasm = wasmAvailable() && process.env.NLLM_NO_WASM !== '1';
  /** When set, forward() counts FFN activations after the nonlinearity: exact zeros and |x| < 0.01. */
  activationStats: { total: number; zeros: number; nearZero: number } | undefined;
  /** Analysis only, unset by default: attention runs through attendHooked (attention-hook.ts) with this softmax. */
  softmaxHook: SoftmaxHook | undefined;
  constructor(
    readonly config: LmConfig,
    readonly weights: LmWeights,
  ) {
    if (config.dModel % config.nHeads) throw new Error(`dModel ${config.dModel} is not divisible by nHeads ${config.nHeads}`);
    if (config.nHeads % config.nKvHeads) throw new Error(`nHeads ${config.nHeads} is not a multiple of nKvHeads ${config.nKvHeads}`);
    this.headDim = config.dModel / config.nHeads;
    this.kvDim = config.nKvHeads * this.headDim;
    this.invFreq = ropeInvFreq(this.headDim, config.ropeTheta, config.ropeScaling);
    RELEASE_ON_GC.register(this, this.held, this);
  }

  /** Frees this model's prepared weights in the kernel's memory now (a later forward prepares them again). */
  release(): void {
    releaseAll(this.held);
    this.prepared.clear();
  }

  newCache(maxLen = this.config.maxSeq): KvCache {
    return {
      k: Array.from({ length: this.config.nLayers }, () => new Float32Array(maxLen * this.kvDim)),
      v: Array.from({ length: this.config.nLayers }, () => new Float32Array(maxLen * this.kvDim)),
      length: 0,
    };
  }

  /** out[rows, N] = x[rows, K] @ W[N, K]^T (+ b) */
  private mm(out: Float32Array, x: Float32Array, rows: number, W: Float32Array, K: number, N: number, b?: Float32Array): void {
    if (!this.useWasm) return matmulABt(out, x, W, rows, K, N, b);
    let p = this.prepared.get(W);
    if (!p) {
      p = prepareWeight(W, N, K); // undefined when the kernel's memory is full: tried again on the next call
      if (p) {
        this.prepared.set(W, p);
        this.held.push(p);
      }
    }
    if (p && scratchFits(preparedScratch(rows, p))) matmulPrepared(out, x, rows, p, b);
    else matmulABt(out, x, W, rows, K, N, b);
  }

  private norm(out: Float32Array, x: Float32Array, n: Norm, rows: number): void {
    const c = this.config;
    if (c.norm === 'rmsnorm') rmsNorm(out, x, n.w, rows, c.dModel, c.normEps);
    else layerNorm(out, x, n.w, n.b ?? null, rows, c.dModel, c.normEps);
  }

  private rope(x: Float32Array, rows: number, width: number, pos0: number): void {
    const hd = this.headDim;
    const inv = this.invFreq;
    for (let s = 0; s < rows; s++) {
      const pos = pos0 + s;
      for (let i = 0; i < width; i += 2) {
        const val = pos * inv[(i % hd) / 2]!;
        const fcr = Math.cos(val);
        const fci = Math.sin(val);
        const o = s * width + i;
        const a = x[o]!;
        const b = x[o + 1]!;
        x[o] = a * fcr - b * fci;
        x[o + 1] = a * fci + b * fcr;
      }
    }
  }

  /** Attention of one new token over T cached positions (decode): dot products straight off the cache. */
  private attendOne(att: Float32Array, q: Float32Array, K: Float32Array, V: Float32Array, T: number, scores: Float32Array): void {
    const c = this.config;
    const hd = this.headDim;
    const kvd = this.kvDim;
    const group = c.nHeads / c.nKvHeads;
    const scale = 1 / Math.sqrt(hd);
    for (let hh = 0; hh < c.nHeads; hh++) {
      const qo = hh * hd;
      const ko = Math.floor(hh / group) * hd;
      for (let t = 0; t < T; t++) {
        let dot = 0;
        const kt = t * kvd + ko;
        for (let i = 0; i < hd; i++) dot += q[qo + i]! * K[kt + i]!;
        scores[t] = dot * scale;
      }
      softmaxInPlace(scores, 0, T);
      for (let i = 0; i < hd; i++) att[qo + i] = 0;
      for (let t = 0; t < T; t++) {
        const p = scores[t]!;
        const vt = t * kvd + ko;
        for (let i = 0; i < hd; i++) att[qo + i]! += p * V[vt + i]!;
      }
    }
  }

  /**
   * Attention of S new tokens over T positions (prefill, perplexity windows): per head, two matmuls on contiguous
   * copies (the SIMD kernels), as in the trainer. Scalar dot products made a 1024-token window ~5x slower.
   */
  private attendPrefill(att: Float32Array, q: Float32Array, K: Float32Array, V: Float32Array, S: number, T: number): void {
    const c = this.config;
    const D = c.dModel;
    const hd = this.headDim;
    const kvd = this.kvDim;
    const group = c.nHeads / c.nKvHeads;
    const qh = new Float32Array(S * hd);
    const kh = new Float32Array(T * hd);
    const vh = new Float32Array(T * hd);
    const yh = new Float32Array(S * hd);
    const scores = new Float32Array(S * T);
    for (let g = 0; g < c.nKvHeads; g++) {
      headSlice(kh, K, 0, T, kvd, g * hd, hd);
      headSlice(vh, V, 0, T, kvd, g * hd, hd);
      for (let hh = g * group; hh < (g + 1) * group; hh++) {
        headSlice(qh, q, 0, S, D, hh * hd, hd);
        causalAttentionHead(yh, qh, kh, vh, S, T, hd, scores, scores);
        headStore(att, yh, 0, S, D, hh * hd, hd);
      }
    }
  }

  /**
   * Runs `tokens` at positions cache.length.. and appends them to the cache. Returns logits [S, vocab]
   * (all positions, or only the last when `lastOnly`).
   */
  forward(tokens: ArrayLike<number>, cache: KvCache, lastOnly = false): Float32Array {
    const c = this.config;
    const S = tokens.length;
    const D = c.dModel;
    const kvd = this.kvDim;
    const pos0 = cache.length;
    if (pos0 + S > cache.k[0]!.length / kvd) throw new RangeError(`sequence of ${pos0 + S} tokens exceeds the cache (${cache.k[0]!.length / kvd})`);
    if (c.positions === 'learned' && pos0 + S > c.maxSeq) throw new RangeError(`position ${pos0 + S - 1} exceeds the model's ${c.maxSeq} learned positions`);
    const w = this.weights;
    const x = new Float32Array(S * D);
    for (let s = 0; s < S; s++) {
      const t = tokens[s]!;
      if (!(t >= 0 && t < c.vocabSize)) throw new RangeError(`token ${t} outside vocabulary 0..${c.vocabSize - 1}`);
      x.set(w.tokEmb.subarray(t * D, (t + 1) * D), s * D);
      if (w.posEmb) {
        const p = (pos0 + s + c.posOffset) * D;
        for (let i = 0; i < D; i++) x[s * D + i]! += w.posEmb[p + i]!;
      }
    }
    const h = new Float32Array(S * D);
    const q = new Float32Array(S * D);
    const k = new Float32Array(S * kvd);
    const v = new Float32Array(S * kvd);
    const att = new Float32Array(S * D);
    const tmp = new Float32Array(S * D);
    const ff1 = new Float32Array(S * c.dFF);
    const ff2 = c.gated ? new Float32Array(S * c.dFF) : undefined;
    const scores = new Float32Array(pos0 + S);
    for (let l = 0; l < c.nLayers; l++) {
      const L = w.layers[l]!;
      this.norm(h, x, L.attnNorm, S);
      this.mm(q, h, S, L.q.w, D, D, L.q.b);
      this.mm(k, h, S, L.k.w, D, kvd, L.k.b);
      this.mm(v, h, S, L.v.w, D, kvd, L.v.b);
      if (c.positions === 'rope') {
        this.rope(q, S, D, pos0);
        this.rope(k, S, kvd, pos0);
      }
      cache.k[l]!.set(k, pos0 * kvd);
      cache.v[l]!.set(v, pos0 * kvd);
      const K = cache.k[l]!;
      const V = cache.v[l]!;
      if (this.softmaxHook) attendHooked(c, att, q, K, V, S, pos0 + S, l, this.softmaxHook);
      else if (S > 1) this.attendPrefill(att, q, K, V, S, pos0 + S);
      else this.attendOne(att, q, K, V, pos0 + 1, scores);
      this.mm(tmp, att, S, L.o.w, D, D, L.o.b);
      for (let i = 0; i < S * D; i++) x[i]! += tmp[i]!;
      this.norm(h, x, L.ffnNorm, S);
      this.mm(ff1, h, S, L.up.w, D, c.dFF, L.up.b);
      if (c.gated) {
        this.mm(ff2!, h, S, L.gate!.w, D, c.dFF, L.gate!.b);
        for (let i = 0; i < S * c.dFF; i++) ff1[i] = ff1[i]! * activate(c.activation, ff2![i]!);
      } else if (c.activation === 'relu') relu(ff1, ff1, S * c.dFF);
      else if (c.activation === 'gelu_new') gelu(ff1, ff1, S * c.dFF);
      else for (let i = 0; i < S * c.dFF; i++) ff1[i] = activate(c.activation, ff1[i]!);
      const st = this.activationStats;
      if (st) {
        for (let i = 0; i < S * c.dFF; i++) {
          const a = ff1[i]!;
          if (a === 0) st.zeros++;
          if (Math.abs(a) < 0.01) st.nearZero++;
        }
        st.total += S * c.dFF;
      }
      this.mm(tmp, ff1, S, L.down.w, c.dFF, D, L.down.b);
      for (let i = 0; i < S * D; i++) x[i]! += tmp[i]!;
    }
    cache.length = pos0 + S;
    const rows = lastOnly ? 1 : S;
    const xs = lastOnly ? x.subarray((S - 1) * D) : x;
    this.norm(h, xs, w.finalNorm, rows);
    const logits = new Float32Array(rows * c.vocabSize);
    this.mm(logits, h, rows, w.head, D, c.vocabSize);
    return logits;
  }
}

export function activate(a: Activation, x: number): number {
  switch (a) {
    case 'silu':
      return silu(x);
    case 'relu':
      return x > 0 ? x : 0;
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }
}

/** erf by its Taylor series (|x| < 3) or its continued fraction (|x| >= 3); double precision. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  if (a > 6) return s;
  // Taylor series converges fast for |x| < 3; continued fraction tail beyond
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return (s * 2 * sum) / Math.sqrt(Math.PI);
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (a + f);
  return s * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}
