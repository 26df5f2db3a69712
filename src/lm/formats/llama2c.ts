// llama2.c checkpoints: the legacy .bin (7 int32 header, float32 weights, negative vocab = separate classifier),
// version 1 (magic "ak42", float32) and version 2 (magic "ak42", Q8_0 int8 groups with float32 scales).
// Tensors are read one at a time from the file (never the whole file at once), so size is bounded by the weights
// kept, not by a Buffer's limit; float32 data is read straight into place (wasm and all supported hosts are little-endian).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkLmConfig } from './config-check.js';
import { FormatError } from './safetensors.js';
import type { LayerWeights, LmConfig, LmWeights } from '../model.js';

export const LLAMA2C_MAGIC = 0x616b3432;

export interface Llama2cHeader {
  version: 0 | 1 | 2;
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
  groupSize?: number;
  /** byte offset of the first weight */
  dataOffset: number;
}

export function readLlama2cHeader(buf: Buffer, file: string): Llama2cHeader {
  if (buf.length < 28) throw new FormatError(file, `file is ${buf.length} bytes; a llama2.c header needs 28`);
  const magic = buf.readUInt32LE(0);
  if (magic === LLAMA2C_MAGIC) {
    const version = buf.readInt32LE(4);
    if (version !== 1 && version !== 2) throw new FormatError(file, `llama2.c version ${version} is not supported (1 or 2)`);
    const ints = Array.from({ length: 7 }, (_, i) => buf.readInt32LE(8 + 4 * i));
    const shared = buf.readUInt8(36) === 1;
    const groupSize = version === 2 ? buf.readInt32LE(37) : undefined;
    return { version, dim: ints[0]!, hiddenDim: ints[1]!, nLayers: ints[2]!, nHeads: ints[3]!, nKvHeads: ints[4]!, vocabSize: ints[5]!, seqLen: ints[6]!, sharedClassifier: shared, groupSize, dataOffset: 256 };
  }
  const ints = Array.from({ length: 7 }, (_, i) => buf.readInt32LE(4 * i));
  return { version: 0, dim: ints[0]!, hiddenDim: ints[1]!, nLayers: ints[2]!, nHeads: ints[3]!, nKvHeads: ints[4]!, vocabSize: Math.abs(ints[5]!), seqLen: ints[6]!, sharedClassifier: ints[5]! > 0, dataOffset: 28 };
}

/** llama2.c's names for the header fields (export.py / run.c), for the messages. */
const FIELDS = { vocabSize: 'vocab_size', dModel: 'dim', nLayers: 'n_layers', nHeads: 'n_heads', nKvHeads: 'n_kv_heads', dFF: 'hidden_dim', maxSeq: 'seq_len', normEps: 'norm_eps', activation: 'activation', ropeTheta: 'rope_theta', tiedHead: 'shared_classifier' } as const;
/** A header field beyond this is not a llama2.c model but a misread file (2^20: far above any released one). */
const MAX_FIELD = 1 << 20;

function checkHeader(h: Llama2cHeader, file: string): void {
  const bad = (what: string) => {
    throw new FormatError(file, `implausible llama2.c header: ${what} (dim ${h.dim}, hidden_dim ${h.hiddenDim}, n_layers ${h.nLayers}, n_heads ${h.nHeads}, n_kv_heads ${h.nKvHeads}, vocab_size ${h.vocabSize}, seq_len ${h.seqLen})`);
  };
  for (const [k, v] of Object.entries({ dim: h.dim, hidden_dim: h.hiddenDim, n_layers: h.nLayers, n_heads: h.nHeads, n_kv_heads: h.nKvHeads, vocab_size: h.vocabSize, seq_len: h.seqLen })) {
    if (!Number.isInteger(v) || v <= 0 || v > MAX_FIELD) bad(`${k} = ${v}, expected an integer from 1 to ${MAX_FIELD}`);
  }
  if (h.version === 2 && !(Number.isInteger(h.groupSize) && h.groupSize! > 0 && h.groupSize! <= MAX_FIELD)) bad(`group_size = ${h.groupSize}, expected an integer from 1 to ${MAX_FIELD}`);
  // divisibility and RoPE's even head size: the same checks, and names, as a config file gets
  checkLmConfig(llama2cConfig(h), file, FIELDS);
}

export function llama2cConfig(h: Llama2cHeader): LmConfig {
  return {
    family: 'llama', vocabSize: h.vocabSize, dModel: h.dim, nLayers: h.nLayers, nHeads: h.nHeads, nKvHeads: h.nKvHeads, dFF: h.hiddenDim, maxSeq: h.seqLen,
    norm: 'rmsnorm', normEps: 1e-5, activation: 'silu', gated: true, positions: 'rope', posOffset: 0, ropeTheta: 10000, tiedHead: h.sharedClassifier,
  };
}

/** Loads a llama2.c checkpoint (any of the three layouts) into the dense model's weights. */
export function loadLlama2c(file: string): { config: LmConfig; weights: LmWeights; header: Llama2cHeader } {
  const fd = openSync(file, 'r');
  try {
    return readLlama2c(fd, file);
  } finally {
    closeSync(fd);
  }
}

function readLlama2c(fd: number, file: string): { config: LmConfig; weights: LmWeights; header: Llama2cHeader } {
  const size = fstatSync(fd).size;
  const head256 = Buffer.alloc(Math.min(256, size));
  readSync(fd, head256, 0, head256.length, 0);
  const h = readLlama2cHeader(head256, file);
  checkHeader(h, file);
  const cfg = llama2cConfig(h);
  const D = h.dim;
  const L = h.nLayers;
  const hs = D / h.nHeads;
  const kvd = h.nKvHeads * hs;
  const F = h.hiddenDim;
  let off = h.dataOffset;
  const need = (bytes: number, what: string) => {
    if (off + bytes > size) throw new FormatError(file, `truncated: ${what} needs ${bytes} bytes at offset ${off}, the file has ${size}`);
  };
  const f32 = (n: number, what: string): Float32Array => {
    need(n * 4, what);
    const out = new Float32Array(n);
    readSync(fd, new Uint8Array(out.buffer), 0, n * 4, off);
    off += n * 4;
    return out;
  };
  const q80 = (n: number, what: string): Float32Array => {
    const gs = h.groupSize!;
    if (n % gs) throw new FormatError(file, `${what}: ${n} values are not a multiple of group size ${gs}`);
    need(n + (n / gs) * 4, what);
    const q = Buffer.alloc(n);
    readSync(fd, q, 0, n, off);
    off += n;
    const scales = f32(n / gs, `${what} scales`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = ((q[i]! << 24) >> 24) * scales[Math.floor(i / gs)]!;
    return out;
  };
  const split = (a: Float32Array, n: number) => Array.from({ length: L }, (_, l) => a.subarray(l * n, (l + 1) * n));
  let tok: Float32Array;
  let attnNorm: Float32Array, ffnNorm: Float32Array, finalNorm: Float32Array;
  let wq: Float32Array, wk: Float32Array, wv: Float32Array, wo: Float32Array, w1: Float32Array, w2: Float32Array, w3: Float32Array;
  let head: Float32Array;
  if (h.version === 0) {
    tok = f32(h.vocabSize * D, 'token_embedding_table');
    attnNorm = f32(L * D, 'rms_att_weight');
    wq = f32(L * D * D, 'wq');
    wk = f32(L * kvd * D, 'wk');
    wv = f32(L * kvd * D, 'wv');
    wo = f32(L * D * D, 'wo');
    ffnNorm = f32(L * D, 'rms_ffn_weight');
    w1 = f32(L * F * D, 'w1');
    w2 = f32(L * D * F, 'w2');
    w3 = f32(L * F * D, 'w3');
    finalNorm = f32(D, 'rms_final_weight');
    const freqCis = h.seqLen * (hs / 2) * 2 * 4; // legacy RoPE tables, recomputed instead: skipped, not read
    need(freqCis, 'freq_cis');
    off += freqCis;
    head = h.sharedClassifier ? tok : f32(h.vocabSize * D, 'wcls');
  } else {
    // each tensor is stored on its own: float32 (v1), or int8 values followed by its group scales (v2, Q8_0)
    const one = h.version === 1 ? f32 : q80;
    const perLayer = (n: number, what: string) => {
      const out = new Float32Array(L * n);
      for (let l = 0; l < L; l++) out.set(one(n, `${what}[${l}]`), l * n);
      return out;
    };
    attnNorm = f32(L * D, 'attention_norm');
    ffnNorm = f32(L * D, 'ffn_norm');
    finalNorm = f32(D, 'norm');
    tok = one(h.vocabSize * D, 'tok_embeddings');
    wq = perLayer(D * D, 'wq');
    wk = perLayer(kvd * D, 'wk');
    wv = perLayer(kvd * D, 'wv');
    wo = perLayer(D * D, 'wo');
    w1 = perLayer(F * D, 'w1');
    w2 = perLayer(D * F, 'w2');
    w3 = perLayer(F * D, 'w3');
    head = h.sharedClassifier ? tok : one(h.vocabSize * D, 'output');
  }
  if (off !== size) throw new FormatError(file, `${size - off} unexpected bytes after the last tensor (at offset ${off}): wrong header or not a llama2.c file`);
  const an = split(attnNorm, D), fn = split(ffnNorm, D), q = split(wq, D * D), k = split(wk, kvd * D), v = split(wv, kvd * D), o = split(wo, D * D);
  const up = split(w3, F * D), gate = split(w1, F * D), down = split(w2, D * F);
  const layers: LayerWeights[] = Array.from({ length: L }, (_, l) => ({
    attnNorm: { w: an[l]! }, q: { w: q[l]! }, k: { w: k[l]! }, v: { w: v[l]! }, o: { w: o[l]! },
    ffnNorm: { w: fn[l]! }, up: { w: up[l]! }, gate: { w: gate[l]! }, down: { w: down[l]! },
  }));
  return { config: cfg, weights: { tokEmb: tok, layers, finalNorm: { w: finalNorm }, head }, header: h };
}
