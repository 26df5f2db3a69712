// The SIMD engine on worker threads: the kernels split by columns (layer) and by position-steps (scan), and the
// results are bit-identical for 1 and 2 threads and equal to the plain TS engine. The splits are checked to have
// happened (kernelSlices), so the threaded path is the one tested.
import { afterAll, describe, expect, it } from 'vitest';
import { SpikingLinear, setFunctionalThreads } from '../../src/functional/index.js';
import { defaultThreads } from '../../src/lm/wasm/pool.js';
import { kernelSlices } from '../../src/functional/wasm/kernels.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import { Rng, testSeed } from '../../src/util/random.js';
import { randomMasks, randomWeights } from './golden-chain.js';
import { stepInputs } from './configs.js';

const SEED = testSeed(20261203);
console.log(`functional threads tests: seed ${SEED} (SEED=n replays)`);

afterAll(async () => setFunctionalThreads(defaultThreads()));

interface Case {
  tile: CrossbarSpec;
  dIn: number;
  dOut: number;
  positions: number;
  T: number;
  split: 'layer' | 'scan';
}

const CASES: Record<string, Case> = {
  'tile by tile (clipping, shifts, masks, S = 2, graded-signed)': {
    tile: { rows: 256, cols: 128, rowsPerCycle: 2, colsPerCycle: 4, cellLevels: 4, slices: 2, inSpikes: 'graded-signed', inLevels: 3, adcBits: 6, adcRounding: 'half-up', output: 'neurons', psumBits: 14, counterBits: 32,
      neuron: { vWidth: 16, leak: 'subtract', reset: 'subtract', refractory: 0, spikes: 'graded-signed', levels: 2 } },
    dIn: 600, dOut: 300, positions: 16, T: 6, split: 'layer',
  },
  'many position-steps (the scan split by positions)': {
    tile: { rows: 512, cols: 16, rowsPerCycle: 1, colsPerCycle: 1, cellLevels: 8, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 12, adcRounding: 'floor', output: 'psum', psumBits: 16, counterBits: 32 },
    dIn: 1024, dOut: 16, positions: 2048, T: 2, split: 'scan',
  },
};

describe('SIMD engine on threads', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`1 thread = 2 threads = TS engine: ${name}`, async () => {
      const rng = new Rng(SEED);
      const g = { RT: Math.ceil(c.dIn / c.tile.rows), CT: Math.ceil(c.dOut / c.tile.cols) };
      const weights = randomWeights(rng, c.dIn * c.dOut, c.tile.cellLevels ** c.tile.slices - 1);
      const shifts = Array.from({ length: g.RT * g.CT }, () => rng.int(0, 2));
      const masks = randomMasks(rng, g.RT * g.CT, c.tile.rows, 0.1);
      const make = (engine: 'ts' | 'wasm') => {
        const l = new SpikingLinear({ tile: c.tile, dIn: c.dIn, dOut: c.dOut, weights, positions: c.positions, adcShift: shifts, threshold: c.tile.neuron ? 9 : undefined, leak: c.tile.neuron ? 1 : undefined, engine });
        for (let rt = 0; rt < g.RT; rt++) for (let ct = 0; ct < g.CT; ct++) l.setMask(rt, ct, masks[rt * g.CT + ct]!);
        return l;
      };
      const x = new Int8Array(c.positions * c.T * c.dIn);
      for (let i = 0; i < c.positions * c.T; i++) x.set(stepInputs(rng, c.tile, c.dIn), i * c.dIn);
      const results = [];
      for (const [engine, threads] of [['ts', 1], ['wasm', 1], ['wasm', 2]] as const) {
        await setFunctionalThreads(threads);
        const l = make(engine);
        const r = l.run(x, c.T);
        if (engine === 'wasm') expect(kernelSlices(c.split), `${c.split} split with ${threads} thread(s)`).toBe(threads);
        results.push({ out: Array.from(r.spikes ?? r.psum!), v: Array.from(l.membranes()), counters: l.counters });
        l.dispose();
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      if (c.split === 'layer') expect(results[0]!.counters.adc_clipped).toBeGreaterThan(0);
    });
  }
});
