// The SIMD kernels agree with the scalar JS reference on every variant, at odd sizes, with bias and accumulation.
import { afterAll, describe, expect, it } from 'vitest';
import { matmulABt, matmulABtJs, transpose } from '../../src/lm/kernels.js';
import { matmulABWasm, matmulABtWasm, matmulAtBWasm, matmulPrepared, matmulThreads, preparedFloats, prepareWeight, releaseWeight, setMatmulThreads, setWasmCapacity, wasmAvailable, wasmLoadError } from '../../src/lm/wasm/matmul.js';
import { defaultThreads } from '../../src/lm/wasm/pool.js';
import { Rng } from '../../src/util/random.js';

const rng = new Rng(99);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
function maxRel(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}

describe('WebAssembly SIMD matmul', () => {
  it('is available on Node 20 (else the JS fallback silently costs 8x)', () => {
    expect(wasmLoadError()).toBeUndefined();
    expect(wasmAvailable()).toBe(true);
  });
  it.each([[1, 1, 1], [3, 5, 7], [4, 8, 8], [33, 17, 65], [128, 96, 288]])('matches the JS kernel at M=%i K=%i N=%i', (M, K, N) => {
    const A = rand(M * K);
    const B = rand(N * K);
    const bias = rand(N);
    const ref = new Float32Array(M * N);
    matmulABtJs(ref, A, B, M, K, N, bias);
    const c1 = new Float32Array(M * N);
    matmulABtWasm(c1, A, B, M, K, N, bias);
    expect(maxRel(c1, ref)).toBeLessThan(1e-5);
    const c2 = Float32Array.from(ref);
    matmulABWasm(c2, A, transpose(new Float32Array(K * N), B, N, K), M, K, N, true); // accumulate: 2 * ref - bias
    const twice = ref.map((v, i) => 2 * v - bias[i % N]!);
    expect(maxRel(c2, twice)).toBeLessThan(1e-5);
    const c3 = new Float32Array(M * N);
    matmulAtBWasm(c3, transpose(new Float32Array(M * K), A, M, K), transpose(new Float32Array(K * N), B, N, K), M, K, N);
    expect(maxRel(c3, ref.map((v, i) => v - bias[i % N]!))).toBeLessThan(1e-5);
    const w = prepareWeight(B, N, K);
    const c4 = new Float32Array(M * N);
    matmulPrepared(c4, A, M, w!, bias);
    expect(maxRel(c4, ref)).toBeLessThan(1e-5);
  });
});

describe('threaded SIMD matmul', () => {
  const initial = matmulThreads();
  afterAll(() => setMatmulThreads(initial));
  /** Every variant at the given thread count; the sizes are above the threading threshold (2^20 MACs). */
  function runAll(M: number, K: number, N: number, A: Float32Array, B: Float32Array, bias: Float32Array): Float32Array[] {
    const out = () => new Float32Array(M * N);
    const c1 = out();
    matmulABtWasm(c1, A, B, M, K, N, bias);
    const c2 = out();
    matmulAtBWasm(c2, transpose(new Float32Array(M * K), A, M, K), transpose(new Float32Array(K * N), B, N, K), M, K, N);
    const c3 = out();
    matmulPrepared(c3, A, M, prepareWeight(B, N, K)!, bias);
    return [c1, c2, c3];
  }
  // N=24 gives 3 column blocks (uneven split); N=1001 pads to 1008; 300 threads' worth of slices is capped by blocks.
  it.each([[4, 768, 3072], [64, 130, 1001], [1024, 64, 24], [5, 4096, 200]])('is bit-identical to one thread at M=%i K=%i N=%i', async (M, K, N) => {
    const A = rand(M * K);
    const B = rand(N * K);
    const bias = rand(N);
    await setMatmulThreads(1);
    const one = runAll(M, K, N, A, B, bias);
    const ref = new Float32Array(M * N);
    matmulABtJs(ref, A, B, M, K, N, bias);
    // float32 rounding of a K-term sum in a different order grows like sqrt(K)
    expect(maxRel(one[0]!, ref)).toBeLessThan(2e-6 * Math.sqrt(K));
    for (const t of [2, 3, 8]) {
      await setMatmulThreads(t);
      const many = runAll(M, K, N, A, B, bias);
      for (let v = 0; v < many.length; v++) {
        const diff = many[v]!.findIndex((x, i) => !Object.is(x, one[v]![i]));
        expect(diff, `variant ${v} with ${t} threads differs at element ${diff}`).toBe(-1);
      }
    }
  });
  it('rejects a bad NLLM_THREADS or thread count, naming it', async () => {
    const saved = process.env.NLLM_THREADS;
    try {
      process.env.NLLM_THREADS = '0';
      expect(() => defaultThreads()).toThrow(/NLLM_THREADS must be an integer from 1 to 256, got '0'/);
      process.env.NLLM_THREADS = '3';
      expect(defaultThreads()).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.NLLM_THREADS;
      else process.env.NLLM_THREADS = saved;
    }
    await expect(setMatmulThreads(1.5)).rejects.toThrow(/matmul threads must be an integer from 1 to 256, got 1.5/);
  });
});

describe('prepared weights in the kernel memory', () => {
  it('reuses released space first-fit and refuses a released weight', () => {
    const before = preparedFloats();
    const B = rand(64 * 32);
    const w1 = prepareWeight(B, 64, 32)!;
    const w2 = prepareWeight(B, 64, 32)!;
    expect(preparedFloats() - before).toBe(2 * 64 * 32);
    releaseWeight(w1);
    const w3 = prepareWeight(rand(16 * 32), 16, 32)!; // smaller: fits in w1's hole
    expect(w3.off).toBe(w1.off);
    expect(() => matmulPrepared(new Float32Array(64), rand(32), 1, w1)).toThrow(/released/);
    releaseWeight(w2);
    releaseWeight(w3);
    expect(preparedFloats()).toBe(before);
  });
  it('falls back when the memory is full: prepareWeight says so, matmuls run the JS kernel with the same result', () => {
    const M = 64, K = 96, N = 80; // 491k MACs: SIMD-sized
    const A = rand(M * K);
    const B = rand(N * K);
    const ref = new Float32Array(M * N);
    matmulABtJs(ref, A, B, M, K, N);
    try {
      setWasmCapacity(4096);
      expect(prepareWeight(B, N, K)).toBeUndefined();
      const c = new Float32Array(M * N);
      matmulABt(c, A, B, M, K, N);
      expect(c).toEqual(ref); // bit-identical: the JS kernel ran
    } finally {
      setWasmCapacity(undefined);
    }
    const c = new Float32Array(M * N);
    matmulABt(c, A, B, M, K, N);
    expect(c).not.toEqual(ref); // and the SIMD kernel (another summation order) runs again once there is room
    expect(maxRel(c, ref)).toBeLessThan(1e-5);
  });
});
