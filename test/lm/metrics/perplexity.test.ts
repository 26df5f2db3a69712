// The strided perplexity protocol: every token after the first scored once; agrees with the torch baseline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHf } from '../../../src/lm/formats/hf.js';
import { perplexity, textUnits } from '../../../src/lm/metrics/perplexity.js';
import { DenseLM } from '../../../src/lm/model.js';
import { logProb } from '../../../src/lm/kernels.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

const REF = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'baselines', 'reference', 'logits-v1.json'), 'utf8')) as {
  perplexity: { model: string; input_ids: number[]; context: number; stride: number; nll: number; tokens: number }[];
};

describe('strided perplexity', () => {
  it.each(REF.perplexity.map((r) => [r.model, r] as const))('%s matches the PyTorch protocol', (model, r) => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, model));
    const res = perplexity(new DenseLM(config, weights), r.input_ids, r.context, r.stride);
    expect(res.tokens).toBe(r.input_ids.length - 1);
    expect(r.tokens).toBe(r.input_ids.length - 1);
    expect(Math.abs(res.nll - r.nll) / r.nll).toBeLessThan(1e-5);
  });

  it('a single window gives the plain full-sequence NLL', () => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'gpt2-tiny'));
    const lm = new DenseLM(config, weights);
    const ids = [5, 9, 2, 44, 17, 3, 3, 8];
    const logits = lm.forward(ids, lm.newCache());
    let nll = 0;
    for (let i = 0; i < ids.length - 1; i++) nll -= logProb(logits, i * 50, 50, ids[i + 1]!);
    const r = perplexity(lm, ids, 32, 16);
    expect(r.nll).toBeCloseTo(nll, 4);
    expect(r.perplexity).toBeCloseTo(Math.exp(nll / 7), 4);
  });

  it('normalises by the bytes, code points and words of the text', () => {
    const text = '  Fête 😀 à\tParis,\n\nnaïve  ';
    expect(textUnits(text)).toEqual({ bytes: 32, chars: 26, words: 5 }); // ê à ï: 2 bytes, 😀: 4 bytes and 1 code point
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'gpt2-tiny'));
    const lm = new DenseLM(config, weights);
    const units = { bytes: 30, chars: 23, words: 5 };
    const r = perplexity(lm, [5, 9, 2, 44, 17, 3, 3, 8, 1, 0], 4, 2, units);
    expect(r.units).toEqual(units);
    expect(r.bitsPerByte).toBeCloseTo(r.nll / Math.LN2 / 30, 12);
    expect(r.bitsPerChar).toBeCloseTo(r.nll / Math.LN2 / 23, 12);
    expect(r.wordPerplexity).toBeCloseTo(Math.exp(r.nll / 5), 9);
    expect(r.protocol).toContain('per byte, char and word');
    expect(perplexity(lm, [5, 9, 2], 4, 2).bitsPerByte).toBeUndefined();
  });
});
