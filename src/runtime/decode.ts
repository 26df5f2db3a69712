// Decoding on the chip functional model: the SnnModel as a Decoder (greedy and sampling of src/lm/generate.ts run on
// it unchanged), and the spike-based beam search (docs/compiler.md, "Spike-based beam search"): candidates are the
// winners of a winner-take-all over the LM head's output neurons (their integer membranes), and beam scores add
// integer log-probabilities computed with an exp LUT like the attention unit's (chip.beam), in units of 2^-f of a bit.
import type { Decoder } from '../lm/generate.js';
import { expLut, expWeight } from '../spec/attention.js';
import { SnnModel, type SnnState } from './snn.js';

/** A deep copy of a sequence state: the attention units' KV caches included. */
export function cloneState(s: SnnState): SnnState {
  const attention = new Map<string, SnnState['attention'] extends Map<string, infer U> ? U : never>();
  for (const [k, u] of s.attention) attention.set(k, cloneObject(u));
  return { pos: s.pos, attention };
}

function cloneObject<T extends object>(o: T): T {
  const c = Object.create(Object.getPrototypeOf(o)) as T;
  for (const [k, v] of Object.entries(o)) {
    let x: unknown = v;
    if (ArrayBuffer.isView(v)) x = (v as unknown as Int32Array).slice();
    else if (Array.isArray(v)) x = v.map((e) => (ArrayBuffer.isView(e) ? (e as Int32Array).slice() : e));
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) x = { ...v };
    (c as Record<string, unknown>)[k] = x;
  }
  return c;
}

export function snnDecoder(m: SnnModel): Decoder<SnnState> {
  const V = m.vocabSize;
  return {
    vocabSize: V,
    maxSeq: Math.min(m.program.model.maxSeq, m.program.chip.attention.context),
    fresh: () => m.newState(),
    feed: (s, t) => m.forward(t, s).slice((t.length - 1) * V),
    clone: cloneState,
    length: (s) => s.pos,
  };
}

export interface SpikeLogProbs {
  /** integer log-probabilities (units of 2^-f bits) of every token, and the WTA order of the head's neurons */
  lp: Int32Array;
}

/**
 * Integer log-softmax of the head's membranes m: u_i = floor(m_i * c) in units of 2^-f of log2 (c = the head's
 * scale * log2(e) * 2^f), d_i = max u - u_i, e_i = the exp LUT weight of d_i (F fractional bits), den = sum e_i,
 * L = floor(2^f log2(den / 2^F)) (a leading-one detector and a 2^f-entry table in hardware), lp_i = -d_i - L.
 */
export function spikeLogProbs(m: Int32Array, off: number, V: number, scale: number, f: number, F: number): Int32Array {
  const c = scale * Math.LOG2E * 2 ** f;
  const lut = expLut(f, F);
  const u = new Float64Array(V);
  let mx = -Infinity;
  for (let i = 0; i < V; i++) {
    u[i] = Math.floor(m[off + i]! * c);
    if (u[i]! > mx) mx = u[i]!;
  }
  let den = 0;
  for (let i = 0; i < V; i++) den += expWeight(mx - u[i]!, lut, f, F);
  const L = Math.floor(2 ** f * Math.log2(den / 2 ** F));
  return Int32Array.from(u, (x) => x - mx - L);
}

export interface SpikeBeam {
  tokens: number[];
  /** summed integer log-probabilities, units of 2^-f bits */
  score: number;
}

/**
 * Spike-based beam search with `beams` hypotheses: per beam, the `beams` output neurons with the largest membranes
 * (a winner-take-all; ties to the lower index), then the best `beams` (beam, token) pairs by summed integer
 * log-probability (ties to the earlier beam, then the lower token). `observe` sees each step's choice.
 */
export function spikeBeamSearch(m: SnnModel, prompt: readonly number[], maxNew: number, beams: number, observe?: (step: number, live: readonly number[][], chosen: readonly { from: number; tok: number }[]) => void): SpikeBeam[] {
  const V = m.vocabSize;
  const scale = m.program.tensors[m.program.logits]!.scale;
  const { lutBits: f, fracBits: F } = m.program.chip.beam;
  const maxSeq = Math.min(m.program.model.maxSeq, m.program.chip.attention.context);
  type Beam = { tokens: number[]; score: number; state: SnnState; mem: Int32Array };
  const s0 = m.newState();
  m.forward(prompt, s0);
  let live: Beam[] = [{ tokens: [], score: 0, state: s0, mem: m.lastIntLogits.slice((prompt.length - 1) * V) }];
  for (let step = 0; step < maxNew && live[0]!.state.pos < maxSeq; step++) {
    const cands: { from: number; tok: number; score: number }[] = [];
    live.forEach((b, bi) => {
      const lp = spikeLogProbs(b.mem, 0, V, scale, f, F);
      const order = Array.from({ length: V }, (_, j) => j).sort((x, y) => b.mem[y]! - b.mem[x]! || x - y).slice(0, beams);
      for (const j of order) cands.push({ from: bi, tok: j, score: b.score + lp[j]! });
    });
    cands.sort((a, b) => b.score - a.score || a.from - b.from || a.tok - b.tok);
    const chosen = cands.slice(0, beams);
    observe?.(step, live.map((b) => b.tokens), chosen);
    const last = step + 1 === maxNew;
    live = chosen.map((c) => {
      const from = live[c.from]!;
      if (last) return { tokens: [...from.tokens, c.tok], score: c.score, state: from.state, mem: from.mem };
      const state = cloneState(from.state);
      m.forward([c.tok], state);
      return { tokens: [...from.tokens, c.tok], score: c.score, state, mem: m.lastIntLogits.slice() };
    });
  }
  return live.map((b) => ({ tokens: b.tokens, score: b.score })).sort((a, b) => b.score - a.score);
}
