// Decoding: greedy, seeded sampling, and beam search (beam 1 = greedy; wider beams never score worse here).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHf } from '../../src/lm/formats/hf.js';
import { beamSearch, greedy, sample } from '../../src/lm/generate.js';
import { logProb } from '../../src/lm/kernels.js';
import { DenseLM } from '../../src/lm/model.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'llama-tiny'));
const lm = new DenseLM(config, weights);
const prompt = [1, 14, 22];

function seqLogProb(tokens: number[]): number {
  const logits = lm.forward([...prompt, ...tokens], lm.newCache());
  let lp = 0;
  tokens.forEach((t, i) => (lp += logProb(logits, (prompt.length - 1 + i) * 50, 50, t)));
  return lp;
}

describe('decoding', () => {
  it('beam search with one beam is greedy', () => {
    const g = greedy(lm, prompt, 12);
    const b = beamSearch(lm, prompt, 12, 1);
    expect(b[0]!.tokens).toEqual(g);
    expect(b[0]!.logProb).toBeCloseTo(seqLogProb(g), 3);
  });
  it('a wider beam finds a sequence at least as likely as greedy, and reports its true log-prob', () => {
    const g = greedy(lm, prompt, 12);
    const b = beamSearch(lm, prompt, 12, 5);
    expect(b).toHaveLength(5);
    expect(b[0]!.logProb).toBeGreaterThanOrEqual(seqLogProb(g) - 1e-4);
    expect(b[0]!.logProb).toBeCloseTo(seqLogProb(b[0]!.tokens), 3);
  });
  it('generation runs past the context length with a sliding window', () => {
    const out = greedy(lm, prompt, 3 * config.maxSeq);
    expect(out).toHaveLength(3 * config.maxSeq);
    expect(out.slice(0, 12)).toEqual(greedy(lm, prompt, 12)); // identical while inside the context
  });
  it('sampling is reproducible from its seed and respects top-k = 1 (greedy)', () => {
    const o = { temperature: 1, topK: 0, seed: 7 };
    expect(sample(lm, prompt, 10, o)).toEqual(sample(lm, prompt, 10, o));
    expect(sample(lm, prompt, 10, { ...o, topK: 1 })).toEqual(greedy(lm, prompt, 10));
  });
});

describe('greedy decoding vs the PyTorch reference (logits-v1.json "generation")', () => {
  const ref = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'baselines', 'reference', 'logits-v1.json'), 'utf8')) as {
    generation: { model: string; prompts: number[][]; greedy: number[][] }[];
  };
  it('covers the three families (Llama with and without llama3 RoPE scaling) and both trained models', () => {
    expect(ref.generation.map((g) => g.model)).toEqual(['gpt2-tiny', 'opt-tiny', 'llama-tiny', 'llama3-tiny'].map((f) => `test/fixtures/hf/${f}`).concat(['models/sotu-gelu', 'models/sotu-relu']));
  });
  it.each(ref.generation.map((g) => [g.model, g] as const))('%s: same greedy ids, token for token', (model, g) => {
    const loaded = loadHf(path.join(PROJECT_ROOT, model));
    const m = new DenseLM(loaded.config, loaded.weights);
    g.prompts.forEach((p, i) => expect(greedy(m, p, g.greedy[i]!.length)).toEqual(g.greedy[i]));
  });
});
