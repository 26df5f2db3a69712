// The PyTorch dense baseline on this machine's CPU (baselines/pytorch/baseline.py, greedy decode with a KV cache,
// batch 1): measured tokens/s, read from the JSON it writes. Needs a python3 with torch (Debian: apt-get install
// python3-torch); where there is none, says so instead of a number. No energy: it measures J only on CUDA (NVML).
import { execaSync } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../hdl/srcloc.js';

export interface PytorchCpu {
  tokensPerSecond?: number;
  threads?: number;
  torch?: string;
  /** why there is no figure */
  unavailable?: string;
}

/** The first python3 that imports torch: $PYTHON, python3, /usr/bin/python3. */
export function torchPython(): string | undefined {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => !!x)) {
    const r = execaSync(py, ['-c', 'import torch'], { reject: false });
    if (r.exitCode === 0) return py;
  }
  return undefined;
}

/** Decode tokens/s of a model folder (with `text` to cut the prompt from), or of a random GPT-2-small (`model` undefined). */
export function measurePytorchCpu(model: string | undefined, text: string): PytorchCpu {
  const py = torchPython();
  if (!py) return { unavailable: 'not measured: no python3 with torch on this machine (apt-get install python3-torch)' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-energy-pt-'));
  try {
    const out = path.join(dir, 'r.json');
    const txt = path.join(dir, 't.txt');
    writeFileSync(txt, text);
    const src = model ? ['--model', model, '--text', txt, '--generate', '64', '--prompt-len', '64'] : ['--random-gpt2-small', '--random-tokens', '4096', '--generate', '32', '--prompt-len', '32'];
    const r = execaSync(py, [path.join(PROJECT_ROOT, 'baselines', 'pytorch', 'baseline.py'), ...src, '--batch', '1', '--device', 'cpu', '--min-seconds', '3', '--out', out], { reject: false, cwd: PROJECT_ROOT });
    if (r.exitCode !== 0) return { unavailable: `not measured: baseline.py failed (${String(r.stderr).trim().split('\n').pop()})` };
    const j = JSON.parse(readFileSync(out, 'utf8')) as { decode_tokens_per_second: number; cpu_threads: number; torch: string };
    return { tokensPerSecond: j.decode_tokens_per_second, threads: j.cpu_threads, torch: j.torch };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
