// The report's result folder: one JSON file per job (its id, the spec it was run for and its result), written
// atomically, so shards on other machines fill the same folder and a killed run leaves only whole results. A result
// whose spec differs from today's plan is stale and is not used.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from './jobs.js';
import type { JobResult } from './run-job.js';

const FORMAT = 'nllm-report-result';
const VERSION = 1;

interface Stored {
  format: typeof FORMAT;
  version: number;
  id: string;
  spec: unknown;
  texts: unknown;
  result: JobResult;
}

const fileOf = (dir: string, id: string) => path.join(dir, `${id}.json`);
const sameRun = (s: Stored, j: Job) => JSON.stringify(s.spec) === JSON.stringify(j.spec) && JSON.stringify(s.texts) === JSON.stringify(j.texts);

export function writeResult(dir: string, job: Job, result: JobResult): void {
  mkdirSync(dir, { recursive: true });
  const body: Stored = { format: FORMAT, version: VERSION, id: job.id, spec: job.spec, texts: job.texts, result };
  const f = fileOf(dir, job.id);
  const tmp = `${f}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(body, null, 1) + '\n');
  renameSync(tmp, f);
}

export type Lookup = { result: JobResult } | { stale: string } | undefined;

/** The stored result of `job`, or why it cannot be used (a malformed file names what is wrong). */
export function readResult(dir: string, job: Job): Lookup {
  const f = fileOf(dir, job.id);
  if (!existsSync(f)) return undefined;
  let s: Stored;
  try {
    s = JSON.parse(readFileSync(f, 'utf8')) as Stored;
  } catch (e) {
    return { stale: `${f}: not valid JSON (${(e as Error).message})` };
  }
  if (s.format !== FORMAT || s.version !== VERSION) return { stale: `${f}: format ${s.format} v${s.version}, not ${FORMAT} v${VERSION}` };
  if (!sameRun(s, job)) return { stale: `${f}: made for another spec or other texts than today's plan (a --quick result in a full report, or an older plan)` };
  return { result: s.result };
}

/** Result files in `dir` that no planned job has (left from another plan). */
export function unplanned(dir: string, jobs: readonly Job[]): string[] {
  if (!existsSync(dir)) return [];
  const ids = new Set(jobs.map((j) => `${j.id}.json`));
  return readdirSync(dir).filter((f) => f.endsWith('.json') && !ids.has(f));
}
