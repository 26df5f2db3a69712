// One scratch folder for the whole test run: every test's mkdtemp lands inside it (TMPDIR is read by os.tmpdir()
// in the forked workers, which inherit this process's environment), and it is removed when the run ends, so runs do
// not pile up files in /tmp. A run that was killed never reaches its end: its folder carries its pid, and the next
// run removes the folders of runs whose process is gone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeStale } from '../src/util/stale.js';

export const TEST_RUN_PREFIX = 'nllm-test-run-';
/** The pid in a test-run folder's name: nllm-test-run-<pid>-<6 random characters from mkdtemp>. */
export const testRunPid = (name: string): number | undefined => {
  const m = /^nllm-test-run-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export default function setup(): () => void {
  removeStale(os.tmpdir(), testRunPid);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${TEST_RUN_PREFIX}${process.pid}-`));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
