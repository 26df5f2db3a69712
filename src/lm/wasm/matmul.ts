// WebAssembly SIMD matmuls (src/lm/wasm/matmul.wat, assembled at load with wabt). The module's memory holds a
// static region of prepared (transposed, padded) weights for inference and a scratch region per call. The memory
// is shared, so large calls are split over worker threads (pool.ts) that run the same module on it.
// The scalar JS kernels in kernels.ts stay as the reference and the fallback when SIMD is unavailable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { defaultThreads, MatmulPool, slicesFor, type SliceFn } from './pool.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const EXPORTS = ['mm', 'mm_at'];
const MM = 0;
const MM_AT = 1;
interface Kernel {
  module: WebAssembly.Module;
  mem: WebAssembly.Memory;
  fns: SliceFn[];
}

let kernel: Kernel | undefined;
let loadError: string | undefined;
try {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('matmul.wat', readFileSync(path.join(HERE, 'matmul.wat'), 'utf8'), { simd: true, threads: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const module = new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
  // 65536 pages (4 GiB) is the wasm32 limit; a shared memory must declare its maximum, which only reserves address space.
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const inst = new WebAssembly.Instance(module, { env: { mem } });
  kernel = { module, mem, fns: EXPORTS.map((n) => inst.exports[n] as SliceFn) };
} catch (e) {
  kernel = undefined; // e.g. no SIMD in this runtime: callers fall back to the JS kernels
  loadError = (e as Error).message;
}

export const wasmAvailable = () => kernel !== undefined;
/** Why the SIMD kernels are unavailable (undefined when they are available). */
export const wasmLoadError = () => loadError;

let threads = kernel ? defaultThreads() : 1;
let pool: MatmulPool | undefined;

/** Threads (the caller's included) the SIMD kernels use; 1 runs everything on the calling thread. */
export function matmulThreads(): number {
  return threads;
}

/** Sets the thread count (default: NLLM_THREADS, else the cores available); results are bit-identical for any count. */
export async function setMatmulThreads(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`matmul threads must be an integer from 1 to 256, got ${n}`);
  if (pool && pool.threads !== n) {
    await pool.close();
    pool = undefined;
  }
  threads = n;
}

function call(fn: number, a: number, bt: number, c: number, M: number, K: number, N: number): void {
  // the pool (and its workers) is only made once a call is large enough to split
  if (threads > 1 && slicesFor(threads, M, K, N) > 1) {
    pool ??= new MatmulPool(kernel!.module, kernel!.mem, EXPORTS, threads);
    pool.run(kernel!.fns, fn, a, bt, c, M, K, N);
  } else kernel!.fns[fn]!(a, bt, c, M, K, N, 0, N);
}

// The static region holds prepared weights as blocks (offsets and sizes in floats, sorted by offset); a released
// block's space is reused first-fit, so models loaded one after another in a process do not pile up. Scratch for
// each call starts after the last block.
const blocks: { off: number; size: number }[] = [];
let staticEnd = 0;
/** wasm32 memory is at most 4 GiB; lowered by tests to exercise the fallbacks */
let capacityFloats = 2 ** 30;

function heap(floats: number): Float32Array {
  if (floats > capacityFloats) throw new RangeError(`the SIMD kernels need ${floats * 4} bytes of wasm memory, over the ${capacityFloats * 4}-byte limit`);
  const mem = kernel!.mem;
  const bytes = floats * 4;
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
  return new Float32Array(mem.buffer);
}

/** Whether a call needing `floats` of scratch fits after the static region. */
export function scratchFits(floats: number): boolean {
  return kernel !== undefined && staticEnd + floats <= capacityFloats;
}

/** For tests: caps the kernels' wasm memory (bytes; undefined restores the 4 GiB wasm32 limit). */
export function setWasmCapacity(bytes: number | undefined): void {
  capacityFloats = bytes === undefined ? 2 ** 30 : Math.floor(bytes / 4);
}

function allocStatic(size: number): number | undefined {
  let prev = 0;
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i]!.off - prev >= size) {
      blocks.splice(i, 0, { off: prev, size });
      return prev;
    }
    prev = blocks[i]!.off + blocks[i]!.size;
  }
  if (prev + size > capacityFloats) return undefined;
  blocks.push({ off: prev, size });
  staticEnd = prev + size;
  return prev;
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;
const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** Writes B [N,K] transposed into Bt [K,Np] at `off`. */
function putTransposed(f: Float32Array, off: number, B: Float32Array, N: number, K: number, Np: number): void {
  for (let k = 0; k < K; k++) {
    const row = off + k * Np;
    for (let n = 0; n < N; n++) f[row + n] = B[n * K + k]!;
    f.fill(0, row + N, row + Np);
  }
}

/** Writes B [K,N] into [K,Np] at `off`. */
function putPadded(f: Float32Array, off: number, B: Float32Array, K: number, N: number, Np: number): void {
  if (N === Np) {
    f.set(B.subarray(0, K * N), off);
    return;
  }
  for (let k = 0; k < K; k++) {
    f.set(B.subarray(k * N, (k + 1) * N), off + k * Np);
    f.fill(0, off + k * Np + N, off + (k + 1) * Np);
  }
}

function readOut(f: Float32Array, cOff: number, C: Float32Array, M: number, N: number, Np: number, bias: Float32Array | null | undefined, acc: boolean): void {
  for (let i = 0; i < M; i++) {
    const src = cOff + i * Np;
    const dst = i * N;
    if (acc) for (let n = 0; n < N; n++) C[dst + n]! += f[src + n]! + (bias ? bias[n]! : 0);
    else if (bias) for (let n = 0; n < N; n++) C[dst + n] = f[src + n]! + bias[n]!;
    else C.set(f.subarray(src, src + N), dst);
  }
}

/** Runs mm on A [M,K] (copied, row-padded) against Bt already at `btOff`. */
function runMm(C: Float32Array, A: Float32Array, M: number, K: number, N: number, Np: number, btOff: number, scratch: number, bias: Float32Array | null | undefined, acc: boolean): void {
  const Mp = pad4(M);
  const aOff = scratch;
  const cOff = aOff + Mp * K;
  const f = heap(cOff + Mp * Np);
  f.set(A.subarray(0, M * K), aOff);
  if (Mp > M) f.fill(0, aOff + M * K, aOff + Mp * K);
  call(MM, aOff * 4, btOff * 4, cOff * 4, Mp, K, Np);
  readOut(f, cOff, C, M, N, Np, bias, acc);
}

/** C[M,N] (=|+=) A[M,K] @ B[N,K]^T (+ bias). */
export function matmulABtWasm(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, bias?: Float32Array | null, accumulate = false): void {
  const Np = pad8(N);
  const btOff = staticEnd;
  putTransposed(heap(btOff + K * Np), btOff, B, N, K, Np);
  runMm(C, A, M, K, N, Np, btOff, btOff + K * Np, bias, accumulate);
}

/** C[M,N] (=|+=) A[M,K] @ B[K,N]. */
export function matmulABWasm(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false): void {
  const Np = pad8(N);
  const btOff = staticEnd;
  putPadded(heap(btOff + K * Np), btOff, B, K, N, Np);
  runMm(C, A, M, K, N, Np, btOff, btOff + K * Np, null, accumulate);
}

/** C[M,N] (=|+=) At[K,M]^T @ B[K,N] (weight gradients: no transposes). */
export function matmulAtBWasm(C: Float32Array, At: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false): void {
  const Np = pad8(N);
  const Mp = pad4(M);
  const btOff = staticEnd;
  const aOff = btOff + K * Np;
  const cOff = aOff + K * Mp;
  const f = heap(cOff + Mp * Np);
  putPadded(f, btOff, B, K, N, Np);
  putPadded(f, aOff, At, K, M, Mp);
  call(MM_AT, aOff * 4, btOff * 4, cOff * 4, Mp, K, Np);
  readOut(f, cOff, C, M, N, Np, null, accumulate);
}

/** A weight [N,K] held transposed in the static region, for repeated inference matmuls. */
export interface PreparedWeight {
  off: number;
  N: number;
  K: number;
  Np: number;
  released?: boolean;
}

/** Copies W [N,K] into the static region; undefined when it does not fit (the caller falls back to unprepared calls). */
export function prepareWeight(B: Float32Array, N: number, K: number): PreparedWeight | undefined {
  const Np = pad8(N);
  const off = allocStatic(pad4(K * Np));
  if (off === undefined) return undefined;
  putTransposed(heap(Math.max(staticEnd, off + K * Np)), off, B, N, K, Np);
  return { off, N, K, Np };
}

/** Frees a prepared weight's space for reuse; using it afterwards is an error. */
export function releaseWeight(w: PreparedWeight): void {
  if (w.released) return;
  const i = blocks.findIndex((b) => b.off === w.off);
  if (i < 0) throw new Error(`prepared weight at ${w.off} is not allocated`);
  blocks.splice(i, 1);
  const last = blocks[blocks.length - 1];
  staticEnd = last ? last.off + last.size : 0;
  w.released = true;
}

/** Floats held by prepared weights now (for tests and reports). */
export function preparedFloats(): number {
  return blocks.reduce((a, b) => a + b.size, 0);
}

/** Scratch (floats) a matmulPrepared call of M rows needs, for scratchFits(). */
export const preparedScratch = (M: number, w: PreparedWeight) => pad4(M) * (w.K + w.Np);

/** C[M,N] (=|+=) A[M,K] @ W^T (+ bias) with a prepared W. */
export function matmulPrepared(C: Float32Array, A: Float32Array, M: number, w: PreparedWeight, bias?: Float32Array | null, accumulate = false): void {
  if (w.released) throw new Error('matmulPrepared: this weight was released');
  runMm(C, A, M, w.K, w.N, w.Np, w.off, staticEnd, bias, accumulate);
}

/** Scratch (floats) an unprepared call needs: B copied in, A and C (the same for all three variants). */
export const unpreparedScratch = (M: number, K: number, N: number) => K * pad8(N) + pad4(M) * (K + pad8(N));
