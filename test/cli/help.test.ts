// Every npm script that runs a scripts/*.ts answers --help and -h with its usage and options (exit 0, doing
// nothing else), and refuses an unknown option with one `error:` line and the usage (exit 2).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const SCRIPTS = Object.entries(pkg.scripts).flatMap(([name, cmd]) => {
  const m = /^tsx (scripts\/[\w-]+\.ts)$/.exec(cmd);
  return m ? [[name, m[1]!] as const] : [];
});

it('the scripts found in package.json include every one that takes arguments', () => {
  expect(SCRIPTS.map(([n]) => n)).toEqual(expect.arrayContaining(['elaborate', 'lint', 'params', 'bench', 'train', 'generate', 'eval', 'export-text', 'model-card', 'fixtures']));
});

it('each answers --help and -h (usage, exit 0) and refuses an unknown option (one error line and the usage, exit 2)', async () => {
  // node with the tsx loader, not npx: one process per run; two runs at a time (two cores)
  const run = (file: string, arg: string) => execa(process.execPath, ['--import', 'tsx', file, arg], { cwd: PROJECT_ROOT, reject: false, env: { NO_COLOR: '1' } });
  const jobs = SCRIPTS.flatMap(([name, file]) => ['--help', '-h', '--no-such-option'].map((arg) => ({ name, file, arg })));
  const results: { name: string; arg: string; r: Awaited<ReturnType<typeof run>> }[] = [];
  for (let i = 0; i < jobs.length; i += 2) results.push(...(await Promise.all(jobs.slice(i, i + 2).map(async (j) => ({ ...j, r: await run(j.file, j.arg) })))));
  for (const { name, arg, r } of results) {
    const what = `npm run ${name} -- ${arg}\n${r.stdout}\n${r.stderr}`;
    if (arg === '--no-such-option') {
      expect(r.exitCode, what).toBe(2);
      expect(r.stdout, what).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines[0], what).toBe("error: Unknown option '--no-such-option' (--help lists the options)");
      expect(lines[1], what).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
      expect(lines.filter((l) => l.startsWith('error:')), what).toHaveLength(1);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
    } else {
      expect(r.exitCode, what).toBe(0);
      expect(r.stdout, what).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
      expect(r.stdout, what).toMatch(/-h, --help/);
      expect(r.stderr, what).toBe('');
    }
  }
}, 120_000);
