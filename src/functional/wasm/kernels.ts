// Loads the functional model's SIMD kernels (spiking.wat, assembled at load with wabt) on one shared wasm memory,
// hands out regions of that memory, and runs a kernel over slices on worker threads with the matmul pool (pool.ts:
// the same module instantiated on the same memory in every worker; a call passes only byte offsets). The kernels
// slice by output columns or by independent positions, so results are bit-identical for any thread count.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { defaultThreads, MatmulPool, slicesFor, type SliceFn } from '../../lm/wasm/pool.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const KERNELS = ['scan', 'layer', 'touch'] as const;
export type KernelName = (typeof KERNELS)[number];

/** Word offsets of the scan kernel's parameter block (spiking.wat documents each). */
export const SCAN = { M: 0, x: 1, din: 2, R: 3, RT: 4, mask: 5, lo: 6, hi: 7, kind: 8, K: 9, nb: 10, entries: 11, cap: 12, ends: 13, masked: 14, wstride: 15, bad: 16, groups: 17, Pr: 18, active: 19, xstride: 20, delay: 21 } as const;
export const SCAN_WORDS = 22;
/** Word offsets of the layer (and touch) kernel's parameter block. */
export const LAYER = {
  M: 0, T: 1, width: 2, cpad: 3, RT: 4, nb: 5, vals: 6, S: 7, slices: 8, wstride: 9, msize: 10, full: 11, sets: 12, cap: 13, modes: 14,
  shifts: 15, adcMin: 16, adcMax: 17, halfUp: 18, psumMin: 19, psumMax: 20, sliceShift: 21, maxabs: 22, bias: 23, zout: 24, neurons: 25,
  v: 26, spikes: 27, restart: 28, thetas: 29, leaks: 30, leakMode: 31, resetSub: 32, K: 33, signed: 34, vMin: 35, vMax: 36, counts: 37,
  scratch: 38, CT: 39, zeros: 40, din: 41,
} as const;
export const LAYER_WORDS = 42;
/** Scratch bytes the layer kernel uses per 64-column block (sums, y, z: 64 i32 each). */
export const BLOCK_SCRATCH = 768;

interface Kernel {
  module: WebAssembly.Module;
  mem: WebAssembly.Memory;
  fns: SliceFn[];
}

let kernel: Kernel | undefined;
let loadError: string | undefined;
try {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('spiking.wat', readFileSync(path.join(HERE, 'spiking.wat'), 'utf8'), { simd: true, threads: true, bulk_memory: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const module = new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const inst = new WebAssembly.Instance(module, { env: { mem } });
  kernel = { module, mem, fns: KERNELS.map((n) => inst.exports[n] as SliceFn) };
} catch (e) {
  kernel = undefined; // no SIMD or threads in this runtime: the layer uses the plain TS engine
  loadError = (e as Error).message;
}

export const spikingWasmAvailable = () => kernel !== undefined;
/** Why the kernels are unavailable (undefined when they load). */
export const spikingWasmLoadError = () => loadError;

let threads = kernel ? defaultThreads() : 1;
let pool: MatmulPool | undefined;

/** Threads (the caller's included) the functional model's kernels use. */
export function functionalThreads(): number {
  return threads;
}

/** Sets the thread count (default: NLLM_THREADS, else the cores available); results are bit-identical for any count. */
export async function setFunctionalThreads(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new RangeError(`functional model threads must be an integer from 1 to 256, got ${n}`);
  if (pool && pool.threads !== n) {
    await pool.close();
    pool = undefined;
  }
  threads = n;
}

/**
 * Runs kernel `name` on the parameter block at `params` over units [0, units) (units a multiple of 8; the kernel
 * clamps to its real extent), split over the threads when `work` (about the vector operations of the call) is
 * large enough to pay for waking them.
 */
export function runKernel(name: KernelName, params: number, units: number, work: number): void {
  const k = kernel!;
  const fn = KERNELS.indexOf(name);
  const perUnit = Math.max(1, Math.ceil(work / units));
  const parts = threads > 1 ? slicesFor(threads, 1, perUnit, units) : 1;
  lastSlices[name] = parts;
  const t0 = kernelTimes.on ? performance.now() : 0;
  if (parts > 1) {
    pool ??= new MatmulPool(k.module, k.mem, [...KERNELS], threads);
    pool.run(k.fns, fn, params, 0, 0, 1, perUnit, units);
  } else k.fns[fn]!(params, 0, 0, 1, perUnit, units, 0, units);
  if (kernelTimes.on) kernelTimes.ms[name] += performance.now() - t0;
}

/** When `on`, runKernel adds each kernel's wall time (ms) to `ms`: the bench's breakdown of a run. */
export const kernelTimes: { on: boolean; ms: Record<KernelName, number> } = { on: false, ms: { scan: 0, layer: 0, touch: 0 } };

const lastSlices: Record<KernelName, number> = { scan: 0, layer: 0, touch: 0 };
/** Slices the last call of a kernel was split into (1: it ran on the calling thread), for tests. */
export const kernelSlices = (name: KernelName) => lastSlices[name];

// ---- regions of the shared memory: first-fit over a sorted block list, 64-byte aligned ----

const ALIGN = 64;
const blocks: { off: number; size: number }[] = [];
/** offset 0 is never handed out, so 0 can mean "none" in a parameter block */
const BASE = ALIGN;

export const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Reserves `bytes` (zero-filled) and returns its byte offset. */
export function wasmAlloc(bytes: number): number {
  const size = alignUp(Math.max(bytes, 1), ALIGN);
  let prev = BASE;
  let at = -1;
  let i = 0;
  for (; i < blocks.length; i++) {
    if (blocks[i]!.off - prev >= size) {
      at = prev;
      break;
    }
    prev = blocks[i]!.off + blocks[i]!.size;
  }
  if (at < 0) at = prev;
  const end = at + size;
  if (end > 2 ** 32 - 65536) throw new RangeError(`the functional model needs ${end} bytes of wasm memory, over the 4 GiB wasm32 limit`);
  const mem = kernel!.mem;
  if (mem.buffer.byteLength < end) mem.grow(Math.ceil((end - mem.buffer.byteLength) / 65536));
  blocks.splice(i, 0, { off: at, size });
  new Uint8Array(mem.buffer, at, size).fill(0);
  return at;
}

export function wasmFree(off: number): void {
  const i = blocks.findIndex((b) => b.off === off);
  if (i < 0) throw new Error(`wasm region at ${off} is not allocated`);
  blocks.splice(i, 1);
}

/** Bytes held now (for tests). */
export const wasmHeld = () => blocks.reduce((a, b) => a + b.size, 0);

/** Views on the current memory (re-made after growth, which replaces the buffer). */
export function heap(): { u8: Uint8Array; i8: Int8Array; i32: Int32Array } {
  const buf = kernel!.mem.buffer;
  if (views?.buf !== buf) views = { buf, u8: new Uint8Array(buf), i8: new Int8Array(buf), i32: new Int32Array(buf) };
  return views;
}
let views: { buf: ArrayBufferLike; u8: Uint8Array; i8: Int8Array; i32: Int32Array } | undefined;
