// Golden spiking-attention unit, token level, written from docs/attention.md (not from the RTL): the KV cache and
// its context policy, integer scores, the LUT softmax with max subtraction, the weighted V sum, the reciprocal and
// normalization, and the integrate-and-fire output encoder (src/golden/lif.ts), with the event counters.
// `attentionReference` is the float reference: exact softmax attention on the same integers, scaled the same way.
// The port-level cycle model (attention-cycle.ts) composes this one.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';
import {
  ATT_COUNTERS,
  ATT_REG,
  ATT_RESET,
  checkAttentionSpec,
  encoderSpec,
  expLut,
  expWeight,
  kvHeadOf,
  normalize,
  reciprocal,
  refusedWrite,
  scoreOf,
  tokenEvents,
  type AttentionCounter,
  type AttentionSpec,
} from '../spec/attention.js';
import { LifNeurons } from './lif.js';

export type AttentionCounters = Record<AttentionCounter, number>;
export const zeroAttentionCounters = (): AttentionCounters => Object.fromEntries(ATT_COUNTERS.map((c) => [c, 0])) as AttentionCounters;

/** Bad data given to an attention model: names the tensor, the allowed range and the caller's TS line. */
export class AttentionInputError extends RangeError {
  constructor(message: string) {
    super(`${message} (at ${formatLoc(captureLoc())})`);
    this.name = 'AttentionInputError';
  }
}

export interface AttentionToken {
  /** [h * D + d], Hq x D signed qBits values */
  q: ArrayLike<number>;
  /** [g * D + d], Hkv x D signed kBits / vBits values */
  k: ArrayLike<number>;
  v: ArrayLike<number>;
  /** the token starts a sequence: position 0, the cache emptied first */
  seqStart?: boolean;
}

/** Everything one token computes (slot order j = 0..n-1 of the cache), for the cycle model and for tests. */
export interface TokenResult {
  refused: boolean;
  /** the token's position and cache slot, and the cached positions n after the append */
  pos: number;
  slot: number;
  n: number;
  /** T used for the encoding */
  steps: number;
  /** [h * n + j] */
  dots: Float64Array;
  scores: Int32Array;
  saturated: Uint8Array;
  weights: Int32Array;
  /** [h] */
  max: Int32Array;
  den: Float64Array;
  recip: Float64Array;
  /** [h * D + d] */
  acc: Float64Array;
  out: Int32Array;
  /** [t * Hq * D + h * D + d]: the encoder's spike and membrane after step t */
  spikes: Int32Array;
  membranes: Int32Array;
  events: AttentionCounters;
}

export class AttentionUnit {
  /** K and V caches, [(g * N + slot) * D + d] */
  readonly kCache: Int32Array;
  readonly vCache: Int32Array;
  /** cached positions, the next write slot, the next token's position, and whether positions are exhausted */
  len = 0;
  wr = 0;
  nextPos = 0;
  exhausted = false;
  /** position of the last accepted token (0 after reset) */
  lastPos = 0;
  /** sticky: a token was refused */
  ctxError = false;
  scoreShift: number = ATT_RESET.scoreShift;
  theta: number = ATT_RESET.theta;
  steps: number = ATT_RESET.steps;
  readonly counters = zeroAttentionCounters();
  readonly encoder: LifNeurons;
  readonly lut: number[];

  constructor(readonly spec: AttentionSpec) {
    checkAttentionSpec(spec, captureLoc(), 'AttentionUnit');
    const words = spec.kvHeads * spec.context * spec.headSize;
    this.kCache = new Int32Array(words);
    this.vCache = new Int32Array(words);
    this.encoder = new LifNeurons({ ...encoderSpec(spec), neurons: spec.qHeads * spec.headSize });
    this.lut = expLut(spec.expLutBits, spec.expFracBits);
  }

  /** State after reset: empty cache, position 0, registers at their reset values, counters and flags cleared. */
  reset(): void {
    this.len = 0;
    this.wr = 0;
    this.nextPos = 0;
    this.exhausted = false;
    this.lastPos = 0;
    this.ctxError = false;
    this.scoreShift = ATT_RESET.scoreShift;
    this.theta = ATT_RESET.theta;
    this.steps = ATT_RESET.steps;
    this.clearCounters();
    this.encoder.reset();
  }

  clearCounters(): void {
    for (const c of ATT_COUNTERS) this.counters[c] = 0;
  }

  /** A configuration write (docs/attention.md "Configuration"): refused ones change nothing; clearCounters also
   *  clears the refused-token flag. */
  write(addr: number, data: bigint): { refused: boolean; cleared: boolean } {
    if (refusedWrite(this.spec, addr, data)) return { refused: true, cleared: false };
    if (addr === ATT_REG.scoreShift) this.scoreShift = Number(data);
    else if (addr === ATT_REG.theta) this.theta = Number(data);
    else if (addr === ATT_REG.steps) this.steps = Number(data);
    else {
      this.clearCounters();
      this.ctxError = false;
      return { refused: false, cleared: true };
    }
    return { refused: false, cleared: false };
  }

  /** Whether a token would be refused now: cache full under 'error', or positions exhausted; never at seq_start. */
  wouldRefuse(seqStart: boolean): boolean {
    if (seqStart) return false;
    return this.exhausted || (this.spec.policy === 'error' && this.len === this.spec.context);
  }

  private checkToken(t: AttentionToken): void {
    const s = this.spec;
    const vec = (name: string, x: ArrayLike<number>, heads: number, bits: number) => {
      const n = heads * s.headSize;
      if (x.length !== n) throw new AttentionInputError(`${name}: ${x.length} values, the unit takes ${heads} head(s) x ${s.headSize} = ${n}`);
      const lo = -(2 ** (bits - 1));
      const hi = 2 ** (bits - 1) - 1;
      for (let i = 0; i < n; i++) {
        const e = x[i]!;
        if (!Number.isInteger(e) || e < lo || e > hi) throw new AttentionInputError(`${name}[${i}] = ${e} is outside the ${bits}-bit signed range ${lo}..${hi}`);
      }
    };
    vec('q', t.q, s.qHeads, s.qBits);
    vec('k', t.k, s.kvHeads, s.kBits);
    vec('v', t.v, s.kvHeads, s.vBits);
  }

  /** One token (docs/attention.md "One token"). */
  token(t: AttentionToken): TokenResult {
    this.checkToken(t);
    const s = this.spec;
    const { qHeads: Hq, kvHeads: Hkv, headSize: D, context: N } = s;
    const seqStart = t.seqStart === true;
    if (this.wouldRefuse(seqStart)) {
      this.ctxError = true;
      this.counters.refused_tokens++;
      const events = zeroAttentionCounters();
      events.refused_tokens = 1;
      return { ...emptyResult(), refused: true, pos: this.nextPos, slot: this.wr, n: this.len, steps: this.steps, events };
    }
    // append: the cache is emptied first at a sequence start; 'sliding' overwrites the oldest slot once full
    if (seqStart) {
      this.len = 0;
      this.wr = 0;
      this.nextPos = 0;
      this.exhausted = false;
    }
    const slot = this.wr;
    const pos = this.nextPos;
    for (let g = 0; g < Hkv; g++) {
      for (let d = 0; d < D; d++) {
        this.kCache[(g * N + slot) * D + d] = t.k[g * D + d]!;
        this.vCache[(g * N + slot) * D + d] = t.v[g * D + d]!;
      }
    }
    this.len = Math.min(this.len + 1, N);
    this.wr = slot === N - 1 ? 0 : slot + 1;
    this.lastPos = pos;
    this.exhausted = pos === 2 ** s.positionBits - 1;
    this.nextPos = this.exhausted ? 0 : pos + 1;
    const n = this.len;

    const T = this.steps;
    const r: TokenResult = {
      refused: false,
      pos,
      slot,
      n,
      steps: T,
      dots: new Float64Array(Hq * n),
      scores: new Int32Array(Hq * n),
      saturated: new Uint8Array(Hq * n),
      weights: new Int32Array(Hq * n),
      max: new Int32Array(Hq),
      den: new Float64Array(Hq),
      recip: new Float64Array(Hq),
      acc: new Float64Array(Hq * D),
      out: new Int32Array(Hq * D),
      spikes: new Int32Array(T * Hq * D),
      membranes: new Int32Array(T * Hq * D),
      events: { ...tokenEvents(s, n, T) },
    };
    for (let h = 0; h < Hq; h++) {
      const g = kvHeadOf(s, h);
      let m = -Infinity;
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += t.q[h * D + d]! * this.kCache[(g * N + j) * D + d]!;
        const sc = scoreOf(dot, this.scoreShift, s);
        r.dots[h * n + j] = dot;
        r.scores[h * n + j] = sc.s;
        r.saturated[h * n + j] = sc.saturated ? 1 : 0;
        if (sc.saturated) r.events.scores_saturated++;
        m = Math.max(m, sc.s);
      }
      r.max[h] = m;
      let den = 0;
      for (let j = 0; j < n; j++) {
        const e = expWeight(m - r.scores[h * n + j]!, this.lut, s.expLutBits, s.expFracBits);
        r.weights[h * n + j] = e;
        den += e;
        for (let d = 0; d < D; d++) r.acc[h * D + d]! += e * this.vCache[(g * N + j) * D + d]!;
      }
      r.den[h] = den;
      r.recip[h] = reciprocal(den, s);
      for (let d = 0; d < D; d++) r.out[h * D + d] = normalize(r.acc[h * D + d]!, r.recip[h]!, s);
    }
    // the encoder: constant input o each step, restarting at the token's first step
    const HD = Hq * D;
    for (let step = 0; step < T; step++) {
      for (let i = 0; i < HD; i++) {
        const k = this.encoder.update(i, r.out[i]!, this.theta, 0, step === 0);
        r.spikes[step * HD + i] = k;
        r.membranes[step * HD + i] = this.encoder.v[i]!;
        if (k !== 0) r.events.spikes_out++;
      }
    }
    for (const c of ATT_COUNTERS) this.counters[c] += r.events[c];
    return r;
  }
}

function emptyResult(): Omit<TokenResult, 'refused' | 'pos' | 'slot' | 'n' | 'steps' | 'events'> {
  return {
    dots: new Float64Array(0),
    scores: new Int32Array(0),
    saturated: new Uint8Array(0),
    weights: new Int32Array(0),
    max: new Int32Array(0),
    den: new Float64Array(0),
    recip: new Float64Array(0),
    acc: new Float64Array(0),
    out: new Int32Array(0),
    spikes: new Int32Array(0),
    membranes: new Int32Array(0),
  };
}

export interface ReferenceResult {
  /** exact softmax weights [h * n + j] */
  weights: Float64Array;
  /** exact attention outputs [h * D + d] */
  out: Float64Array;
}

/**
 * The float reference for one token: exact softmax attention over the same cached integers, with the scores the
 * hardware approximates, x_j = (q . k_j) / 2^scoreShift in units of 2^-f of log2 (no flooring, no saturation):
 * p_j = 2^(x_j / 2^f) / sum_i 2^(x_i / 2^f), o_d = sum_j p_j v_jd. `dots` are the exact q . k of a TokenResult.
 */
export function attentionReference(spec: AttentionSpec, dots: Float64Array, values: (h: number, j: number, d: number) => number, n: number, scoreShift: number): ReferenceResult {
  const { qHeads: Hq, headSize: D } = spec;
  const weights = new Float64Array(Hq * n);
  const out = new Float64Array(Hq * D);
  const unit = Math.LN2 / 2 ** (spec.expLutBits + scoreShift);
  for (let h = 0; h < Hq; h++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, dots[h * n + j]!);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += weights[h * n + j] = Math.exp((dots[h * n + j]! - max) * unit);
    for (let j = 0; j < n; j++) {
      const pj = (weights[h * n + j]! /= sum);
      for (let d = 0; d < D; d++) out[h * D + d]! += pj * values(h, j, d);
    }
  }
  return { weights, out };
}

/** The cached V value the float reference needs: slot j of query head h's KV head. */
export function cachedValue(unit: AttentionUnit): (h: number, j: number, d: number) => number {
  const s = unit.spec;
  return (h, j, d) => unit.vCache[(kvHeadOf(s, h) * s.context + j) * s.headSize + d]!;
}
