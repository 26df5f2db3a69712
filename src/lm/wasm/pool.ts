// Worker threads for the SIMD matmul. Every worker instantiates the same wasm module on the same shared memory, so
// a call only passes byte offsets: the caller computes one column slice itself, each worker another, and they meet
// on an Atomics counter. No data is copied and no message is posted per call, which keeps the hand-off at a few
// microseconds; slicing by output columns leaves every element's summation order unchanged (bit-identical results).
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** A kernel entry point: (a, bt, c, M, K, N, j0, j1), offsets in bytes. */
export type SliceFn = (a: number, bt: number, c: number, M: number, K: number, N: number, j0: number, j1: number) => void;

// ctrl layout (Int32): [0] generation, [1] workers still busy, [2] stop flag, [3] a worker failed, then one 9-int slot per worker:
// function index, a, bt, c, M, K, N, j0, j1.
const GEN = 0;
const BUSY = 1;
const STOP = 2;
const FAILED = 3;
const SLOT0 = 4;
const SLOT = 9;

// Plain JS so the worker needs no TypeScript loader (it runs under tsx, vitest and plain node alike).
const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, index, names } = workerData;
const c = new Int32Array(ctrl);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { mem: memory } });
  fns = names.map((n) => inst.exports[n]);
} catch (e) {
  fns = undefined; // reported through the failed flag at the first call, since the caller blocks in Atomics.wait
}
const s = ${SLOT0} + index * ${SLOT};
let gen = 0;
for (;;) {
  Atomics.wait(c, ${GEN}, gen);
  gen = Atomics.load(c, ${GEN});
  if (Atomics.load(c, ${STOP}) !== 0) break;
  try {
    fns[c[s]](c[s + 1], c[s + 2], c[s + 3], c[s + 4], c[s + 5], c[s + 6], c[s + 7], c[s + 8]);
  } catch (e) {
    Atomics.store(c, ${FAILED}, 1);
  }
  if (Atomics.sub(c, ${BUSY}, 1) === 1) Atomics.notify(c, ${BUSY});
}
`;

/** How many threads (including the caller's) a pool uses: NLLM_THREADS, else the cores this process may use. */
export function defaultThreads(): number {
  const env = process.env.NLLM_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`NLLM_THREADS must be an integer from 1 to 256, got '${env}'`);
    return n;
  }
  return Math.max(1, os.availableParallelism());
}

export class MatmulPool {
  private readonly ctrl: Int32Array;
  private readonly workers: Worker[] = [];

  /** `names` are the module's exports callable by index; `threads` counts the calling thread too. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, names: string[], readonly threads: number) {
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (SLOT0 + SLOT * threads)));
    for (let index = 0; index < threads - 1; index++) {
      const w = new Worker(WORKER_SRC, { eval: true, workerData: { module, memory, ctrl: this.ctrl.buffer, index, names } });
      w.unref(); // an idle pool must not keep the process alive
      w.on('error', (e) => {
        process.stderr.write(`matmul worker ${index} failed: ${e.message}\n`);
      });
      this.workers.push(w);
    }
  }

  /**
   * Runs fns[fn] over output columns [0, N) split into one slice per thread, N a multiple of 8. Slices are whole
   * 8-column blocks, balanced to within one block. Returns when every slice is done.
   */
  run(fns: SliceFn[], fn: number, a: number, bt: number, c: number, M: number, K: number, N: number): void {
    const blocks = N / 8;
    const parts = Math.min(this.threads, blocks);
    const cut = (p: number) => Math.floor((blocks * p) / parts) * 8;
    const ctl = this.ctrl;
    for (let p = 1; p < parts; p++) {
      const s = SLOT0 + (p - 1) * SLOT;
      ctl[s] = fn;
      ctl[s + 1] = a;
      ctl[s + 2] = bt;
      ctl[s + 3] = c;
      ctl[s + 4] = M;
      ctl[s + 5] = K;
      ctl[s + 6] = N;
      ctl[s + 7] = cut(p);
      ctl[s + 8] = cut(p + 1);
    }
    // Workers beyond `parts` get an empty slice so the busy count stays simple.
    for (let p = parts; p < this.threads; p++) {
      const s = SLOT0 + (p - 1) * SLOT;
      ctl[s] = fn;
      ctl[s + 7] = 0;
      ctl[s + 8] = 0;
    }
    Atomics.store(ctl, BUSY, this.threads - 1);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    fns[fn]!(a, bt, c, M, K, N, 0, cut(1));
    for (let busy = Atomics.load(ctl, BUSY); busy !== 0; busy = Atomics.load(ctl, BUSY)) Atomics.wait(ctl, BUSY, busy);
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error('a matmul worker thread failed (set NLLM_THREADS=1 to run single-threaded)');
  }

  /** Stops the workers (they also die with the process). */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
