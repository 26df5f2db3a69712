// The compiler's passes, each alone: norm folding is the identity in float; weight levels; clipping; calibration
// statistics; the digital units by hand; the lowering on small models (block = one token at a time, determinism,
// quantized-dense ~ dense when levels are plentiful); the chip program format; chips too small.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../../src/compiler/chip-config.js';
import { calibrate, mseClip } from '../../src/compiler/calibrate.js';
import { compileModel, CompileError } from '../../src/compiler/compile.js';
import { runFloat } from '../../src/compiler/float-run.js';
import { irFromDense } from '../../src/compiler/ir.js';
import { foldNormAffine } from '../../src/compiler/passes/fold-norms.js';
import { quantizeWeights } from '../../src/compiler/passes/quantize-weights.js';
import { readProgram, writeProgram } from '../../src/compiler/program.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { loadHf } from '../../src/lm/formats/hf.js';
import { FormatError } from '../../src/lm/formats/safetensors.js';
import { DenseLM } from '../../src/lm/model.js';
import { encode, isqrt, normUnit, roundDiv } from '../../src/runtime/digital.js';
import { QuantizedDense } from '../../src/runtime/quantized-dense.js';
import { SnnModel } from '../../src/runtime/snn.js';
import { Rng } from '../../src/util/random.js';

const fixture = (n: string) => {
  const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', n));
  return new DenseLM(config, weights);
};
const ids = (n: number, V: number, seed = 1) => {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => r.int(0, V - 1));
};
const maxRel = (a: Float32Array, b: Float32Array) => {
  let e = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return e / Math.max(1, m);
};
const SMALL: ChipConfig = { ...DEFAULT_CHIP, tile: { ...DEFAULT_CHIP.tile, rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 } };

describe('fold norm affines', () => {
  it.each(['gpt2-tiny', 'opt-tiny', 'llama-tiny'])('%s: the identity in float', (n) => {
    const lm = fixture(n);
    const ir = irFromDense(lm, n);
    const x = ids(20, lm.config.vocabSize);
    const folded = foldNormAffine(ir);
    expect(folded.ops.filter((o) => o.kind === 'norm').every((o) => o.kind === 'norm' && o.w.every((v) => v === 1) && !o.b)).toBe(true);
    expect(maxRel(runFloat(folded, x), runFloat(ir, x))).toBeLessThan(1e-5);
  });
});

describe('weight levels', () => {
  it('integers within -(L^S-1)..L^S-1, exact for weights on the grid, refuses nothing silently', () => {
    const t = { cellLevels: 4, slices: 2 };
    // a matrix whose values are multiples of 0.5 up to 7.5 lands on the grid exactly (scale 0.5 at clip max)
    const w = Float32Array.from({ length: 6 }, (_, i) => [-7.5, 0, 0.5, 3, -1, 7.5][i]!);
    const q = quantizeWeights(w, 3, 2, t);
    expect(q.scale).toBeCloseTo(0.5, 12);
    expect(q.clipped).toBe(0);
    // [dOut=2][dIn=3] in, [dIn][dOut] out
    expect(Array.from(q.levels)).toEqual([-15, -2, 0, 15, 1, 0].map((_, k) => [-15, 6, 0, -2, 1, 15][k]!));
    expect(q.relError).toBe(0);
  });
});

describe('clipping and calibration statistics', () => {
  it('MSE clip: a uniform sample keeps its range; a heavy tail is clipped, at no more error than no clipping', () => {
    const u = { count: 1000, absMax: 1, zeros: 0, sample: Float32Array.from({ length: 1000 }, (_, i) => -1 + (2 * i) / 999) };
    expect(mseClip(u, 60, true)).toBeGreaterThan(0.98);
    // a Laplace-like tail: the clip lands inside the range, and its squared error is at most the max clip's
    const r = new Rng(5);
    const lap = Float32Array.from({ length: 20000 }, () => (r.chance(0.5) ? 1 : -1) * -Math.log(1 - r.next()));
    const st = { count: lap.length, absMax: Math.max(...Array.from(lap, Math.abs)), zeros: 0, sample: lap };
    const c = mseClip(st, 4, true);
    expect(c).toBeLessThan(st.absMax);
    const err = (clip: number) => lap.reduce((e, x) => e + (x - Math.max(-4, Math.min(4, Math.round(x / (clip / 4)))) * (clip / 4)) ** 2, 0);
    expect(err(c)).toBeLessThanOrEqual(err(st.absMax));
  });
  it('absolute maxima and channel maxima equal a direct computation', () => {
    const lm = fixture('gpt2-tiny');
    const ir = foldNormAffine(irFromDense(lm, 'g'));
    const x = ids(64, lm.config.vocabSize);
    const st = calibrate(ir, x, 32);
    const seen = new Map<string, number>();
    for (const b of [0, 32]) runFloat(ir, x.slice(b, b + 32), { tap: (n, d) => seen.set(n, Math.max(seen.get(n) ?? 0, ...Array.from(d, Math.abs))) });
    for (const [n, m] of seen) expect(st.get(n)!.absMax, n).toBe(m);
    const up = st.get('L0.up')!;
    expect(Math.max(...up.channelAbsMax!)).toBe(up.absMax);
  });
});

describe('digital units by hand', () => {
  it('rounding helpers', () => {
    expect([roundDiv(5, 2), roundDiv(-5, 2), roundDiv(7, 3), roundDiv(-7, 3)]).toEqual([3, -2, 2, -2]);
    expect([isqrt(0), isqrt(15), isqrt(16), isqrt(2 ** 52 + 1)]).toEqual([0, 3, 4, 2 ** 26]);
  });
  it('encoder: counts round T x / theta toward the sign, per channel thresholds, TTFS spike times', () => {
    const out = new Int8Array(4 * 3);
    encode(Int32Array.from([25, -25, 3]), 3, { theta: 10, levels: 15, signed: true, T: 4, compensate: true }, out);
    const count = (c: number) => [0, 1, 2, 3].reduce((s, t) => s + out[t * 3 + c]!, 0);
    expect([count(0), count(1), count(2)]).toEqual([10, -10, 1]); // 100/10, -100/10, 12/10 -> 1
    encode(Int32Array.from([25, -25, 3]), 3, { theta: 10, levels: 15, signed: true, T: 4, compensate: false }, out);
    expect([count(0), count(1), count(2)]).toEqual([10, -10, 1]);
    encode(Int32Array.from([14, 14, 14]), 3, { theta: 10, thetas: Int32Array.from([10, 20, 5]), levels: 15, signed: false, T: 4, compensate: true }, out);
    expect([count(0), count(1), count(2)]).toEqual([6, 3, 11]); // round(56/10), round(56/20), round(56/5)
    encode(Int32Array.from([21, -9, 0]), 3, { theta: 10, levels: 1, signed: true, T: 4, ttfs: true }, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 1, -1, 0]); // m = 2 fires at step 2 and holds; m = 1 at step 3
  });
  it('the norm unit equals float LayerNorm/RMSNorm to its output resolution', () => {
    const r = new Rng(3);
    const x = Int32Array.from({ length: 48 }, () => r.int(-400000, 600000));
    const scale = 1e-5;
    for (const mode of ['layernorm', 'rmsnorm'] as const) {
      const out = new Int32Array(48);
      normUnit(x, 48, out, mode, 1e-5, scale, { bits: 16, fracBits: 11 });
      const v = Array.from(x, (a) => a * scale);
      const mean = mode === 'layernorm' ? v.reduce((a, b) => a + b, 0) / 48 : 0;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 48 + 1e-5);
      v.forEach((a, i) => expect(Math.abs(out[i]! / 2 ** 11 - (a - mean) / sd), `${mode} ${i}`).toBeLessThan(2e-3));
    }
  });
});

describe('lowering and the SNN runtime on small models', () => {
  const lm = fixture('gpt2-tiny');
  const cal = ids(256, lm.config.vocabSize, 7);
  const prog = compileModel(lm, 'gpt2-tiny', SMALL, { calibration: cal, adcTokens: 64, T: 8 });
  it('a block of positions gives the logits of one token at a time (decoding with the state)', () => {
    const x = ids(12, lm.config.vocabSize, 9);
    const snn = new SnnModel(prog);
    const block = snn.windowLogits(x);
    const st = snn.newState();
    const V = lm.config.vocabSize;
    x.forEach((t, i) => expect(Array.from(snn.forward([t], st)), `position ${i}`).toEqual(Array.from(block.subarray(i * V, (i + 1) * V))));
  });
  it('is deterministic: compiling twice gives the same program', () => {
    const again = compileModel(lm, 'gpt2-tiny', SMALL, { calibration: cal, adcTokens: 64, T: 8 });
    const d = mkdtempSync(path.join(os.tmpdir(), 'nllm-prog-'));
    expect(writeProgram(again, path.join(d, 'b'))).toBe(writeProgram(prog, path.join(d, 'a')));
  });
  it('quantized-dense with weights alone is the dense model to within the weight levels; SNN tracks quantized-dense', () => {
    const x = ids(24, lm.config.vocabSize, 11);
    const qd = new QuantizedDense(lm, prog);
    const weightsOnly = runFloat(qd.ir, x);
    expect(maxRel(weightsOnly, lm.forward(x, lm.newCache()))).toBeLessThan(0.02);
    const snn = new SnnModel(prog).windowLogits(x);
    expect(maxRel(snn, qd.windowLogits(x))).toBeLessThan(0.25);
  });
  it('every tensor has a scale and every spike tensor a coding; counters move', () => {
    for (const [n, t] of Object.entries(prog.tensors)) {
      expect(t.scale, n).toBeGreaterThan(0);
      if (t.kind === 'spikes') expect(t.coding, n).toBeDefined();
    }
    const snn = new SnnModel(prog);
    snn.windowLogits(ids(8, lm.config.vocabSize));
    const c = snn.tileCounters().get('L0.up')!;
    expect(c.active_rows).toBeGreaterThan(0);
    const up = prog.ops.find((o) => o.kind === 'linear' && o.name === 'L0.up')!;
    if (up.kind !== 'linear') throw new Error('L0.up is not a linear op');
    // every tile takes every timestep of every token
    expect(c.timesteps).toBe(8 * prog.chip.T * up.tiles.rowTiles * up.tiles.colTiles);
  });
  it('a chip too small is refused with what the model would need', () => {
    const tiny = { ...SMALL, tiles: { signed: 1, unsigned: 1 } };
    expect(() => compileModel(lm, 'gpt2-tiny', tiny, { calibration: cal, adcTokens: 32 })).toThrow(CompileError);
    expect(() => compileModel(lm, 'gpt2-tiny', tiny, { calibration: cal, adcTokens: 32 })).toThrow(/L0\.\w+ needs, for one column tile, a chain of \d+ 16x16 tiles ending in a (signed|unsigned) tile .*; the chip has 1 signed and 1 unsigned/);
  });
  it('streams weights when the model needs more tiles than the chip has but each layer fits', () => {
    const p = compileModel(lm, 'gpt2-tiny', { ...SMALL, tiles: { signed: 24, unsigned: 24 } }, { calibration: cal, adcTokens: 32 });
    expect(p.summary.weightStreaming).toBe(true);
    expect(p.summary.notes.join(' ')).toMatch(/weight streaming/);
  });
  it('streams a layer wider than the chip op by op, in column-tile parts, when each column tile fits', () => {
    const p = compileModel(lm, 'gpt2-tiny', { ...SMALL, tiles: { signed: 2, unsigned: 2 } }, { calibration: cal, adcTokens: 32 });
    expect(p.summary.weightStreaming).toBe(true);
    expect(p.summary.notes.join(' ')).toMatch(/weight streaming within a layer: layer 0, .*op by op/);
  });
  it('llama (RoPE, GQA, SwiGLU, RMSNorm) compiles and runs', () => {
    const ll = fixture('llama-tiny');
    const p = compileModel(ll, 'llama-tiny', SMALL, { calibration: ids(256, ll.config.vocabSize, 5), adcTokens: 32 });
    expect(p.ops.some((o) => o.kind === 'rope')).toBe(true);
    expect(p.ops.some((o) => o.kind === 'mul')).toBe(true);
    const out = new SnnModel(p).windowLogits(ids(10, ll.config.vocabSize, 2));
    expect(out.every(Number.isFinite)).toBe(true);
  });
});

describe('chip program format', () => {
  const lm = fixture('gpt2-tiny');
  const prog = compileModel(lm, 'gpt2-tiny', SMALL, { calibration: ids(128, 50, 3), adcTokens: 32 });
  const dir = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-prog-')), 'p');
  it('round trip: what is read runs exactly as what was written', () => {
    const d = dir();
    writeProgram(prog, d);
    const back = readProgram(d);
    expect(back.ops).toEqual(prog.ops);
    expect([...back.blobs.keys()].sort()).toEqual([...prog.blobs.keys()].sort());
    const x = ids(10, 50, 4);
    expect(Array.from(new SnnModel(back).windowLogits(x))).toEqual(Array.from(new SnnModel(prog).windowLogits(x)));
  });
  it('a corrupted or changed program, or another version, is refused with what is wrong', () => {
    const d = dir();
    writeProgram(prog, d);
    const bin = readFileSync(path.join(d, 'weights.bin'));
    bin[17] ^= 1;
    writeFileSync(path.join(d, 'weights.bin'), bin);
    expect(() => readProgram(d)).toThrow(/weights\.bin: digest .* differs from the program's .*: corrupted/);
    const d2 = dir();
    writeProgram(prog, d2);
    const j = readFileSync(path.join(d2, 'program.json'), 'utf8');
    writeFileSync(path.join(d2, 'program.json'), j.replace('"version": 1', '"version": 2'));
    expect(() => readProgram(d2)).toThrow(/does not match program.sha256/);
    expect(() => readProgram(path.join(PROJECT_ROOT, 'docs'))).toThrow(FormatError);
  });
});
