// A config the forward cannot compute is refused before any weight is read, naming the file and its own field:
// HF config.json (GPT-2, OPT, Llama) and the llama2.c header alike.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromHf } from '../../../src/lm/formats/hf.js';
import { loadLlama2c } from '../../../src/lm/formats/llama2c.js';
import { FormatError } from '../../../src/lm/formats/safetensors.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

const base = (name: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', name, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('HF config checks', () => {
  it.each([
    ['gpt2-tiny', { n_head: 3 }, "config field 'n_head' (3) must divide 'n_embd' (32): each attention head gets n_embd / n_head dimensions"],
    ['gpt2-tiny', { n_layer: -1 }, "config field 'n_layer' must be a positive integer (at most 2147483647), got -1"],
    ['gpt2-tiny', { n_layer: 0 }, "config field 'n_layer' must be a positive integer (at most 2147483647), got 0"],
    ['gpt2-tiny', { n_layer: '2' }, `config field 'n_layer' must be a positive integer (at most 2147483647), got "2"`],
    ['gpt2-tiny', { n_embd: 32.5 }, "config field 'n_embd' must be a positive integer"],
    ['gpt2-tiny', { vocab_size: 0 }, "config field 'vocab_size' must be a positive integer"],
    ['gpt2-tiny', { n_positions: undefined, n_ctx: -4 }, "config field 'n_ctx' must be a positive integer"],
    ['gpt2-tiny', { n_inner: 1e12 }, "config field 'n_inner' must be a positive integer (at most 2147483647), got 1000000000000"],
    ['gpt2-tiny', { layer_norm_epsilon: 0 }, "config field 'layer_norm_epsilon' must be a positive number, got 0"],
    ['gpt2-tiny', { tie_word_embeddings: 'yes' }, `config field 'tie_word_embeddings' must be true or false, got "yes"`],
    ['opt-tiny', { num_attention_heads: 5 }, "config field 'num_attention_heads' (5) must divide 'hidden_size' (32)"],
    ['opt-tiny', { ffn_dim: 0 }, "config field 'ffn_dim' must be a positive integer"],
    ['opt-tiny', { activation_function: 'swish' }, `config field 'activation_function' is "swish"; supported: gelu_new, gelu, relu, silu`],
    ['llama-tiny', { num_key_value_heads: 3 }, "config field 'num_key_value_heads' (3) must divide 'num_attention_heads' (4): each key/value head serves a whole group of query heads"],
    ['llama-tiny', { num_key_value_heads: 0 }, "config field 'num_key_value_heads' must be a positive integer"],
    ['llama-tiny', { intermediate_size: -64 }, "config field 'intermediate_size' must be a positive integer"],
    ['llama-tiny', { max_position_embeddings: 0 }, "config field 'max_position_embeddings' must be a positive integer"],
    ['llama-tiny', { hidden_size: 36 }, "'hidden_size' / 'num_attention_heads' = 9 must be even: RoPE rotates each head's dimensions in pairs"],
    ['llama-tiny', { hidden_act: 'tanh' }, `config field 'hidden_act' is "tanh"; supported:`],
    ['llama-tiny', { rms_norm_eps: -1e-5 }, "config field 'rms_norm_eps' must be a positive number, got -0.00001"],
    ['llama-tiny', { rope_theta: 0 }, "config field 'rope_theta' must be a positive number, got 0"],
    ['llama-tiny', { num_hidden_layers: undefined }, 'config is missing num_hidden_layers'],
  ])('%s with %j is refused, naming the field', (name, change, msg) => {
    let err: unknown;
    try {
      configFromHf({ ...base(name), ...change }, 'x/config.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toContain(`x/config.json: ${msg}`);
  });

  it('the fixtures themselves pass', () => {
    for (const n of ['gpt2-tiny', 'opt-tiny', 'llama-tiny', 'llama3-tiny']) expect(() => configFromHf(base(n), n)).not.toThrow();
  });
});

/** A llama2.c header alone (the checks run before any weight is read): legacy 7 ints, or version 1/2. */
function l2cHeader(fields: number[], version: 0 | 1 | 2 = 0, groupSize = 0): string {
  const b = Buffer.alloc(version === 0 ? 28 : 256);
  const at = version === 0 ? 0 : 8;
  if (version) {
    b.writeUInt32LE(0x616b3432, 0);
    b.writeInt32LE(version, 4);
    if (version === 2) b.writeInt32LE(groupSize, 37);
  }
  fields.forEach((v, i) => b.writeInt32LE(v, at + 4 * i));
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-l2ch-')), 'm.bin');
  writeFileSync(f, b);
  return f;
}

describe('llama2.c header checks', () => {
  // dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
  it.each([
    [[64, 172, 0, 8, 4, 512, 512], 0, 0, 'n_layers = 0, expected an integer from 1 to 1048576'],
    [[64, 172, -1, 8, 4, 512, 512], 0, 0, 'n_layers = -1, expected an integer from 1 to 1048576'],
    [[64, 172, 5, 8, 4, 512, 1 << 30], 0, 0, 'seq_len = 1073741824, expected an integer from 1 to 1048576'],
    [[64, 172, 5, 3, 3, 512, 512], 0, 0, "config field 'n_heads' (3) must divide 'dim' (64)"],
    [[64, 172, 5, 8, 3, 512, 512], 0, 0, "config field 'n_kv_heads' (3) must divide 'n_heads' (8)"],
    [[48, 172, 5, 16, 4, 512, 512], 0, 0, "'dim' / 'n_heads' = 3 must be even: RoPE rotates each head's dimensions in pairs"],
    [[64, 172, 5, 8, 4, 512, 512], 2, 0, 'group_size = 0, expected an integer from 1 to 1048576'],
    [[64, 172, 5, 8, 4, 512, 512], 2, -64, 'group_size = -64, expected an integer from 1 to 1048576'],
  ] as const)('%j (version %i, group size %i) is refused, naming the field', (fields, version, gs, msg) => {
    const f = l2cHeader([...fields], version, gs);
    expect(() => loadLlama2c(f)).toThrow(FormatError);
    expect(() => loadLlama2c(f)).toThrow(`${f}: `);
    expect(() => loadLlama2c(f)).toThrow(msg);
  });

  it('a sound header gets as far as the weights (and is refused there as truncated, naming the tensor)', () => {
    expect(() => loadLlama2c(l2cHeader([64, 172, 5, 8, 4, 512, 512]))).toThrow(/truncated: token_embedding_table needs/);
  });
});
