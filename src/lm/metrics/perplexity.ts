// Perplexity with one stated protocol: strided windows of `context` tokens advancing by `stride`; every token
// after the first is scored exactly once, with up to context-1 tokens of left context (the first window scores
// all of its tokens; later windows only their last `stride`). A window of C tokens has C-1 targets, so the stride
// must be below the context: with stride = C the first token of every later window would never be scored, and
// stride = C-1 gives non-overlapping windows. Normalised per token, and, when the text is given,
// per byte, per character and per word (the total NLL over the text's bytes, Unicode code points or
// whitespace-separated words, as lm-evaluation-harness reports bits_per_byte and word_perplexity), so models with
// different tokenizers compare. baselines/pytorch/strided.py holds the same window plan for the torch baseline
// (nllm_torch.py:strided_nll); a test compares the two plans.
import { logProb } from '../kernels.js';
import type { DenseLM } from '../model.js';

export interface PerplexityResult {
  protocol: string;
  tokens: number;
  nll: number;
  /** mean negative log-likelihood per token, nats */
  lossPerToken: number;
  perplexity: number;
  /** the text's size in the units below, when it was given */
  units?: TextUnits;
  bitsPerByte?: number;
  bitsPerChar?: number;
  /** exp(total NLL / words) */
  wordPerplexity?: number;
  seconds: number;
  tokensPerSecond: number;
}

export interface TextUnits {
  bytes: number;
  chars: number;
  words: number;
}

/** UTF-8 bytes, code points, and whitespace-separated words of a text. */
export function textUnits(text: string): TextUnits {
  let chars = 0;
  for (const _ of text) chars++;
  return { bytes: Buffer.byteLength(text, 'utf8'), chars, words: text.split(/\s+/).filter((w) => w.length > 0).length };
}

export interface StridedWindow {
  begin: number;
  end: number;
  /** the first position of the window whose next-token target is new (0 in the first window) */
  first: number;
}

/** Why `stride` cannot be used with `context`, or undefined when it can. */
export function strideProblem(context: number, stride: number): string | undefined {
  if (!Number.isInteger(context) || context < 2) return `the context must be an integer >= 2, got ${context}`;
  if (!Number.isInteger(stride) || stride < 1) return `the stride must be an integer >= 1, got ${stride}`;
  if (stride >= context) return `the stride (${stride}) must be less than the context (${context}): a window of ${context} tokens has ${context - 1} targets, so the first token of each later window would never be scored; stride ${context - 1} gives non-overlapping windows`;
  return undefined;
}

/** The windows over `n` ids: each id after the first is a target exactly once, with up to context-1 ids before it. */
export function stridedWindows(n: number, context: number, stride: number): StridedWindow[] {
  const bad = strideProblem(context, stride);
  if (bad) throw new RangeError(bad);
  const out: StridedWindow[] = [];
  for (let begin = 0; begin + 1 < n; begin += stride) {
    const end = Math.min(begin + context, n);
    // the previous window's last target was begin - stride + context - 1: skip up to it
    out.push({ begin, end, first: begin === 0 ? 0 : context - stride - 1 });
    if (end === n) break;
  }
  return out;
}

/** Any model that gives the logits [S, vocab] of a window of ids starting at position 0 (the SNN runtime, say). */
export interface WindowModel {
  vocabSize: number;
  windowLogits(ids: readonly number[]): Float32Array;
}

export function perplexity(lm: DenseLM | WindowModel, ids: readonly number[], context: number, stride: number, units?: TextUnits, onProgress?: (done: number, total: number) => void): PerplexityResult {
  if (ids.length < 2) throw new RangeError(`perplexity needs at least 2 tokens, got ${ids.length}`);
  const windows = stridedWindows(ids.length, context, stride);
  const V = 'vocabSize' in lm ? lm.vocabSize : lm.config.vocabSize;
  const t0 = performance.now();
  let nll = 0;
  let n = 0;
  let evaluated = 0;
  for (const { begin, end, first } of windows) {
    const window = ids.slice(begin, end);
    const logits = 'windowLogits' in lm ? lm.windowLogits(window) : lm.forward(window, lm.newCache(context));
    evaluated += window.length;
    for (let i = first; i < window.length - 1; i++) {
      nll -= logProb(logits, i * V, V, window[i + 1]!);
      n++;
    }
    onProgress?.(end, ids.length);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    protocol: `strided windows: context ${context}, stride ${stride}, each token scored once, per-token normalisation${units ? '; also per byte, char and word of the text' : ''}`,
    tokens: n,
    nll,
    lossPerToken: nll / n,
    perplexity: Math.exp(nll / n),
    units,
    bitsPerByte: units ? nll / Math.LN2 / units.bytes : undefined,
    bitsPerChar: units ? nll / Math.LN2 / units.chars : undefined,
    wordPerplexity: units ? Math.exp(nll / units.words) : undefined,
    seconds,
    tokensPerSecond: evaluated / seconds,
  };
}
