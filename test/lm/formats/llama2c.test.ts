// llama2.c: the outside checkpoint (stories260K) must reproduce llama2.c run.c's greedy ids exactly.
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLlama2c } from '../../../src/lm/formats/llama2c.js';
import { DenseLM } from '../../../src/lm/model.js';
import { argmax } from '../../../src/lm/kernels.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

const FIXTURE = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'llama2c', 'stories260K.bin');
const RUN_C_IDS = '461 461 401 401 401 461 378 455 473 456 435 299 362 409 283 264 283 452 288 13 431 431 431 431 431 431 431 431 431 431'.split(' ').map(Number);

describe.skipIf(!existsSync(FIXTURE))('llama2.c stories260K (outside fixture; skipped when ../shared/fixtures is absent)', () => {
  it('reads the header', () => {
    const { header, config } = loadLlama2c(FIXTURE);
    expect(header).toEqual(expect.objectContaining({ version: 0, dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512, sharedClassifier: true }));
    expect(config.family).toBe('llama');
  });

  it('greedy decoding from BOS reproduces run.c exactly', () => {
    const { config, weights } = loadLlama2c(FIXTURE);
    const lm = new DenseLM(config, weights);
    const cache = lm.newCache();
    let tok = 1;
    const ids: number[] = [];
    for (let i = 0; i < RUN_C_IDS.length; i++) {
      const logits = lm.forward([tok], cache, true);
      tok = argmax(logits);
      ids.push(tok);
    }
    expect(ids).toEqual(RUN_C_IDS);
  });

  it('prefill of a sequence gives the same logits as token-by-token decoding', () => {
    const { config, weights } = loadLlama2c(FIXTURE);
    const lm = new DenseLM(config, weights);
    const seq = [1, ...RUN_C_IDS.slice(0, 9)];
    const all = lm.forward(seq, lm.newCache());
    const c2 = lm.newCache();
    let maxDiff = 0;
    seq.forEach((t, i) => {
      const l = lm.forward([t], c2, true);
      for (let j = 0; j < 512; j++) maxDiff = Math.max(maxDiff, Math.abs(l[j]! - all[i * 512 + j]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('rejects a truncated file naming what is missing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-l2c-'));
    const f = path.join(dir, 'trunc.bin');
    writeFileSync(f, readFileSync(FIXTURE).subarray(0, 200_000));
    expect(() => loadLlama2c(f)).toThrow(/truncated: wq needs \d+ bytes at offset \d+/);
  });
});
