// Crossbar tile figures for npm run bench: co-simulation of 10^6 random cycles per parameter set (mismatches), and
// what each model of the tile costs on the same single-tile workload: the golden cycle model, the golden timestep
// model and the Verilator-simulated RTL, in cycles/s and synaptic events/s (an event = one active row driving one
// column: active_rows x cols).
import { crossbarTile } from '../dsl/crossbar.js';
import { CrossbarTile } from '../src/golden/crossbar.js';
import { cellText, ice40Cells } from '../src/tools/ice40-cells.js';
import { CrossbarTileCycleModel } from '../src/golden/crossbar-cycle.js';
import { Rng } from '../src/util/random.js';
import { XBAR_SETS, cosimTile, planVectors, randomOps, startTile, type TileOp } from '../testbenches/crossbar_cosim.js';

type Put = (k: string, v: string) => void;

export async function benchCrossbar(put: Put, cycles = 1_000_000): Promise<void> {
  for (const [name, p] of Object.entries(XBAR_SETS)) {
    const seed = 20261201;
    const rng = new Rng(seed);
    let ops: TileOp[] = [];
    let vectors = planVectors(p, ops);
    while (vectors.length < cycles) {
      ops = ops.concat(randomOps(p, rng, Math.ceil(((cycles - vectors.length) / Math.max(vectors.length, 1)) * ops.length) + 2000));
      vectors = planVectors(p, ops);
    }
    const dut = await startTile(p);
    const r = await cosimTile(dut, p, vectors, `bench crossbar ${name}`, 50_000);
    await dut.close();
    put(`crossbar ${name}: ${r.cycles} cycles RTL vs golden (seed ${seed})`, `${r.scoreboard.count} mismatches in ${r.scoreboard.checks} checks, ${r.timesteps} timesteps`);
    // synaptic events of the run, from the golden timestep model on the same timesteps
    const steps = ops.filter((o): o is TileOp & { kind: 'step' } => o.kind === 'step');
    const t = new CrossbarTile(p);
    const t0 = performance.now();
    for (const s of steps) t.step(s.spikes, s.psum, s.restart);
    const stepMs = performance.now() - t0;
    const events = t.counters.active_rows * p.cols;
    // the cycle model alone on the same vectors (the co-simulation's golden time includes the comparisons)
    const model = new CrossbarTileCycleModel(p);
    const t1 = performance.now();
    for (const v of vectors) {
      model.outputs();
      model.edge({ rst: Number(v.rst), cfg_we: Number(v.cfg_we), cfg_addr: Number(v.cfg_addr), cfg_data: BigInt(v.cfg_data!), in_valid: Number(v.in_valid), in_spikes: BigInt(v.in_spikes!), in_psum: BigInt(v.in_psum!), in_restart: Number(v.in_restart ?? 0) });
    }
    const cycleMs = performance.now() - t1;
    const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);
    put(`crossbar ${name}: RTL (Verilator, streamed from Node) / golden cycle model`, `${rate(r.cycles, r.simMs)} / ${rate(r.cycles, cycleMs)} cycles/s`);
    put(`crossbar ${name}: iCE40 (synth_ice40)`, cellText(await ice40Cells(() => crossbarTile(p))));
    put(`crossbar ${name}: syn. events/s RTL / cycle model / timestep model`, `${rate(events, r.simMs)} / ${rate(events, cycleMs)} / ${rate(events, stepMs)} (${steps.length} timesteps)`);
  }
}
