// The dense forward's two attention paths agree: prefill (per-head matmuls, also with a non-empty cache) and
// decode (dot products off the KV cache), for GPT-2, OPT and Llama with grouped-query attention.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHf } from '../../src/lm/formats/hf.js';
import { DenseLM, ropeInvFreq } from '../../src/lm/model.js';
import { preparedFloats, setWasmCapacity } from '../../src/lm/wasm/matmul.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const seq = [3, 17, 4, 42, 0, 9, 9, 31, 2, 48, 11, 5, 7, 7, 19, 23, 40, 1, 36, 12];

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('dense forward: prefill and decode attention agree', () => {
  it.each(['gpt2-tiny', 'opt-tiny', 'llama-tiny'])('%s', (name) => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', name));
    const lm = new DenseLM(config, weights);
    const V = config.vocabSize;
    const whole = lm.forward(seq, lm.newCache());
    // token by token: every position through the decode path
    const one = lm.newCache();
    const stepwise = new Float32Array(seq.length * V);
    seq.forEach((t, i) => stepwise.set(lm.forward([t], one), i * V));
    expect(maxDiff(whole, stepwise)).toBeLessThan(1e-5);
    // uneven chunks: prefill with queries that start part-way into the cache (T > S)
    const chunked = lm.newCache();
    const parts: Float32Array[] = [];
    for (const [b, e] of [[0, 5], [5, 6], [6, 13], [13, 20]] as const) parts.push(lm.forward(seq.slice(b, e), chunked));
    const joined = new Float32Array(seq.length * V);
    let off = 0;
    for (const p of parts) {
      joined.set(p, off);
      off += p.length;
    }
    expect(maxDiff(whole, joined)).toBeLessThan(1e-5);
    // the last-position-only form returns the last row
    expect(maxDiff(lm.forward(seq, lm.newCache(), true), whole.subarray((seq.length - 1) * V))).toBe(0);
  });
});

describe('dense forward: kernel memory', () => {
  it('release() frees the prepared weights; a model that does not fit runs on the fallback kernels', () => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'llama-tiny'));
    const before = preparedFloats();
    const lm = new DenseLM(config, weights);
    const ref = lm.forward(seq, lm.newCache());
    expect(preparedFloats()).toBeGreaterThan(before);
    lm.release();
    expect(preparedFloats()).toBe(before);
    try {
      setWasmCapacity(1024); // nothing fits
      const small = new DenseLM(config, weights);
      expect(maxDiff(small.forward(seq, small.newCache()), ref)).toBeLessThan(1e-5);
      expect(preparedFloats()).toBe(before);
    } finally {
      setWasmCapacity(undefined);
    }
    expect(maxDiff(lm.forward(seq, lm.newCache()), ref)).toBe(0); // prepared again, same kernels, same result
  });
});

describe('RoPE frequencies', () => {
  it('plain, linear and llama3 scaling (head_dim 8, theta 1e4: wavelengths 6.3, 63, 628, 6283)', () => {
    const near = (a: Float64Array, b: number[]) => b.forEach((x, i) => expect(a[i]).toBeCloseTo(x, 9));
    near(ropeInvFreq(8, 1e4), [1, 0.1, 0.01, 0.001]);
    near(ropeInvFreq(8, 1e4, { type: 'linear', factor: 2 }), [0.5, 0.05, 0.005, 0.0005]);
    // llama3, original context 64, factors 1 and 4: under 64/4 = 16 kept, over 64/1 = 64 divided by 8, and 63 in
    // between blended: s = (64/62.83 - 1)/3 = 0.0061972, (1 - s) * 0.1/8 + s * 0.1 = 0.0130423
    const l3 = ropeInvFreq(8, 1e4, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 });
    [1, 0.0130423, 0.00125, 0.000125].forEach((x, i) => expect(l3[i]).toBeCloseTo(x, 6));
  });
});
