// The wasm engine above 2 GiB of shared memory: region offsets past 2^31 are still found (they were turned into
// negative indices once, and a long report run crashed with "offset is out of bounds" after its memory grew).
import { describe, expect, it } from 'vitest';
import { SpikingLinear } from '../../src/functional/index.js';
import { wasmAlloc, wasmFree } from '../../src/functional/wasm/kernels.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import { Rng } from '../../src/util/random.js';

const tile: CrossbarSpec = { rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 8, cellLevels: 8, slices: 2, inSpikes: 'graded-signed', inLevels: 3, adcBits: 8, adcRounding: 'half-up', output: 'neurons', psumBits: 16, counterBits: 32,
  neuron: { vWidth: 16, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'graded-signed', levels: 3 } };

describe('wasm memory above 2 GiB', () => {
  it('a layer whose regions sit past 2^31 computes what the TS engine computes', () => {
    const rng = new Rng(7);
    const weights = Array.from({ length: 40 * 24 }, () => rng.int(-63, 63));
    const x = new Int8Array(5 * 4 * 40).map(() => rng.int(-3, 3));
    const make = (engine: 'wasm' | 'ts') => new SpikingLinear({ tile, dIn: 40, dOut: 24, weights, threshold: 9, engine, positions: 5 });
    const ref = make('ts');
    const want = ref.run(x, 4);
    const low = wasmAlloc(2 ** 31 + 4096); // everything allocated after this lies above 2 GiB
    try {
      const l = make('wasm');
      const got = l.run(x, 4);
      expect(want.spikes!.some((v) => v !== 0)).toBe(true);
      expect(Array.from(got.spikes!)).toEqual(Array.from(want.spikes!));
      expect(got.events).toEqual(want.events);
      expect(l.membranes()).toEqual(ref.membranes());
      l.dispose();
    } finally {
      wasmFree(low);
    }
  });
});
