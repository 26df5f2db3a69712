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

/** Writes a model in llama2.c's version 1 (float32) or version 2 (Q8_0) layout, as llama2.c's export.py does. */
function writeV(version: 1 | 2, f: string, m: ReturnType<typeof loadLlama2c>, groupSize = 64): void {
  const { config: c, weights: w } = m;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(256);
  header.writeUInt32LE(0x616b3432, 0);
  header.writeInt32LE(version, 4);
  [c.dModel, c.dFF, c.nLayers, c.nHeads, c.nKvHeads, c.vocabSize, c.maxSeq].forEach((v, i) => header.writeInt32LE(v, 8 + 4 * i));
  header.writeUInt8(c.tiedHead ? 1 : 0, 36);
  if (version === 2) header.writeInt32LE(groupSize, 37);
  parts.push(header);
  const f32 = (a: Float32Array) => Buffer.from(new Float32Array(a).buffer);
  const q80 = (a: Float32Array) => {
    const q = Buffer.alloc(a.length);
    const s = new Float32Array(a.length / groupSize);
    for (let g = 0; g < s.length; g++) {
      let max = 0;
      for (let i = 0; i < groupSize; i++) max = Math.max(max, Math.abs(a[g * groupSize + i]!));
      s[g] = max / 127;
      for (let i = 0; i < groupSize; i++) q.writeInt8(Math.round(a[g * groupSize + i]! / (s[g] || 1)), g * groupSize + i);
    }
    return Buffer.concat([q, Buffer.from(s.buffer)]);
  };
  const L = w.layers;
  for (const l of L) parts.push(f32(l.attnNorm.w));
  for (const l of L) parts.push(f32(l.ffnNorm.w));
  parts.push(f32(w.finalNorm.w));
  const mats = [w.tokEmb, ...L.map((l) => l.q.w), ...L.map((l) => l.k.w), ...L.map((l) => l.v.w), ...L.map((l) => l.o.w), ...L.map((l) => l.gate!.w), ...L.map((l) => l.down.w), ...L.map((l) => l.up.w)];
  for (const a of mats) parts.push(version === 1 ? f32(a) : q80(a));
  writeFileSync(f, Buffer.concat(parts));
}

describe.skipIf(!existsSync(FIXTURE))('llama2.c version 1 and 2 layouts (written from stories260K)', () => {
  it('version 1 (float32) reproduces the same greedy ids; version 2 (Q8_0) loads and stays close', () => {
    const m = loadLlama2c(FIXTURE);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-l2cv-'));
    const greedyIds = (f: string) => {
      const { config, weights, header } = loadLlama2c(f);
      const lm = new DenseLM(config, weights);
      const cache = lm.newCache();
      let tok = 1;
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) ids.push((tok = argmax(lm.forward([tok], cache, true))));
      return { ids, header, weights };
    };
    writeV(1, path.join(dir, 'v1.bin'), m);
    const v1 = greedyIds(path.join(dir, 'v1.bin'));
    expect(v1.header.version).toBe(1);
    expect(v1.ids).toEqual(RUN_C_IDS.slice(0, 20));
    writeV(2, path.join(dir, 'v2.bin'), m);
    const v2 = greedyIds(path.join(dir, 'v2.bin'));
    expect(v2.header).toEqual(expect.objectContaining({ version: 2, groupSize: 64 }));
    // every dequantized weight lies within half a quantization step of its group (Q8_0 bound)
    const pairs: [Float32Array, Float32Array][] = [[m.weights.tokEmb, v2.weights.tokEmb]];
    m.weights.layers.forEach((l, i) => {
      for (const k of ['q', 'k', 'v', 'o', 'up', 'gate', 'down'] as const) pairs.push([l[k]!.w, v2.weights.layers[i]![k]!.w]);
    });
    for (const [a, b] of pairs) {
      for (let g = 0; g < a.length / 64; g++) {
        let max = 0;
        for (let i = 0; i < 64; i++) max = Math.max(max, Math.abs(a[g * 64 + i]!));
        for (let i = 0; i < 64; i++) expect(Math.abs(a[g * 64 + i]! - b[g * 64 + i]!)).toBeLessThanOrEqual(max / 254 + 1e-7);
      }
    }
    expect(v2.ids.every((t) => t >= 0 && t < 512)).toBe(true);
  });
});
