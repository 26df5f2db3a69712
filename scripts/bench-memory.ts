// Memory-hierarchy figures for npm run bench: per weight-stream parameter set, a co-simulation of 10^6 random cycles
// against the golden loader (mismatches), the speed of the RTL under Verilator, of the golden loader alone and of the
// closed-loop planner (golden loader + behavioural memory), the unstalled stream's efficiency (beats per cycle), and
// Yosys iCE40 resource counts (synth_ice40, then stat -json) of the loader, the streamed tiles and the LIF array with
// and without its state-memory counters.
import { lifArray } from '../dsl/lif_array.js';
import { streamedTile } from '../dsl/streamed_tile.js';
import { weightStreamLoader } from '../dsl/weight_stream.js';
import { loaderCounts } from '../src/functional/memory.js';
import { WeightStreamModel, type LoaderPortsIn } from '../src/golden/weight-stream.js';
import { Lockstep } from '../src/harness/lockstep.js';
import type { Module } from '../src/hdl/index.js';
import { beatsPerWord, streamCycles } from '../src/spec/memory.js';
import { ice40Cells as synthCells } from '../src/tools/ice40-cells.js';
import { Rng } from '../src/util/random.js';
import { COUNTER_SETS } from '../testbenches/lif_cosim.js';
import { STREAMED_SETS, StreamedTilePlanner, cosimStreamedTile, randomImage, randomStep, startStreamedTile, type StreamedOp } from '../testbenches/streamed_tile_cosim.js';
import { STREAM_SETS, StreamPlanner, randomStreamOps, startLoader, type Vector } from '../testbenches/weight_stream_cosim.js';

type Put = (k: string, v: string) => void;
const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);

/** iCE40 cells of one generated design (LUTs, flip-flops, carries, block RAMs); kept for the benches that import it here. */
export async function ice40Cells(build: () => Module): Promise<Record<string, number>> {
  const { all: _, ...main } = await synthCells(build);
  return main;
}
const cellText = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');

export async function benchMemory(put: Put, cycles = 1_000_000): Promise<void> {
  for (const [name, p] of Object.entries(STREAM_SETS)) {
    const seed = 20261202;
    const rng = new Rng(seed);
    const planner = new StreamPlanner(p, new Rng(seed + 1));
    const dut = await startLoader(p);
    const cos = new Lockstep(dut, `bench weight stream ${name}`, new WeightStreamModel(p), (v: Vector) => v as unknown as LoaderPortsIn, { chunk: 50_000 });
    let planMs = 0;
    let done = 0;
    // planned, simulated and compared in segments, so a million cycles of vectors are never held at once
    while (done < cycles) {
      const t0 = performance.now();
      while (planner.vectors.length < Math.min(50_000, cycles - done)) planner.apply(randomStreamOps(p, rng, 100));
      if (done + planner.vectors.length >= cycles) planner.finish();
      const part = planner.vectors.splice(0);
      planMs += performance.now() - t0;
      await cos.run(part);
      done += part.length;
    }
    const { scoreboard: board, simMs, goldenMs } = cos;
    await dut.close();
    const ends = Object.entries(planner.ends).map(([k, v]) => `${k} ${v}`).join(', ');
    put(`weight stream ${name}: ${done} cycles RTL vs golden (seed ${seed})`, `${board.count} mismatches in ${board.checks} checks; commands ended: ${ends}; ${planner.checked} checked word for word at the target`);
    // the golden loader alone, on vectors of the same kind
    const vs = new StreamPlanner(p, new Rng(seed + 2)).apply(randomStreamOps(p, new Rng(seed + 3), 2000)).finish().vectors;
    const alone = new WeightStreamModel(p);
    const t3 = performance.now();
    for (const v of vs) {
      const x = v as unknown as LoaderPortsIn;
      alone.outputs(x);
      alone.edge(x);
    }
    const aloneMs = performance.now() - t3;
    put(`weight stream ${name}: RTL (Verilator, streamed from Node) / golden loader / planner (golden + memory model)`, `${rate(done, simMs)} / ${rate(vs.length, aloneMs)} / ${rate(done, planMs)} cycles/s (comparison ${rate(done, goldenMs)})`);
    const words = p.target.regionWords[0]!;
    const c = loaderCounts(p, [{ src: 0, count: words, region: 0, base: 0, first: true }]);
    put(`weight stream ${name}: unstalled stream of region 0 (${words} words, ${beatsPerWord(p)} beats each, latency 3)`, `${streamCycles(p, words, 3)} cycles, ${(c.beats / streamCycles(p, words, 3)).toFixed(3)} beats/cycle, ${c.bursts} bursts, ${c.bits} bits`);
    put(`weight stream ${name}: iCE40 (synth_ice40)`, cellText(await ice40Cells(() => weightStreamLoader(p))));
  }

  for (const [name, p] of Object.entries(STREAMED_SETS)) {
    const rng = new Rng(77);
    const ops: StreamedOp[] = [{ kind: 'memory', timing: { latency: 5, reqStall: 0.2, dataStall: 0.2 } }];
    for (let g = 0; g < 20; g++) {
      ops.push({ kind: 'image', image: randomImage(p, rng), src: rng.int(0, 512) });
      for (let k = 0; k < 50; k++) ops.push(randomStep(p, rng));
    }
    const plan = new StreamedTilePlanner(p, new Rng(78)).apply([{ kind: 'reset' }, ...ops]).finish();
    const dut = await startStreamedTile(p);
    const r = await cosimStreamedTile(dut, p, plan.vectors, `bench streamed ${name}`);
    await dut.close();
    put(`streamed tile ${name}: 20 images x 50 timesteps, ${plan.vectors.length} cycles RTL vs golden`, `${r.scoreboard.count} mismatches in ${r.scoreboard.checks} checks, ${plan.taken.length} timesteps; RTL ${rate(plan.vectors.length, r.simMs)} cycles/s`);
    put(`streamed tile ${name}: iCE40 (synth_ice40)`, cellText(await ice40Cells(() => streamedTile(p))));
  }

  for (const [name, p] of Object.entries(COUNTER_SETS)) {
    const { counters: _, ...without } = p;
    put(`LIF ${name}: iCE40 with / without state-memory counters`, `${cellText(await ice40Cells(() => lifArray(p)))} / ${cellText(await ice40Cells(() => lifArray(without)))}`);
  }
}
