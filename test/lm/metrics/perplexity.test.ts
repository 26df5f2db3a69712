// The strided perplexity protocol: every token after the first scored once; agrees with the torch baseline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadHf } from '../../../src/lm/formats/hf.js';
import { perplexity, stridedWindows, textUnits } from '../../../src/lm/metrics/perplexity.js';
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

// The edges of the protocol: stride = context refused (a window of C tokens has C-1 targets), stride = C-1
// (non-overlapping), stride 1, and texts shorter than, exactly, or far below one window.
const EDGES: [n: number, context: number, stride: number][] = [[13, 4, 3], [13, 4, 1], [13, 5, 2], [3, 8, 4], [8, 8, 4], [2, 8, 4], [2, 2, 1], [9, 2, 1]];
const REFUSED: [n: number, context: number, stride: number][] = [[13, 4, 4], [13, 4, 5], [13, 128, 128], [13, 1, 1], [13, 4, 0]];

describe('strided perplexity at the edges', () => {
  const lm = (() => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'gpt2-tiny'));
    return new DenseLM(config, weights);
  })();
  const ids = [5, 9, 2, 44, 17, 3, 3, 8, 1, 0, 31, 12, 7];

  it('refuses a stride >= the context, saying why and what to use', () => {
    expect(() => perplexity(lm, ids, 4, 4)).toThrow('the stride (4) must be less than the context (4): a window of 4 tokens has 3 targets, so the first token of each later window would never be scored; stride 3 gives non-overlapping windows');
    expect(() => perplexity(lm, ids, 4, 5)).toThrow(RangeError);
    expect(() => perplexity(lm, [5], 4, 2)).toThrow('perplexity needs at least 2 tokens, got 1');
  });

  it.each(EDGES)('n %i, context %i, stride %i: every target once, each with the context the protocol states', (n, C, S) => {
    const w = stridedWindows(n, C, S);
    const targets = w.flatMap(({ begin, end, first }) => Array.from({ length: end - begin - 1 - first }, (_, i) => begin + first + i + 1));
    expect(targets).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 1));
    // stated independently of the plan: target t is predicted from ids[start(t)..t-1]
    const start = (t: number) => (t < C ? 0 : S * Math.floor((t - C + S) / S));
    let nll = 0;
    for (let t = 1; t < n; t++) {
      const win = ids.slice(start(t), t + 1);
      expect(win.length).toBeLessThanOrEqual(C);
      nll -= logProb(lm.forward(win, lm.newCache()), (win.length - 2) * 50, 50, ids[t]!);
    }
    const r = perplexity(lm, ids.slice(0, n), C, S);
    expect(r.tokens).toBe(n - 1);
    expect(r.nll).toBeCloseTo(nll, 4);
  });

  it('the PyTorch baseline plans the same windows and refuses the same strides (baselines/pytorch/strided.py, no torch needed)', async () => {
    const cases = [...EDGES, ...REFUSED, [1000, 128, 64], [1000, 128, 127], [129, 128, 127], [130, 128, 127]];
    const py = `import json, sys
from strided import strided_windows
out = []
for n, c, s in json.load(sys.stdin):
    try:
        out.append([list(w) for w in strided_windows(n, c, s)])
    except ValueError as e:
        out.append(str(e))
print(json.dumps(out))`;
    const r = await execa('python3', ['-c', py], { cwd: path.join(PROJECT_ROOT, 'baselines', 'pytorch'), input: JSON.stringify(cases), reject: false, all: true });
    expect(r.exitCode, r.all).toBe(0);
    const ts = cases.map(([n, c, s]) => {
      try {
        return stridedWindows(n!, c!, s!).map((w) => [w.begin, w.end, w.first]);
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(JSON.parse(r.stdout)).toEqual(ts);
    expect(ts.filter((t) => typeof t === 'string')).toHaveLength(REFUSED.length);
  });
});
