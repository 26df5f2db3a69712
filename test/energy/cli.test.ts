// npm run energy refuses bad input with one `error:` line and exit status 2 (--help and unknown options are checked
// for every script by test/cli/help.test.ts).
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const run = (...args: string[]) => execa(process.execPath, ['--import', 'tsx', 'scripts/energy.ts', ...args], { cwd: PROJECT_ROOT, reject: false, env: { NO_COLOR: '1' } });

it.each([
  [['--tokens', '1'], /^error: --tokens must be an integer from 2/],
  [['--clock-mhz', '0'], /^error: --clock-mhz must be a number from 0.001/],
  [['--model', 'models/sotu-relu=/nonexistent-program', '--configs', 'none'], /^error: \/nonexistent-program: not a chip program/],
  [['--model', 'models/no-such-model', '--configs', 'none'], /^error: models\/no-such-model: no such model/],
])('%j: one error line, exit 2', async (args, message) => {
  const r = await run(...args);
  expect(r.exitCode, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(message);
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}, 60_000);
