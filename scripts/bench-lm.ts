// LM figures for npm run bench: matmul GFLOP/s (JS and SIMD kernels), dense tokens/s of the reference models
// and of a GPT-2-small-sized model (124M, random weights, exported and loaded back: speed only, not quality).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportGpt2 } from '../src/lm/formats/gpt2-export.js';
import { ParamSet, initParams } from '../src/lm/train/gpt2.js';
import { forceKernel, matmulABt } from '../src/lm/kernels.js';
import { matmulPrepared, matmulThreads, prepareWeight, releaseWeight, setMatmulThreads } from '../src/lm/wasm/matmul.js';
import { loadModel } from '../src/lm/load.js';
import { paramCount, type DenseLM } from '../src/lm/model.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { Rng } from '../src/util/random.js';

type Put = (k: string, v: string) => void;

async function gflops(put: Put, threads: number): Promise<void> {
  const runs: ['js' | 'wasm', number][] = [['js', 1], ['wasm', 1], ...(threads > 1 ? [['wasm', threads] as ['wasm', number]] : [])];
  for (const [kernel, t] of runs) {
    forceKernel(kernel);
    await setMatmulThreads(t);
    for (const [M, K, N] of [[1024, 768, 768], [1, 768, 3072]] as const) {
      const A = new Float32Array(M * K).fill(0.5);
      const B = Float32Array.from({ length: N * K }, (_, i) => (i % 7) * 0.1);
      const C = new Float32Array(M * N);
      // inference runs the SIMD kernel on weights prepared once (held transposed in wasm memory)
      const w = kernel === 'wasm' ? prepareWeight(B, N, K) : undefined;
      const run = () => (w ? matmulPrepared(C, A, M, w) : matmulABt(C, A, B, M, K, N));
      run();
      const reps = Math.max(2, Math.round(2e9 / (2 * M * N * K)));
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) run();
      const s = (performance.now() - t0) / 1000;
      put(`matmul ${kernel}${w ? `, prepared weight, ${t} thread${t > 1 ? 's' : ''}` : ''} ${M}x${K} @ (${N}x${K})^T`, `${((2 * M * N * K * reps) / s / 1e9).toFixed(2)} GFLOP/s`);
      if (w) releaseWeight(w);
    }
  }
  forceKernel('auto');
  await setMatmulThreads(threads);
}

function speed(put: Put, name: string, lm: DenseLM, ctx: number): void {
  const prompt = Array.from({ length: Math.min(ctx, 64) }, (_, i) => (i * 31) % lm.config.vocabSize);
  // warm-up: prepares weights and lets the JIT settle on the decode path, which the first model would otherwise pay for
  const warm = lm.newCache(48);
  lm.forward(prompt.slice(0, 8), warm);
  for (let i = 0; i < 32; i++) lm.forward([i % lm.config.vocabSize], warm, true);
  let t = performance.now();
  const cache = lm.newCache(prompt.length + 64);
  lm.forward(prompt, cache);
  const prefill = prompt.length / ((performance.now() - t) / 1000);
  const steps = 32;
  t = performance.now();
  let tok = 1;
  for (let i = 0; i < steps; i++) {
    const l = lm.forward([tok], cache, true);
    tok = l.indexOf(Math.max(...l));
  }
  const decode = steps / ((performance.now() - t) / 1000);
  put(`dense ${name}: prefill ${prompt.length} / decode (batch 1)`, `${prefill.toFixed(0)} / ${decode.toFixed(1)} tokens/s`);
}

/** A GPT-2-small-sized model (124M) with random weights (GPT-2's N(0, 0.02) init), written by our exporter and read
 *  back by loadModel: the load is timed, and the loaded model serves the speed rows (speed only, not quality). */
function gpt2SmallRandom(put: Put, rng: Rng): DenseLM {
  const p = new ParamSet({ vocabSize: 50257, maxSeq: 1024, nLayers: 12, nHeads: 12, dModel: 768, dFF: 3072, activation: 'gelu' });
  initParams(p, () => rng.next());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-bench-load-'));
  try {
    exportGpt2(p, dir);
    const mb = statSync(path.join(dir, 'model.safetensors')).size / 1e6;
    const t0 = performance.now();
    const { lm } = loadModel(dir);
    const s = (performance.now() - t0) / 1000;
    put(`load GPT-2-small-sized HF checkpoint (${mb.toFixed(0)} MB float32 safetensors, in page cache) into the dense model`, `${s.toFixed(2)} s (${(mb / s).toFixed(0)} MB/s)`);
    return lm;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchLm(put: Put): Promise<void> {
  const threads = matmulThreads(); // NLLM_THREADS, else the available cores
  await gflops(put, threads);
  for (const m of ['sotu-gelu', 'sotu-relu']) {
    const dir = path.join(PROJECT_ROOT, 'models', m);
    if (!existsSync(path.join(dir, 'config.json'))) {
      put(`dense ${m}`, 'not trained yet (models/ missing)');
      continue;
    }
    const { lm } = loadModel(dir);
    speed(put, `${m} (${(paramCount(lm.config) / 1e6).toFixed(2)}M)`, lm, lm.config.maxSeq);
    lm.release();
  }
  const fixture = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'llama2c', 'stories260K.bin');
  if (existsSync(fixture)) {
    const { lm } = loadModel(fixture);
    speed(put, 'stories260K (llama2.c, 0.26M)', lm, 512);
    lm.release();
  }
  const big = gpt2SmallRandom(put, new Rng(124));
  for (const t of threads > 1 ? [1, threads] : [1]) {
    await setMatmulThreads(t);
    speed(put, `GPT-2-small-sized, random weights (${(paramCount(big.config) / 1e6).toFixed(1)}M), ${t} thread${t > 1 ? 's' : ''}`, big, 1024);
  }
  await setMatmulThreads(threads);
  // one full 1024-token window, as a perplexity evaluation at GPT-2's context runs it
  const window = Array.from({ length: 1024 }, (_, i) => (i * 31) % big.config.vocabSize);
  const t0 = performance.now();
  big.forward(window, big.newCache(1024));
  const s = (performance.now() - t0) / 1000;
  put(`dense GPT-2-small-sized, one 1024-token window (all logits), ${threads} thread${threads > 1 ? 's' : ''}`, `${s.toFixed(1)} s, ${(1024 / s).toFixed(0)} tokens/s`);
}
