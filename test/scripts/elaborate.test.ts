// npm run elaborate twice on an unchanged chip: the second run takes every module's clean lint from the cache and
// says so, writing the same files; staging folders of killed runs beside the output are removed, live ones kept.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

it('a second elaboration takes the lint from the cache and reports how many modules were linted and cached', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nllm-elab-'));
  const out = path.join(tmp, 'gen');
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
  const stale = path.join(tmp, `gen.tmp-${dead}-1700000000000`);
  const live = path.join(tmp, `gen.tmp-${process.pid}-1700000000000`);
  mkdirSync(stale);
  mkdirSync(live);
  const run = () => execa(process.execPath, ['--import', 'tsx', 'scripts/elaborate.ts', '--out', out], { cwd: PROJECT_ROOT, reject: false, all: true, env: { NLLM_LINT_CACHE: path.join(tmp, 'lint-cache') } });
  const first = await run();
  expect(first.exitCode, first.all).toBe(0);
  const n = Number(/^elaborated \w+ \((\d+) modules\)/m.exec(first.stdout)?.[1]);
  expect(first.stdout).toContain(`lint: ${n} module(s) linted, 0 taken from the cache`);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(live)).toBe(true);
  const second = await run();
  expect(second.exitCode, second.all).toBe(0);
  expect(second.stdout).toContain(`lint: 0 module(s) linted, ${n} taken from the cache`);
  const wrote = (s: string) => s.split('\n').filter((l) => l.startsWith('wrote '));
  expect(wrote(second.stdout)).toEqual(wrote(first.stdout));
}, 120_000);
