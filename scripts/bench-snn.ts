// SNN figures for npm run bench (--only snn): the chip functional model on the benchmark workloads W1b and W2
// (README.md of the benchmark folder: data, exact step semantics, other simulators' figures), timed beside a plain
// numpy event-driven loop (scripts/bench_snn_numpy.py) in the same run, since machines differ. Time = the
// simulation of all tokens with weights and inputs loaded, median of several runs; synaptic events as the README
// defines them. Also what bounds the speed: the run's split into kernels, and the layer kernel beside a loop that
// only reads the same weight bytes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SpikingLinear, runNetwork, setFunctionalThreads, type NetworkRun } from '../src/functional/index.js';
import { countsPerPosition, readSnnWorkload, snnChecksums, snnDataDir, snnTile, type SnnChecksums, type SnnWorkload } from '../src/functional/snn-workload.js';
import { kernelTimes } from '../src/functional/wasm/kernels.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { defaultThreads } from '../src/lm/wasm/pool.js';

type Put = (k: string, v: string) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)} ms over ${xs.length} runs`;
const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);

/** Synaptic events (README): sum over layers l of (spikes of layer l-1) x n[l]; neuron updates: neurons x T x tokens. */
function workOf(w: SnnWorkload, c: SnnChecksums): { events: number; updates: number } {
  let events = 0;
  for (let l = 1; l < w.layers.length; l++) events += c.layer_spikes_total[l - 1]! * w.layers[l]!;
  const neurons = w.layers.slice(1).reduce((a, b) => a + b, 0);
  return { events, updates: neurons * w.T * w.tokens };
}

/** The README's checksums of a functional-model run (computed outside the timed simulation). */
function checksumsOf(w: SnnWorkload, r: NetworkRun): SnnChecksums {
  const counts = [countsPerPosition(w.inputs, w.tokens, w.T, w.layers[0]!), ...r.sent.map((s, l) => countsPerPosition(s, w.tokens, w.T, w.layers[l + 1]!))];
  return snnChecksums(counts, w.layers, w.tokens);
}

function numpyAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

function numpyRuns(dir: string, runs: number): { times: number[]; checksums: SnnChecksums; version: string } {
  const r = spawnSync('python3', [path.join(PROJECT_ROOT, 'scripts', 'bench_snn_numpy.py'), dir, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench_snn_numpy.py failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { times: number[]; checksums: SnnChecksums; numpy: string };
  return { times: j.times.map((s) => s * 1000), checksums: j.checksums, version: j.numpy };
}

const sameChecksums = (a: SnnChecksums, b: SnnChecksums) => JSON.stringify(a) === JSON.stringify(b);

function putChecksums(put: Put, label: string, c: SnnChecksums): void {
  put(`${label} total_output_spikes`, String(c.total_output_spikes));
  put(`${label} layer_spikes_total`, c.layer_spikes_total.join(', '));
  put(`${label} output_spikes_per_token_sha256`, c.output_spikes_per_token_sha256);
  c.layer_spike_counts_sha256.forEach((h, l) => put(`${label} layer_spike_counts_sha256[${l + 1}]`, h));
}

async function workload(put: Put, name: string, tileSizes: number[], rounds: number, runsPerRound: number): Promise<void> {
  const dir = snnDataDir();
  const w = readSnnWorkload(name, dir);
  if (!w) {
    put(`snn ${name}`, `skipped: no benchmark data in ${path.join(dir, name)} (a user's clone has none; NLLM_SNN_DATA names another folder)`);
    return;
  }
  const all = defaultThreads();
  const haveNumpy = numpyAvailable();
  if (!haveNumpy) put(`snn ${name} numpy`, 'skipped: python3 with numpy not found (Debian: apt-get install -y python3-numpy)');
  for (const size of tileSizes) {
    const layers = w.weights.map((wl, l) => new SpikingLinear({ tile: snnTile(w, l + 1, size), dIn: w.layers[l]!, dOut: w.layers[l + 1]!, weights: wl, positions: w.tokens, threshold: w.theta }));
    const tiles = layers.reduce((a, l) => a + l.grid.RT * l.grid.CT, 0);
    const label = `snn ${name} (${w.layers.join('-')}, T ${w.T}, ${w.tokens} tokens) on ${size}x${size} tiles (${tiles} tiles, ${layers[0]!.engine})`;
    put(label, `exact chains: ${layers.every((l) => l.exactColumnTiles().every(Boolean)) ? 'all column tiles' : 'not all'}`);
    // rounds interleave the functional model (1 thread, all threads) with numpy, so load changes hit all of them
    const times: Record<string, number[]> = { one: [], all: [], numpy: [] };
    let fc: SnnChecksums | undefined;
    let nc: { checksums: SnnChecksums; version: string } | undefined;
    for (let round = 0; round < rounds; round++) {
      for (const [key, threads] of [['one', 1], ['all', all]] as const) {
        if (key === 'all' && all === 1) continue;
        await setFunctionalThreads(threads);
        fc = checksumsOf(w, runNetwork(layers, w.inputs, w.T)); // warm-up, and the checksums
        for (let r = 0; r < runsPerRound; r++) {
          const t0 = performance.now();
          const run = runNetwork(layers, w.inputs, w.T);
          times[key]!.push(performance.now() - t0);
          if (r === runsPerRound - 1 && !sameChecksums(checksumsOf(w, run), fc)) throw new Error(`snn ${name}: two runs of the functional model differ`);
        }
      }
      if (haveNumpy && size === tileSizes[0]) {
        const n = numpyRuns(path.join(dir, name), Math.max(2, Math.ceil(runsPerRound / 2)));
        times.numpy!.push(...n.times);
        nc = n;
      }
    }
    const { events, updates } = workOf(w, fc!);
    const tOne = median(times.one!);
    put(`${label}: 1 thread`, `${rate(events, tOne)} syn events/s, ${rate(updates, tOne)} neuron updates/s (median ${tOne.toFixed(1)} ms; ${spread(times.one!)})`);
    if (all > 1) {
      const tAll = median(times.all!);
      put(`${label}: ${all} threads`, `${rate(events, tAll)} syn events/s, ${rate(updates, tAll)} neuron updates/s (median ${tAll.toFixed(1)} ms; ${spread(times.all!)})`);
    }
    put(`${label}: work`, `${events.toExponential(3)} synaptic events, ${updates.toExponential(3)} neuron updates`);
    if (nc) {
      const tNp = median(times.numpy!);
      put(`snn ${name} numpy ${nc.version} event-driven loop (W[s].sum int32), 1 thread`, `${rate(events, tNp)} syn events/s (median ${tNp.toFixed(1)} ms; ${spread(times.numpy!)})`);
      put(`snn ${name} functional model / numpy, same run`, `${(tNp / tOne).toFixed(2)}x on 1 thread${all > 1 ? `, ${(tNp / median(times.all!)).toFixed(2)}x on ${all}` : ''}`);
      put(`snn ${name} checksums functional model vs numpy`, sameChecksums(fc!, nc.checksums) ? 'MATCH' : '*** MISMATCH ***');
      if (!sameChecksums(fc!, nc.checksums)) putChecksums(put, `snn ${name} numpy`, nc.checksums);
    }
    if (size === tileSizes[0]) putChecksums(put, `snn ${name}`, fc!);
    await breakdown(put, `snn ${name} ${size}x${size}`, w, layers, events);
    layers.forEach((l) => l.dispose());
  }
  await setFunctionalThreads(all);
}

/** One thread: the run's time per kernel, and the layer kernel beside a loop reading the same weight bytes only. */
async function breakdown(put: Put, label: string, w: SnnWorkload, layers: SpikingLinear[], events: number): Promise<void> {
  await setFunctionalThreads(1);
  const total: number[] = [];
  const scan: number[] = [];
  const layer: number[] = [];
  const reads: number[] = [];
  for (let r = 0; r < 7; r++) {
    kernelTimes.ms = { scan: 0, layer: 0, touch: 0 };
    kernelTimes.on = true;
    const t0 = performance.now();
    runNetwork(layers, w.inputs, w.T);
    total.push(performance.now() - t0);
    scan.push(kernelTimes.ms.scan);
    layer.push(kernelTimes.ms.layer);
    let touch = 0;
    for (const l of layers) {
      const t1 = kernelTimes.ms.touch;
      l.replayReads(); // each layer keeps the lists of its last call: those of the run above
      touch += kernelTimes.ms.touch - t1;
    }
    reads.push(touch);
    kernelTimes.on = false;
  }
  const [t, s, k, rd] = [median(total), median(scan), median(layer), median(reads)];
  put(`${label} 1 thread: run split`, `scan (active-row lists) ${s.toFixed(1)} ms, layer kernel (sums + neurons) ${k.toFixed(1)} ms, the rest (copies in and out, counters) ${(t - s - k).toFixed(1)} ms of ${t.toFixed(1)} ms`);
  put(`${label} 1 thread: reading the same weight bytes, no arithmetic`, `${rd.toFixed(1)} ms = ${rate(events, rd)} events/s (bytes/s: 1 byte per event); the layer kernel reaches ${((rd / k) * 100).toFixed(0)} % of it`);
}

export async function snnBench(put: Put): Promise<void> {
  await workload(put, 'W1b', [1024, 256], 3, 4);
  await workload(put, 'W2', [1024], 3, 4);
}
