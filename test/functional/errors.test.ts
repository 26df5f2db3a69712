// Bad configurations and bad data: one clear error naming the parameter or tensor, the allowed range and the
// caller's line, and nothing changed (no output, state and counters as before). Also which engine a layer gets
// when the SIMD kernels cannot hold it.
import { describe, expect, it } from 'vitest';
import { SpikingLinear, runNetwork } from '../../src/functional/index.js';
import { wasmHeld } from '../../src/functional/wasm/kernels.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import { here } from '../helpers.js';

const tile: CrossbarSpec = { rows: 4, cols: 3, rowsPerCycle: 1, colsPerCycle: 1, cellLevels: 8, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 6, adcRounding: 'floor', output: 'neurons', psumBits: 10, counterBits: 32,
  neuron: { vWidth: 12, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1 } };
const weights = Array.from({ length: 6 * 5 }, (_, i) => (i % 15) - 7);
/** errors from the constructor name the line that calls it: the next one */
const MAKE = here() + 1;
const make = (over: Partial<ConstructorParameters<typeof SpikingLinear>[0]> = {}) => new SpikingLinear({ tile, dIn: 6, dOut: 5, weights, threshold: 3, ...over });

/** The message of what fn throws, checked to name this test file at the line after the here() call. */
function thrown(fn: () => unknown, line: number): string {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).toContain(`test/functional/errors.test.ts:${line}`);
    return msg;
  }
  throw new Error('no error');
}

describe('bad configuration', () => {
  it('names the parameter, its range and the caller', () => {
    expect(thrown(() => make({ weights: weights.map((w, i) => (i === 7 ? 8 : w)) }), MAKE)).toMatch(/SpikingLinear: weights\[1\]\[2\] = 8 is outside -7\.\.7 \(cellLevels 8, slices 1\)/);
    expect(thrown(() => make({ weights: [1, 2] }), MAKE)).toMatch(/weights: 2 values, expected dIn x dOut = 6 x 5 = 30/);
    expect(thrown(() => make({ bias: [0, 0, 512, 0, 0] }), MAKE)).toMatch(/bias\[2\] = 512 is outside the 10-bit psum range -512\.\.511/);
    expect(thrown(() => make({ threshold: 2048 }), MAKE)).toMatch(/threshold = 2048 is outside 0\.\.2047/);
    expect(thrown(() => make({ adcShift: [0, 0, 0, 9] }), MAKE)).toMatch(/adcShift\[3\] = 9 is outside 0\.\.7/);
    expect(thrown(() => make({ leak: 1 }), MAKE)).toMatch(/leak = 1 is outside 0\.\.0/);
    expect(thrown(() => make({ dIn: 0, weights: [] }), MAKE)).toMatch(/dIn = 0 is outside 1\.\./);
    expect(thrown(() => make({ tile: { ...tile, rows: 0 } }), MAKE)).toMatch(/rows = 0 is outside 1\.\.1024/);
    const l = make();
    let line = here() + 1;
    expect(thrown(() => l.setMask(1, 0, [1, 1, 2, 1]), line)).toMatch(/row mask of tile \(1, 0\)\[2\] = 2; each mask bit is 0 or 1/);
    line = here() + 1;
    expect(thrown(() => l.setMask(2, 0, [1, 1, 1, 1]), line)).toMatch(/row tile 2 is outside 0\.\.1/);
    line = here() + 1;
    expect(thrown(() => l.setAdcShift(0, 1, 8), line)).toMatch(/adcShift of tile \(0, 1\) = 8 is outside 0\.\.7/);
  });
});

describe('bad data: an error, and nothing changed', () => {
  for (const engine of ['ts', 'wasm'] as const) {
    for (const kind of ['Int8Array', 'number[]'] as const) {
      it(`a row input outside the alphabet [${engine}, ${kind}]`, () => {
        const l = make({ engine, positions: 2 });
        const ok = new Int8Array(12).fill(1);
        l.step(ok, { restart: true });
        const before = { v: Array.from(l.membranes()), c: l.counters };
        const bad = Array.from(ok);
        bad[9] = 2;
        const line = here() + 1;
        const msg = thrown(() => l.step(kind === 'Int8Array' ? Int8Array.from(bad) : bad), line);
        expect(msg).toMatch(/SpikingLinear: row input x\[1\]\[3\] = 2 is outside the binary alphabet 0\.\.1/);
        expect(Array.from(l.membranes())).toEqual(before.v);
        expect(l.counters).toEqual(before.c);
        const runLine = here() + 1;
        expect(thrown(() => l.run(Array.from({ length: 2 * 3 * 6 }, (_, i) => (i === 20 ? 0.5 : 0)), 3), runLine)).toMatch(/row input x\[1\]\[0\]\[2\] = 0\.5 is outside/);
        expect(Array.from(l.membranes())).toEqual(before.v);
        expect(l.counters).toEqual(before.c);
      });
    }
  }
  it('a bad input inside a 64-row stretch and in the tail of a tile [wasm]', () => {
    const l = new SpikingLinear({ tile: { ...tile, rows: 100 }, dIn: 100, dOut: 5, weights: Array.from({ length: 500 }, (_, i) => (i % 15) - 7), threshold: 3, engine: 'wasm' });
    for (const at of [10, 63, 64, 99]) {
      const x = new Int8Array(100).fill(1);
      x[at] = -1;
      const line = here() + 1;
      expect(thrown(() => l.step(x), line)).toMatch(new RegExp(`row input x\\[0\\]\\[${at}\\] = -1 is outside the binary alphabet 0\\.\\.1`));
    }
    expect(l.counters.timesteps).toBe(0);
  });
  it('shapes of x, restart and T', () => {
    const l = make({ positions: 2 });
    let line = here() + 1;
    expect(thrown(() => l.step(new Int8Array(11)), line)).toMatch(/x: 11 values, expected positions x dIn = 2 x 6/);
    line = here() + 1;
    expect(thrown(() => l.step(new Int8Array(12), { restart: [1] }), line)).toMatch(/restart: 1 flags, expected one per position \(2\)/);
    line = here() + 1;
    expect(thrown(() => l.run(new Int8Array(12), 0), line)).toMatch(/T = 0 is outside 1\.\./);
    const psum = make({ tile: { ...tile, output: 'psum', neuron: undefined }, threshold: undefined });
    line = here() + 1;
    expect(thrown(() => runNetwork([psum], new Int8Array(6), 1), line)).toMatch(/layer 1 has output 'psum'; every layer of a network fires spikes/);
  });
});

describe('a network whose layer fires spikes the next layer cannot take', () => {
  for (const engine of ['ts', 'wasm'] as const) {
    it(`graded spikes into binary rows: the error names the input [${engine}]`, () => {
      const graded: CrossbarSpec = { ...tile, neuron: { ...tile.neuron!, spikes: 'graded', levels: 3 } };
      const l1 = new SpikingLinear({ tile: graded, dIn: 6, dOut: 5, weights: new Array(30).fill(7), threshold: 1, engine });
      const l2 = make({ engine, dIn: 5, weights: new Array(25).fill(1) });
      const line = here() + 1;
      expect(thrown(() => runNetwork([l1, l2], new Int8Array(2 * 6).fill(1), 2), line)).toMatch(/row input x\[0\]\[1\]\[0\] = 3 is outside the binary alphabet 0\.\.1/);
      expect(l2.counters.timesteps).toBe(0);
    });
  }
});

describe('wasm memory', () => {
  it('dispose() returns every region a layer took, its list buffers and mask sets included', () => {
    const before = wasmHeld();
    const l = make({ engine: 'wasm', positions: 3 });
    l.setMask(0, 1, [1, 0, 1, 1]);
    l.run(new Int8Array(3 * 4 * 6).fill(1), 4);
    expect(wasmHeld()).toBeGreaterThan(before);
    l.dispose();
    expect(wasmHeld()).toBe(before);
  });
});

describe('engine choice', () => {
  it('auto takes the SIMD engine where the kernels hold the layer, else the TS engine; wasm on request says why not', () => {
    expect(make().engine).toBe('wasm');
    expect(make({ engine: 'ts' }).engine).toBe('ts');
    // cells of 256 levels: slice values up to 255 do not fit the kernels' i8 cells
    const wide = { ...tile, cellLevels: 256, adcBits: 12, psumBits: 14 };
    expect(make({ tile: wide, weights: weights.map((w) => w * 30) }).engine).toBe('ts');
    expect(make({ tile: wide }).engine).toBe('wasm'); // the same tile with small weights fits
    expect(thrown(() => make({ tile: wide, weights: weights.map((w) => w * 30), engine: 'wasm' }), MAKE)).toMatch(/engine 'wasm' cannot run this layer: a slice value beyond 127/);
    const p32 = { ...tile, psumBits: 32 };
    expect(make({ tile: p32 }).engine).toBe('ts');
    expect(thrown(() => make({ tile: p32, engine: 'wasm' }), MAKE)).toMatch(/psumBits = 32/);
  });
});
