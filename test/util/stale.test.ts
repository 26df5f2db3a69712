// Leftovers of killed runs are removed at the next start when their process is gone, never while it is alive:
// test-run folders in the temp folder (test/global-setup.ts) and half-built simulators in the build cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive, removeStale, tmpPid } from '../../src/util/stale.js';
import setup, { testRunPid } from '../global-setup.js';

/** The pid of a process that has exited (a child that ran and was reaped). */
function deadPid(): number {
  const pid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
  expect(processAlive(pid)).toBe(false);
  return pid;
}

describe('stale leftovers', () => {
  const savedTmp = process.env.TMPDIR;
  afterEach(() => {
    process.env.TMPDIR = savedTmp;
  });

  it('removeStale removes only entries whose process is gone, and leaves names without a pid', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-stale-'));
    const dead = deadPid();
    for (const n of [`a.tmp-${dead}-x1`, `b.tmp-${process.pid}-x2`, `c.tmp-${process.ppid}-x3`, 'd', 'e.tmp-notapid-x']) mkdirSync(path.join(dir, n));
    expect(removeStale(dir, tmpPid)).toEqual([`a.tmp-${dead}-x1`]);
    expect(readdirSync(dir).sort()).toEqual([`b.tmp-${process.pid}-x2`, `c.tmp-${process.ppid}-x3`, 'd', 'e.tmp-notapid-x']);
    expect(removeStale(path.join(dir, 'missing'), tmpPid)).toEqual([]);
  });

  it('the test run setup puts its pid in its folder name and removes the folders of dead runs only', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nllm-tmpdir-'));
    const dead = deadPid();
    const stale = path.join(tmp, `nllm-test-run-${dead}-AbC123`);
    const live = path.join(tmp, `nllm-test-run-${process.pid}-xYz789`);
    const other = path.join(tmp, 'nllm-test-run-Qw3rty'); // the old naming, no pid: not ours to judge
    for (const d of [stale, live, other]) mkdirSync(d);
    process.env.TMPDIR = tmp;
    const teardown = setup();
    const mine = process.env.TMPDIR!;
    expect(path.dirname(mine)).toBe(tmp);
    expect(testRunPid(path.basename(mine))).toBe(process.pid);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    teardown();
    expect(existsSync(mine)).toBe(false);
  });

  it('the simulator build cache removes half-built folders of dead builds only, once per process', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'nllm-simcache-'));
    const saved = process.env.NLLM_SIM_CACHE;
    process.env.NLLM_SIM_CACHE = cache; // read when build.ts loads: imported below, after this
    try {
      const { removeStaleBuilds, CACHE_DIR } = await import('../../src/harness/build.js');
      expect(CACHE_DIR).toBe(cache);
      const dead = deadPid();
      const names = [`top-0123abcd.tmp-${dead}-k2j3`, `top-0123abcd.tmp-${process.pid}-h4g5`, 'top-0123abcd'];
      for (const n of names) mkdirSync(path.join(cache, n));
      expect(removeStaleBuilds()).toEqual([names[0]]);
      expect(readdirSync(cache).sort()).toEqual([names[2], names[1]].sort());
      mkdirSync(path.join(cache, names[0]!));
      expect(removeStaleBuilds()).toEqual([]); // checked once per process, at its first build
    } finally {
      if (saved === undefined) delete process.env.NLLM_SIM_CACHE;
      else process.env.NLLM_SIM_CACHE = saved;
    }
  });
});
