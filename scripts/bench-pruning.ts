// Pruning controller figures for npm run bench: co-simulation of 10^6 random cycles per parameter set (mismatches),
// the speed of each model of the controller (RTL under Verilator, golden cycle model, golden token-level model,
// functional model), and Yosys iCE40 resource counts per parameter set (synth_ice40, then stat -json).
import { pruningController, type PruningParams } from '../dsl/pruning.js';
import { PruningFunctional } from '../src/functional/pruning.js';
import { PruningController } from '../src/golden/pruning.js';
import { PruningCycleModel } from '../src/golden/pruning-cycle.js';
import { cellText, ice40Cells } from '../src/tools/ice40-cells.js';
import { maskLatency } from '../src/spec/pruning.js';
import { Rng } from '../src/util/random.js';
import { PRUNE_SETS, cosimPruning, fromVector, randomVectors, startPruning } from '../testbenches/pruning_cosim.js';

type Put = (k: string, v: string) => void;
const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);

/** Token workload for the timestep-level models: T timesteps per token, rows and columns active at mixed rates. */
function tokenWorkload(p: PruningParams, tokens: number, T: number, seed: number): { x: Int32Array; y: Int32Array }[] {
  const rng = new Rng(seed);
  const rowRate = Array.from({ length: p.rows }, () => [0, 0.05, 0.3, 0.9][rng.int(0, 3)]!);
  return Array.from({ length: tokens }, () => ({
    x: Int32Array.from({ length: T * p.rows }, (_, i) => (rng.chance(rowRate[i % p.rows]!) ? 1 : 0)),
    y: Int32Array.from({ length: T * p.cols }, () => (rng.chance(0.3) ? 1 : 0)),
  }));
}

export async function benchPruning(put: Put, cycles = 1_000_000): Promise<void> {
  for (const [name, p] of Object.entries(PRUNE_SETS)) {
    const seed = 20261202;
    const vectors = randomVectors(p, cycles, new Rng(seed));
    const dut = await startPruning(p);
    const r = await cosimPruning(dut, p, vectors, `bench pruning ${name}`, 50_000);
    await dut.close();
    put(`pruning ${name}: ${r.cycles} cycles RTL vs golden (seed ${seed})`, `${r.scoreboard.count} mismatches in ${r.scoreboard.checks} checks, ${r.windows} windows, ${r.flips} row flips`);
    // the cycle model alone on the same vectors (the co-simulation's golden time includes the comparisons)
    const model = new PruningCycleModel(p);
    const t0 = performance.now();
    for (const v of vectors) {
      model.outputs();
      model.edge(fromVector(v));
    }
    const cycleMs = performance.now() - t0;
    put(`pruning ${name}: RTL (Verilator, streamed from Node) / golden cycle model`, `${rate(r.cycles, r.simMs)} / ${rate(r.cycles, cycleMs)} cycles/s`);

    const T = 4;
    const work = tokenWorkload(p, 20_000, T, seed);
    const g = new PruningController(p);
    const t1 = performance.now();
    for (const { x, y } of work) {
      for (let t = 0; t < T; t++) g.timestep(x.subarray(t * p.rows, (t + 1) * p.rows), y.subarray(t * p.cols, (t + 1) * p.cols));
      g.endToken();
    }
    const goldenMs = performance.now() - t1;
    const f = new PruningFunctional(p);
    const t2 = performance.now();
    for (const { x, y } of work) f.token(x, y, T);
    const funcMs = performance.now() - t2;
    const same = JSON.stringify(f.counters) === JSON.stringify(g.counters);
    put(`pruning ${name}: golden token model / functional model (T = ${T})`, `${rate(work.length * T, goldenMs)} / ${rate(work.length * T, funcMs)} timesteps/s, counters ${same ? 'equal' : 'DIFFER'}`);

    put(`pruning ${name}: iCE40 (synth_ice40), mask latency ${maskLatency(p)} cycles`, cellText(await ice40Cells(() => pruningController(p))));
  }
}
