// Decoding with the dense model: greedy, temperature/top-k sampling (seeded), and float beam search.
import { argmax, logSumExp } from './kernels.js';
import type { DenseLM, KvCache } from './model.js';
import { Rng } from '../util/random.js';

/**
 * Feeds tokens one at a time; when the context is full, re-primes a fresh cache with the last half of the
 * context (a sliding window), so generation can run past the model's context length.
 */
class Stepper {
  private cache: KvCache;
  private history: number[];
  constructor(
    private lm: DenseLM,
    prompt: readonly number[],
  ) {
    this.history = [...prompt];
    this.cache = lm.newCache();
  }
  start(): Float32Array {
    const ctx = this.lm.config.maxSeq;
    return this.lm.forward(this.history.slice(-ctx), this.cache, true);
  }
  push(t: number): Float32Array {
    this.history.push(t);
    const ctx = this.lm.config.maxSeq;
    if (this.cache.length >= ctx) {
      this.cache = this.lm.newCache();
      return this.lm.forward(this.history.slice(-Math.floor(ctx / 2)), this.cache, true);
    }
    return this.lm.forward([t], this.cache, true);
  }
}

export function greedy(lm: DenseLM, prompt: readonly number[], maxNew: number, stopAt?: number): number[] {
  const s = new Stepper(lm, prompt);
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

export function sample(lm: DenseLM, prompt: readonly number[], maxNew: number, o: SampleOptions): number[] {
  const rng = new Rng(o.seed);
  const V = lm.config.vocabSize;
  const s = new Stepper(lm, prompt);
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

function cloneCache(c: KvCache): KvCache {
  return { k: c.k.map((a) => a.slice()), v: c.v.map((a) => a.slice()), length: c.length };
}

export interface BeamResult {
  tokens: number[];
  logProb: number;
}

/**
 * Beam search over summed log-probabilities, keeping `beams` hypotheses per step; ranked by
 * logProb / length^lengthPenalty (0 = plain sum). Returns the final beams, best first.
 */
export function beamSearch(lm: DenseLM, prompt: readonly number[], maxNew: number, beams: number, lengthPenalty = 0): BeamResult[] {
  const V = lm.config.vocabSize;
  const rank = (lp: number, len: number) => lp / Math.max(1, len) ** lengthPenalty;
  const first = lm.newCache();
  type Beam = { tokens: number[]; lp: number; cache: KvCache; logits: Float32Array };
  let live: Beam[] = [{ tokens: [], lp: 0, cache: first, logits: lm.forward(prompt, first, true) }];
  for (let step = 0; step < maxNew && live[0]!.cache.length < lm.config.maxSeq; step++) {
    const cands: { from: Beam; tok: number; lp: number }[] = [];
    for (const b of live) {
      const lse = logSumExp(b.logits, 0, V); // once per beam, not once per candidate token
      const top = Array.from({ length: V }, (_, j) => [b.logits[j]! - lse, j] as const)
        .sort((x, y) => y[0] - x[0])
        .slice(0, beams);
      for (const [lp, j] of top) cands.push({ from: b, tok: j, lp: b.lp + lp });
    }
    cands.sort((a, b) => rank(b.lp, b.from.tokens.length + 1) - rank(a.lp, a.from.tokens.length + 1));
    const last = step + 1 === maxNew;
    live = cands.slice(0, beams).map((c) => {
      const cache = last ? c.from.cache : cloneCache(c.from.cache);
      const logits = last || cache.length >= lm.config.maxSeq ? c.from.logits : lm.forward([c.tok], cache, true);
      return { tokens: [...c.from.tokens, c.tok], lp: c.lp, cache, logits };
    });
  }
  return live.map((b) => ({ tokens: b.tokens, logProb: b.lp })).sort((a, b) => rank(b.logProb, b.tokens.length) - rank(a.logProb, a.tokens.length));
}
