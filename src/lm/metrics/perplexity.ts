// Perplexity with one stated protocol: strided windows of `context` tokens advancing by `stride`; every token
// after the first is scored exactly once, with up to context-1 tokens of left context (the first window scores
// all of its tokens; later windows only their last `stride`). Normalised per token; bits per byte when the
// byte count of the text is given. baselines/pytorch/nllm_torch.py:strided_nll implements the same protocol.
import { logProb } from '../kernels.js';
import type { DenseLM } from '../model.js';

export interface PerplexityResult {
  protocol: string;
  tokens: number;
  nll: number;
  /** mean negative log-likelihood per token, nats */
  lossPerToken: number;
  perplexity: number;
  bitsPerByte?: number;
  seconds: number;
  tokensPerSecond: number;
}

export function perplexity(lm: DenseLM, ids: readonly number[], context: number, stride: number, bytes?: number, onProgress?: (done: number, total: number) => void): PerplexityResult {
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
    protocol: `strided windows: context ${context}, stride ${stride}, each token scored once, per-token normalisation`,
    tokens: n,
    nll,
    lossPerToken: nll / n,
    perplexity: Math.exp(nll / n),
    bitsPerByte: bytes ? nll / Math.LN2 / bytes : undefined,
    seconds,
    tokensPerSecond: evaluated / seconds,
  };
}
