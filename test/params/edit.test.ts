// npm run params: list and in-place edit of the parameter file (formatting and comments kept), validation.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAM_FILE, ParamEditError, listParams, setParams } from '../../src/params/edit.js';
import { chipParams } from '../../dsl/params.js';
import { resolveParams } from '../../src/params/define.js';

function tempCopy(): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-params-')), 'params.ts');
  copyFileSync(DEFAULT_PARAM_FILE, f);
  return f;
}

describe('params list', () => {
  it('lists every parameter with type, value, range, doc and location, matching the runtime values', () => {
    const list = listParams();
    const runtime = resolveParams(chipParams) as unknown as Record<string, unknown>;
    expect(list.length).toBeGreaterThanOrEqual(9);
    for (const e of list) {
      const value = e.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], runtime);
      expect(value).toEqual(e.value);
      expect(e.doc.length).toBeGreaterThan(10);
      expect(e.loc).toMatch(/^dsl\/params\.ts:\d+$/);
    }
    expect(list.find((e) => e.path === 'lif.neurons')).toEqual(expect.objectContaining({ kind: 'int', min: 1, max: 1024 }));
    expect(list.find((e) => e.path === 'lif.arch')!.choices).toEqual(['timemux', 'parallel']);
  });
});

describe('params set', () => {
  it('edits values in place and changes nothing else', () => {
    const f = tempCopy();
    const before = readFileSync(f, 'utf8');
    const changes = setParams(['lif.neurons=64', 'lif.spikes=graded', 'lif.levels=3'], f);
    expect(changes.map((c) => [c.path, c.value])).toEqual([['lif.neurons', 64], ['lif.spikes', 'graded'], ['lif.levels', 3]]);
    const after = readFileSync(f, 'utf8');
    const diff = after.split('\n').filter((l, i) => l !== before.split('\n')[i]);
    expect(diff).toEqual([
      '    neurons: p.int(64, { min: 1, max: 1024 }),',
      "    spikes: p.enum('graded', ['binary', 'signed', 'graded', 'graded-signed']),",
      '    levels: p.int(3, { min: 1, max: 15 }),',
    ]);
    expect(listParams(f).find((e) => e.path === 'lif.neurons')!.value).toBe(64);
    // round trip back to the original text
    setParams(['lif.neurons=16', 'lif.spikes=binary', 'lif.levels=1'], f);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('rejects out-of-range, ill-typed and unknown values without writing anything', () => {
    const f = tempCopy();
    const before = readFileSync(f, 'utf8');
    expect(() => setParams(['lif.neurons=5000'], f)).toThrow(/lif\.neurons: 5000 is outside the allowed range 1\.\.1024 \(declared at .*:\d+\)/);
    expect(() => setParams(['lif.neurons=3.5'], f)).toThrow(/not an integer/);
    expect(() => setParams(['lif.arch=fast'], f)).toThrow(/'fast' is not one of 'timemux', 'parallel'/);
    expect(() => setParams(['lif.nope=1'], f)).toThrow(/unknown parameter 'lif\.nope'/);
    expect(() => setParams(['lif.neurons=8', 'lif.vWidth=99'], f)).toThrow(ParamEditError);
    expect(readFileSync(f, 'utf8')).toBe(before);
  });
});

describe('parameter file ranges', () => {
  it('the crossbar ranges in dsl/params.ts are the tile spec\'s (src/spec/crossbar.ts)', async () => {
    const { CROSSBAR_LIMITS } = await import('../../src/spec/crossbar.js');
    const list = listParams();
    for (const [k, [min, max]] of Object.entries(CROSSBAR_LIMITS)) {
      expect(list.find((e) => e.path === `crossbar.${k}`), k).toEqual(expect.objectContaining({ min, max }));
    }
  });
});
