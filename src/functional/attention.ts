// Chip functional model of the spiking-attention unit (architecture.md, model 3): the same integers and counters as
// the golden token model (src/golden/attention.ts) for docs/attention.md, without cycles, on flat typed arrays: the
// cached K/V rows are read once per position for every query head of their group, the softmax weights come from one
// table over the distance d = m - s, positions of weight 0 skip the V sum, and the encoder runs over all Hq x D
// neurons a step at a time. A test checks it equals the golden model, counters included.
import { AttentionInputError, zeroAttentionCounters, type AttentionCounters } from '../golden/attention.js';
import { captureLoc } from '../hdl/srcloc.js';
import {
  ATT_COUNTERS,
  ATT_RESET,
  accWidth,
  checkAttentionSpec,
  expCutoff,
  expLut,
  expWeight,
  groupSize,
  outMax,
  outMin,
  recipWidth,
  reciprocal,
  scoreMax,
  scoreMin,
  shiftWidth,
  thetaWidth,
  tokenEvents,
  type AttentionSpec,
} from '../spec/attention.js';

export interface AttentionRegisters {
  scoreShift: number;
  theta: number;
  steps: number;
}

export interface FunctionalTokenOut {
  refused: boolean;
  pos: number;
  /** cached positions after the append (0 when refused before any token) */
  n: number;
  /** [h * D + d] */
  out: Int32Array;
  /** [t * Hq * D + h * D + d] */
  spikes: Int8Array;
}

export class AttentionFunctional {
  readonly kCache: Int32Array;
  readonly vCache: Int32Array;
  len = 0;
  wr = 0;
  nextPos = 0;
  exhausted = false;
  lastPos = 0;
  ctxError = false;
  readonly regs: AttentionRegisters = { ...ATT_RESET };
  readonly counters: AttentionCounters = zeroAttentionCounters();
  /** weight by distance d < cutoff (0 beyond) */
  private readonly weightOf: Int32Array;
  private readonly exactProducts: boolean;
  // scratch, sized for the full cache
  private readonly scores: Float64Array;
  private readonly acc: Float64Array;
  private readonly membrane: Int32Array;

  constructor(readonly spec: AttentionSpec) {
    checkAttentionSpec(spec, captureLoc(), 'AttentionFunctional');
    const s = spec;
    this.kCache = new Int32Array(s.kvHeads * s.context * s.headSize);
    this.vCache = new Int32Array(s.kvHeads * s.context * s.headSize);
    const lut = expLut(s.expLutBits, s.expFracBits);
    this.weightOf = Int32Array.from({ length: expCutoff(s.expLutBits, s.expFracBits) }, (_, d) => expWeight(d, lut, s.expLutBits, s.expFracBits));
    // acc * r must stay below 2^53 to be exact in a double; otherwise normalization goes through BigInt
    this.exactProducts = accWidth(s) + recipWidth(s) <= 52;
    this.scores = new Float64Array(s.qHeads * s.context);
    this.acc = new Float64Array(s.qHeads * s.headSize);
    this.membrane = new Int32Array(s.qHeads * s.headSize);
  }

  /** Sets the configuration registers (each checked against its range, as the configuration port refuses). */
  setRegisters(r: Partial<AttentionRegisters>): void {
    const s = this.spec;
    const check = (name: string, v: number, lo: number, hi: number) => {
      if (!Number.isInteger(v) || v < lo || v > hi) throw new AttentionInputError(`register ${name} = ${v} is outside ${lo}..${hi}`);
    };
    if (r.scoreShift !== undefined) check('scoreShift', r.scoreShift, 0, 2 ** shiftWidth(s) - 1);
    if (r.theta !== undefined) check('theta', r.theta, 0, 2 ** thetaWidth(s) - 1);
    if (r.steps !== undefined) check('steps', r.steps, 1, s.maxSteps);
    Object.assign(this.regs, r);
  }

  reset(): void {
    this.len = 0;
    this.wr = 0;
    this.nextPos = 0;
    this.exhausted = false;
    this.lastPos = 0;
    this.ctxError = false;
    Object.assign(this.regs, ATT_RESET);
    for (const c of ATT_COUNTERS) this.counters[c] = 0;
  }

  /** One token: q [Hq * D], k and v [Hkv * D] (signed integers of their widths). */
  token(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, seqStart = false): FunctionalTokenOut {
    const s = this.spec;
    const { qHeads: Hq, kvHeads: Hkv, headSize: D, context: N } = s;
    checkVector('q', q, Hq * D, s.qBits);
    checkVector('k', k, Hkv * D, s.kBits);
    checkVector('v', v, Hkv * D, s.vBits);
    const T = this.regs.steps;
    if (!seqStart && (this.exhausted || (s.policy === 'error' && this.len === N))) {
      this.ctxError = true;
      this.counters.refused_tokens++;
      return { refused: true, pos: this.nextPos, n: this.len, out: new Int32Array(0), spikes: new Int8Array(0) };
    }
    if (seqStart) {
      this.len = 0;
      this.wr = 0;
      this.nextPos = 0;
    }
    const slot = this.wr;
    const pos = this.nextPos;
    for (let g = 0; g < Hkv; g++) {
      for (let d = 0; d < D; d++) {
        this.kCache[(g * N + slot) * D + d] = k[g * D + d]!;
        this.vCache[(g * N + slot) * D + d] = v[g * D + d]!;
      }
    }
    this.len = Math.min(this.len + 1, N);
    this.wr = slot === N - 1 ? 0 : slot + 1;
    this.lastPos = pos;
    this.exhausted = pos === 2 ** s.positionBits - 1;
    this.nextPos = this.exhausted ? 0 : pos + 1;
    const n = this.len;

    const ev = tokenEvents(s, n, T);
    const G = groupSize(s);
    const scale = 2 ** -this.regs.scoreShift;
    const sMin = scoreMin(s);
    const sMax = scoreMax(s);
    const { scores, acc, weightOf } = this;
    // locals and a typed copy of q: the inner loops then read typed arrays only (several times faster in V8)
    const kc = this.kCache;
    const vc = this.vCache;
    const qv = Int32Array.from(q);
    const cutoff = weightOf.length;
    const out = new Int32Array(Hq * D);
    acc.fill(0);
    for (let g = 0; g < Hkv; g++) {
      const h0 = g * G;
      // scores of every head of the group, one pass over the cached keys
      for (let j = 0; j < n; j++) {
        const kr = (g * N + j) * D;
        for (let h = h0; h < h0 + G; h++) {
          let dot = 0;
          const qo = h * D;
          for (let d = 0; d < D; d++) dot += qv[qo + d]! * kc[kr + d]!;
          const t = Math.floor(dot * scale);
          const sc = t < sMin ? sMin : t > sMax ? sMax : t;
          if (sc !== t) ev.scores_saturated++;
          scores[h * n + j] = sc;
        }
      }
      for (let h = h0; h < h0 + G; h++) {
        let m = -Infinity;
        for (let j = 0; j < n; j++) if (scores[h * n + j]! > m) m = scores[h * n + j]!;
        let den = 0;
        for (let j = 0; j < n; j++) {
          const dist = m - scores[h * n + j]!;
          if (dist >= cutoff) continue;
          const e = weightOf[dist]!;
          if (e === 0) continue;
          den += e;
          const vr = (g * N + j) * D;
          const ao = h * D;
          for (let d = 0; d < D; d++) acc[ao + d]! += e * vc[vr + d]!;
        }
        this.normalizeHead(out, h, reciprocal(den, s));
      }
    }
    const spikes = this.encode(out, T, ev);
    for (const c of ATT_COUNTERS) this.counters[c] += ev[c];
    return { refused: false, pos, n, out, spikes };
  }

  private normalizeHead(out: Int32Array, h: number, r: number): void {
    const s = this.spec;
    const D = s.headSize;
    const R = s.recipBits;
    const lo = outMin(s);
    const hi = outMax(s);
    for (let d = 0; d < D; d++) {
      const a = this.acc[h * D + d]!;
      const o = this.exactProducts ? Math.floor((a * r + 2 ** (R - 1)) / 2 ** R) : Number((BigInt(a) * BigInt(r) + (1n << BigInt(R - 1))) >> BigInt(R));
      out[h * D + d] = o < lo ? lo : o > hi ? hi : o;
    }
  }

  /** The encoder (docs/lif.md: leak none, soft reset, graded-signed K levels), from rest, constant input o. */
  private encode(o: Int32Array, T: number, ev: AttentionCounters): Int8Array {
    const s = this.spec;
    const HD = o.length;
    const K = s.spikeLevels;
    const th = this.regs.theta;
    const vMax = 2 ** (s.encVBits - 1) - 1;
    const vMin = -vMax - 1;
    const v = this.membrane;
    v.fill(0);
    const spikes = new Int8Array(T * HD);
    let fired = 0;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < HD; i++) {
        let u = v[i]! + o[i]!;
        u = u < vMin ? vMin : u > vMax ? vMax : u;
        // the largest j <= K with u >= j*theta, else minus the largest with u <= -j*theta (theta = 0: +-K)
        let k: number;
        if (th === 0) k = u >= 0 ? K : -K;
        else if (u >= 0) k = Math.min(K, Math.floor(u / th));
        else k = -Math.min(K, Math.floor(-u / th));
        v[i] = u - k * th;
        spikes[t * HD + i] = k;
        if (k !== 0) fired++;
      }
    }
    ev.spikes_out += fired;
    ev.encoder_updates = T * HD;
    return spikes;
  }

  /** Clears the counters and the refused-token flag (the clearCounters register). */
  clearCounters(): void {
    for (const c of ATT_COUNTERS) this.counters[c] = 0;
    this.ctxError = false;
  }
}

function checkVector(name: string, x: ArrayLike<number>, n: number, bits: number): void {
  if (x.length !== n) throw new AttentionInputError(`${name}: ${x.length} values, the unit takes ${n}`);
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  for (let i = 0; i < n; i++) {
    const e = x[i]!;
    if (!Number.isInteger(e) || e < lo || e > hi) throw new AttentionInputError(`${name}[${i}] = ${e} is outside the ${bits}-bit signed range ${lo}..${hi}`);
  }
}
