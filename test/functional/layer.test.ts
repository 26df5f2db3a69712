// The functional model equals the golden tiles chained by hand (golden-chain.ts), integer for integer: outputs,
// membranes and every event counter, per tile and summed, over many random timesteps with restarts, for both
// engines (plain TS and WebAssembly SIMD); a block of positions equals one position at a time; a run of T steps
// equals T single steps.
import { describe, expect, it } from 'vitest';
import { SpikingLinear, type EngineChoice } from '../../src/functional/index.js';
import { spikingWasmAvailable, spikingWasmLoadError } from '../../src/functional/wasm/kernels.js';
import { TILE_COUNTERS } from '../../src/spec/crossbar.js';
import { Rng, testSeed } from '../../src/util/random.js';
import { GoldenChains, type GridSetup } from './golden-chain.js';
import { layerCases, stepInputs } from './configs.js';

const SEED = testSeed(20261202);
console.log(`functional layer tests: seed ${SEED} (SEED=n replays)`);
const ENGINES: EngineChoice[] = ['ts', 'wasm'];

export function layerOf(g: GridSetup, engine: EngineChoice, positions = 1): SpikingLinear {
  const layer = new SpikingLinear({
    tile: g.tile,
    dIn: g.dIn,
    dOut: g.dOut,
    weights: g.weights,
    positions,
    adcShift: g.shifts,
    threshold: g.tile.output === 'neurons' ? g.thetas : undefined,
    leak: g.tile.output === 'neurons' ? g.leaks : undefined,
    bias: g.bias,
    engine,
  });
  for (let rt = 0; rt < layer.grid.RT; rt++) for (let ct = 0; ct < layer.grid.CT; ct++) layer.setMask(rt, ct, g.masks[rt * layer.grid.CT + ct]!);
  return layer;
}

describe('functional layer = golden tiles chained by hand', () => {
  it('the SIMD kernels load here', () => {
    expect(spikingWasmLoadError()).toBeUndefined();
    expect(spikingWasmAvailable()).toBe(true);
  });
  for (const c of layerCases(SEED)) {
    for (const engine of ENGINES) {
      it(`${c.name} [${engine}]`, () => {
        const golden = new GoldenChains(c.setup);
        const layer = layerOf(c.setup, engine);
        expect(layer.engine).toBe(engine);
        const rng = new Rng(SEED ^ 0x5bd1e995);
        let maxAbsOut = 0;
        for (let t = 0; t < c.steps; t++) {
          // steps 1 and 2 drive every row at the alphabet's ends (the configurations' extreme columns clip and saturate)
          const x = stepInputs(rng, c.setup.tile, c.setup.dIn, t === 1 ? 1 : t === 2 ? -1 : 0);
          const restart = t === 0 || rng.chance(0.15);
          const want = golden.step(x, restart);
          const got = layer.step(x, { restart });
          const out = got.spikes ?? got.psum!;
          for (let j = 0; j < out.length; j++) maxAbsOut = Math.max(maxAbsOut, Math.abs(out[j]!));
          expect(Array.from(out), `outputs, step ${t}`).toEqual(Array.from(want.out));
          expect(Array.from(layer.membranes()), `membranes, step ${t}`).toEqual(Array.from(want.v));
        }
        expect(layer.counters).toEqual(golden.counters());
        for (let rt = 0; rt < golden.RT; rt++) for (let ct = 0; ct < golden.CT; ct++) expect(layer.tileCounters(rt, ct), `tile (${rt}, ${ct})`).toEqual(golden.tiles[ct]![rt]!.counters);
        for (const k of c.exercises) expect(layer.counters[k], `${k} exercised`).toBeGreaterThan(0);
        expect(layer.counters.active_rows).toBeGreaterThan(0);
        if (c.name.startsWith('D')) expect(layer.exactColumnTiles()).toEqual([true, true, true]);
        if (c.name.startsWith('G')) expect(layer.exactColumnTiles()).toEqual([true, false]);
        if (c.name.startsWith('A') || c.name.startsWith('B')) expect(layer.exactColumnTiles().some(Boolean)).toBe(false);
        // sums beyond i16: the SIMD engine's accumulators must have spilled to i32
        if (c.name.startsWith('H')) expect(maxAbsOut).toBeGreaterThan(32767);
        layer.dispose();
      });
    }
  }
});

describe('blocks of positions and runs of T steps', () => {
  const cases = layerCases(SEED).filter((c) => /^[ACDF]:/.test(c.name));
  for (const c of cases) {
    for (const engine of ENGINES) {
      it(`a block of 5 positions = 5 layers of one position, ${c.name.slice(0, 1)} [${engine}]`, () => {
        const P = 5;
        const block = layerOf(c.setup, engine, P);
        const singles = Array.from({ length: P }, () => layerOf(c.setup, engine, 1));
        const rng = new Rng(SEED + 17);
        const { dIn, dOut } = c.setup;
        for (let t = 0; t < 40; t++) {
          const x = new Int8Array(P * dIn);
          const restart = Array.from({ length: P }, (_, p) => (t === 0 || rng.chance(0.2) ? 1 : 0));
          for (let p = 0; p < P; p++) x.set(stepInputs(rng, c.setup.tile, dIn), p * dIn);
          const got = block.step(x, { restart });
          const out = got.spikes ?? got.psum!;
          const v = block.membranes();
          for (let p = 0; p < P; p++) {
            const one = singles[p]!.step(x.subarray(p * dIn, (p + 1) * dIn), { restart: restart[p] === 1 });
            expect(Array.from(out.subarray(p * dOut, (p + 1) * dOut)), `step ${t}, position ${p}`).toEqual(Array.from(one.spikes ?? one.psum!));
            expect(Array.from(v.subarray(p * dOut, (p + 1) * dOut))).toEqual(Array.from(singles[p]!.membranes()));
          }
        }
        // per timestep counters add up; programming the weights is counted once per layer
        for (const k of TILE_COUNTERS) expect(block.counters[k], k).toBe(k === 'weight_writes' ? singles[0]!.counters[k] : singles.reduce((a, l) => a + l.counters[k], 0));
      });
      it(`run(x, T) = T steps with a restart at step 0, ${c.name.slice(0, 1)} [${engine}]`, () => {
        const P = 3;
        const T = 7;
        const a = layerOf(c.setup, engine, P);
        const b = layerOf(c.setup, engine, P);
        const rng = new Rng(SEED + 29);
        const { dIn, dOut } = c.setup;
        for (let round = 0; round < 3; round++) {
          const x = new Int8Array(P * T * dIn);
          for (let i = 0; i < P * T; i++) x.set(stepInputs(rng, c.setup.tile, dIn), i * dIn);
          const run = a.run(x, T);
          const out = run.spikes ?? run.psum!;
          for (let t = 0; t < T; t++) {
            const xt = new Int8Array(P * dIn);
            for (let p = 0; p < P; p++) xt.set(x.subarray((p * T + t) * dIn, (p * T + t + 1) * dIn), p * dIn);
            const s = b.step(xt, { restart: t === 0 });
            const so = s.spikes ?? s.psum!;
            for (let p = 0; p < P; p++) expect(Array.from(out.subarray((p * T + t) * dOut, (p * T + t + 1) * dOut)), `round ${round} step ${t} position ${p}`).toEqual(Array.from(so.subarray(p * dOut, (p + 1) * dOut)));
          }
          expect(Array.from(a.membranes())).toEqual(Array.from(b.membranes()));
        }
        expect(a.counters).toEqual(b.counters);
      });
    }
  }
});
