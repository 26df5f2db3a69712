// Writes tiny random Hugging Face checkpoints (GPT-2, OPT, Llama with GQA, the Llama one sharded) used by tests
// and by the PyTorch reference. Deterministic: a fixed seed gives the same bytes. Clearly labelled random
// weights: they test formats and forward passes, not language quality.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeSafetensors } from '../src/lm/formats/safetensors.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { Rng } from '../src/util/random.js';
import { parseCli, runCli } from '../src/cli/args.js';

await runCli('npm run fixtures', () => {
  parseCli({ options: {} });
}, 'Writes the tiny random Hugging Face checkpoints under test/fixtures/hf (deterministic: the same bytes each run).\n  -h, --help   this text');

const OUT = path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf');
type T = Map<string, { shape: number[]; data: Float32Array }>;

function rand(rng: Rng, shape: number[], scale = 0.2, offset = 0): { shape: number[]; data: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => offset + (rng.next() - 0.5) * 2 * scale) };
}

function write(name: string, config: object, tensors: T, shards = 1): void {
  const dir = path.join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  if (shards === 1) {
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt', note: 'random weights for tests' });
    return;
  }
  const names = [...tensors.keys()];
  const per = Math.ceil(names.length / shards);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part: T = new Map(names.slice(s * per, (s + 1) * per).map((n) => [n, tensors.get(n)!]));
    for (const n of part.keys()) weightMap[n] = file;
    writeSafetensors(path.join(dir, file), part, { format: 'pt' });
  }
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2) + '\n');
}

const D = 32, L = 2, H = 4, F = 64, V = 50, S = 32;

function gpt2(): void {
  const r = new Rng(11);
  const t: T = new Map();
  t.set('wte.weight', rand(r, [V, D]));
  t.set('wpe.weight', rand(r, [S, D], 0.1));
  for (let l = 0; l < L; l++) {
    const p = `h.${l}.`;
    t.set(`${p}ln_1.weight`, rand(r, [D], 0.1, 1));
    t.set(`${p}ln_1.bias`, rand(r, [D], 0.1));
    t.set(`${p}attn.c_attn.weight`, rand(r, [D, 3 * D]));
    t.set(`${p}attn.c_attn.bias`, rand(r, [3 * D], 0.1));
    t.set(`${p}attn.c_proj.weight`, rand(r, [D, D]));
    t.set(`${p}attn.c_proj.bias`, rand(r, [D], 0.1));
    t.set(`${p}ln_2.weight`, rand(r, [D], 0.1, 1));
    t.set(`${p}ln_2.bias`, rand(r, [D], 0.1));
    t.set(`${p}mlp.c_fc.weight`, rand(r, [D, F]));
    t.set(`${p}mlp.c_fc.bias`, rand(r, [F], 0.1));
    t.set(`${p}mlp.c_proj.weight`, rand(r, [F, D]));
    t.set(`${p}mlp.c_proj.bias`, rand(r, [D], 0.1));
  }
  t.set('ln_f.weight', rand(r, [D], 0.1, 1));
  t.set('ln_f.bias', rand(r, [D], 0.1));
  write('gpt2-tiny', { model_type: 'gpt2', vocab_size: V, n_positions: S, n_embd: D, n_layer: L, n_head: H, n_inner: F, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, tie_word_embeddings: true }, t);
}

function opt(): void {
  const r = new Rng(22);
  const t: T = new Map();
  const P = 'model.decoder.';
  t.set(`${P}embed_tokens.weight`, rand(r, [V, D]));
  t.set(`${P}embed_positions.weight`, rand(r, [S + 2, D], 0.1));
  for (let l = 0; l < L; l++) {
    const p = `${P}layers.${l}.`;
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      t.set(`${p}self_attn.${n}.weight`, rand(r, [D, D]));
      t.set(`${p}self_attn.${n}.bias`, rand(r, [D], 0.1));
    }
    t.set(`${p}self_attn_layer_norm.weight`, rand(r, [D], 0.1, 1));
    t.set(`${p}self_attn_layer_norm.bias`, rand(r, [D], 0.1));
    t.set(`${p}fc1.weight`, rand(r, [F, D]));
    t.set(`${p}fc1.bias`, rand(r, [F], 0.1));
    t.set(`${p}fc2.weight`, rand(r, [D, F]));
    t.set(`${p}fc2.bias`, rand(r, [D], 0.1));
    t.set(`${p}final_layer_norm.weight`, rand(r, [D], 0.1, 1));
    t.set(`${p}final_layer_norm.bias`, rand(r, [D], 0.1));
  }
  t.set(`${P}final_layer_norm.weight`, rand(r, [D], 0.1, 1));
  t.set(`${P}final_layer_norm.bias`, rand(r, [D], 0.1));
  write('opt-tiny', { model_type: 'opt', vocab_size: V, hidden_size: D, num_hidden_layers: L, num_attention_heads: H, ffn_dim: F, max_position_embeddings: S, activation_function: 'relu', do_layer_norm_before: true, word_embed_proj_dim: D, tie_word_embeddings: true }, t);
}

/** Llama tensors (HF names) from `r`, with KV heads for grouped-query attention; an lm_head unless tied. */
function llamaTensors(r: Rng, KV: number, tied: boolean): T {
  const hd = D / H;
  const t: T = new Map();
  t.set('model.embed_tokens.weight', rand(r, [V, D]));
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    t.set(`${p}self_attn.q_proj.weight`, rand(r, [D, D]));
    t.set(`${p}self_attn.k_proj.weight`, rand(r, [KV * hd, D]));
    t.set(`${p}self_attn.v_proj.weight`, rand(r, [KV * hd, D]));
    t.set(`${p}self_attn.o_proj.weight`, rand(r, [D, D]));
    t.set(`${p}mlp.gate_proj.weight`, rand(r, [F, D]));
    t.set(`${p}mlp.up_proj.weight`, rand(r, [F, D]));
    t.set(`${p}mlp.down_proj.weight`, rand(r, [D, F]));
    t.set(`${p}input_layernorm.weight`, rand(r, [D], 0.1, 1));
    t.set(`${p}post_attention_layernorm.weight`, rand(r, [D], 0.1, 1));
  }
  t.set('model.norm.weight', rand(r, [D], 0.1, 1));
  if (!tied) t.set('lm_head.weight', rand(r, [V, D]));
  return t;
}

const llamaConfig = (KV: number) => ({ model_type: 'llama', vocab_size: V, hidden_size: D, intermediate_size: F, num_hidden_layers: L, num_attention_heads: H, num_key_value_heads: KV, max_position_embeddings: S, rms_norm_eps: 1e-5, rope_theta: 10000 });

function llama(): void {
  write('llama-tiny', { ...llamaConfig(2), hidden_act: 'silu', tie_word_embeddings: false }, llamaTensors(new Rng(33), 2, false), 2);
}

/** A Llama-3-style checkpoint: tied embeddings and llama3 RoPE scaling, with an original context short enough that
 *  head_dim 8's four frequencies fall in all three bands (wavelengths 6.3 kept, 63 blended, 628 and 6283 divided). */
function llama3(): void {
  const rope_scaling = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 };
  write('llama3-tiny', { ...llamaConfig(2), rope_scaling, hidden_act: 'silu', tie_word_embeddings: true }, llamaTensors(new Rng(34), 2, true));
}

gpt2();
opt();
llama();
llama3();
console.log(`wrote tiny random checkpoints under ${path.relative(process.cwd(), OUT)}`);
