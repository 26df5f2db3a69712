// npm run report [-- --quick] [--out DIR] [--shard I/N | --merge] [--force]
// Regenerates the evaluation report (issue #15): headline table, energy vs perplexity, scaling, ablations, error
// analysis, spike rates, as Markdown with SVG plots. Jobs (src/report/jobs.ts) store their results in DIR/results;
// shards run part of the jobs into the same folder and --merge renders the report from it.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { parseCli, runCli, UsageError, UserError } from '../src/cli/args.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { planJobs, shardOf, type Job } from '../src/report/jobs.js';
import { render } from '../src/report/render.js';
import { JobContext, runJob, type JobResult } from '../src/report/run-job.js';
import { readResult, unplanned, writeResult } from '../src/report/store.js';

const USAGE = 'npm run report -- [--quick] [--out DIR] [--shard I/N | --merge] [--force] [--list]';
const OPTIONS = `Runs the report's jobs (each result kept in DIR/results; a job with a result for the same spec is not run
again) and writes DIR/report.md with its SVG plots.
  --quick        short texts and a few points of each part (minutes; what the test suite runs); default DIR report/quick
  --out DIR      report folder (default report/, or report/quick with --quick)
  --shard I/N    run only jobs I, I+N, I+2N, ... of the plan (1 <= I <= N) and write no report: shards may run on
                 other machines into copies of DIR/results, merged by copying the files into one folder
  --merge        run nothing: write the report from DIR/results (every job must have its result)
  --force        run jobs again even when their result is there
  --list         print the plan (job ids, by shard with --shard) and exit
  -h, --help     this text`;

await runCli(
  USAGE,
  async () => {
    const { values: a } = parseCli({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' }, shard: { type: 'string' }, merge: { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, list: { type: 'boolean', default: false } } });
    if (a.shard && a.merge) throw new UsageError('--shard and --merge exclude each other: shards run jobs, --merge only renders');
    let shard: [number, number] | undefined;
    if (a.shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(a.shard);
      if (!m || +m[1]! < 1 || +m[1]! > +m[2]!) throw new UsageError(`--shard: '${a.shard}' is not I/N with 1 <= I <= N (e.g. --shard 2/4)`);
      shard = [+m[1]!, +m[2]!];
    }
    const out = path.resolve(a.out ?? path.join(PROJECT_ROOT, 'report', ...(a.quick ? ['quick'] : [])));
    const resultsDir = path.join(out, 'results');
    const jobs = planJobs(a.quick);
    const mine = shard ? shardOf(jobs, ...shard) : jobs;
    if (a.list) {
      for (const j of mine) console.log(`${j.id.padEnd(64)} ${j.group}: ${j.title}`);
      return;
    }
    const results = new Map<string, JobResult>();
    const todo: Job[] = [];
    for (const j of mine) {
      const r = a.force ? undefined : readResult(resultsDir, j);
      if (r && 'result' in r) results.set(j.id, r.result);
      else {
        if (r && 'stale' in r) console.log(`not used: ${r.stale}`);
        todo.push(j);
      }
    }
    if (a.merge && todo.length) throw new UserError(`--merge: ${todo.length} job(s) have no result in ${resultsDir}: ${todo.map((j) => j.id).join(', ')}; run them (npm run report${a.quick ? ' -- --quick' : ''}, or its shards) first`);
    for (const f of unplanned(resultsDir, jobs)) console.log(`ignored: ${path.join(resultsDir, f)} (no job of today's plan has this id)`);

    const ctx = new JobContext(path.join(out, 'programs'));
    const tty = process.stdout.isTTY;
    const bars = tty ? new cliProgress.MultiBar({ format: '{task} |{bar}| {value}/{total} {unit} | eta {eta_formatted}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
    const all = bars?.create(todo.length, 0, { task: 'report jobs'.padEnd(44), unit: 'jobs' });
    console.log(`${shard ? `shard ${shard[0]}/${shard[1]}: ` : ''}${todo.length} job(s) to run, ${mine.length - todo.length} already done; results in ${resultsDir}`);
    for (const [k, j] of todo.entries()) {
      const one = bars?.create(1, 0, { task: j.id.slice(0, 44).padEnd(44), unit: '' });
      const t0 = performance.now();
      const r = runJob(j, ctx, (done, total) => {
        one?.setTotal(total);
        one?.update(done);
      });
      one?.update(one.getTotal());
      if (one) bars!.remove(one);
      writeResult(resultsDir, j, r);
      results.set(j.id, r);
      all?.update(k + 1);
      if (!tty) console.log(`[${k + 1}/${todo.length}] ${j.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    bars?.stop();
    if (shard) {
      console.log(`shard ${shard[0]}/${shard[1]} done; when every shard's results are in ${resultsDir}: npm run report -- --merge${a.quick ? ' --quick' : ''}${a.out ? ` --out ${a.out}` : ''}`);
      return;
    }
    const rendered = await render(jobs, results, { quick: a.quick, command: `npm run report${a.quick ? ' -- --quick' : ''}` });
    // the report's files replace the old ones only once all are written
    const tmp = path.join(out, `.tmp-${process.pid}`);
    mkdirSync(tmp, { recursive: true });
    try {
      writeFileSync(path.join(tmp, 'report.md'), rendered.markdown);
      for (const [name, text] of rendered.files) writeFileSync(path.join(tmp, name), text);
      for (const name of ['report.md', ...rendered.files.keys()]) renameSync(path.join(tmp, name), path.join(out, name));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`wrote ${path.join(out, 'report.md')} and ${rendered.files.size} plots`);
  },
  OPTIONS,
);
