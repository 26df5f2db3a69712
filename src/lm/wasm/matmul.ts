// WebAssembly SIMD matmuls (src/lm/wasm/matmul.wat, assembled at load with wabt). The module's memory holds a
// static region of prepared (transposed, padded) weights for inference and a scratch region per call.
// The scalar JS kernels in kernels.ts stay as the reference and the fallback when SIMD is unavailable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const HERE = path.dirname(fileURLToPath(import.meta.url));

type MmFn = (a: number, bt: number, c: number, M: number, K: number, N: number) => void;
interface Kernel {
  mem: WebAssembly.Memory;
  mm: MmFn;
  mmAt: MmFn;
}

let kernel: Kernel | undefined;
let loadError: string | undefined;
try {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('matmul.wat', readFileSync(path.join(HERE, 'matmul.wat'), 'utf8'), { simd: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const inst = new WebAssembly.Instance(new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>));
  kernel = { mem: inst.exports.mem as WebAssembly.Memory, mm: inst.exports.mm as MmFn, mmAt: inst.exports.mm_at as MmFn };
} catch (e) {
  kernel = undefined; // e.g. no SIMD in this runtime: callers fall back to the JS kernels
  loadError = (e as Error).message;
}

export const wasmAvailable = () => kernel !== undefined;
/** Why the SIMD kernels are unavailable (undefined when they are available). */
export const wasmLoadError = () => loadError;

/** floats in the static (prepared weights) region; scratch starts after it */
let staticEnd = 0;

function heap(floats: number): Float32Array {
  const mem = kernel!.mem;
  const bytes = floats * 4;
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
  return new Float32Array(mem.buffer);
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
  kernel!.mm(aOff * 4, btOff * 4, cOff * 4, Mp, K, Np);
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
  kernel!.mmAt(aOff * 4, btOff * 4, cOff * 4, Mp, K, Np);
  readOut(f, cOff, C, M, N, Np, null, accumulate);
}

/** A weight [N,K] held transposed in the static region, for repeated inference matmuls. */
export interface PreparedWeight {
  off: number;
  N: number;
  K: number;
  Np: number;
}

export function prepareWeight(B: Float32Array, N: number, K: number): PreparedWeight {
  const Np = pad8(N);
  const off = staticEnd;
  staticEnd = pad4(off + K * Np);
  putTransposed(heap(staticEnd), off, B, N, K, Np);
  return { off, N, K, Np };
}

/** C[M,N] (=|+=) A[M,K] @ W^T (+ bias) with a prepared W. */
export function matmulPrepared(C: Float32Array, A: Float32Array, M: number, w: PreparedWeight, bias?: Float32Array | null, accumulate = false): void {
  runMm(C, A, M, w.K, w.N, w.Np, w.off, staticEnd, bias, accumulate);
}
