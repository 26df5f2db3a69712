// The SIMD kernels agree with the scalar JS reference on every variant, at odd sizes, with bias and accumulation.
import { describe, expect, it } from 'vitest';
import { matmulABtJs, transpose } from '../../src/lm/kernels.js';
import { matmulABWasm, matmulABtWasm, matmulAtBWasm, matmulPrepared, prepareWeight, wasmAvailable, wasmLoadError } from '../../src/lm/wasm/matmul.js';
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
    matmulPrepared(c4, A, M, w, bias);
    expect(maxRel(c4, ref)).toBeLessThan(1e-5);
  });
});
