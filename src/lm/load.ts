// Loads a model from a path: a Hugging Face folder (config.json + safetensors) or a llama2.c .bin file.
import { statSync } from 'node:fs';
import { loadHf } from './formats/hf.js';
import { FormatError } from './formats/safetensors.js';
import { loadLlama2c } from './formats/llama2c.js';
import { DenseLM } from './model.js';
import { loadTokenizer, type TextTokenizer } from './tokenizers/index.js';

/** `tokenizerOptional`: a Hugging Face folder without a usable tokenizer loads without one (token ids only). */
export function loadModel(p: string, opts: { tokenizerOptional?: boolean } = {}): { lm: DenseLM; tokenizer?: TextTokenizer; kind: 'hf' | 'llama2c' } {
  let isDir: boolean;
  try {
    isDir = statSync(p).isDirectory();
  } catch {
    throw new FormatError(p, 'no such model (give a Hugging Face folder with config.json, or a llama2.c .bin file)');
  }
  if (isDir) {
    const { config, weights } = loadHf(p);
    let tokenizer: TextTokenizer | undefined;
    try {
      tokenizer = loadTokenizer(p, config.vocabSize);
    } catch (e) {
      if (!(opts.tokenizerOptional && e instanceof FormatError)) throw e;
    }
    return { lm: new DenseLM(config, weights), tokenizer, kind: 'hf' };
  }
  const { config, weights } = loadLlama2c(p);
  return { lm: new DenseLM(config, weights), kind: 'llama2c' };
}
