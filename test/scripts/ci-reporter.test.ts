// The closing line CI reads counts a crashed worker or an unhandled rejection as a failure (vitest itself reports
// such a run to reporters as 'passed'). Runs vitest on fixture files kept outside the suite's globs.
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const vitestOn = (fixture: string) =>
  execa('npx', ['vitest', 'run', '--config', 'test/fixtures/ci/vitest.config.ts', '--root', '.', `test/fixtures/ci/${fixture}.fixture.ts`], {
    cwd: PROJECT_ROOT,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
  });

it('a worker killed mid-run and an unhandled rejection are counted as failed, and the exit code is non-zero', async () => {
  const [crash, unhandled] = await Promise.all([vitestOn('worker-crash'), vitestOn('unhandled')]);
  expect(crash.all).toMatch(/^vitest: 1 unhandled error\(s\) counted as failed \(a worker crash or an unhandled rejection; first: .*\); 2 test\(s\) never finished$/m);
  expect(crash.all).toMatch(/^vitest: 0 passed, 1 failed, 2 skipped$/m);
  expect(crash.exitCode).not.toBe(0);
  expect(unhandled.all).toMatch(/first: Error: nobody handles this\)$/m);
  expect(unhandled.all).toMatch(/^vitest: 1 passed, 1 failed, 0 skipped$/m);
  expect(unhandled.exitCode).not.toBe(0);
  // the closing line is the last line
  expect(crash.all!.trim().split('\n').at(-1)).toBe('vitest: 0 passed, 1 failed, 2 skipped');
}, 60_000);
