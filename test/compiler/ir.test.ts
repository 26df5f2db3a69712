// The model IR executed in float is the dense model: same logits for every family the loaders read.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { irFromDense, linears, tensorWidths } from '../../src/compiler/ir.js';
import { runFloat } from '../../src/compiler/float-run.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { loadHf } from '../../src/lm/formats/hf.js';
import { loadModel } from '../../src/lm/load.js';
import { DenseLM } from '../../src/lm/model.js';

/** The dense model of a path; the HF test fixtures have no tokenizer, so they load without one. */
const dense = (p: string) => (p.includes('test/fixtures') ? (({ config, weights }) => new DenseLM(config, weights))(loadHf(p)) : loadModel(p).lm);

const fixture = (p: string) => path.join(PROJECT_ROOT, p);
const STORIES = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'llama2c', 'stories260K.bin');
const models: [string, string][] = [
  ['sotu-relu (GPT-2, ReLU)', fixture('models/sotu-relu')],
  ['sotu-gelu (GPT-2, GELU)', fixture('models/sotu-gelu')],
  ['opt-tiny (OPT)', fixture('test/fixtures/hf/opt-tiny')],
  ['llama-tiny (Llama, GQA, sharded)', fixture('test/fixtures/hf/llama-tiny')],
  ['llama3-tiny (Llama 3 RoPE scaling, tied)', fixture('test/fixtures/hf/llama3-tiny')],
  ...(existsSync(STORIES) ? [['stories260K (llama2.c)', STORIES] as [string, string]] : []),
];

describe('model IR', () => {
  it.each(models)('%s: float execution equals the dense forward', (_, p) => {
    const lm = dense(p);
    const ir = irFromDense(lm, p);
    const S = Math.min(24, lm.config.maxSeq);
    const ids = Array.from({ length: S }, (_, i) => (i * 7 + 3) % lm.config.vocabSize);
    const ref = lm.forward(ids, lm.newCache(S));
    const got = runFloat(ir, ids);
    expect(got.length).toBe(ref.length);
    let maxErr = 0;
    let maxAbs = 0;
    for (let i = 0; i < got.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i]! - ref[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]!));
    }
    expect(maxErr).toBeLessThan(1e-4 * Math.max(1, maxAbs));
  });
  it('names ops and tensors with their shapes', () => {
    const { lm } = loadModel(fixture('models/sotu-relu'));
    const ir = irFromDense(lm, 'sotu-relu');
    const kinds = ir.ops.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'attention')).toHaveLength(4);
    expect(linears(ir).map((l) => l.name).slice(0, 6)).toEqual(['L0.q', 'L0.k', 'L0.v', 'L0.o', 'L0.up', 'L0.down']);
    expect(tensorWidths(ir).get('L0.up')).toBe(512);
    expect(tensorWidths(ir).get('logits')).toBe(256);
  });
});
