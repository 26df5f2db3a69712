// Token ids to calibrate and evaluate on: a named text through the model's tokenizer, or, for a model without one
// (a llama2.c checkpoint), ids the dense model samples itself from BOS — labelled as such, since they are the model's
// own text, not a dataset (docs/compiler.md, "Evaluation data").
import { UserError } from '../cli/args.js';
import { readTextSpec } from '../lm/data/text-spec.js';
import { sample } from '../lm/generate.js';
import type { DenseLM } from '../lm/model.js';
import type { TextTokenizer } from '../lm/tokenizers/index.js';

export interface TokenStream {
  ids: number[];
  label: string;
  /** the text, when the ids come from one (for per-byte units) */
  text?: string;
}

/** `spec`: a text spec (sotu:train, wikitext:FILE, ...) or `generated:SEED` (the dense model's own samples). */
export function tokenStream(lm: DenseLM, tokenizer: TextTokenizer | undefined, spec: string, limit: number): TokenStream {
  if (spec.startsWith('generated')) {
    const seed = Number(spec.split(':')[1] ?? 1);
    if (!Number.isInteger(seed) || seed < 0) throw new UserError(`generated:SEED needs a non-negative integer seed, got '${spec}'`);
    const ids: number[] = [];
    // windows of the model's context, each from BOS (id 1 for llama2.c's tokenizer), sampled at temperature 1
    for (let w = 0; ids.length < limit; w++) ids.push(1, ...sample(lm, [1], Math.min(limit - ids.length, lm.config.maxSeq) - 1, { temperature: 1, topK: 0, seed: seed * 1000 + w }));
    return { ids: ids.slice(0, limit), label: `${limit} ids sampled from the dense model itself (temperature 1, seed ${seed}; the model's own text, not a dataset)` };
  }
  if (!tokenizer) throw new UserError(`this model has no tokenizer, so it cannot read '${spec}'; use --data generated:SEED (ids sampled from the dense model)`);
  const t = readTextSpec(spec, Math.max(1, limit * 8));
  const ids = tokenizer.encode(t.text).slice(0, limit);
  return { ids, label: t.label, text: t.text };
}
