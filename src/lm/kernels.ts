// Float32 kernels shared by the dense forward (the CPU baseline) and the trainer. Layout follows PyTorch's
// Linear: a weight is [out, in] row-major, so y = x @ W^T is a row of dot products over contiguous memory.
// matmulABt runs the WebAssembly SIMD kernel (src/lm/wasm/, ~30 GFLOP/s/core measured here; large calls are split
// over worker threads, bit-identical for any thread count) when the runtime has SIMD, else the 4x4
// register-blocked JS kernel (~4 GFLOP/s/core), which also serves as its reference.
import { matmulABWasm, matmulABtWasm, matmulAtBWasm, scratchFits, unpreparedScratch, wasmAvailable } from './wasm/matmul.js';

let USE_WASM = wasmAvailable() && process.env.NLLM_NO_WASM !== '1';
/** Size (M*N*K) from which the SIMD kernel is used; below it the call overhead outweighs the gain. */
let WASM_MIN = 32_768;

/** For tests and benchmarks: 'js' forces the scalar kernels, 'wasm' forces SIMD at every size. */
export function forceKernel(k: 'auto' | 'js' | 'wasm'): void {
  if (k === 'wasm' && !wasmAvailable()) throw new Error('the WebAssembly SIMD kernels are not available in this runtime');
  USE_WASM = k !== 'js' && wasmAvailable();
  WASM_MIN = k === 'wasm' ? 0 : 32_768;
}

/** Whether this call runs the SIMD kernel: SIMD on, large enough to pay, and its scratch fits in wasm memory. */
function simd(M: number, K: number, N: number): boolean {
  return USE_WASM && M * N * K >= WASM_MIN && scratchFits(unpreparedScratch(M, K, N));
}

/** C[M,N] (=|+=) A[M,K] @ B[N,K]^T (+ bias[N]). */
export function matmulABt(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, bias?: Float32Array | null, accumulate = false): void {
  if (simd(M, K, N)) matmulABtWasm(C, A, B, M, K, N, bias, accumulate);
  else matmulABtJs(C, A, B, M, K, N, bias, accumulate);
}

/** C[M,N] (=|+=) A[M,K] @ B[K,N]. */
export function matmulAB(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false): void {
  if (simd(M, K, N)) return matmulABWasm(C, A, B, M, K, N, accumulate);
  matmulABtJs(C, A, transpose(new Float32Array(K * N), B, K, N), M, K, N, null, accumulate);
}

/** C[M,N] (=|+=) At[K,M]^T @ B[K,N]. */
export function matmulAtB(C: Float32Array, At: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false): void {
  if (simd(M, K, N)) return matmulAtBWasm(C, At, B, M, K, N, accumulate);
  matmulABtJs(C, transpose(new Float32Array(M * K), At, K, M), transpose(new Float32Array(K * N), B, K, N), M, K, N, null, accumulate);
}

/** The scalar JS kernel (reference and fallback). */
export function matmulABtJs(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, bias?: Float32Array | null, accumulate = false): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const a0 = i * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    for (let j = 0; j < N4; j += 4) {
      const b0 = j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      const z0 = bias ? bias[j]! : 0, z1 = bias ? bias[j + 1]! : 0, z2 = bias ? bias[j + 2]! : 0, z3 = bias ? bias[j + 3]! : 0;
      let c00 = z0, c01 = z1, c02 = z2, c03 = z3, c10 = z0, c11 = z1, c12 = z2, c13 = z3;
      let c20 = z0, c21 = z1, c22 = z2, c23 = z3, c30 = z0, c31 = z1, c32 = z2, c33 = z3;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
        const w0 = B[b0 + k]!, w1 = B[b1 + k]!, w2 = B[b2 + k]!, w3 = B[b3 + k]!;
        c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
        c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
        c20 += x2 * w0; c21 += x2 * w1; c22 += x2 * w2; c23 += x2 * w3;
        c30 += x3 * w0; c31 += x3 * w1; c32 += x3 * w2; c33 += x3 * w3;
      }
      const r0 = i * N + j, r1 = r0 + N, r2 = r1 + N, r3 = r2 + N;
      if (accumulate) {
        C[r0]! += c00; C[r0 + 1]! += c01; C[r0 + 2]! += c02; C[r0 + 3]! += c03;
        C[r1]! += c10; C[r1 + 1]! += c11; C[r1 + 2]! += c12; C[r1 + 3]! += c13;
        C[r2]! += c20; C[r2 + 1]! += c21; C[r2 + 2]! += c22; C[r2 + 3]! += c23;
        C[r3]! += c30; C[r3 + 1]! += c31; C[r3 + 2]! += c32; C[r3 + 3]! += c33;
      } else {
        C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02; C[r0 + 3] = c03;
        C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12; C[r1 + 3] = c13;
        C[r2] = c20; C[r2 + 1] = c21; C[r2 + 2] = c22; C[r2 + 3] = c23;
        C[r3] = c30; C[r3 + 1] = c31; C[r3 + 2] = c32; C[r3 + 3] = c33;
      }
    }
    for (let j = N4; j < N; j++) edge(C, A, B, K, N, i, j, 4, bias, accumulate);
  }
  for (let i = M4; i < M; i++) for (let j = 0; j < N; j++) edge(C, A, B, K, N, i, j, 1, bias, accumulate);
}

function edge(C: Float32Array, A: Float32Array, B: Float32Array, K: number, N: number, i0: number, j: number, rows: number, bias: Float32Array | null | undefined, acc: boolean): void {
  for (let i = i0; i < i0 + rows; i++) {
    let s = 0;
    const a = i * K;
    const b = j * K;
    for (let k = 0; k < K; k++) s += A[a + k]! * B[b + k]!;
    s += bias ? bias[j]! : 0;
    if (acc) C[i * N + j]! += s;
    else C[i * N + j] = s;
  }
}

/** out[cols, rows] = in[rows, cols]^T */
export function transpose(out: Float32Array, inp: Float32Array, rows: number, cols: number): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = inp[o + c]!;
  }
  return out;
}

/** LayerNorm over rows of width C; optionally stores mean and rstd (for backward). */
export function layerNorm(out: Float32Array, inp: Float32Array, w: Float32Array, b: Float32Array | null, rows: number, C: number, eps: number, mean?: Float32Array, rstd?: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let m = 0;
    for (let c = 0; c < C; c++) m += inp[o + c]!;
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) {
      const d = inp[o + c]! - m;
      v += d * d;
    }
    const s = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[o + c] = (inp[o + c]! - m) * s * w[c]! + (b ? b[c]! : 0);
    if (mean) mean[r] = m;
    if (rstd) rstd[r] = s;
  }
}

/** RMSNorm over rows of width C. */
export function rmsNorm(out: Float32Array, inp: Float32Array, w: Float32Array, rows: number, C: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[o + c]! * inp[o + c]!;
    const s = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[o + c] = w[c]! * (inp[o + c]! * s);
  }
}

const GELU_K = Math.sqrt(2 / Math.PI);
/** GELU, tanh approximation (GPT-2's "gelu_new"). */
export function gelu(out: Float32Array, inp: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = inp[i]!;
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x)));
  }
}

export function relu(out: Float32Array, inp: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = inp[i]! > 0 ? inp[i]! : 0;
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** In-place softmax over `n` entries starting at `off`. */
export function softmaxInPlace(x: Float32Array, off: number, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i]! > max) max = x[off + i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[off + i]! - max);
    x[off + i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) x[off + i]! /= sum;
}

/** dst[T, hs] = one head's columns [off, off+hs) of rows b*T..b*T+T-1 of src (row stride `stride`). */
export function headSlice(dst: Float32Array, src: Float32Array, b: number, T: number, stride: number, off: number, hs: number): void {
  for (let t = 0; t < T; t++) {
    const o = (b * T + t) * stride + off;
    dst.set(src.subarray(o, o + hs), t * hs);
  }
}

/** The inverse of headSlice: writes src[T, hs] into those columns of dst. */
export function headStore(dst: Float32Array, src: Float32Array, b: number, T: number, stride: number, off: number, hs: number): void {
  for (let t = 0; t < T; t++) dst.set(src.subarray(t * hs, (t + 1) * hs), (b * T + t) * stride + off);
}

/**
 * Causal attention of one head, as two matmuls on contiguous copies: queries q [S, hs] sit at positions T-S..T-1 and
 * attend over keys and values k, v [T, hs] up to their own position. `scores` [S, T] receives the scaled pre-softmax
 * scores and `probs` [S, T] the attention weights, both 0 above the causal limit (the trainer keeps both for backward;
 * inference may pass one buffer for both). Writes y [S, hs].
 */
export function causalAttentionHead(y: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, S: number, T: number, hs: number, scores: Float32Array, probs: Float32Array): void {
  const scale = 1 / Math.sqrt(hs);
  const pos0 = T - S;
  matmulABt(scores, q, k, S, hs, T);
  for (let s = 0; s < S; s++) {
    const row = s * T;
    const n = pos0 + s + 1;
    for (let t = 0; t < n; t++) scores[row + t]! *= scale;
    if (probs !== scores) probs.set(scores.subarray(row, row + n), row);
    softmaxInPlace(probs, row, n);
    for (let t = n; t < T; t++) {
      probs[row + t] = 0;
      scores[row + t] = 0;
    }
  }
  matmulAB(y, probs, v, S, T, hs);
}

/** log-softmax value of entry `target` of a logits row. */
export function logProb(logits: Float32Array, off: number, n: number, target: number): number {
  return logits[off + target]! - logSumExp(logits, off, n);
}

/** log(sum(exp(x))) over `n` entries from `off`, stable: the log-softmax of entry j is x[j] minus this. */
export function logSumExp(x: Float32Array, off: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i]! > max) max = x[off + i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[off + i]! - max);
  return max + Math.log(sum);
}

export function argmax(x: Float32Array, off = 0, n = x.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (x[off + i]! > x[off + best]!) best = i;
  return best;
}
