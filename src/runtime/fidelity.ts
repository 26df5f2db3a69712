// Fidelity of a chip program against its dense model on one text, in one pass over the strided windows of the
// perplexity protocol (src/lm/metrics/perplexity.ts): the NLL of the dense, quantized-dense and SNN models, the
// SNN's top-1 next-token agreement with dense, spikes per layer, and the speeds measured (docs/compiler.md).
import { argmax, logProb } from '../lm/kernels.js';
import { stridedWindows, type TextUnits } from '../lm/metrics/perplexity.js';
import type { DenseLM } from '../lm/model.js';
import type { ChipProgram } from '../compiler/program.js';
import { QuantizedDense, type QuantizedDenseOptions } from './quantized-dense.js';
import { SnnModel, type PruningOptions, type SnnHooks } from './snn.js';

export interface ModelScore {
  nll: number;
  perplexity: number;
  bitsPerByte?: number;
  seconds: number;
  tokensPerSecond: number;
}

export interface Fidelity {
  tokens: number;
  dense: ModelScore;
  quantizedDense?: ModelScore;
  snn: ModelScore;
  /** (SNN / dense perplexity - 1) in percent, and the same for quantized-dense */
  deltaPpl: number;
  deltaPplQuantized?: number;
  /** scored positions where the SNN's most likely next token is the dense model's */
  top1Agreement: number;
  /** mean KL(dense || SNN) of the next-token distributions over the scored positions, nats */
  meanKl: number;
  /** spikes (nonzero values) per value sent, per spike tensor; and over all */
  spikeRate: { tensor: string; rate: number; meanMagnitude: number }[];
  /** synaptic operations (one active row driving one column of a tile) performed, skipped by the mask, and the
   *  dense count (every row of every tile at every timestep); skipped = 1 - performed / dense */
  synaptic: { performed: number; masked: number; dense: number; skipped: number; skippedByMask: number };
  snnModel: SnnModel;
  /** with perPosition: every scored position (index into ids of the predicted token), the dense and SNN NLL and
   *  KL(dense || SNN) of the next-token distributions, in nats */
  positions?: { index: number; dense: number; snn: number; kl: number }[];
}

export interface FidelityOptions {
  context: number;
  stride: number;
  units?: TextUnits;
  /** also run the quantized-dense model (default true) */
  quantized?: boolean;
  pruning?: PruningOptions;
  /** the SNN's hooks: ops computed otherwise, taps (error analysis) */
  hooks?: SnnHooks;
  /** the quantized-dense model's options */
  quantizedOptions?: QuantizedDenseOptions;
  /** also run the SNN (default true; false scores the dense and quantized-dense models only) */
  snn?: boolean;
  perPosition?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export function fidelity(lm: DenseLM, program: ChipProgram, ids: readonly number[], o: FidelityOptions): Fidelity {
  const V = lm.config.vocabSize;
  const snn = new SnnModel(program, o.pruning, o.hooks);
  const qd = o.quantized === false ? undefined : new QuantizedDense(lm, program, o.quantizedOptions);
  const positions: Fidelity['positions'] = o.perPosition ? [] : undefined;
  const acc = { dense: { nll: 0, s: 0 }, qd: { nll: 0, s: 0 }, snn: { nll: 0, s: 0 } };
  let n = 0;
  let agree = 0;
  let klSum = 0;
  let processed = 0;
  const windows = stridedWindows(ids.length, o.context, o.stride);
  for (const { begin, end, first } of windows) {
    const w = ids.slice(begin, end);
    processed += w.length;
    let t = performance.now();
    const ld = lm.forward(w, lm.newCache(o.context));
    acc.dense.s += (performance.now() - t) / 1000;
    t = performance.now();
    const ls = o.snn === false ? ld : snn.windowLogits(w);
    acc.snn.s += (performance.now() - t) / 1000;
    let lq: Float32Array | undefined;
    if (qd) {
      t = performance.now();
      lq = qd.windowLogits(w);
      acc.qd.s += (performance.now() - t) / 1000;
    }
    for (let i = first; i < w.length - 1; i++) {
      const nd = -logProb(ld, i * V, V, w[i + 1]!);
      const ns = -logProb(ls, i * V, V, w[i + 1]!);
      acc.dense.nll += nd;
      acc.snn.nll += ns;
      const kl = klDivergence(ld, ls, i * V, V);
      klSum += kl;
      positions?.push({ index: begin + i + 1, dense: nd, snn: ns, kl });
      if (lq) acc.qd.nll -= logProb(lq, i * V, V, w[i + 1]!);
      if (argmax(ld, i * V, V) === argmax(ls, i * V, V)) agree++;
      n++;
    }
    o.onProgress?.(end, ids.length);
  }
  const score = (a: { nll: number; s: number }): ModelScore => ({
    nll: a.nll,
    perplexity: Math.exp(a.nll / n),
    bitsPerByte: o.units ? a.nll / Math.LN2 / o.units.bytes : undefined,
    seconds: a.s,
    tokensPerSecond: processed / a.s,
  });
  const dense = score(acc.dense);
  const snnS = score(acc.snn);
  const quantizedDense = qd ? score(acc.qd) : undefined;
  const spikeRate = [...snn.stats.spikes].map(([tensor, st]) => ({ tensor, rate: st.events / st.elements, meanMagnitude: st.events ? st.magnitude / st.events : 0 }));
  const { rows: R, cols: C } = program.chip.tile;
  const syn = { performed: 0, masked: 0, dense: 0, skipped: 0, skippedByMask: 0 };
  for (const c of snn.tileCounters().values()) {
    syn.performed += c.active_rows * C;
    syn.masked += c.masked_rows * C;
    syn.dense += c.timesteps * R * C;
  }
  syn.skipped = 1 - syn.performed / syn.dense;
  syn.skippedByMask = syn.masked / syn.dense;
  return {
    synaptic: syn,
    tokens: n,
    dense,
    quantizedDense,
    snn: snnS,
    deltaPpl: 100 * (snnS.perplexity / dense.perplexity - 1),
    deltaPplQuantized: quantizedDense ? 100 * (quantizedDense.perplexity / dense.perplexity - 1) : undefined,
    top1Agreement: agree / n,
    meanKl: klSum / n,
    spikeRate,
    snnModel: snn,
    positions,
  };
}

/** KL(p || q) of the softmax distributions of two logit rows at offset o, in nats. */
function klDivergence(p: Float32Array, q: Float32Array, o: number, V: number): number {
  let mp = -Infinity;
  let mq = -Infinity;
  for (let i = 0; i < V; i++) {
    if (p[o + i]! > mp) mp = p[o + i]!;
    if (q[o + i]! > mq) mq = q[o + i]!;
  }
  let zp = 0;
  let zq = 0;
  for (let i = 0; i < V; i++) {
    zp += Math.exp(p[o + i]! - mp);
    zq += Math.exp(q[o + i]! - mq);
  }
  const lzp = mp + Math.log(zp);
  const lzq = mq + Math.log(zq);
  let kl = 0;
  for (let i = 0; i < V; i++) {
    const lp = p[o + i]! - lzp;
    kl += Math.exp(lp) * (lp - (q[o + i]! - lzq));
  }
  return Math.max(0, kl);
}
