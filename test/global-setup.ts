// One scratch folder for the whole test run: every test's mkdtemp lands inside it (TMPDIR is read by os.tmpdir()
// in the forked workers, which inherit this process's environment), and it is removed when the run ends, so runs do
// not pile up files in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-test-run-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
