// The CPU dense baseline measured here: decode tokens/s of the TS dense forward (batch 1, KV cache), on this
// machine's cores. No energy: this machine exposes no power counter (no RAPL under /sys/class/powercap), so J/token
// is reported as not measured rather than guessed from a TDP.
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { DenseLM } from '../lm/model.js';
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
