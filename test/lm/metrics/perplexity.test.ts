// The strided perplexity protocol: every token after the first scored once; agrees with the torch baseline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHf } from '../../../src/lm/formats/hf.js';
import { perplexity } from '../../../src/lm/metrics/perplexity.js';
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
});
