// Decoding: greedy, temperature/top-k sampling (seeded), and float beam search, over any model that decodes token
// by token with a state (a Decoder): the dense model with its KV cache, or the chip functional model (SnnModel).
import { argmax, logSumExp } from './kernels.js';
import { DenseLM, type KvCache } from './model.js';
import { Rng } from '../util/random.js';

/** A model that decodes with a state: feed tokens at the state's next positions, get the last position's logits. */
export interface Decoder<S> {
  readonly vocabSize: number;
  readonly maxSeq: number;
  fresh(): S;
  feed(state: S, tokens: readonly number[]): Float32Array;
  clone(state: S): S;
  /** positions the state holds */
  length(state: S): number;
}

export function denseDecoder(lm: DenseLM): Decoder<KvCache> {
  return {
    vocabSize: lm.config.vocabSize,
    maxSeq: lm.config.maxSeq,
    fresh: () => lm.newCache(),
    feed: (c, t) => lm.forward(t, c, true),
    clone: (c) => ({ k: c.k.map((a) => a.slice()), v: c.v.map((a) => a.slice()), length: c.length }),
    length: (c) => c.length,
  };
}

type Model = DenseLM | Decoder<unknown>;
const decoderOf = (m: Model): Decoder<unknown> => (m instanceof DenseLM ? (denseDecoder(m) as Decoder<unknown>) : m);

/**
 * Feeds tokens one at a time; when the context is full, re-primes a fresh state with the last half of the
 * context (a sliding window), so generation can run past the model's context length.
 */
class Stepper {
  private state: unknown;
  private history: number[];
  constructor(
    private d: Decoder<unknown>,
    prompt: readonly number[],
  ) {
    this.history = [...prompt];
    this.state = d.fresh();
  }
  start(): Float32Array {
    return this.d.feed(this.state, this.history.slice(-this.d.maxSeq));
  }
  push(t: number): Float32Array {
    this.history.push(t);
    if (this.d.length(this.state) >= this.d.maxSeq) {
      this.state = this.d.fresh();
      return this.d.feed(this.state, this.history.slice(-Math.floor(this.d.maxSeq / 2)));
    }
    return this.d.feed(this.state, [t]);
  }
}

export function greedy(lm: Model, prompt: readonly number[], maxNew: number, stopAt?: number): number[] {
  const s = new Stepper(decoderOf(lm), prompt);
  let logits = s.start();
  const out: number[] = [];
  for (let i = 0; i < maxNew; i++) {
    const t = argmax(logits);
    out.push(t);
    if (t === stopAt) break;
    if (i + 1 < maxNew) logits = s.push(t);
  }
  return out;
}

export interface SampleOptions {
  temperature: number;
  topK: number;
  seed: number;
}

export function sample(lm: Model, prompt: readonly number[], maxNew: number, o: SampleOptions): number[] {
  const d = decoderOf(lm);
  const rng = new Rng(o.seed);
  const V = d.vocabSize;
  const s = new Stepper(d, prompt);
  let logits = s.start();
  const out: number[] = [];
  for (let i = 0; i < maxNew; i++) {
    const idx = Array.from({ length: V }, (_, j) => j).sort((a, b) => logits[b]! - logits[a]!).slice(0, o.topK > 0 ? o.topK : V);
    const max = logits[idx[0]!]!;
    const w = idx.map((j) => Math.exp((logits[j]! - max) / Math.max(o.temperature, 1e-6)));
    let r = rng.next() * w.reduce((a, b) => a + b, 0);
    let pick = idx[idx.length - 1]!;
    for (let k = 0; k < idx.length; k++) {
      r -= w[k]!;
      if (r <= 0) {
        pick = idx[k]!;
        break;
      }
    }
    out.push(pick);
    if (i + 1 < maxNew) logits = s.push(pick);
  }
  return out;
}

export interface BeamResult {
  tokens: number[];
  logProb: number;
}

/** One step's choice: beam `from` (index into the live beams) extended by `tok`. */
export interface BeamChoice {
  from: number;
  tok: number;
}

/** Optional observer of every step: the live beams' tokens before the step and the choices made. */
export type BeamObserver = (step: number, live: readonly number[][], chosen: readonly BeamChoice[]) => void;

/**
 * Beam search over summed log-probabilities, keeping `beams` hypotheses per step; ranked by
 * logProb / length^lengthPenalty (0 = plain sum). Returns the final beams, best first.
 */
export function beamSearch(lm: Model, prompt: readonly number[], maxNew: number, beams: number, lengthPenalty = 0, observe?: BeamObserver): BeamResult[] {
  const d = decoderOf(lm);
  const V = d.vocabSize;
  const rank = (lp: number, len: number) => lp / Math.max(1, len) ** lengthPenalty;
  const first = d.fresh();
  type Beam = { tokens: number[]; lp: number; state: unknown; logits: Float32Array };
  let live: Beam[] = [{ tokens: [], lp: 0, state: first, logits: d.feed(first, prompt) }];
  for (let step = 0; step < maxNew && d.length(live[0]!.state) < d.maxSeq; step++) {
    const cands: { from: number; tok: number; lp: number }[] = [];
    live.forEach((b, bi) => {
      const lse = logSumExp(b.logits, 0, V); // once per beam, not once per candidate token
      const top = Array.from({ length: V }, (_, j) => [b.logits[j]! - lse, j] as const)
        .sort((x, y) => y[0] - x[0])
        .slice(0, beams);
      for (const [lp, j] of top) cands.push({ from: bi, tok: j, lp: b.lp + lp });
    });
    cands.sort((a, b) => rank(b.lp, live[b.from]!.tokens.length + 1) - rank(a.lp, live[a.from]!.tokens.length + 1));
    const chosen = cands.slice(0, beams);
    observe?.(step, live.map((b) => b.tokens), chosen);
    const last = step + 1 === maxNew;
    live = chosen.map((c) => {
      const from = live[c.from]!;
      const state = last ? from.state : d.clone(from.state);
      const logits = last || d.length(state) >= d.maxSeq ? from.logits : d.feed(state, [c.tok]);
      return { tokens: [...from.tokens, c.tok], lp: c.lp, state, logits };
    });
  }
  return live.map((b) => ({ tokens: b.tokens, logProb: b.lp })).sort((a, b) => rank(b.logProb, b.tokens.length) - rank(a.logProb, a.tokens.length));
}
