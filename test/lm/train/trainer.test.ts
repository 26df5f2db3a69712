// The training loop: loss falls on a learnable sequence, and a run resumed from its checkpoint ends bit-identical
// to an uninterrupted run (parameters, optimizer state and data RNG are all checkpointed).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { train, type TrainOptions } from '../../../src/lm/train/trainer.js';

const tokens = Int32Array.from({ length: 4000 }, (_, i) => (i * 7 + Math.floor(i / 13)) % 23);
const data = { train: tokens.subarray(0, 3500), val: tokens.subarray(3500) };
const base = (outDir: string, steps: number): TrainOptions => ({
  config: { vocabSize: 23, maxSeq: 16, nLayers: 1, nHeads: 2, dModel: 16, dFF: 32, activation: 'relu' },
  batch: 4, seqLen: 16, steps, warmup: 2, lr: 1e-2, minLr: 1e-3, weightDecay: 0.1, clip: 1, seed: 3, evalEvery: 10, evalWindows: 8, checkpointEvery: 5, outDir, quiet: true,
});

describe('trainer', () => {
  it('learns a periodic sequence', () => {
    const r = train(base(mkdtempSync(path.join(os.tmpdir(), 'nllm-tr-')), 40), data);
    expect(r.log[0]!.loss).toBeGreaterThan(2.5);
    expect(r.finalValLoss).toBeLessThan(r.log[0]!.loss * 0.6);
  });
  it('resumes exactly from a checkpoint', () => {
    const straight = train(base(mkdtempSync(path.join(os.tmpdir(), 'nllm-tr-')), 10), data);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-tr-'));
    const cfg = base(dir, 10);
    train({ ...cfg, stopAt: 7 }, data); // interrupted after step 7 (its last checkpoint)
    const resumed = train(cfg, data);
    expect(resumed.log.map((e) => e.step)).toEqual(straight.log.map((e) => e.step));
    expect(Array.from(resumed.params.flat)).toEqual(Array.from(straight.params.flat));
  });
});
