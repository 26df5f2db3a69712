// Leftovers of killed runs: temp folders and files whose name carries the pid of the process that made them. A run
// that is killed never reaches its own clean-up, so the next start removes what such a process left, and never
// anything whose process is still alive (another test run, a parallel worker, a build in progress).
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Whether a process with this pid exists (one of another user counts as alive: it cannot be told apart safely). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the entries of `dir` whose name `pidIn` maps to the pid of a process that no longer exists; returns their
 *  names. Entries it maps to no pid are left alone, and so is a missing `dir`. */
export function removeStale(dir: string, pidIn: (name: string) => number | undefined): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pidIn(name);
    if (pid === undefined || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    rmSync(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The pid in a `<anything>.tmp-<pid>-<random>` name (the form the build and lint caches write before a rename). */
export function tmpPid(name: string): number | undefined {
  const m = /\.tmp-(\d+)-[A-Za-z0-9]+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
