// Our trainer's GPT-2 exported in HF layout loads back into the dense forward with identical logits.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportGpt2 } from '../../../src/lm/formats/gpt2-export.js';
import { loadHf } from '../../../src/lm/formats/hf.js';
import { DenseLM } from '../../../src/lm/model.js';
import { Gpt2Trainer, initParams } from '../../../src/lm/train/gpt2.js';
import { Rng } from '../../../src/util/random.js';

describe.each(['gelu', 'relu'] as const)('GPT-2 export (%s)', (activation) => {
  it('write -> HF load -> dense forward equals the trainer forward', () => {
    const cfg = { vocabSize: 40, maxSeq: 16, nLayers: 2, nHeads: 2, dModel: 16, dFF: 64, activation };
    const rng = new Rng(5);
    const t = new Gpt2Trainer(cfg, 1, 12);
    initParams(t.params, () => rng.next());
    for (let i = 0; i < t.params.flat.length; i++) t.params.flat[i]! += (rng.next() - 0.5) * 0.2;
    const ids = Int32Array.from({ length: 12 }, () => rng.int(0, 39));
    t.forward(ids);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-exp-'));
    exportGpt2(t.params, dir);
    const { config, weights } = loadHf(dir);
    expect(config).toEqual(expect.objectContaining({ family: 'gpt2', activation: activation === 'gelu' ? 'gelu_new' : 'relu', dModel: 16, nLayers: 2, maxSeq: 16 }));
    const lm = new DenseLM(config, weights);
    const logits = lm.forward(Array.from(ids), lm.newCache());
    let maxDiff = 0;
    t.logits.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i]!))));
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
