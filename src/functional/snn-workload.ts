// The integer SNN benchmark workloads (W1b, W2: README.md of the benchmark folder, which a user's clone does not
// have): reading a workload with its sha256 checks, its mapping onto crossbar tiles, and the checksums the README
// defines. Used by scripts/bench-snn.ts and the tests.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import type { CrossbarSpec } from '../spec/crossbar.js';
import { bitsFor } from '../hdl/types.js';

/** The benchmark folder: NLLM_SNN_DATA, else shared/bench/snn beside the checkout. */
export const snnDataDir = () => process.env.NLLM_SNN_DATA || path.resolve(PROJECT_ROOT, '..', 'shared', 'bench', 'snn');

export interface SnnWorkload {
  name: string;
  /** neurons per layer, input first */
  layers: number[];
  T: number;
  tokens: number;
  theta: number;
  wLo: number;
  wHi: number;
  /** weights[l - 1]: [n[l-1]][n[l]] int8 */
  weights: Int8Array[];
  /** [token][t][input] 0/1 */
  inputs: Uint8Array;
}

interface Meta {
  workload: string;
  params: { layers: number[]; T: number; tokens: number; theta: number; w_lo: number; w_hi: number };
  files: Record<string, { sha256: string; shape: number[] }>;
}

/** Reads a workload (undefined when the folder is absent); a file whose sha256 differs from meta.json is an error. */
export function readSnnWorkload(name: string, dir = snnDataDir()): SnnWorkload | undefined {
  const d = path.join(dir, name);
  if (!existsSync(path.join(d, 'meta.json'))) return undefined;
  const meta = JSON.parse(readFileSync(path.join(d, 'meta.json'), 'utf8')) as Meta;
  const file = (f: string): Buffer => {
    const b = readFileSync(path.join(d, f));
    const want = meta.files[f]?.sha256;
    const got = createHash('sha256').update(b).digest('hex');
    if (got !== want) throw new Error(`${path.join(d, f)}: sha256 ${got}, meta.json says ${want}`);
    return b;
  };
  const p = meta.params;
  const weights = p.layers.slice(1).map((_, l) => {
    const b = file(`weights_l${l + 1}.int8`);
    return new Int8Array(b.buffer, b.byteOffset, b.length);
  });
  const ib = file('inputs.uint8');
  return { name, layers: p.layers, T: p.T, tokens: p.tokens, theta: p.theta, wLo: p.w_lo, wHi: p.w_hi, weights, inputs: new Uint8Array(ib.buffer, ib.byteOffset, ib.length) };
}

/**
 * The workload on tiles of `size` rows and columns: weights in [wLo, wHi] as single cell pairs (L = max|w| + 1,
 * S = 1), binary inputs, an ADC that cannot clip (A bits hold R x max|w|) with shift 0, partial sums that cannot
 * saturate (P bits hold the whole column), and integrate-and-fire neurons: no leak, soft reset (subtract theta),
 * membranes wide enough never to saturate (|v| <= T x dIn x max|w| + theta), so nothing bounds them below.
 */
export function snnTile(w: SnnWorkload, l: number, size: number): CrossbarSpec {
  const maxW = Math.max(-w.wLo, w.wHi);
  const dIn = w.layers[l - 1]!;
  const R = Math.min(size, dIn);
  const C = Math.min(size, w.layers[l]!);
  const adcBits = bitsFor(R * maxW) + 1;
  const psumBits = Math.max(bitsFor(dIn * maxW) + 1, bitsFor(2 ** (adcBits - 1)) + 1);
  return {
    rows: R, cols: C, rowsPerCycle: 1, colsPerCycle: C, cellLevels: maxW + 1, slices: 1, inSpikes: 'binary', inLevels: 1,
    adcBits, adcRounding: 'floor', output: 'neurons', psumBits, counterBits: 48,
    neuron: { vWidth: bitsFor(w.T * dIn * maxW + w.theta) + 1, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1 },
  };
}

export interface SnnChecksums {
  total_output_spikes: number;
  /** spikes per layer, input first */
  layer_spikes_total: number[];
  output_spikes_per_token_sha256: string;
  /** per layer l = 1..L */
  layer_spike_counts_sha256: string[];
}

const sha = (xs: ArrayLike<number>) => createHash('sha256').update(Array.from(xs).join(',')).digest('hex');

/**
 * The README's checksums from spike counts: counts[l][token * n[l] + j] for l = 0..L (l = 0: the inputs), where
 * layer l's count is over the spikes it sends at steps 0..T-1.
 */
export function snnChecksums(counts: ArrayLike<number>[], layers: number[], tokens: number): SnnChecksums {
  const L = layers.length - 1;
  const perToken = Array.from({ length: tokens }, (_, k) => {
    let s = 0;
    for (let j = 0; j < layers[L]!; j++) s += counts[L]![k * layers[L]! + j]!;
    return s;
  });
  const totals = counts.map((c) => Array.from(c).reduce((a, b) => a + b, 0));
  return {
    total_output_spikes: totals[L]!,
    layer_spikes_total: totals,
    output_spikes_per_token_sha256: sha(perToken),
    layer_spike_counts_sha256: counts.slice(1).map(sha),
  };
}

/** Spike counts per position and neuron, [positions][T][n] -> [positions][n]. */
export function countsPerPosition(spikes: ArrayLike<number>, positions: number, T: number, n: number): Int32Array {
  const out = new Int32Array(positions * n);
  for (let p = 0; p < positions; p++) for (let t = 0; t < T; t++) for (let j = 0; j < n; j++) out[p * n + j]! += spikes[(p * T + t) * n + j]!;
  return out;
}
