// Decoding on the chip functional model: the SnnModel as a Decoder, state copies, integer log-probabilities, and the
// spike-based beam search against float beam search.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../../src/compiler/chip-config.js';
import { compileModel } from '../../src/compiler/compile.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { loadHf } from '../../src/lm/formats/hf.js';
import { beamSearch, greedy } from '../../src/lm/generate.js';
import { argmax } from '../../src/lm/kernels.js';
import { DenseLM } from '../../src/lm/model.js';
import { compareBeams } from '../../src/runtime/beam-compare.js';
import { cloneState, snnDecoder, spikeBeamSearch, spikeLogProbs } from '../../src/runtime/decode.js';
import { SnnModel } from '../../src/runtime/snn.js';
import { Rng } from '../../src/util/random.js';

const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'gpt2-tiny'));
const lm = new DenseLM(config, weights);
const SMALL: ChipConfig = { ...DEFAULT_CHIP, tile: { ...DEFAULT_CHIP.tile, rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 } };
const r = new Rng(21);
const program = compileModel(lm, 'gpt2-tiny', SMALL, { calibration: Array.from({ length: 256 }, () => r.int(0, 49)), adcTokens: 64, T: 8 });
const prompt = [3, 14, 15, 9, 26];

describe('integer log-probabilities', () => {
  it('equal membranes: every token gets -log2(V) bits (in units of 2^-f)', () => {
    const lp = spikeLogProbs(new Int32Array(8).fill(123), 0, 8, 0.01, 6, 16);
    for (const x of lp) expect(x).toBe(-3 * 64);
  });
  it('follow float log-softmax to the LUT resolution', () => {
    const m = Int32Array.from([0, 50, 100, 400, -300]);
    const scale = 0.01;
    const lp = spikeLogProbs(m, 0, 5, scale, 6, 16);
    const z = Array.from(m, (v) => v * scale);
    const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
    z.forEach((v, i) => expect(Math.abs(lp[i]! / 64 - (v - lse) * Math.LOG2E)).toBeLessThan(0.05));
  });
});

describe('SNN decoding', () => {
  it('greedy on the SNN picks the argmax of its own logits at every step', () => {
    const snn = new SnnModel(program);
    const out = greedy(snnDecoder(snn), prompt, 6);
    const st = snn.newState();
    let lg: Float32Array = snn.forward(prompt, st).slice((prompt.length - 1) * 50);
    for (const t of out) {
      expect(t).toBe(argmax(lg));
      lg = snn.forward([t], st);
    }
  });
  it('a cloned state evolves on its own', () => {
    const snn = new SnnModel(program);
    const a = snn.newState();
    snn.forward(prompt, a);
    const b = cloneState(a);
    const la = snn.forward([7], a);
    const lb = snn.forward([7], b);
    expect(Array.from(lb)).toEqual(Array.from(la));
    snn.forward([1, 2], a);
    const lc = snn.forward([8], b);
    const fresh = snn.newState();
    snn.forward([...prompt, 7], fresh);
    expect(Array.from(lc)).toEqual(Array.from(snn.forward([8], fresh)));
  });
  it('spike-based beam search keeps B beams, best first, each extending the prompt', () => {
    const b = spikeBeamSearch(new SnnModel(program), prompt, 5, 3);
    expect(b).toHaveLength(3);
    expect(b.every((x) => x.tokens.length === 5)).toBe(true);
    for (let i = 1; i < b.length; i++) expect(b[i]!.score).toBeLessThanOrEqual(b[i - 1]!.score);
    // the float search on the same SNN's logits finds the same best beam here
    const f = beamSearch(snnDecoder(new SnnModel(program)), prompt, 5, 3);
    expect(b[0]!.tokens).toEqual(f[0]!.tokens);
  });
  it('beam agreement counts steps, teacher-forced on float beam search', () => {
    const a = compareBeams(lm, new SnnModel(program), [prompt, [1, 2, 3]], 4, 2);
    expect(a.steps).toBe(8);
    expect(a.sameAsFloatOnSnn).toBeLessThanOrEqual(a.steps);
    expect(a.sameAsFloatOnSnn).toBeGreaterThan(4);
  });
});
