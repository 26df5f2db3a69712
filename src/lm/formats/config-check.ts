// What the dense forward needs of a model config, checked before any weight is read: a config it cannot compute
// is refused naming the file and the file's own field, instead of a crash in the forward (a head count that does
// not divide the width) or a misread (n_layer -1 taken as no layers, then reported as unused tensors).
import type { Activation, LmConfig } from '../model.js';
import { FormatError } from './safetensors.js';

/** The file's name for each checked config value, for the messages (e.g. HF GPT-2's 'n_embd' for dModel). */
export type ConfigFields = Record<'vocabSize' | 'dModel' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'dFF' | 'maxSeq' | 'normEps' | 'activation' | 'ropeTheta' | 'tiedHead', string>;

const ACTIVATIONS: readonly Activation[] = ['gelu_new', 'gelu', 'relu', 'silu'];
/** Sizes are int32 in every format we read; anything larger is not a real model. */
const MAX_SIZE = 2 ** 31 - 1;

export function checkLmConfig(c: LmConfig, file: string, f: ConfigFields): LmConfig {
  const bad = (what: string) => new FormatError(file, what);
  const show = (v: unknown) => JSON.stringify(v) ?? String(v);
  for (const k of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'nKvHeads', 'dFF', 'maxSeq'] as const) {
    const v = c[k] as unknown;
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_SIZE) throw bad(`config field '${f[k]}' must be a positive integer (at most ${MAX_SIZE}), got ${show(v)}`);
  }
  if (c.dModel % c.nHeads) throw bad(`config field '${f.nHeads}' (${c.nHeads}) must divide '${f.dModel}' (${c.dModel}): each attention head gets ${f.dModel} / ${f.nHeads} dimensions`);
  if (c.nHeads % c.nKvHeads) throw bad(`config field '${f.nKvHeads}' (${c.nKvHeads}) must divide '${f.nHeads}' (${c.nHeads}): each key/value head serves a whole group of query heads`);
  if (c.positions === 'rope' && (c.dModel / c.nHeads) % 2) throw bad(`'${f.dModel}' / '${f.nHeads}' = ${c.dModel / c.nHeads} must be even: RoPE rotates each head's dimensions in pairs`);
  if (!ACTIVATIONS.includes(c.activation)) throw bad(`config field '${f.activation}' is ${show(c.activation)}; supported: ${ACTIVATIONS.join(', ')}`);
  if (typeof c.normEps !== 'number' || !(c.normEps > 0) || !Number.isFinite(c.normEps)) throw bad(`config field '${f.normEps}' must be a positive number, got ${show(c.normEps)}`);
  if (c.positions === 'rope' && (typeof c.ropeTheta !== 'number' || !(c.ropeTheta > 0) || !Number.isFinite(c.ropeTheta))) throw bad(`config field '${f.ropeTheta}' must be a positive number, got ${show(c.ropeTheta)}`);
  if (typeof c.tiedHead !== 'boolean') throw bad(`config field '${f.tiedHead}' must be true or false, got ${show(c.tiedHead)}`);
  return c;
}
