// The CPU dense baseline measured here: decode tokens/s of the TS dense forward (batch 1, KV cache), on this
// machine's cores. No energy: this machine exposes no power counter (no RAPL under /sys/class/powercap), so J/token
// is reported as not measured rather than guessed from a TDP.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { DenseLM, type LmConfig, type LmWeights } from '../lm/model.js';
import { Rng } from '../util/random.js';
import { matmulThreads } from '../lm/wasm/matmul.js';

export interface CpuMeasurement {
  tokensPerSecond: number;
  steps: number;
  threads: number;
  cpu: string;
  /** why there is no J/token */
  energy: string;
}

export function powerCounter(): string | undefined {
  return existsSync('/sys/class/powercap/intel-rapl:0/energy_uj') ? '/sys/class/powercap/intel-rapl:0/energy_uj' : undefined;
}

/** Decode tokens/s after a prompt of 32 tokens and a warm-up (weights prepared, JIT settled): measured. */
export function measureCpuDecode(lm: DenseLM, steps = 64): CpuMeasurement {
  const V = lm.config.vocabSize;
  const prompt = Array.from({ length: 32 }, (_, i) => (i * 31) % V);
  const warm = lm.newCache(prompt.length + 16);
  lm.forward(prompt, warm);
  for (let i = 0; i < 8; i++) lm.forward([i % V], warm, true);
  const cache = lm.newCache(prompt.length + steps + 1);
  lm.forward(prompt, cache);
  let tok = 1;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const l = lm.forward([tok], cache, true);
    let best = 0;
    for (let j = 1; j < l.length; j++) if (l[j]! > l[best]!) best = j;
    tok = best;
  }
  const s = (performance.now() - t0) / 1000;
  return {
    tokensPerSecond: steps / s,
    steps,
    threads: matmulThreads(),
    cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`,
    energy: powerCounter() ? 'a RAPL counter exists but is not read yet' : 'not measured: no CPU energy counter on this machine (/sys/class/powercap absent)',
  };
}

/** A dense model of `c`'s exact shapes with random weights (N(0, 0.02)-like, uniform here): for speed only. */
export function randomDense(c: LmConfig, seed = 1): DenseLM {
  const rng = new Rng(seed);
  const t = (n: number) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 0.04);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const kv = c.nKvHeads * (c.dModel / c.nHeads);
  const lin = (dIn: number, dOut: number) => ({ w: t(dIn * dOut), b: c.family === 'llama' ? undefined : new Float32Array(dOut) });
  const norm = () => ({ w: ones(c.dModel), b: c.norm === 'layernorm' ? new Float32Array(c.dModel) : undefined });
  const tokEmb = t(c.vocabSize * c.dModel);
  const weights: LmWeights = {
    tokEmb,
    posEmb: c.positions === 'learned' ? t((c.maxSeq + c.posOffset) * c.dModel) : undefined,
    layers: Array.from({ length: c.nLayers }, () => ({
      attnNorm: norm(), q: lin(c.dModel, c.dModel), k: lin(c.dModel, kv), v: lin(c.dModel, kv), o: lin(c.dModel, c.dModel),
      ffnNorm: norm(), up: lin(c.dModel, c.dFF), gate: c.gated ? lin(c.dModel, c.dFF) : undefined, down: lin(c.dFF, c.dModel),
    })),
    finalNorm: norm(),
    head: c.tiedHead ? tokEmb : t(c.vocabSize * c.dModel),
  };
  return new DenseLM(c, weights);
}
