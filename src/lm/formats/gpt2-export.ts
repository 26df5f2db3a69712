// Exports a trained GPT-2 (our stacked layout) as a Hugging Face GPT-2 checkpoint: config.json +
// model.safetensors with HF names and Conv1D ([in, out]) weight layout.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { transpose } from '../kernels.js';
import type { ParamSet } from '../train/gpt2.js';
import { writeSafetensors } from './safetensors.js';

export function gpt2HfConfig(p: ParamSet, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = p.config;
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.maxSeq,
    n_embd: c.dModel,
    n_layer: c.nLayers,
    n_head: c.nHeads,
    n_inner: c.dFF,
    activation_function: c.activation === 'gelu' ? 'gelu_new' : 'relu',
    layer_norm_epsilon: 1e-5,
    tie_word_embeddings: true,
    ...extra,
  };
}

export function gpt2HfTensors(p: ParamSet): Map<string, { shape: number[]; data: Float32Array }> {
  const { nLayers: L, dModel: C, dFF: F, vocabSize: V, maxSeq: T } = p.config;
  const v = p.views;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const conv1d = (w: Float32Array, outDim: number, inDim: number) => transpose(new Float32Array(outDim * inDim), w, outDim, inDim);
  out.set('wte.weight', { shape: [V, C], data: v.wte.slice() });
  out.set('wpe.weight', { shape: [T, C], data: v.wpe.slice() });
  for (let l = 0; l < L; l++) {
    const s = (x: Float32Array, n: number) => x.slice(l * n, (l + 1) * n);
    out.set(`h.${l}.ln_1.weight`, { shape: [C], data: s(v.ln1w, C) });
    out.set(`h.${l}.ln_1.bias`, { shape: [C], data: s(v.ln1b, C) });
    out.set(`h.${l}.attn.c_attn.weight`, { shape: [C, 3 * C], data: conv1d(s(v.qkvw, 3 * C * C), 3 * C, C) });
    out.set(`h.${l}.attn.c_attn.bias`, { shape: [3 * C], data: s(v.qkvb, 3 * C) });
    out.set(`h.${l}.attn.c_proj.weight`, { shape: [C, C], data: conv1d(s(v.attprojw, C * C), C, C) });
    out.set(`h.${l}.attn.c_proj.bias`, { shape: [C], data: s(v.attprojb, C) });
    out.set(`h.${l}.ln_2.weight`, { shape: [C], data: s(v.ln2w, C) });
    out.set(`h.${l}.ln_2.bias`, { shape: [C], data: s(v.ln2b, C) });
    out.set(`h.${l}.mlp.c_fc.weight`, { shape: [C, F], data: conv1d(s(v.fcw, F * C), F, C) });
    out.set(`h.${l}.mlp.c_fc.bias`, { shape: [F], data: s(v.fcb, F) });
    out.set(`h.${l}.mlp.c_proj.weight`, { shape: [F, C], data: conv1d(s(v.fcprojw, C * F), C, F) });
    out.set(`h.${l}.mlp.c_proj.bias`, { shape: [C], data: s(v.fcprojb, C) });
  }
  out.set('ln_f.weight', { shape: [C], data: v.lnfw.slice() });
  out.set('ln_f.bias', { shape: [C], data: v.lnfb.slice() });
  return out;
}

export function exportGpt2(p: ParamSet, dir: string, extraConfig: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
  writeSafetensors(path.join(dir, 'model.safetensors'), gpt2HfTensors(p), { format: 'pt', ...metadata });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(gpt2HfConfig(p, extraConfig), null, 2) + '\n');
}
