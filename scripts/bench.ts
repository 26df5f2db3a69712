// npm run bench [-- --only hdl|harness|lif|lm] — prints figures (medians where repeated). Not a test: no asserts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultChip } from '../dsl/chip.js';
import { elaborate } from '../src/hdl/index.js';
import { writeDesignAtomically } from '../src/hdl/backend/write.js';
import { lintDesign } from '../src/tools/lint.js';
import { parseCli, runCli } from '../src/cli/args.js';

const USAGE = 'npm run bench [-- --only hdl,harness,lif,lm,snn,xbar,attention,pruning,memory,router,compiler,chip]';
const OPTIONS = `Prints measured figures (medians where repeated): elaboration and lint, harness cycles/s, Verilator builds,
LIF co-simulation, golden model, matmul and dense-forward speed, the spiking benchmark workloads, each chip module's
10^6-cycle co-simulation, model speeds and iCE40 resources, the compiled model's evaluation speed, and the whole
reference model on the simulated chip top (RTL in the loop: cycles per token). Not a test: nothing is asserted.
  --only LIST   comma-separated sections: hdl, harness, lif, lm, snn, xbar, attention, pruning, memory, router,
                compiler, chip
                (default: all)
  -h, --help    this text`;
let values: { only?: string } = {};
await runCli(USAGE, () => {
  values = parseCli({ options: { only: { type: 'string' } } }).values;
}, OPTIONS);
const want = (s: string) => !values.only || values.only.split(',').includes(s);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, string][] = [];
const put = (k: string, v: string) => {
  rows.push([k, v]);
  console.log(`${k.padEnd(58)} ${v}`);
};

async function hdl(): Promise<void> {
  let t = performance.now();
  const d = elaborate(defaultChip);
  put('elaborate default chip, cold (first in process)', `${(performance.now() - t).toFixed(1)} ms`);
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now();
    elaborate(defaultChip);
    warm.push(performance.now() - t);
  }
  put('elaborate default chip, warm (median of 20)', `${median(warm).toFixed(1)} ms`);
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-bench-')), 'gen');
  await writeDesignAtomically(d, dir);
  for (let round = 0; round < 3; round++) {
    const res = await lintDesign(dir, { cache: false }); // the tools' own time, not the lint cache's
    for (const r of res) put(`lint ${r.module} (run ${round + 1}): yosys / verilator`, `${r.yosysMs.toFixed(0)} / ${r.verilatorMs.toFixed(0)} ms`);
  }
  rmSync(path.dirname(dir), { recursive: true });
}

async function harness(): Promise<void> {
  // a fresh, empty build cache, so the first build is really cold (set before the harness modules load)
  const cache = mkdtempSync(path.join(os.tmpdir(), 'nllm-cache-'));
  process.env.NLLM_SIM_CACHE = cache;
  const { Module, UInt, Bool } = await import('../src/hdl/index.js');
  const { buildSim } = await import('../src/harness/build.js');
  const { Dut, Clock, RisingEdge, startSoon } = await import('../src/harness/cocotb.js');
  const counter = () => {
    const m = new Module('bench_counter');
    const en = m.input('en', Bool);
    const c = m.reg('count', UInt(32), { reset: 0, enable: en });
    c.assign(c.addWrap(1));
    m.output('q', UInt(32)).assign(c);
    return m;
  };
  const d = elaborate(counter);
  const cold = await buildSim(d);
  put(`verilator build, ${cold.built ? 'cold' : 'cached (cache not empty!)'}`, `${(cold.buildMs / 1000).toFixed(2)} s`);
  const cached = await buildSim(d);
  put('verilator build, cached', `${cached.buildMs.toFixed(0)} ms`);
  const dut = await Dut.start<'clk' | 'rst' | 'en' | 'q'>(d);
  await startSoon(new Clock(dut.clk, 10).start());
  dut.rst.value = 0;
  dut.en.value = 1;
  for (let i = 0; i < 5_000; i++) await RisingEdge(dut.clk); // JIT warm-up
  const N = 60_000;
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    dut.en.value = 1;
    await RisingEdge(dut.clk);
    void dut.q.value;
  }
  let s = (performance.now() - t) / 1000;
  put('harness interactive: poke + RisingEdge + peek per cycle', `${(N / s / 1000).toFixed(1)} k cycles/s`);
  const B = 20_000_000;
  t = performance.now();
  await dut.step(B);
  s = (performance.now() - t) / 1000;
  put(`harness batched: step(${B / 1e6}M) in one request`, `${(B / s / 1e6).toFixed(2)} M cycles/s`);
  const vecs = Array.from({ length: 200_000 }, (_, i) => ({ en: i % 3 ? 1 : 0 }));
  t = performance.now();
  await dut.stream(vecs);
  s = (performance.now() - t) / 1000;
  put('harness streaming: one input vector + all outputs per cycle', `${(vecs.length / s / 1000).toFixed(0)} k cycles/s`);
  await dut.close();
  rmSync(cache, { recursive: true, force: true });
  delete process.env.NLLM_SIM_CACHE;
}

async function lif(): Promise<void> {
  const { PARAM_SETS, withArch, cosim, randomVectors, startLif } = await import('../testbenches/lif_cosim.js');
  const { Rng } = await import('../src/util/random.js');
  const { LifNeurons } = await import('../src/golden/lif.js');
  for (const arch of ['timemux', 'parallel'] as const) {
    const p = withArch(PARAM_SETS.medium!, arch);
    const dut = await startLif(p);
    const N = 1_000_000;
    const seed = 20261129;
    const r = await cosim(dut, p, randomVectors(p, new Rng(seed), N), `bench medium/${arch}`, 50_000);
    put(`LIF medium/${arch}: ${N} cycles RTL vs golden (seed ${seed})`, `${r.scoreboard.count} mismatches in ${r.scoreboard.checks} checks`);
    put(`LIF medium/${arch}: RTL stream / golden cycle model`, `${(N / (r.simMs / 1000) / 1000).toFixed(0)} k / ${(N / (r.goldenMs / 1000) / 1000).toFixed(0)} k cycles/s`);
    await dut.close();
  }
  const g = new LifNeurons({ ...PARAM_SETS.medium!, neurons: 4096 });
  const cur = Int32Array.from({ length: 4096 }, (_, i) => (i * 37) % 300 - 100);
  const out = new Int32Array(4096);
  const steps = 500;
  const t = performance.now();
  for (let s = 0; s < steps; s++) g.stepAll(cur, 200, 3, out);
  const sec = (performance.now() - t) / 1000;
  put('golden LIF vectorized (4096 neurons x 500 steps)', `${((4096 * steps) / sec / 1e6).toFixed(1)} M neuron-updates/s`);
}

if (want('hdl')) await hdl();
if (want('harness')) await harness();
if (want('lif')) await lif();
// each module's bench lives beside its co-simulation; loaded only when its section runs
const SECTIONS: Record<string, () => Promise<void>> = {
  lm: async () => (await import('./bench-lm.js')).benchLm(put),
  snn: async () => (await import('./bench-snn.js')).snnBench(put),
  xbar: async () => (await import('./bench-xbar.js')).benchCrossbar(put),
  attention: async () => (await import('./bench-attention.js')).benchAttention(put),
  pruning: async () => (await import('./bench-pruning.js')).benchPruning(put),
  memory: async () => (await import('./bench-memory.js')).benchMemory(put),
  router: async () => (await import('./bench-router.js')).benchRouter(put),
  compiler: async () => (await import('./bench-compiler.js')).benchCompiler(put),
  chip: async () => (await import('./bench-chip.js')).benchChip(put),
};
for (const [name, run] of Object.entries(SECTIONS)) if (want(name)) await run();
