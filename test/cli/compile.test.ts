// npm run compile and npm run eval --snn from the command line: a program is written (atomically, nothing partial on
// failure), evaluated, and refused for another model; a chip too small is one error line and exit 2.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const run = (file: string, args: string[]) => execa(process.execPath, ['--import', 'tsx', file, ...args], { cwd: PROJECT_ROOT, reject: false, env: { NO_COLOR: '1' } });
const GPT2 = path.join('test', 'fixtures', 'hf', 'gpt2-tiny');
const OPT = path.join('test', 'fixtures', 'hf', 'opt-tiny');

describe('compile and eval --snn', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-cli-'));
  const small = path.join(dir, 'chip.json');
  writeFileSync(small, JSON.stringify({ name: 'cli-small', tile: { rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 } }));
  it('compiles a model (calibrating on its own samples: no tokenizer) and evaluates it beside the dense model', async () => {
    const out = path.join(dir, 'prog');
    const c = await run('scripts/compile.ts', ['--model', GPT2, '--out', out, '--chip', small, '--calibration-tokens', '256', '--adc-tokens', '64', '--json']);
    expect(c.exitCode, c.stderr).toBe(0);
    const j = JSON.parse(c.stdout) as { summary: { tiles: { signed: number } } };
    expect(j.summary.tiles.signed).toBeGreaterThan(0);
    const e = await run('scripts/eval.ts', ['--model', GPT2, '--snn', out, '--data', 'generated:3', '--limit-tokens', '96', '--json']);
    expect(e.exitCode, e.stderr).toBe(0);
    const r = JSON.parse(e.stdout) as { fidelity: { dense: { perplexity: number }; snn: { perplexity: number }; top1Agreement: number } };
    expect(r.fidelity.snn.perplexity).toBeGreaterThan(1);
    expect(r.fidelity.top1Agreement).toBeGreaterThan(0.3);
    // generation on the chip functional model: greedy, and the spike-based beam search
    const g = await run('scripts/generate.ts', ['--model', GPT2, '--snn', out, '--ids', '1,2,3', '--max', '5']);
    expect(g.exitCode, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^ids: (\d+ ){4}\d+$/m);
    expect(g.stderr).toMatch(/chip functional model/);
    const b = await run('scripts/generate.ts', ['--model', GPT2, '--snn', out, '--ids', '1,2,3', '--max', '4', '--mode', 'beam', '--beams', '3']);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/spike-based beam search: 3 beams/);
    // the same program for another model is refused
    const bad = await run('scripts/eval.ts', ['--model', OPT, '--snn', out, '--data', 'generated:3', '--limit-tokens', '32']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*compiled for another model \(family gpt2 vs opt/);
  });
  it('a chip too small: one error line, exit 2, no program left behind', async () => {
    const tiny = path.join(dir, 'tiny.json');
    writeFileSync(tiny, JSON.stringify({ tile: { rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 }, tiles: { signed: 1, unsigned: 1 } }));
    const out = path.join(dir, 'none');
    const c = await run('scripts/compile.ts', ['--model', GPT2, '--out', out, '--chip', tiny, '--calibration-tokens', '128']);
    expect(c.exitCode).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toMatch(/^error: the chip is too small: L0\.\w+ needs, for one column tile, a chain of \d+ 16x16 tiles/);
    expect(existsSync(out)).toBe(false);
  });
  it('bad options: T out of range, a malformed chip file', async () => {
    const t = await run('scripts/compile.ts', ['--model', GPT2, '--out', path.join(dir, 'x'), '--T', '0']);
    expect(t.exitCode).toBe(2);
    expect(t.stderr).toMatch(/--T must be an integer from 1 to 64, got '0'/);
    const badChip = path.join(dir, 'bad.json');
    writeFileSync(badChip, JSON.stringify({ tile: { rows: 0 } }));
    const b = await run('scripts/compile.ts', ['--model', GPT2, '--out', path.join(dir, 'y'), '--chip', badChip]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/bad\.json: .*rows = 0 is outside 1\.\.1024/);
  });
});
