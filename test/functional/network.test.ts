// The network runner has the benchmark README's step semantics: checked against a direct TS transcription of it
// (fire on v >= theta from step t-1, integrate this step's spikes of the layer below, soft reset), spike train by
// spike train, on a small multi-tile network; and, where the benchmark folder exists, on the first tokens of W1b.
import { describe, expect, it } from 'vitest';
import { SpikingLinear, runNetwork, type EngineChoice } from '../../src/functional/index.js';
import { countsPerPosition, readSnnWorkload, snnTile } from '../../src/functional/snn-workload.js';
import { Rng, testSeed } from '../../src/util/random.js';
import { randomWeights } from './golden-chain.js';

const SEED = testSeed(20261204);
console.log(`functional network tests: seed ${SEED} (SEED=n replays)`);

/**
 * The README, line by line: for each token, v = 0; for t: s[0] = X[k, t]; s[l] = v[l] >= theta; v[l] += sum of
 * W[l] rows of s[l-1]; v[l] -= theta * s[l]. Returns s[l] for l = 1..L as [token][t][n_l].
 */
function readmeNetwork(weights: ArrayLike<number>[], layers: number[], X: ArrayLike<number>, tokens: number, T: number, theta: number): Int8Array[] {
  const L = layers.length - 1;
  const out = layers.slice(1).map((n) => new Int8Array(tokens * T * n));
  for (let k = 0; k < tokens; k++) {
    const v = layers.map((n) => new Float64Array(n));
    for (let t = 0; t < T; t++) {
      const s: Uint8Array[] = [Uint8Array.from({ length: layers[0]! }, (_, i) => X[(k * T + t) * layers[0]! + i]!)];
      for (let l = 1; l <= L; l++) s.push(Uint8Array.from(v[l]!, (x) => (x >= theta ? 1 : 0)));
      for (let l = 1; l <= L; l++) {
        const n = layers[l]!;
        for (let i = 0; i < layers[l - 1]!; i++) if (s[l - 1]![i]) for (let j = 0; j < n; j++) v[l]![j]! += weights[l - 1]![i * n + j]!;
        for (let j = 0; j < n; j++) v[l]![j]! -= theta * s[l]![j]!;
        out[l - 1]!.set(s[l]!, (k * T + t) * n);
      }
    }
  }
  return out;
}

describe('network runner = the benchmark step semantics', () => {
  for (const engine of ['ts', 'wasm'] as EngineChoice[]) {
    it(`a 256-96-80-64 network on 64 x 64 tiles, 8 tokens of 8 steps [${engine}]`, () => {
      const rng = new Rng(SEED);
      const layers = [256, 96, 80, 64];
      const T = 8;
      const tokens = 8;
      const theta = 64;
      const weights = layers.slice(1).map((n, l) => randomWeights(rng, layers[l]! * n, 7, 0.2, 0.75));
      const X = Uint8Array.from({ length: tokens * T * layers[0]! }, () => (rng.chance(0.1) ? 1 : 0));
      const workload = { name: 'tiny', layers, T, tokens, theta, wLo: -7, wHi: 7, weights: [], inputs: X };
      const net = weights.map((w, l) => new SpikingLinear({ tile: snnTile(workload, l + 1, 64), dIn: layers[l]!, dOut: layers[l + 1]!, weights: w, positions: tokens, threshold: theta, engine }));
      expect(net.map((l) => l.grid.RT * l.grid.CT)).toEqual([4 * 2, 2 * 2, 2 * 1]);
      const r = runNetwork(net, X, T);
      const want = readmeNetwork(weights, layers, X, tokens, T, theta);
      for (let l = 0; l < 3; l++) {
        expect(Array.from(r.sent[l]!), `layer ${l + 1} spike trains`).toEqual(Array.from(want[l]!));
        expect(want[l]!.reduce((a, b) => a + b, 0), `layer ${l + 1} fires`).toBeGreaterThan(50);
        // events: every column tile reads the rows of the spikes the layer below sent
        const below: ArrayLike<number> = l === 0 ? X : want[l - 1]!;
        expect(r.events[l]!.active_rows).toBe(net[l]!.grid.CT * Array.from(below).reduce((a, b) => a + b, 0));
      }
      // on the SIMD engine a layer reads the spikes of the layer below where they lie (no copies)
      expect(net[1]!.runOnSpikesOf(net[0]!, T) !== undefined).toBe(engine === 'wasm');
      // what a layer fires at its last step is never sent (the README has no step T)
      expect(r.fired[2]!.some((s, i) => s !== 0 && Math.floor(i / 64) % T === T - 1)).toBe(true);
    });
  }

  const W1b = readSnnWorkload('W1b');
  it.skipIf(!W1b)('the first 3 tokens of W1b (benchmark folder present)', () => {
    const w = W1b!;
    const tokens = 3;
    const X = w.inputs.subarray(0, tokens * w.T * w.layers[0]!);
    const want = readmeNetwork(w.weights, w.layers, X, tokens, w.T, w.theta);
    const net = w.weights.map((wl, l) => new SpikingLinear({ tile: snnTile(w, l + 1, 1024), dIn: w.layers[l]!, dOut: w.layers[l + 1]!, weights: wl, positions: tokens, threshold: w.theta }));
    const r = runNetwork(net, X, w.T);
    for (let l = 0; l < w.layers.length - 1; l++) {
      const n = w.layers[l + 1]!;
      expect(Array.from(countsPerPosition(r.sent[l]!, tokens, w.T, n)), `layer ${l + 1} counts`).toEqual(Array.from(countsPerPosition(want[l]!, tokens, w.T, n)));
      expect(want[l]!.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    }
    net.forEach((l) => l.dispose());
  });
});
