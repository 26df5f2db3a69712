// Perplexity with one stated protocol: strided windows of `context` tokens advancing by `stride`; every token
// after the first is scored exactly once, with up to context-1 tokens of left context (the first window scores
// all of its tokens; later windows only their last `stride`). Normalised per token, and, when the text is given,
// per byte, per character and per word (the total NLL over the text's bytes, Unicode code points or
// whitespace-separated words, as lm-evaluation-harness reports bits_per_byte and word_perplexity), so models with
// different tokenizers compare. baselines/pytorch/nllm_torch.py:strided_nll implements the same protocol.
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

export function perplexity(lm: DenseLM, ids: readonly number[], context: number, stride: number, units?: TextUnits, onProgress?: (done: number, total: number) => void): PerplexityResult {
  if (stride < 1 || stride > context) throw new RangeError(`stride must be in 1..context (${context}), got ${stride}`);
  const V = lm.config.vocabSize;
  const t0 = performance.now();
  let nll = 0;
  let n = 0;
  let begin = 0;
  let evaluated = 0;
  while (begin + 1 < ids.length) {
    const end = Math.min(begin + context, ids.length);
    const window = ids.slice(begin, end);
    const logits = lm.forward(window, lm.newCache(context));
    evaluated += window.length;
    const first = begin === 0 ? 0 : context - stride - 1; // targets the previous window scored are skipped
    for (let i = first; i < window.length - 1; i++) {
      nll -= logProb(logits, i * V, V, window[i + 1]!);
      n++;
    }
    onProgress?.(end, ids.length);
    if (end === ids.length) break;
    begin += stride;
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
