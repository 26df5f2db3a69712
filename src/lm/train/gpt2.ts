// GPT-2 training model with explicit forward and backward passes (the structure of llm.c's train_gpt2.c,
// written here in TS): all parameters in one Float32Array, all activations preallocated for (B, T).
import { causalAttentionHead, gelu, headSlice, headStore, layerNorm, matmulAB, matmulABt, matmulAtB, relu, softmaxInPlace } from '../kernels.js';

export interface Gpt2Config {
  vocabSize: number;
  maxSeq: number;
  nLayers: number;
  nHeads: number;
  dModel: number;
  dFF: number;
  activation: 'gelu' | 'relu';
}

/** Parameter tensors in order: [name, shape]. Layer tensors are stacked over layers (llm.c layout). */
export function paramShapes(c: Gpt2Config): [string, number[]][] {
  const { vocabSize: V, maxSeq: T, nLayers: L, dModel: C, dFF: F } = c;
  return [
    ['wte', [V, C]],
    ['wpe', [T, C]],
    ['ln1w', [L, C]],
    ['ln1b', [L, C]],
    ['qkvw', [L, 3 * C, C]],
    ['qkvb', [L, 3 * C]],
    ['attprojw', [L, C, C]],
    ['attprojb', [L, C]],
    ['ln2w', [L, C]],
    ['ln2b', [L, C]],
    ['fcw', [L, F, C]],
    ['fcb', [L, F]],
    ['fcprojw', [L, C, F]],
    ['fcprojb', [L, C]],
    ['lnfw', [C]],
    ['lnfb', [C]],
  ];
}

export type ParamName = 'wte' | 'wpe' | 'ln1w' | 'ln1b' | 'qkvw' | 'qkvb' | 'attprojw' | 'attprojb' | 'ln2w' | 'ln2b' | 'fcw' | 'fcb' | 'fcprojw' | 'fcprojb' | 'lnfw' | 'lnfb';

export class ParamSet {
  readonly flat: Float32Array;
  readonly views = {} as Record<ParamName, Float32Array>;
  readonly offsets = {} as Record<ParamName, [number, number]>;
  constructor(
    readonly config: Gpt2Config,
    flat?: Float32Array,
  ) {
    const shapes = paramShapes(config);
    const total = shapes.reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);
    this.flat = flat ?? new Float32Array(total);
    if (this.flat.length !== total) throw new Error(`parameter buffer has ${this.flat.length} floats, config needs ${total}`);
    let off = 0;
    for (const [name, sh] of shapes) {
      const n = sh.reduce((a, b) => a * b, 1);
      this.views[name as ParamName] = this.flat.subarray(off, off + n);
      this.offsets[name as ParamName] = [off, off + n];
      off += n;
    }
  }
  get count(): number {
    return this.flat.length;
  }
}

/** GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2L), LayerNorm weights 1. */
export function initParams(p: ParamSet, rand: () => number): void {
  const gauss = () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const v = p.views;
  const L = p.config.nLayers;
  for (const name of ['wte', 'wpe', 'qkvw', 'fcw'] as const) v[name].forEach((_, i, a) => (a[i] = 0.02 * gauss()));
  for (const name of ['attprojw', 'fcprojw'] as const) v[name].forEach((_, i, a) => (a[i] = (0.02 / Math.sqrt(2 * L)) * gauss()));
  for (const name of ['ln1w', 'ln2w', 'lnfw'] as const) v[name].fill(1);
}

const GELU_K = Math.sqrt(2 / Math.PI);

export class Gpt2Trainer {
  readonly params: ParamSet;
  readonly grads: ParamSet;
  private a: Record<string, Float32Array> = {};
  private d: Record<string, Float32Array> = {};
  lastLoss = 0;

  constructor(
    readonly config: Gpt2Config,
    readonly B: number,
    readonly T: number,
    params?: ParamSet,
  ) {
    if (T > config.maxSeq) throw new Error(`T=${T} exceeds maxSeq ${config.maxSeq}`);
    if (config.dModel % config.nHeads) throw new Error(`dModel ${config.dModel} is not divisible by nHeads ${config.nHeads}`);
    this.params = params ?? new ParamSet(config);
    this.grads = new ParamSet(config);
    const { nLayers: L, dModel: C, nHeads: NH, vocabSize: V, dFF: F } = config;
    const BT = B * T;
    const sizes: Record<string, number> = {
      encoded: BT * C, ln1: L * BT * C, ln1Mean: L * BT, ln1Rstd: L * BT, qkv: L * BT * 3 * C, atty: L * BT * C,
      preatt: L * B * NH * T * T, att: L * B * NH * T * T, attproj: L * BT * C, residual2: L * BT * C,
      ln2: L * BT * C, ln2Mean: L * BT, ln2Rstd: L * BT, fch: L * BT * F, fchAct: L * BT * F, fcproj: L * BT * C,
      residual3: L * BT * C, lnf: BT * C, lnfMean: BT, lnfRstd: BT, logits: BT * V, probs: BT * V, losses: BT,
    };
    for (const [k, n] of Object.entries(sizes)) this.a[k] = new Float32Array(n);
    for (const k of ['encoded', 'ln1', 'qkv', 'atty', 'preatt', 'att', 'attproj', 'residual2', 'ln2', 'fch', 'fchAct', 'fcproj', 'residual3', 'lnf', 'logits']) this.d[k] = new Float32Array(sizes[k]!);
  }

  /** Forward pass; returns the mean cross-entropy when targets are given. */
  forward(inputs: Int32Array, targets?: Int32Array): number {
    const { nLayers: L, dModel: C, nHeads: NH, vocabSize: V, dFF: F, activation } = this.config;
    const { B, T } = this;
    const BT = B * T;
    const p = this.params.views;
    const a = this.a;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const tok = inputs[b * T + t]!;
        if (tok < 0 || tok >= V) throw new RangeError(`token ${tok} outside vocabulary 0..${V - 1}`);
        const o = (b * T + t) * C;
        for (let c = 0; c < C; c++) a.encoded![o + c] = p.wte[tok * C + c]! + p.wpe[t * C + c]!;
      }
    }
    let residual = a.encoded!;
    for (let l = 0; l < L; l++) {
      const ln1 = a.ln1!.subarray(l * BT * C, (l + 1) * BT * C);
      layerNorm(ln1, residual, p.ln1w.subarray(l * C, (l + 1) * C), p.ln1b.subarray(l * C, (l + 1) * C), BT, C, 1e-5, a.ln1Mean!.subarray(l * BT), a.ln1Rstd!.subarray(l * BT));
      const qkv = a.qkv!.subarray(l * BT * 3 * C, (l + 1) * BT * 3 * C);
      matmulABt(qkv, ln1, p.qkvw.subarray(l * 3 * C * C, (l + 1) * 3 * C * C), BT, C, 3 * C, p.qkvb.subarray(l * 3 * C, (l + 1) * 3 * C));
      const atty = a.atty!.subarray(l * BT * C, (l + 1) * BT * C);
      const preatt = a.preatt!.subarray(l * B * NH * T * T, (l + 1) * B * NH * T * T);
      const att = a.att!.subarray(l * B * NH * T * T, (l + 1) * B * NH * T * T);
      attentionForward(atty, preatt, att, qkv, B, T, C, NH);
      const attproj = a.attproj!.subarray(l * BT * C, (l + 1) * BT * C);
      matmulABt(attproj, atty, p.attprojw.subarray(l * C * C, (l + 1) * C * C), BT, C, C, p.attprojb.subarray(l * C, (l + 1) * C));
      const res2 = a.residual2!.subarray(l * BT * C, (l + 1) * BT * C);
      for (let i = 0; i < BT * C; i++) res2[i] = residual[i]! + attproj[i]!;
      const ln2 = a.ln2!.subarray(l * BT * C, (l + 1) * BT * C);
      layerNorm(ln2, res2, p.ln2w.subarray(l * C, (l + 1) * C), p.ln2b.subarray(l * C, (l + 1) * C), BT, C, 1e-5, a.ln2Mean!.subarray(l * BT), a.ln2Rstd!.subarray(l * BT));
      const fch = a.fch!.subarray(l * BT * F, (l + 1) * BT * F);
      matmulABt(fch, ln2, p.fcw.subarray(l * F * C, (l + 1) * F * C), BT, C, F, p.fcb.subarray(l * F, (l + 1) * F));
      const fchAct = a.fchAct!.subarray(l * BT * F, (l + 1) * BT * F);
      (activation === 'gelu' ? gelu : relu)(fchAct, fch, BT * F);
      const fcproj = a.fcproj!.subarray(l * BT * C, (l + 1) * BT * C);
      matmulABt(fcproj, fchAct, p.fcprojw.subarray(l * C * F, (l + 1) * C * F), BT, F, C, p.fcprojb.subarray(l * C, (l + 1) * C));
      const res3 = a.residual3!.subarray(l * BT * C, (l + 1) * BT * C);
      for (let i = 0; i < BT * C; i++) res3[i] = res2[i]! + fcproj[i]!;
      residual = res3;
    }
    layerNorm(a.lnf!, residual, p.lnfw, p.lnfb, BT, C, 1e-5, a.lnfMean!, a.lnfRstd!);
    matmulABt(a.logits!, a.lnf!, p.wte, BT, C, V);
    if (!targets) return NaN;
    let loss = 0;
    for (let i = 0; i < BT; i++) {
      const o = i * V;
      a.probs!.set(a.logits!.subarray(o, o + V), o);
      softmaxInPlace(a.probs!, o, V);
      const l = -Math.log(a.probs![o + targets[i]!]!);
      a.losses![i] = l;
      loss += l;
    }
    this.lastLoss = loss / BT;
    return this.lastLoss;
  }

  /** Per-position losses of the last forward pass with targets, [B*T]. */
  get losses(): Float32Array {
    return this.a.losses!;
  }

  /** Logits of the last forward pass, [B*T, V]. */
  get logits(): Float32Array {
    return this.a.logits!;
  }

  zeroGrad(): void {
    this.grads.flat.fill(0);
  }

  /** Backward pass of the last forward (which must have had targets); accumulates into grads. */
  backward(inputs: Int32Array, targets: Int32Array): void {
    const { nLayers: L, dModel: C, nHeads: NH, vocabSize: V, dFF: F, activation } = this.config;
    const { B, T } = this;
    const BT = B * T;
    const p = this.params.views;
    const g = this.grads.views;
    const a = this.a;
    const d = this.d;
    for (const k of Object.keys(d)) d[k]!.fill(0);
    const dlogits = d.logits!;
    const scale = 1 / BT;
    for (let i = 0; i < BT; i++) {
      const o = i * V;
      for (let v = 0; v < V; v++) dlogits[o + v] = a.probs![o + v]! * scale;
      dlogits[o + targets[i]!]! -= scale;
    }
    this.matmulBackward(d.lnf!, g.wte, null, dlogits, a.lnf!, p.wte, BT, C, V);
    const lastRes = L > 0 ? a.residual3!.subarray((L - 1) * BT * C, L * BT * C) : a.encoded!;
    const dres = new Float32Array(BT * C);
    layerNormBackward(dres, g.lnfw, g.lnfb, d.lnf!, lastRes, p.lnfw, a.lnfMean!, a.lnfRstd!, BT, C);
    for (let l = L - 1; l >= 0; l--) {
      const residual = l === 0 ? a.encoded! : a.residual3!.subarray((l - 1) * BT * C, l * BT * C);
      const sl = (x: Float32Array, per: number) => x.subarray(l * per, (l + 1) * per);
      // dres is d(residual3[l]); it flows to residual2 and to fcproj
      const dfcproj = dres; // residual add: gradient passes unchanged to both branches
      const dfchAct = sl(d.fchAct!, BT * F);
      this.matmulBackward(dfchAct, sl(g.fcprojw, C * F), sl(g.fcprojb, C), dfcproj, sl(a.fchAct!, BT * F), sl(p.fcprojw, C * F), BT, F, C);
      const dfch = sl(d.fch!, BT * F);
      const fch = sl(a.fch!, BT * F);
      if (activation === 'gelu') {
        for (let i = 0; i < BT * F; i++) {
          const x = fch[i]!;
          const cube = 0.044715 * x * x * x;
          const th = Math.tanh(GELU_K * (x + cube));
          const sech2 = 1 - th * th;
          const grad = 0.5 * (1 + th) + 0.5 * x * sech2 * GELU_K * (1 + 3 * 0.044715 * x * x);
          dfch[i] = dfchAct[i]! * grad;
        }
      } else for (let i = 0; i < BT * F; i++) dfch[i] = fch[i]! > 0 ? dfchAct[i]! : 0;
      const dln2 = sl(d.ln2!, BT * C);
      this.matmulBackward(dln2, sl(g.fcw, F * C), sl(g.fcb, F), dfch, sl(a.ln2!, BT * C), sl(p.fcw, F * C), BT, C, F);
      const dres2 = new Float32Array(dres); // residual2 gets the residual-path gradient plus the ln2 path
      layerNormBackward(dres2, sl(g.ln2w, C), sl(g.ln2b, C), dln2, sl(a.residual2!, BT * C), sl(p.ln2w, C), sl(a.ln2Mean!, BT), sl(a.ln2Rstd!, BT), BT, C);
      const datty = sl(d.atty!, BT * C);
      this.matmulBackward(datty, sl(g.attprojw, C * C), sl(g.attprojb, C), dres2, sl(a.atty!, BT * C), sl(p.attprojw, C * C), BT, C, C);
      const dqkv = sl(d.qkv!, BT * 3 * C);
      attentionBackward(dqkv, sl(d.preatt!, B * NH * T * T), sl(d.att!, B * NH * T * T), datty, sl(a.qkv!, BT * 3 * C), sl(a.att!, B * NH * T * T), B, T, C, NH);
      const dln1 = sl(d.ln1!, BT * C);
      this.matmulBackward(dln1, sl(g.qkvw, 3 * C * C), sl(g.qkvb, 3 * C), dqkv, sl(a.ln1!, BT * C), sl(p.qkvw, 3 * C * C), BT, C, 3 * C);
      dres.set(dres2);
      layerNormBackward(dres, sl(g.ln1w, C), sl(g.ln1b, C), dln1, residual, sl(p.ln1w, C), sl(a.ln1Mean!, BT), sl(a.ln1Rstd!, BT), BT, C);
    }
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const tok = inputs[b * T + t]!;
        const o = (b * T + t) * C;
        for (let c = 0; c < C; c++) {
          g.wte[tok * C + c]! += dres[o + c]!;
          g.wpe[t * C + c]! += dres[o + c]!;
        }
      }
    }
  }

  /** dinp += dout @ W; dW += dout^T @ inp; dbias += column sums of dout. */
  private matmulBackward(dinp: Float32Array, dW: Float32Array, dbias: Float32Array | null, dout: Float32Array, inp: Float32Array, W: Float32Array, BT: number, C: number, OC: number): void {
    matmulAB(dinp, dout, W, BT, OC, C, true);
    matmulAtB(dW, dout, inp, OC, BT, C, true);
    if (dbias) {
      for (let i = 0; i < BT; i++) {
        const o = i * OC;
        for (let j = 0; j < OC; j++) dbias[j]! += dout[o + j]!;
      }
    }
  }
}

// Attention per (batch, head) as matmuls over contiguous [T, hs] copies of Q, K, V (the SIMD kernels do the
// work); the causal mask is applied to the full T x T score block.
function headAdd(dst: Float32Array, src: Float32Array, b: number, T: number, stride: number, off: number, hs: number): void {
  for (let t = 0; t < T; t++) {
    const o = (b * T + t) * stride + off;
    for (let i = 0; i < hs; i++) dst[o + i]! += src[t * hs + i]!;
  }
}

/** Copies head h of batch b's q, k and v out of the packed [B, T, 3C] qkv activations. */
function loadHead(q: Float32Array, k: Float32Array, v: Float32Array, qkv: Float32Array, b: number, h: number, T: number, C: number, hs: number): void {
  headSlice(q, qkv, b, T, 3 * C, h * hs, hs);
  headSlice(k, qkv, b, T, 3 * C, C + h * hs, hs);
  headSlice(v, qkv, b, T, 3 * C, 2 * C + h * hs, hs);
}

function attentionForward(out: Float32Array, preatt: Float32Array, att: Float32Array, qkv: Float32Array, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const q = new Float32Array(T * hs);
  const k = new Float32Array(T * hs);
  const v = new Float32Array(T * hs);
  const y = new Float32Array(T * hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      loadHead(q, k, v, qkv, b, h, T, C, hs);
      const base = (b * NH + h) * T * T;
      causalAttentionHead(y, q, k, v, T, T, hs, preatt.subarray(base, base + T * T), att.subarray(base, base + T * T));
      headStore(out, y, b, T, C, h * hs, hs);
    }
  }
}

function attentionBackward(dqkv: Float32Array, dpreatt: Float32Array, datt: Float32Array, dout: Float32Array, qkv: Float32Array, att: Float32Array, B: number, T: number, C: number, NH: number): void {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const C3 = 3 * C;
  const q = new Float32Array(T * hs);
  const k = new Float32Array(T * hs);
  const v = new Float32Array(T * hs);
  const dy = new Float32Array(T * hs);
  const dq = new Float32Array(T * hs);
  const dk = new Float32Array(T * hs);
  const dv = new Float32Array(T * hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      loadHead(q, k, v, qkv, b, h, T, C, hs);
      headSlice(dy, dout, b, T, C, h * hs, hs);
      const base = (b * NH + h) * T * T;
      const a = att.subarray(base, base + T * T);
      const da = datt.subarray(base, base + T * T);
      const dp = dpreatt.subarray(base, base + T * T);
      matmulABt(da, dy, v, T, hs, T); // datt = dy @ v^T
      matmulAtB(dv, a, dy, T, T, hs); // dv = att^T @ dy
      // softmax backward (causal rows): dpre = att * (datt - sum(att * datt)), times the score scale
      for (let t = 0; t < T; t++) {
        const row = t * T;
        let dot = 0;
        for (let t2 = 0; t2 <= t; t2++) dot += a[row + t2]! * da[row + t2]!;
        for (let t2 = 0; t2 <= t; t2++) dp[row + t2] = a[row + t2]! * (da[row + t2]! - dot) * scale;
        for (let t2 = t + 1; t2 < T; t2++) dp[row + t2] = 0;
      }
      matmulAB(dq, dp, k, T, T, hs); // dq = dpre @ k
      matmulAtB(dk, dp, q, T, T, hs); // dk = dpre^T @ q
      headAdd(dqkv, dq, b, T, C3, h * hs, hs);
      headAdd(dqkv, dk, b, T, C3, C + h * hs, hs);
      headAdd(dqkv, dv, b, T, C3, 2 * C + h * hs, hs);
    }
  }
}

function layerNormBackward(dinp: Float32Array, dweight: Float32Array, dbias: Float32Array, dout: Float32Array, inp: Float32Array, weight: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const m = mean[r]!;
    const s = rstd[r]!;
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let c = 0; c < C; c++) {
      const norm = (inp[o + c]! - m) * s;
      const dnorm = weight[c]! * dout[o + c]!;
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let c = 0; c < C; c++) {
      const norm = (inp[o + c]! - m) * s;
      const dnorm = weight[c]! * dout[o + c]!;
      dbias[c]! += dout[o + c]!;
      dweight[c]! += norm * dout[o + c]!;
      dinp[o + c]! += (dnorm - dnormMean - norm * dnormNormMean) * s;
    }
  }
}
