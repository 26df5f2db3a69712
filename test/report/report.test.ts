// npm run report --quick as the suite runs it: in two shards into one folder, then --merge; every section and plot is
// there, a job run again gives the same result (deterministic given its seeds), --merge refuses a folder with
// results missing, and a stored result made for another spec is not used.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { planJobs, shardOf } from '../../src/report/jobs.js';
import { JobContext, runJob } from '../../src/report/run-job.js';
import { readResult, writeResult } from '../../src/report/store.js';

const run = (args: string[]) => execa(process.execPath, ['--import', 'tsx', 'scripts/report.ts', ...args], { cwd: PROJECT_ROOT, reject: false, env: { NO_COLOR: '1' } });
const noSeconds = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'seconds' ? undefined : v)));

describe('npm run report --quick', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'nllm-report-'));
  const jobs = planJobs(true);

  it('the plan: unique ids, every part of the report, shards that partition it', () => {
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
    expect(new Set(jobs.map((j) => j.group))).toEqual(new Set(['points', 'ablations', 'attribution', 'headline']));
    expect(new Set(jobs.map((j) => j.spec.kind))).toEqual(new Set(['eval', 'device-noise', 'attribution', 'headline']));
    const full = planJobs(false);
    for (const f of ['attention', 'pruning', 'ADC bits', 'weight bits', 'device noise', 'refinement']) expect(full.some((j) => j.family === f), f).toBe(true);
    const parts = [1, 2, 3].flatMap((i) => shardOf(full, i, 3).map((j) => j.id));
    expect(parts.sort()).toEqual(full.map((j) => j.id).sort());
  });

  it('runs in two shards, merges into one report with every section and plot', async () => {
    for (const s of ['1/2', '2/2']) {
      const r = await run(['--quick', '--out', out, '--shard', s]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`shard ${s} done`));
    }
    expect(existsSync(path.join(out, 'report.md'))).toBe(false);
    const m = await run(['--quick', '--out', out, '--merge']);
    expect(m.exitCode, m.stderr).toBe(0);
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    for (const h of ['## 1. Headline', '## 2. Energy vs perplexity', '## 3. Scaling', '## 4. Ablations', '## 5. Error analysis', '### Per-layer attribution', '### Clipping and saturation', '### Where SNN and dense disagree most', '## 6. Spike rate per layer']) expect(md).toContain(h);
    for (const svg of md.match(/\(([\w-]+\.svg)\)/g)!.map((s) => s.slice(1, -1))) expect(readFileSync(path.join(out, svg), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
    for (const j of jobs) expect(md).toContain(j.id);
    expect(md).toMatch(/break-even spike rate vs INT8/);
  }, 900_000);

  it('a job run again gives the same result', () => {
    const j = jobs.find((x) => x.spec.kind === 'attribution')!;
    const again = runJob(j, new JobContext(path.join(out, 'programs')));
    const stored = readResult(path.join(out, 'results'), j);
    expect(stored && 'result' in stored).toBe(true);
    expect(noSeconds(again)).toEqual(noSeconds((stored as { result: unknown }).result));
  }, 300_000);

  it('a result made for another spec is not used; --merge names what is missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-report-stale-'));
    const j = jobs[0]!;
    writeResult(path.join(dir, 'results'), { ...j, texts: { ...j.texts, evaluation: 999 } }, { kind: 'attribution', tokens: 1, deltaPpl: 0, meanKl: 0, top1: 1, seconds: 0 });
    expect(readResult(path.join(dir, 'results'), j)).toMatchObject({ stale: expect.stringMatching(/another spec or other texts/) });
    writeFileSync(path.join(dir, 'results', `${jobs[1]!.id}.json`), '{ not json');
    expect(readResult(path.join(dir, 'results'), jobs[1]!)).toMatchObject({ stale: expect.stringMatching(/not valid JSON/) });
    const m = await run(['--quick', '--out', dir, '--merge']);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toMatch(new RegExp(`--merge: ${jobs.length} job\\(s\\) have no result in .*${j.id}`));
    expect(existsSync(path.join(dir, 'report.md'))).toBe(false);
    const bad = await run(['--quick', '--shard', '3/2']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--shard: '3\/2' is not I\/N/);
  }, 120_000);
});
