// HF checkpoints: GPT-2 / OPT / Llama (GQA, sharded) loaded by the TS forward agree with the independent
// plain-PyTorch baseline's reference logits; inspect reads headers only; malformed files are rejected clearly.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectCheckpoint, loadHf } from '../../../src/lm/formats/hf.js';
import { FormatError, SafetensorsFile, writeSafetensors } from '../../../src/lm/formats/safetensors.js';
import { DenseLM } from '../../../src/lm/model.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

const REF = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'baselines', 'reference', 'logits-v1.json'), 'utf8')) as {
  version: number;
  entries: { model: string; input_ids: number[]; logits: number[][] }[];
};

describe('TS dense forward vs the PyTorch reference file (logits-v1.json)', () => {
  it('covers the three families', () => {
    expect(REF.version).toBe(1);
    const models = REF.entries.map((e) => e.model);
    for (const f of ['gpt2-tiny', 'opt-tiny', 'llama-tiny']) expect(models).toContain(`test/fixtures/hf/${f}`);
  });
  it.each(REF.entries.map((e) => [e.model, e] as const))('%s matches to 1e-4', (model, e) => {
    const { config, weights } = loadHf(path.join(PROJECT_ROOT, model));
    const lm = new DenseLM(config, weights);
    const logits = lm.forward(e.input_ids, lm.newCache());
    let maxDiff = 0;
    e.logits.forEach((row, t) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[t * row.length + j]!)))));
    console.log(`${model}: max |TS - torch| = ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  });
});

const fixture = (n: string) => path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', n);
function tempCopy(n: string): string {
  const d = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-hf-')), n);
  cpSync(fixture(n), d, { recursive: true });
  return d;
}

describe('checkpoint formats', () => {
  it('inspect reads config and the tensor list of a sharded checkpoint from headers only', () => {
    const info = inspectCheckpoint(fixture('llama-tiny'));
    expect(info.config).toEqual(expect.objectContaining({ family: 'llama', nHeads: 4, nKvHeads: 2, dModel: 32 }));
    expect(new Set(info.tensors.map((t) => t.file)).size).toBe(2);
    expect(info.tensors.find((t) => t.name === 'model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([16, 32]);
    expect(info.params).toBe(info.totalBytes / 4);
  });

  it('inspect reads a Llama-2-13B-shaped checkpoint (26 GB of float16 in 3 shards) without reading its weights', () => {
    // Llama-2-13b's published config.json; the shards are sparse files: real headers, a full-length data section of
    // holes, so nothing but the headers is on disk and any read of the weights would be a read of 26 GB of zeros.
    const hf = { model_type: 'llama', vocab_size: 32000, hidden_size: 5120, intermediate_size: 13824, num_hidden_layers: 40, num_attention_heads: 40, num_key_value_heads: 40, max_position_embeddings: 4096, rms_norm_eps: 1e-5, rope_theta: 10000, hidden_act: 'silu', tie_word_embeddings: false, torch_dtype: 'float16' };
    const d = 5120, f = 13824, v = 32000;
    const list: [string, number[]][] = [['model.embed_tokens.weight', [v, d]]];
    for (let l = 0; l < 40; l++) {
      const p = `model.layers.${l}.`;
      for (const m of ['q', 'k', 'v', 'o']) list.push([`${p}self_attn.${m}_proj.weight`, [d, d]]);
      list.push([`${p}mlp.gate_proj.weight`, [f, d]], [`${p}mlp.up_proj.weight`, [f, d]], [`${p}mlp.down_proj.weight`, [d, f]]);
      list.push([`${p}input_layernorm.weight`, [d]], [`${p}post_attention_layernorm.weight`, [d]]);
    }
    list.push(['model.norm.weight', [d]], ['lm_head.weight', [v, d]]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-13b-'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hf));
    const weightMap: Record<string, string> = {};
    const shards = [list.slice(0, 121), list.slice(121, 242), list.slice(242)];
    shards.forEach((ts, i) => {
      const file = `model-0000${i + 1}-of-00003.safetensors`;
      const header: Record<string, unknown> = {};
      let off = 0;
      for (const [name, shape] of ts) {
        const bytes = shape.reduce((a, b) => a * b, 1) * 2;
        header[name] = { dtype: 'F16', shape, data_offsets: [off, off + bytes] };
        weightMap[name] = file;
        off += bytes;
      }
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      const p = path.join(dir, file);
      writeFileSync(p, Buffer.concat([len, json]));
      truncateSync(p, 8 + json.length + off);
    });
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const info = inspectCheckpoint(dir);
    rmSync(dir, { recursive: true });
    expect(info.config).toEqual(expect.objectContaining({ family: 'llama', nLayers: 40, dModel: 5120, nHeads: 40, nKvHeads: 40 }));
    expect(info.tensors).toHaveLength(40 * 9 + 3);
    expect(info.params).toBe(13_015_864_320);
    expect(info.totalBytes).toBe(2 * info.params);
    expect(info.tensors.find((t) => t.name === 'model.layers.39.mlp.down_proj.weight')).toEqual(expect.objectContaining({ dtype: 'F16', shape: [5120, 13824], file: 'model-00003-of-00003.safetensors' }));
  });

  it('safetensors write -> read round-trips exactly, with metadata', () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-st-')), 'x.safetensors');
    const a = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i) * 1e3);
    const b = Float32Array.from([1.5, -0, Number.MIN_VALUE, 3.4e38]);
    writeSafetensors(f, new Map([['a', { shape: [3, 5], data: a }], ['b.c', { shape: [4], data: b }]]), { k: 'v' });
    const st = new SafetensorsFile(f);
    expect(st.metadata.k).toBe('v');
    expect(Array.from(st.float32('a', [3, 5]))).toEqual(Array.from(a));
    expect(Array.from(st.float32('b.c'))).toEqual(Array.from(b));
    st.close();
  });

  it('rejects truncated files, missing tensors, wrong shapes and dtypes, naming the tensor', () => {
    const d1 = tempCopy('gpt2-tiny');
    const f1 = path.join(d1, 'model.safetensors');
    truncateSync(f1, readFileSync(f1).length - 100);
    expect(() => loadHf(d1)).toThrow(/tensor '.*' ends at byte \d+ of the data section but the file holds \d+: the file is truncated/);

    const d2 = tempCopy('opt-tiny');
    const st = new SafetensorsFile(path.join(d2, 'model.safetensors'));
    const kept = new Map([...st.tensors.keys()].filter((n) => !n.includes('layers.1.fc2.weight')).map((n) => [n, { shape: st.info(n).shape, data: st.float32(n) }]));
    st.close();
    writeSafetensors(path.join(d2, 'model.safetensors'), kept);
    expect(() => loadHf(d2)).toThrow(/missing tensor 'model\.decoder\.layers\.1\.fc2\.weight' \(expected shape \[32,64\]\)/);

    const d3 = tempCopy('gpt2-tiny');
    const cfg = JSON.parse(readFileSync(path.join(d3, 'config.json'), 'utf8'));
    writeFileSync(path.join(d3, 'config.json'), JSON.stringify({ ...cfg, n_inner: 65 }));
    expect(() => loadHf(d3)).toThrow(/tensor 'h\.0\.mlp\.c_fc\.weight' has shape \[32,64\], expected \[32,65\]/);

    const d4 = mkdtempSync(path.join(os.tmpdir(), 'nllm-bad-'));
    const bad = Buffer.alloc(16);
    bad.writeBigUInt64LE(8n, 0);
    bad.write('{"x":1} ', 8);
    writeFileSync(path.join(d4, 'model.safetensors'), bad);
    expect(() => new SafetensorsFile(path.join(d4, 'model.safetensors'))).toThrow(FormatError);

    const d5 = tempCopy('gpt2-tiny');
    writeFileSync(path.join(d5, 'config.json'), JSON.stringify({ ...cfg, model_type: 'bloom' }));
    expect(() => loadHf(d5)).toThrow(/model_type 'bloom' is not supported/);
    void copyFileSync;
  });

  it('refuses a checkpoint with tensors the forward would ignore, naming them (e.g. Llama attention biases)', () => {
    // llama-tiny's shards merged into one file, plus q_proj biases as a Llama variant with attention_bias has them
    const src = inspectCheckpoint(fixture('llama-tiny'));
    const all = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const f of new Set(src.tensors.map((t) => t.file))) {
      const st = new SafetensorsFile(path.join(fixture('llama-tiny'), f));
      for (const n of st.tensors.keys()) all.set(n, { shape: st.info(n).shape, data: st.float32(n) });
      st.close();
    }
    const d = mkdtempSync(path.join(os.tmpdir(), 'nllm-hf-'));
    copyFileSync(path.join(fixture('llama-tiny'), 'config.json'), path.join(d, 'config.json'));
    writeSafetensors(path.join(d, 'model.safetensors'), all);
    expect(() => loadHf(d)).not.toThrow(); // the merged copy loads
    for (const l of [0, 1]) all.set(`model.layers.${l}.self_attn.q_proj.bias`, { shape: [32], data: new Float32Array(32).fill(0.5) });
    all.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [4], data: new Float32Array(4) }); // a buffer: allowed
    writeSafetensors(path.join(d, 'model.safetensors'), all);
    expect(() => loadHf(d)).toThrow(/holds 2 tensor\(s\) the llama forward does not use: model\.layers\.0\.self_attn\.q_proj\.bias, model\.layers\.1\.self_attn\.q_proj\.bias; .*wrong logits/);
  });

  it.each([
    ['llama-tiny', { attention_bias: true }, /attention_bias = true is not supported/],
    ['llama-tiny', { mlp_bias: true }, /mlp_bias = true is not supported/],
    ['llama-tiny', { head_dim: 16 }, /head_dim 16 x 4 heads != hidden_size 32/],
    ['llama-tiny', { rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling type 'yarn' is not supported \(linear, llama3\)/],
    ['llama-tiny', { rope_scaling: { rope_type: 'llama3', factor: 8 } }, /rope_scaling\.low_freq_factor must be a positive number, got undefined/],
    ['gpt2-tiny', { scale_attn_by_inverse_layer_idx: true }, /scale_attn_by_inverse_layer_idx = true is not supported/],
  ])('refuses config variants the forward does not compute: %s %j', (name, extra, msg) => {
    const d = tempCopy(name);
    const cfg = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
    writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...cfg, ...extra }));
    expect(() => loadHf(d)).toThrow(msg);
  });
});
