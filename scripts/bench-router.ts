// Spike-router figures for npm run bench: per parameter set a co-simulation of 10^6 random cycles (RTL vs golden on
// every output, planned and compared in segments) with the delivery checker's verdicts and the latencies it saw; the
// latency of the compiler's layer bursts (golden cycle model, bit-exact with the RTL); the speed of the RTL under
// Verilator, of the golden cycle model alone, of the planner and of the functional counterpart; and Yosys iCE40
// resource counts per set (synth_ice40, then stat -json).
import { routerMesh } from '../dsl/router.js';
import { RouterTraffic } from '../src/functional/router.js';
import { RouterMeshModel } from '../src/golden/router.js';
import { ice40Cells } from '../src/tools/ice40-cells.js';
import { groups, layerRoutes, tileId, tiles } from '../src/spec/router.js';
import { Rng } from '../src/util/random.js';
import { DeliveryChecker, ROUTER_SETS, RouterCosim, RouterPlanner, randomScenario, startRouter, toPorts, type Vector } from '../testbenches/router_cosim.js';

type Put = (k: string, v: string) => void;
const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);

/**
 * The compiler's traffic on a fixed placement: layer l's column tiles are mesh row 0 (2^nb outputs each), and the
 * row tile r of layer l+1 that takes column tile r's outputs is the whole mesh row 1 + (r mod (Y - 1)) (its column
 * tiles), so every spike is multicast along a row. A burst (one timestep: each output fires with probability 0.3)
 * starts every `period` cycles; run on the golden model, which is bit-exact with the RTL.
 */
export function layerBursts(name: string, bursts: number, period: number) {
  const p = ROUTER_SETS[name]!;
  const X = p.meshX;
  const outputs = 2 ** p.neuronBits;
  const sourceTiles = Array.from({ length: X }, (_, x) => x);
  const destTiles = sourceTiles.map((r) => Array.from({ length: X }, (_, x) => tileId(p, x, 1 + (r % (p.meshY - 1)))));
  const pl = new RouterPlanner(p, new Rng(31)).reset();
  pl.setTables(layerRoutes(p, { sourceTiles, outputsPerTile: outputs, destTiles, inputsPerTile: outputs })).drain();
  const starts: number[] = [];
  for (let b = 0; b < bursts; b++) {
    starts.push(pl.vectors.length);
    for (const s of sourceTiles) for (let k = 0; k < outputs; k++) if (pl.rng.chance(0.3)) pl.queues[s]!.push({ neuron: k, timestep: b % 2 ** p.timestepBits, payload: 1 });
    pl.run(period);
  }
  pl.drain();
  const g = new RouterMeshModel(p);
  const chk = new DeliveryChecker(p);
  let lastDelivery = 0;
  pl.vectors.forEach((v, i) => {
    const o = g.outputs();
    if (i > 0) chk.observe(i, v, o);
    if (o.out_valid! & BigInt(v.out_ready!)) lastDelivery = i;
    g.edge(toPorts(v));
  });
  chk.finish();
  // cycles from the first burst to the last delivery, per burst on average (the throughput the layer gets)
  return { chk, perBurst: (lastDelivery + 1 - starts[0]!) / bursts, spikesPerBurst: chk.traffic.counts.injected / bursts };
}

export async function benchRouter(put: Put, cycles = 1_000_000): Promise<void> {
  for (const [name, p] of Object.entries(ROUTER_SETS)) {
    const seed = 20261203;
    const planner = new RouterPlanner(p, new Rng(seed));
    const dut = await startRouter(p);
    const chk = new DeliveryChecker(p);
    const cos = new RouterCosim(dut, p, `bench router ${name}`, (c, v, got) => chk.observe(c, v, got), 50_000);
    let planMs = 0;
    let kept: Vector[] = [];
    while (planner.cycle < cycles) {
      const t0 = performance.now();
      randomScenario(planner, Math.min(50_000, cycles - planner.cycle));
      const part = planner.vectors.splice(0);
      planMs += performance.now() - t0;
      if (!kept.length) kept = part; // the first segment, for the golden model alone below
      await cos.run(part);
    }
    chk.finish();
    await dut.close();
    const b = cos.scoreboard;
    put(`router ${name}: ${cos.cycles} cycles RTL vs golden (seed ${seed})`, `${b.count} mismatches in ${b.checks} checks; ${chk.delivered} deliveries: ${chk.lost} lost, ${chk.duplicates} duplicated, ${chk.reordered} out of order, ${chk.unstable} offers changed; counters = functional at ${chk.countCheckpoints} drained cycles, ${chk.counterErrors} differences`);
    put(`router ${name}: latency under the random loads, cycles (zero load: hops + 1)`, `max ${chk.maxLatency}, max queueing ${chk.maxQueueing}, mean ${(chk.latencySum / Math.max(1, chk.delivered)).toFixed(1)}`);
    const alone = new RouterMeshModel(p);
    const t1 = performance.now();
    for (const v of kept) {
      alone.outputs();
      alone.edge(toPorts(v));
    }
    const aloneMs = performance.now() - t1;
    put(`router ${name}: RTL (Verilator, streamed from Node) / golden cycle model / planner`, `${rate(cos.cycles, cos.simMs)} / ${rate(kept.length, aloneMs)} / ${rate(cos.cycles, planMs)} cycles/s (comparison + checker ${rate(cos.cycles, cos.goldenMs)})`);

    // the functional counterpart on random packets over random tables
    const f = new RouterTraffic(p);
    const rng = new Rng(seed + 1);
    for (let t = 0; t < tiles(p); t++) for (let g = 0; g < groups(p); g++) f.setEntry(t, g, Array.from({ length: tiles(p) }, (_, d) => d).filter(() => rng.chance(0.3)));
    const n = 1_000_000;
    const srcs = Int32Array.from({ length: n }, () => rng.int(0, tiles(p) - 1));
    const neurons = Int32Array.from({ length: n }, () => rng.int(0, 2 ** p.neuronBits - 1));
    const t2 = performance.now();
    f.sendAll(srcs, neurons);
    put(`router ${name}: functional counterpart`, `${rate(n, performance.now() - t2)} packets/s`);

    const c = await ice40Cells(() => routerMesh(p));
    put(`router ${name}: iCE40 (synth_ice40)`, `SB_LUT4 ${c.SB_LUT4}, SB_DFF ${c.SB_DFF}, SB_CARRY ${c.SB_CARRY}, SB_RAM40_4K ${c.SB_RAM40_4K}`);
  }

  // the compiler's traffic: one layer's spikes per timestep, a burst every `period` cycles
  for (const name of ['m4x4', 'm3x2mc', 'm2x2']) {
    for (const period of [64, 32, 16]) {
      const { chk, perBurst, spikesPerBurst } = layerBursts(name, 200, period);
      put(`router ${name}: layer bursts every ${period} cycles (row 0's tiles multicast each spike to a mesh row; ${spikesPerBurst.toFixed(1)} spikes per burst; golden model)`, `latency max ${chk.maxLatency}, max queueing ${chk.maxQueueing}, mean ${(chk.latencySum / Math.max(1, chk.delivered)).toFixed(1)}; ${perBurst.toFixed(1)} cycles per burst (first offer to last delivery / bursts: the period when the mesh keeps up); ${chk.delivered} deliveries, ${chk.lost} lost`);
    }
  }
}
