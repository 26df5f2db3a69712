// Tokenizers: bytes for our reference models, GPT-2 BPE (gpt-tokenizer, which ships the r50k vocabulary), and a
// user's tokenizer.json through @huggingface/tokenizers. loadTokenizer picks one for a checkpoint folder.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as r50k from 'gpt-tokenizer/encoding/r50k_base';
import { FormatError } from '../formats/safetensors.js';

export interface TextTokenizer {
  readonly name: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** UTF-8 bytes as tokens (vocabulary 256), for our reference models: any text round-trips. */
export class BytesTokenizer implements TextTokenizer {
  readonly name = 'bytes';
  readonly vocabSize = 256;
  encode(text: string): number[] {
    return Array.from(Buffer.from(text, 'utf8'));
  }
  /** The same tokens as an Int32Array (training data). */
  encodeInt32(text: string): Int32Array {
    return Int32Array.from(Buffer.from(text, 'utf8'));
  }
  decode(ids: readonly number[]): string {
    return Buffer.from(Uint8Array.from(ids)).toString('utf8');
  }
}

/** GPT-2's byte-level BPE (50257 tokens). */
export class Gpt2Tokenizer implements TextTokenizer {
  readonly name = 'gpt2-bpe';
  encode(text: string): number[] {
    return r50k.encode(text);
  }
  decode(ids: readonly number[]): string {
    return r50k.decode(ids as number[]);
  }
}

/** A Hugging Face tokenizer.json (and tokenizer_config.json when present). */
export class HfTokenizer implements TextTokenizer {
  readonly name: string;
  private tok: Tokenizer;
  constructor(dir: string) {
    const f = path.join(dir, 'tokenizer.json');
    let json: object;
    try {
      json = JSON.parse(readFileSync(f, 'utf8')) as object;
    } catch (e) {
      throw new FormatError(f, `cannot read tokenizer (${(e as Error).message})`);
    }
    const cf = path.join(dir, 'tokenizer_config.json');
    const config = existsSync(cf) ? (JSON.parse(readFileSync(cf, 'utf8')) as object) : {};
    this.tok = new Tokenizer(json as never, config as never);
    this.name = `hf:${path.basename(dir)}`;
  }
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false } as never).ids as number[];
  }
  decode(ids: readonly number[]): string {
    return this.tok.decode(ids as number[], { skip_special_tokens: false } as never);
  }
}

/** The tokenizer for a checkpoint folder: its tokenizer.json, else bytes (vocab 256) or GPT-2 BPE (vocab 50257). */
export function loadTokenizer(dir: string, vocabSize: number): TextTokenizer {
  if (existsSync(path.join(dir, 'tokenizer.json'))) return new HfTokenizer(dir);
  if (vocabSize === 256) return new BytesTokenizer();
  if (vocabSize === 50257) return new Gpt2Tokenizer();
  throw new FormatError(dir, `no tokenizer.json, and vocabulary size ${vocabSize} matches neither bytes (256) nor GPT-2 BPE (50257)`);
}
