// A malformed model given to a script: one `error:` line naming the file and the tensor or field and what was
// expected, exit status 2, no stack trace and no output (no loss printed from a model that should not load).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nllm-badmodel-'));
const text = path.join(tmp, 'text.txt');
writeFileSync(text, 'Fellow-Citizens of the Senate and of the House of Representatives.\n');

/** sotu-relu with its config changed. */
function withConfig(name: string, change: Record<string, unknown>): string {
  const d = path.join(tmp, name);
  cpSync(path.join(PROJECT_ROOT, 'models', 'sotu-relu'), d, { recursive: true });
  const cfg = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
  writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...cfg, ...change }));
  return d;
}

/** sotu-relu with two same-sized tensors pointing at the same bytes (the header rewritten, the data as it was). */
function overlapping(): string {
  const d = withConfig('overlap', {});
  const f = path.join(d, 'model.safetensors');
  const buf = readFileSync(f);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  header['h.0.ln_1.bias'].data_offsets = header['h.0.ln_1.weight'].data_offsets;
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(f, Buffer.concat([len, json, buf.subarray(8 + n)]));
  return d;
}

/** A llama2.c legacy header whose head size is odd (dim 48 over 16 heads), with no weights after it. */
function oddHeads(): string {
  const f = path.join(tmp, 'odd-heads.bin');
  const b = Buffer.alloc(28);
  [48, 172, 5, 16, 4, 512, 512].forEach((v, i) => b.writeInt32LE(v, 4 * i));
  writeFileSync(f, b);
  return f;
}

const CASES: [string, () => string, RegExp][] = [
  ['a llama2.c header with an odd head size', oddHeads, /^error: \S+odd-heads\.bin: 'dim' \/ 'n_heads' = 3 must be even: RoPE rotates each head's dimensions in pairs$/],
  ['overlapping tensors', overlapping, /^error: \S+overlap\/model\.safetensors: tensor 'h\.0\.ln_1\.(bias|weight)' .*overlaps tensor 'h\.0\.ln_1\.(weight|bias)'/],
  ['n_head not dividing n_embd', () => withConfig('heads', { n_head: 3 }), /^error: \S+heads\/config\.json: config field 'n_head' \(3\) must divide 'n_embd' \(128\)/],
  ['a negative n_layer', () => withConfig('layers', { n_layer: -1 }), /^error: \S+layers\/config\.json: config field 'n_layer' must be a positive integer .*got -1$/],
];

describe('scripts given a malformed model', () => {
  it('eval: one error line naming the file and what was expected, exit 2, nothing else printed', async () => {
    const run = async ([what, make, msg]: (typeof CASES)[number]) => {
      const r = await execa('npx', ['tsx', 'scripts/eval.ts', '--model', make(), '--data', `text:${text}`], { cwd: PROJECT_ROOT, reject: false });
      return { what, msg, r };
    };
    // two at a time: each is a Node start
    const results = [...(await Promise.all(CASES.slice(0, 2).map(run))), ...(await Promise.all(CASES.slice(2).map(run)))];
    expect(results).toHaveLength(4);
    for (const { what, msg, r } of results) {
      expect(r.exitCode, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stdout, what).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, what).toHaveLength(1);
      expect(lines[0], what).toMatch(msg);
    }
  }, 90_000);
});
