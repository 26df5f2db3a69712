// Worker threads for the SIMD matmul. Every worker instantiates the same wasm module on the same shared memory, so
// a call only passes byte offsets: the caller computes one column slice itself, each worker another, and they meet
// on Atomics counters. No data is copied and no message is posted per call, which keeps the hand-off at a few
// microseconds; slicing by output columns leaves every element's summation order unchanged (bit-identical results).
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** A kernel entry point: (a, bt, c, M, K, N, j0, j1), offsets in bytes. */
export type SliceFn = (a: number, bt: number, c: number, M: number, K: number, N: number, j0: number, j1: number) => void;

// ctrl layout (Int32): [0] workers still busy, [1] stop flag, [2] a worker failed, then one 10-int slot per worker:
// wake counter, function index, a, bt, c, M, K, N, j0, j1. Each worker sleeps on its own wake counter, so a call
// wakes only the workers it gives a slice to.
const BUSY = 0;
const STOP = 1;
const FAILED = 2;
const SLOT0 = 4;
const SLOT = 10;

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
let wake = 0;
for (;;) {
  Atomics.wait(c, s, wake);
  wake = Atomics.load(c, s);
  if (Atomics.load(c, ${STOP}) !== 0) break;
  try {
    fns[c[s + 1]](c[s + 2], c[s + 3], c[s + 4], c[s + 5], c[s + 6], c[s + 7], c[s + 8], c[s + 9]);
  } catch (e) {
    Atomics.store(c, ${FAILED}, 1);
  }
  if (Atomics.sub(c, ${BUSY}, 1) === 1) Atomics.notify(c, ${BUSY});
}
`;

/** Multiply-accumulates each thread should get at least: below it, waking one more thread costs more than it saves. */
const MIN_WORK_PER_THREAD = 1 << 19;

/** Slices a call of M*K*N multiply-accumulates over N columns (N a multiple of 8) is split into, with `threads` at hand. */
export function slicesFor(threads: number, M: number, K: number, N: number): number {
  return Math.max(1, Math.min(threads, N / 8, Math.floor((M * N * K) / MIN_WORK_PER_THREAD)));
}

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
   * Runs fns[fn] over output columns [0, N), N a multiple of 8, split into slices of whole 8-column blocks (balanced
   * to within one block): one per thread, fewer when the call is small. Returns when every slice is done.
   */
  run(fns: SliceFn[], fn: number, a: number, bt: number, c: number, M: number, K: number, N: number): void {
    const blocks = N / 8;
    const parts = slicesFor(this.threads, M, K, N);
    const cut = (p: number) => Math.floor((blocks * p) / parts) * 8;
    const ctl = this.ctrl;
    Atomics.store(ctl, BUSY, parts - 1);
    for (let p = 1; p < parts; p++) {
      const s = SLOT0 + (p - 1) * SLOT;
      ctl[s + 1] = fn;
      ctl[s + 2] = a;
      ctl[s + 3] = bt;
      ctl[s + 4] = c;
      ctl[s + 5] = M;
      ctl[s + 6] = K;
      ctl[s + 7] = N;
      ctl[s + 8] = cut(p);
      ctl[s + 9] = cut(p + 1);
      Atomics.add(ctl, s, 1);
      Atomics.notify(ctl, s);
    }
    fns[fn]!(a, bt, c, M, K, N, 0, cut(1));
    for (let busy = Atomics.load(ctl, BUSY); busy !== 0; busy = Atomics.load(ctl, BUSY)) Atomics.wait(ctl, BUSY, busy);
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error('a matmul worker thread failed (set NLLM_THREADS=1 to run single-threaded)');
  }

  /** Stops the workers (they also die with the process). */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.add(this.ctrl, SLOT0 + w * SLOT, 1);
      Atomics.notify(this.ctrl, SLOT0 + w * SLOT);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
