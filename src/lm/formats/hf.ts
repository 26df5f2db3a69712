// Hugging Face checkpoints: config.json + model.safetensors (or sharded, with model.safetensors.index.json)
// for the GPT-2, OPT and Llama families. inspectCheckpoint() reads only config and headers, so a 13B
// checkpoint's shape is available without loading its weights.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkLmConfig } from './config-check.js';
import { FormatError, SafetensorsFile, type TensorInfo } from './safetensors.js';
import type { Activation, LayerWeights, LmConfig, LmWeights, RopeScaling } from '../model.js';
import { paramCount } from '../model.js';

export interface CheckpointInfo {
  dir: string;
  hfConfig: Record<string, unknown>;
  config: LmConfig;
  /** every tensor with the shard it lives in */
  tensors: (TensorInfo & { file: string })[];
  totalBytes: number;
  params: number;
}

type Json = Record<string, unknown>;

/** The first of `keys` the config sets (a value of the wrong type is refused later, by checkLmConfig, naming it). */
function key(cfg: Json, file: string, ...keys: string[]): string {
  const k = keys.find((x) => cfg[x] !== undefined && cfg[x] !== null);
  if (k === undefined) throw new FormatError(file, `config is missing ${keys.join(' / ')}`);
  return k;
}
function num(cfg: Json, file: string, ...keys: string[]): number {
  return cfg[key(cfg, file, ...keys)] as number;
}
function opt<T>(cfg: Json, key: string, dflt: T): T {
  return cfg[key] === undefined || cfg[key] === null ? dflt : (cfg[key] as T);
}

/** HF rope_scaling: none/'default', 'linear' and 'llama3' are computed; others ('dynamic', 'yarn', ...) refused. */
function ropeScalingFromHf(cfg: Json, file: string): RopeScaling | undefined {
  const rs = cfg.rope_scaling as Json | null | undefined;
  if (!rs) return undefined;
  const type = String(rs.rope_type ?? rs.type ?? '');
  const factor = (key: string) => {
    const v = rs[key];
    if (typeof v !== 'number' || !(v > 0)) throw new FormatError(file, `rope_scaling.${key} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (type === 'default') return undefined;
  if (type === 'linear') return { type, factor: factor('factor') };
  if (type === 'llama3') {
    const s = { type, factor: factor('factor'), lowFreqFactor: factor('low_freq_factor'), highFreqFactor: factor('high_freq_factor'), originalMaxPositions: factor('original_max_position_embeddings') } as const;
    if (s.highFreqFactor <= s.lowFreqFactor) throw new FormatError(file, `rope_scaling.high_freq_factor (${s.highFreqFactor}) must exceed low_freq_factor (${s.lowFreqFactor})`);
    return s;
  }
  throw new FormatError(file, `rope_scaling type '${type}' is not supported (linear, llama3)`);
}

/** Our model config from an HF config.json. */
export function configFromHf(cfg: Json, file = 'config.json'): LmConfig {
  const type = String(cfg.model_type ?? '');
  if (type === 'gpt2') {
    const d = num(cfg, file, 'n_embd');
    const act = opt<string>(cfg, 'activation_function', 'gelu_new');
    if (!['gelu_new', 'gelu', 'relu', 'gelu_pytorch_tanh'].includes(act)) throw new FormatError(file, `activation_function '${act}' is not supported`);
    if (cfg.scale_attn_by_inverse_layer_idx === true) throw new FormatError(file, 'scale_attn_by_inverse_layer_idx = true is not supported');
    if (cfg.scale_attn_weights === false) throw new FormatError(file, 'scale_attn_weights = false is not supported');
    const seq = key(cfg, file, 'n_positions', 'n_ctx');
    return checkLmConfig({
      family: 'gpt2', vocabSize: num(cfg, file, 'vocab_size'), dModel: d, nLayers: num(cfg, file, 'n_layer'), nHeads: num(cfg, file, 'n_head'), nKvHeads: num(cfg, file, 'n_head'),
      dFF: opt(cfg, 'n_inner', 4 * d), maxSeq: cfg[seq] as number, norm: 'layernorm', normEps: opt(cfg, 'layer_norm_epsilon', 1e-5),
      activation: (act === 'gelu_pytorch_tanh' ? 'gelu_new' : act) as Activation, gated: false, positions: 'learned', posOffset: 0, ropeTheta: 0, tiedHead: opt(cfg, 'tie_word_embeddings', true),
    }, file, { vocabSize: 'vocab_size', dModel: 'n_embd', nLayers: 'n_layer', nHeads: 'n_head', nKvHeads: 'n_head', dFF: 'n_inner', maxSeq: seq, normEps: 'layer_norm_epsilon', activation: 'activation_function', ropeTheta: '', tiedHead: 'tie_word_embeddings' });
  }
  if (type === 'opt') {
    const d = num(cfg, file, 'hidden_size');
    if (opt(cfg, 'word_embed_proj_dim', d) !== d) throw new FormatError(file, `word_embed_proj_dim ${String(cfg.word_embed_proj_dim)} != hidden_size ${d} (OPT-350m's projections) is not supported`);
    if (opt(cfg, 'do_layer_norm_before', true) !== true) throw new FormatError(file, 'do_layer_norm_before = false (post-norm OPT) is not supported');
    return checkLmConfig({
      family: 'opt', vocabSize: num(cfg, file, 'vocab_size'), dModel: d, nLayers: num(cfg, file, 'num_hidden_layers'), nHeads: num(cfg, file, 'num_attention_heads'), nKvHeads: num(cfg, file, 'num_attention_heads'),
      dFF: num(cfg, file, 'ffn_dim'), maxSeq: num(cfg, file, 'max_position_embeddings'), norm: 'layernorm', normEps: 1e-5, activation: opt<string>(cfg, 'activation_function', 'relu') as Activation,
      gated: false, positions: 'learned', posOffset: 2, ropeTheta: 0, tiedHead: opt(cfg, 'tie_word_embeddings', true),
    }, file, { vocabSize: 'vocab_size', dModel: 'hidden_size', nLayers: 'num_hidden_layers', nHeads: 'num_attention_heads', nKvHeads: 'num_attention_heads', dFF: 'ffn_dim', maxSeq: 'max_position_embeddings', normEps: '', activation: 'activation_function', ropeTheta: '', tiedHead: 'tie_word_embeddings' });
  }
  if (type === 'llama' || type === 'mistral') {
    const ropeScaling = ropeScalingFromHf(cfg, file);
    for (const k of ['attention_bias', 'mlp_bias']) if (cfg[k] === true) throw new FormatError(file, `${k} = true is not supported (the Llama forward has no biases)`);
    const heads = num(cfg, file, 'num_attention_heads');
    const hd = opt<number | null>(cfg, 'head_dim', null);
    if (hd !== null && hd * heads !== num(cfg, file, 'hidden_size')) throw new FormatError(file, `head_dim ${hd} x ${heads} heads != hidden_size ${String(cfg.hidden_size)} is not supported`);
    return checkLmConfig({
      family: 'llama', vocabSize: num(cfg, file, 'vocab_size'), dModel: num(cfg, file, 'hidden_size'), nLayers: num(cfg, file, 'num_hidden_layers'), nHeads: heads,
      nKvHeads: opt(cfg, 'num_key_value_heads', heads), dFF: num(cfg, file, 'intermediate_size'), maxSeq: num(cfg, file, 'max_position_embeddings'), norm: 'rmsnorm',
      normEps: opt(cfg, 'rms_norm_eps', 1e-6), activation: opt<string>(cfg, 'hidden_act', 'silu') as Activation, gated: true, positions: 'rope', posOffset: 0,
      ropeTheta: opt(cfg, 'rope_theta', 10000), ...(ropeScaling ? { ropeScaling } : {}), tiedHead: opt(cfg, 'tie_word_embeddings', false),
    }, file, { vocabSize: 'vocab_size', dModel: 'hidden_size', nLayers: 'num_hidden_layers', nHeads: 'num_attention_heads', nKvHeads: 'num_key_value_heads', dFF: 'intermediate_size', maxSeq: 'max_position_embeddings', normEps: 'rms_norm_eps', activation: 'hidden_act', ropeTheta: 'rope_theta', tiedHead: 'tie_word_embeddings' });
  }
  throw new FormatError(file, `model_type '${type}' is not supported (gpt2, opt, llama)`);
}

class Shards {
  private files = new Map<string, SafetensorsFile>();
  readonly where = new Map<string, string>();
  constructor(readonly dir: string) {
    const index = path.join(dir, 'model.safetensors.index.json');
    if (existsSync(index)) {
      let map: Record<string, string>;
      try {
        map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
      } catch (e) {
        throw new FormatError(index, `not a valid index (${(e as Error).message})`);
      }
      if (!map) throw new FormatError(index, 'has no weight_map');
      for (const [name, f] of Object.entries(map)) this.where.set(name, f);
      for (const f of new Set(this.where.values())) {
        const st = this.open(f);
        for (const name of this.where.keys()) if (this.where.get(name) === f && !st.tensors.has(name)) throw new FormatError(path.join(dir, f), `index lists tensor '${name}' but the shard does not hold it`);
      }
    } else {
      const f = 'model.safetensors';
      if (!existsSync(path.join(dir, f))) throw new FormatError(dir, 'no model.safetensors or model.safetensors.index.json');
      for (const name of this.open(f).tensors.keys()) this.where.set(name, f);
    }
  }
  open(f: string): SafetensorsFile {
    let st = this.files.get(f);
    if (!st) {
      st = new SafetensorsFile(path.join(this.dir, f));
      this.files.set(f, st);
    }
    return st;
  }
  has(name: string): boolean {
    return this.where.has(name);
  }
  info(name: string): TensorInfo & { file: string } {
    const f = this.where.get(name)!;
    return { ...this.open(f).info(name), file: f };
  }
  /** tensors read so far, to find the ones a load left unread */
  readonly used = new Set<string>();
  get(name: string, shape: number[]): Float32Array {
    const f = this.where.get(name);
    if (!f) throw new FormatError(this.dir, `missing tensor '${name}' (expected shape [${shape}])`);
    this.used.add(name);
    return this.open(f).float32(name, shape);
  }
  close(): void {
    for (const f of this.files.values()) f.close();
  }
}

function readConfig(dir: string): Json {
  const f = path.join(dir, 'config.json');
  if (!existsSync(f)) throw new FormatError(dir, 'no config.json');
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as Json;
  } catch (e) {
    throw new FormatError(f, `not valid JSON (${(e as Error).message})`);
  }
}

/** Config and tensor list from headers only; no weights are read. */
export function inspectCheckpoint(dir: string): CheckpointInfo {
  const hfConfig = readConfig(dir);
  const config = configFromHf(hfConfig, path.join(dir, 'config.json'));
  const shards = new Shards(dir);
  try {
    const tensors = [...shards.where.keys()].map((n) => shards.info(n));
    const totalBytes = tensors.reduce((s, t) => s + (t.end - t.begin), 0);
    return { dir, hfConfig, config, tensors, totalBytes, params: paramCount(config) };
  } finally {
    shards.close();
  }
}

/** [rows, cols] → [cols, rows] */
function t2(a: Float32Array, rows: number, cols: number): Float32Array {
  const o = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[c * rows + r] = a[r * cols + c]!;
  return o;
}

/** HF Llama q/k rows (rotate-half halves) → interleaved pairs per head (Meta / llama2.c layout). */
export function unpermuteRope(w: Float32Array, heads: number, headDim: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) {
        const src = (h * headDim + s * half + i) * cols;
        const dst = (h * headDim + 2 * i + s) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

export function loadHf(dir: string): { config: LmConfig; weights: LmWeights } {
  const config = configFromHf(readConfig(dir), path.join(dir, 'config.json'));
  const s = new Shards(dir);
  try {
    const weights = loadWeights(config, s);
    refuseUnread(config, s);
    return { config, weights };
  } finally {
    s.close();
  }
}

// Tensors a checkpoint may hold that are not parameters: GPT-2's causal-mask buffers, Llama's RoPE frequencies.
const BUFFERS = [/(^|\.)attn\.(masked_)?bias$/, /\.rotary_emb\.inv_freq$/];

/** A tensor the forward never reads means the checkpoint has a part this loader does not model (a bias, a
 *  projection): computing without it would give wrong logits silently, so the load is refused, naming it. */
function refuseUnread(c: LmConfig, s: Shards): void {
  const unread = [...s.where.keys()].filter((n) => !s.used.has(n) && !BUFFERS.some((b) => b.test(n)) && !(c.tiedHead && n === 'lm_head.weight'));
  if (unread.length) {
    const more = unread.length > 5 ? ` and ${unread.length - 5} more` : '';
    throw new FormatError(s.dir, `holds ${unread.length} tensor(s) the ${c.family} forward does not use: ${unread.slice(0, 5).join(', ')}${more}; this variant (e.g. attention or MLP biases) is not supported, and ignoring them would give wrong logits`);
  }
}

function loadWeights(c: LmConfig, s: Shards): LmWeights {
  const D = c.dModel;
  const F = c.dFF;
  const V = c.vocabSize;
  const hd = D / c.nHeads;
  const kvd = c.nKvHeads * hd;
  const pick = (prefixes: string[], name: string) => prefixes.map((p) => p + name).find((n) => s.has(n)) ?? prefixes[0]! + name;
  if (c.family === 'gpt2') {
    const P = ['', 'transformer.'];
    const g = (n: string, sh: number[]) => s.get(pick(P, n), sh);
    const conv = (n: string, inD: number, outD: number) => t2(g(n, [inD, outD]), inD, outD); // Conv1D [in, out] → [out, in]
    const tok = g('wte.weight', [V, D]);
    const layers: LayerWeights[] = Array.from({ length: c.nLayers }, (_, l) => {
      const p = `h.${l}.`;
      const qkv = conv(`${p}attn.c_attn.weight`, D, 3 * D);
      const qkvb = g(`${p}attn.c_attn.bias`, [3 * D]);
      return {
        attnNorm: { w: g(`${p}ln_1.weight`, [D]), b: g(`${p}ln_1.bias`, [D]) },
        q: { w: qkv.slice(0, D * D), b: qkvb.slice(0, D) },
        k: { w: qkv.slice(D * D, 2 * D * D), b: qkvb.slice(D, 2 * D) },
        v: { w: qkv.slice(2 * D * D), b: qkvb.slice(2 * D) },
        o: { w: conv(`${p}attn.c_proj.weight`, D, D), b: g(`${p}attn.c_proj.bias`, [D]) },
        ffnNorm: { w: g(`${p}ln_2.weight`, [D]), b: g(`${p}ln_2.bias`, [D]) },
        up: { w: conv(`${p}mlp.c_fc.weight`, D, F), b: g(`${p}mlp.c_fc.bias`, [F]) },
        down: { w: conv(`${p}mlp.c_proj.weight`, F, D), b: g(`${p}mlp.c_proj.bias`, [D]) },
      };
    });
    const head = c.tiedHead || !s.has('lm_head.weight') ? tok : s.get('lm_head.weight', [V, D]);
    return { tokEmb: tok, posEmb: g('wpe.weight', [c.maxSeq, D]), layers, finalNorm: { w: g('ln_f.weight', [D]), b: g('ln_f.bias', [D]) }, head };
  }
  if (c.family === 'opt') {
    const P = ['model.decoder.', 'decoder.'];
    const g = (n: string, sh: number[]) => s.get(pick(P, n), sh);
    const tok = g('embed_tokens.weight', [V, D]);
    const lin = (n: string, o: number, i: number) => ({ w: g(`${n}.weight`, [o, i]), b: g(`${n}.bias`, [o]) });
    const layers: LayerWeights[] = Array.from({ length: c.nLayers }, (_, l) => {
      const p = `layers.${l}.`;
      return {
        attnNorm: { w: g(`${p}self_attn_layer_norm.weight`, [D]), b: g(`${p}self_attn_layer_norm.bias`, [D]) },
        q: lin(`${p}self_attn.q_proj`, D, D), k: lin(`${p}self_attn.k_proj`, D, D), v: lin(`${p}self_attn.v_proj`, D, D), o: lin(`${p}self_attn.out_proj`, D, D),
        ffnNorm: { w: g(`${p}final_layer_norm.weight`, [D]), b: g(`${p}final_layer_norm.bias`, [D]) },
        up: lin(`${p}fc1`, F, D), down: lin(`${p}fc2`, D, F),
      };
    });
    const head = c.tiedHead || !s.has('lm_head.weight') ? tok : s.get('lm_head.weight', [V, D]);
    return { tokEmb: tok, posEmb: g('embed_positions.weight', [c.maxSeq + c.posOffset, D]), layers, finalNorm: { w: g('final_layer_norm.weight', [D]), b: g('final_layer_norm.bias', [D]) }, head };
  }
  const P = ['model.', ''];
  const g = (n: string, sh: number[]) => s.get(pick(P, n), sh);
  const tok = g('embed_tokens.weight', [V, D]);
  const layers: LayerWeights[] = Array.from({ length: c.nLayers }, (_, l) => {
    const p = `layers.${l}.`;
    return {
      attnNorm: { w: g(`${p}input_layernorm.weight`, [D]) },
      q: { w: unpermuteRope(g(`${p}self_attn.q_proj.weight`, [D, D]), c.nHeads, hd, D) },
      k: { w: unpermuteRope(g(`${p}self_attn.k_proj.weight`, [kvd, D]), c.nKvHeads, hd, D) },
      v: { w: g(`${p}self_attn.v_proj.weight`, [kvd, D]) },
      o: { w: g(`${p}self_attn.o_proj.weight`, [D, D]) },
      ffnNorm: { w: g(`${p}post_attention_layernorm.weight`, [D]) },
      up: { w: g(`${p}mlp.up_proj.weight`, [F, D]) },
      gate: { w: g(`${p}mlp.gate_proj.weight`, [F, D]) },
      down: { w: g(`${p}mlp.down_proj.weight`, [D, F]) },
    };
  });
  const head = c.tiedHead ? tok : s.get('lm_head.weight', [V, D]);
  return { tokEmb: tok, layers, finalNorm: { w: g('norm.weight', [D]) }, head };
}
