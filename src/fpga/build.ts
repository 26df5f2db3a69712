// The iCE40 build: Yosys synth_ice40 (with the tile's weights mapped to SB_SPRAM256KA when asked), nextpnr-ice40 on
// the board's package with the board's clock, icepack; all WebAssembly from npm (@yowasp). The build folder is keyed
// by a digest of every input (sources, constraints, scripts, tool versions, flow version), so a second run with
// nothing changed reads the report and does nothing. A build is made in a temporary folder and renamed into place
// only when it succeeded; a failed one leaves its logs (no bitstream, no report) in <folder>.failed and says why:
// the resource that does not fit and by how much, the timing margin, or the tool's ERROR lines.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../cli/args.js';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { removeStale, tmpPid } from '../util/stale.js';
import type { Board } from './board.js';
import type { FpgaConfig } from './config.js';
import { nextpnrPhase, silentProgress, yosysPhase, type Progress } from './progress.js';
import { clockResult, overuse, REPORTED, reportMarkdown, resourceLabel, timingSentence, utilisationFromLog, type BuildReport } from './report.js';
import { fpgaSources, type FpgaSources } from './sources.js';

/** Bumped whenever the flow itself (scripts, arguments, report) changes, so cached builds are not reused. */
export const FLOW_VERSION = 2;
export const FPGA_CACHE_DIR = process.env.NLLM_FPGA_CACHE ?? path.join(PROJECT_ROOT, '.cache', 'fpga');
const SPRAM_MAP = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'ice40', 'spram-map.v'), 'utf8');

export class FpgaBuildError extends UserError {
  constructor(
    readonly reason: 'fit' | 'timing' | 'tool',
    message: string,
    readonly logDir?: string,
  ) {
    super(`${message}${logDir ? ` (logs: ${path.relative(process.cwd(), logDir) || logDir})` : ''}`);
    this.name = 'FpgaBuildError';
  }
}

export interface BuildOptions {
  cacheDir?: string;
  progress?: Progress;
  /** the clock constraint in MHz (default: the board clock) */
  freqMHz?: number;
  seed?: number;
}

interface Tree {
  [name: string]: string | Uint8Array | Tree;
}
type Runner = (args: string[], files: Tree, opts: object) => Promise<Tree | undefined> | Tree | undefined;

/** Runs a @yowasp tool; never throws for the tool's failure: `ok` says, `log` has everything it printed. */
async function runTool(run: Runner, args: string[], files: Tree, onLine: (l: string) => void): Promise<{ ok: boolean; log: string; files: Tree }> {
  let log = '';
  let partial = '';
  const sink = (bytes: Uint8Array | null) => {
    if (!bytes) return;
    const s = new TextDecoder().decode(bytes);
    log += s;
    const lines = (partial + s).split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  };
  try {
    const out = await run(args, files, { stdout: sink, stderr: sink, synchronously: false });
    return { ok: true, log, files: (out ?? {}) as Tree };
  } catch (e) {
    // Yosys throws Exit; nextpnr traps as RuntimeError ("unreachable") after printing its ERROR line
    if (!/ERROR/.test(log)) log += `\n${String(e)}`;
    return { ok: false, log, files: {} };
  }
}

const errorLines = (log: string) =>
  log
    .split('\n')
    .filter((l) => /^ERROR|error:/.test(l))
    .slice(0, 5)
    .join('\n');

export interface Ice40Plan {
  sources: FpgaSources;
  yosysScript: string;
  nextpnrArgs: string[];
  /** the .pcf nextpnr reads */
  pcf: { name: string; text: string };
  digest: string;
  dir: string;
}

/** What a build of `config` will run and where it goes, without running anything. */
export async function planIce40(config: FpgaConfig, board: Board, opts: BuildOptions = {}): Promise<Ice40Plan> {
  return planSources(config.name, fpgaSources(config, board), board, { ...opts, weightMemory: config.build.weightMemory, seed: opts.seed ?? config.build.seed });
}

export interface SourceOptions extends BuildOptions {
  weightMemory: 'spram' | 'bram';
  seed: number;
}

/** The plan for any FPGA top's sources (fpgaSources, or a test's own design). */
export async function planSources(name: string, sources: FpgaSources, board: Board, opts: SourceOptions): Promise<Ice40Plan> {
  if (board.family !== 'ice40') throw new UserError(`board ${board.name} is a ${board.family} board; this flow builds iCE40 bitstreams (the others get project files)`);
  const config = { name, build: { weightMemory: opts.weightMemory, seed: opts.seed } };
  const top = sources.boardTop.name;
  const reads = Object.keys(sources.rtl)
    .filter((f) => f.endsWith('.v'))
    .sort()
    .map((f) => `read_verilog -sv ${f}`);
  const device = board.device === 'iCE40UP5K' ? 'u' : 'hx';
  const spram = config.build.weightMemory === 'spram' ? ['techmap -map spram_map.v r:MEMID=*weights'] : [];
  const yosysScript = [...reads, `synth_ice40 -device ${device} -top ${top} -run :map_ram`, ...spram, `synth_ice40 -device ${device} -top ${top} -run map_ram:`, 'tee -q -o stat.json stat -json', 'write_json netlist.json'].join('; ');
  const pcf = Object.keys(sources.constraints).find((f) => f.endsWith('.pcf'))!;
  const freq = opts.freqMHz ?? sources.boardTop.clock.clockHz! / 1e6;
  // a set_frequency in the .pcf overrides --freq: the copy nextpnr reads carries the target
  const pcfText = sources.constraints[pcf]!.replace(/^set_frequency (\S+) .*$/m, `set_frequency $1 ${freq}`);
  const dev = `--${board.device.replace(/^iCE40/, '').toLowerCase()}`;
  const nextpnrArgs = [dev, '--package', board.package.name.toLowerCase(), '--json', 'netlist.json', '--pcf', pcf, '--freq', String(freq), '--asc', 'design.asc', '--report', 'report.json', '--seed', String(config.build.seed), '--top', top, '--timing-allow-fail'];
  const [{ version: yosysVersion }, { version: nextpnrVersion }] = await Promise.all([import('@yowasp/yosys'), import('@yowasp/nextpnr-ice40')]);
  const h = createHash('sha256');
  h.update(JSON.stringify({ flow: FLOW_VERSION, yosysVersion, nextpnrVersion, yosysScript, nextpnrArgs, pcfText, spram: config.build.weightMemory === 'spram' ? SPRAM_MAP : '' }));
  for (const [f, text] of Object.entries({ ...sources.rtl, ...sources.constraints }).sort(([a], [b]) => (a < b ? -1 : 1))) h.update(f).update('\0').update(text).update('\0');
  const digest = h.digest('hex').slice(0, 20);
  const dir = path.join(opts.cacheDir ?? FPGA_CACHE_DIR, `${board.name}-${config.name}-${digest}`);
  return { sources, yosysScript, nextpnrArgs, pcf: { name: pcf, text: pcfText }, digest, dir };
}

/** Builds the bitstream of `config` for an iCE40 board (or reads the cached build of the same inputs). */
export async function buildIce40(config: FpgaConfig, board: Board, opts: BuildOptions = {}): Promise<BuildReport> {
  const t0 = performance.now();
  const sources = fpgaSources(config, board);
  return buildSources(config.name, sources, board, { ...opts, weightMemory: config.build.weightMemory, seed: opts.seed ?? config.build.seed }, performance.now() - t0);
}

/** Builds any FPGA top's sources; the same inputs give the cached result (a failure too: the tools are deterministic). */
export async function buildSources(name: string, sources: FpgaSources, board: Board, opts: SourceOptions, elaborateMs = 0): Promise<BuildReport> {
  const progress = opts.progress ?? silentProgress;
  const t0 = performance.now() - elaborateMs;
  const plan = await planSources(name, sources, board, opts);
  const config = { name, build: { weightMemory: opts.weightMemory, seed: opts.seed } };
  const reportFile = path.join(plan.dir, 'report.json');
  if (existsSync(reportFile)) return { ...(JSON.parse(readFileSync(reportFile, 'utf8')) as BuildReport), cached: true, dir: plan.dir };
  const failure = path.join(`${plan.dir}.failed`, 'failure.json');
  if (existsSync(failure)) {
    const f = JSON.parse(readFileSync(failure, 'utf8')) as { reason: 'fit' | 'timing' | 'tool'; message: string };
    throw new FpgaBuildError(f.reason, `${f.message} [cached result of these inputs]`, path.dirname(failure));
  }

  const cacheDir = path.dirname(plan.dir);
  mkdirSync(cacheDir, { recursive: true });
  removeStale(cacheDir, tmpPid);
  const tmp = `${plan.dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(tmp);
  const write = (f: string, data: string | Uint8Array) => writeFileSync(path.join(tmp, f), data);
  const fail = (reason: 'fit' | 'timing' | 'tool', message: string): never => {
    const failed = `${plan.dir}.failed`;
    rmSync(failed, { recursive: true, force: true });
    for (const f of ['design.asc', 'design.bin', 'report.json']) rmSync(path.join(tmp, f), { force: true });
    writeFileSync(path.join(tmp, 'failure.json'), JSON.stringify({ reason, message }, null, 2) + '\n');
    renameSync(tmp, failed);
    throw new FpgaBuildError(reason, message, failed);
  };
  try {
    for (const [f, text] of Object.entries({ ...sources.rtl, ...sources.constraints, [plan.pcf.name]: plan.pcf.text })) write(f, text);
    write('yosys.ys', plan.yosysScript.split('; ').join('\n') + '\n');

    progress.start('yosys synth_ice40');
    const t1 = performance.now();
    const rtl: Tree = { ...sources.rtl, 'spram_map.v': SPRAM_MAP };
    const { runYosys } = await import('@yowasp/yosys');
    const y = await runTool(runYosys as Runner, ['-p', plan.yosysScript], rtl, (l) => {
      const p = yosysPhase(l);
      if (p) progress.phase(p);
    });
    const yosysMs = performance.now() - t1;
    write('yosys.log', y.log);
    if (!y.ok) {
      progress.end('failed');
      return fail('tool', `yosys failed:\n${errorLines(y.log) || y.log.slice(-1500)}`);
    }
    const stat = JSON.parse(String(y.files['stat.json'])) as { design: { num_cells_by_type: Record<string, number> } };
    const cellsByType = stat.design.num_cells_by_type;
    const count = (pred: (k: string) => boolean) => Object.entries(cellsByType).filter(([k]) => pred(k)).reduce((s, [, n]) => s + n, 0);
    const cells = { flipFlops: count((k) => k.startsWith('SB_DFF')), luts: cellsByType.SB_LUT4 ?? 0, carries: cellsByType.SB_CARRY ?? 0 };
    progress.end(`${cells.luts} LUT4, ${cells.flipFlops} FF, ${cellsByType.SB_RAM40_4K ?? 0} BRAM, ${cellsByType.SB_SPRAM256KA ?? 0} SPRAM`);
    const netlist = String(y.files['netlist.json']);
    write('netlist.json', netlist);

    progress.start('nextpnr-ice40');
    const t2 = performance.now();
    const { runNextpnrIce40, runIcepack } = await import('@yowasp/nextpnr-ice40');
    const n = await runTool(runNextpnrIce40 as Runner, plan.nextpnrArgs, { 'netlist.json': netlist, [plan.pcf.name]: plan.pcf.text }, (l) => {
      const p = nextpnrPhase(l);
      if (p) progress.phase(p);
    });
    const nextpnrMs = performance.now() - t2;
    write('nextpnr.log', n.log);
    const used = utilisationFromLog(n.log);
    if (!n.ok) {
      progress.end('failed');
      const over = overuse(used);
      if (over) return fail('fit', `the design does not fit the ${board.device} ${board.package.name}: ${over}`);
      return fail('tool', `nextpnr-ice40 failed:\n${errorLines(n.log) || n.log.slice(-1500)}`);
    }
    const rep = JSON.parse(String(n.files['report.json'])) as { fmax: Record<string, { achieved: number; constraint: number }>; utilization: Record<string, { used: number; available: number }> };
    write('nextpnr-report.json', JSON.stringify(rep, null, 2));
    const [clockNet, fmax] = Object.entries(rep.fmax).find(([k]) => k.startsWith(sources.boardTop.clock.port)) ?? Object.entries(rep.fmax)[0]!;
    // the constraint as given (nextpnr reports it back as a float of its internal period)
    const clock = clockResult(sources.boardTop.clock.port, opts.freqMHz ?? sources.boardTop.clock.clockHz! / 1e6, fmax.achieved);
    progress.end(`${timingSentence(clock)} (clock net ${clockNet})`);
    const utilization = REPORTED.filter((k) => rep.utilization[k]).map((k) => {
      const u = rep.utilization[k]!;
      // nextpnr counts the die's I/O sites; the package bonds fewer
      return { resource: k, label: resourceLabel(k), used: u.used, available: k === 'SB_IO' ? board.package.pins.length : u.available };
    });
    const over = overuse(utilization);
    if (over) return fail('fit', `the design does not fit the ${board.device} ${board.package.name}: ${over}`);
    if (!clock.met) return fail('timing', timingSentence(clock));

    progress.start('icepack');
    const t3 = performance.now();
    const asc = n.files['design.asc'] as string;
    const packed = await runTool(runIcepack as Runner, ['design.asc', 'design.bin'], { 'design.asc': asc }, () => {});
    const icepackMs = performance.now() - t3;
    if (!packed.ok) {
      progress.end('failed');
      return fail('tool', `icepack failed:\n${packed.log.slice(-1500)}`);
    }
    const bin = packed.files['design.bin'] as Uint8Array;
    progress.end(`${bin.length} bytes`);
    write('design.asc', asc);
    write('design.bin', bin);
    const report: BuildReport = {
      board: board.name,
      device: board.device,
      package: board.package.name,
      config: config.name,
      top: sources.boardTop.name,
      digest: plan.digest,
      cached: false,
      dir: plan.dir,
      seed: config.build.seed,
      weightMemory: config.build.weightMemory,
      utilization,
      cells,
      clock,
      bitstream: { file: 'design.bin', bytes: bin.length, sha256: createHash('sha256').update(bin).digest('hex') },
      timesMs: { elaborate: elaborateMs, yosys: yosysMs, nextpnr: nextpnrMs, icepack: icepackMs, total: performance.now() - t0 },
      tools: { '@yowasp/yosys': (await import('@yowasp/yosys')).version, '@yowasp/nextpnr-ice40': (await import('@yowasp/nextpnr-ice40')).version },
    };
    write('report.md', reportMarkdown(report));
    // the report is written last: its presence marks a complete build
    write('report.json', JSON.stringify({ ...report, dir: undefined }, null, 2) + '\n');
    rmSync(plan.dir, { recursive: true, force: true });
    renameSync(tmp, plan.dir);
    rmSync(`${plan.dir}.failed`, { recursive: true, force: true });
    return report;
  } catch (e) {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
