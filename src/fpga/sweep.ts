// The parameter sweep: every FPGA configuration variant built for the iCEBreaker, each in its own worker process
// (tinypool's child_process runtime: a nextpnr run holds ~1 GB of WebAssembly memory, and a process gives it back
// when it ends; worker threads would share one heap), with per-module resources from a hierarchical synthesis. The
// same task runs as one Slurm array task per variant on a cluster, and the results gather into the same table.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { BOARDS } from './boards/index.js';
import { buildIce40, FPGA_CACHE_DIR, planIce40 } from './build.js';
import { fpgaConfig } from './config.js';
import type { BuildReport } from './report.js';

export interface ModuleUse {
  module: string;
  role: string;
  luts: number;
  flipFlops: number;
  carries: number;
  bram: number;
  spram: number;
}

export interface SweepResult {
  config: string;
  tile: string;
  report: BuildReport;
  modules: ModuleUse[];
}

const ROLES: [RegExp, string][] = [
  [/^nllm_board_/, 'pin top (reset)'],
  [/^fpga_top_/, 'link (frames, buffers)'],
  [/^uart_rx_/, 'UART receiver'],
  [/^uart_tx_/, 'UART transmitter'],
  [/^fpga_chip_/, 'FPGA chip (wiring)'],
  [/^xbar_/, 'crossbar tile'],
  [/^lif_/, 'LIF neurons'],
];
const roleOf = (m: string) => ROLES.find(([re]) => re.test(m))?.[1] ?? m;

/** Per-module cells from a synthesis that keeps the hierarchy (cached beside the build, keyed by its digest). */
async function moduleUse(config: string): Promise<ModuleUse[]> {
  const c = fpgaConfig(config);
  const plan = await planIce40(c, BOARDS.icebreaker!);
  const cache = path.join(FPGA_CACHE_DIR, `modules-${plan.digest}.json`);
  try {
    return JSON.parse(readFileSync(cache, 'utf8')) as ModuleUse[];
  } catch {
    // not there yet
  }
  const { runYosys } = await import('@yowasp/yosys');
  const script = plan.yosysScript.replaceAll('-run :map_ram', '-noflatten -run :map_ram').replaceAll('-run map_ram:', '-noflatten -run map_ram:').replace('; write_json netlist.json', '');
  const spram = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'ice40', 'spram-map.v'), 'utf8');
  const tree = (await runYosys(['-q', '-p', script], { ...plan.sources.rtl, 'spram_map.v': spram }, { stdout: () => {}, stderr: () => {} } as never)) as Record<string, string>;
  const stat = JSON.parse(tree['stat.json']!) as { modules: Record<string, { num_cells_by_type: Record<string, number> }> };
  const rows = Object.entries(stat.modules).map(([name, m]) => {
    const k = m.num_cells_by_type;
    const sum = (p: (x: string) => boolean) => Object.entries(k).filter(([x]) => p(x)).reduce((s, [, n]) => s + n, 0);
    const module = name.replace(/^\\/, '');
    return { module, role: roleOf(module), luts: k.SB_LUT4 ?? 0, flipFlops: sum((x) => x.startsWith('SB_DFF')), carries: k.SB_CARRY ?? 0, bram: k.SB_RAM40_4K ?? 0, spram: k.SB_SPRAM256KA ?? 0 };
  });
  const order = (r: ModuleUse) => ROLES.findIndex(([re]) => re.test(r.module));
  rows.sort((a, b) => order(a) - order(b));
  mkdirSync(FPGA_CACHE_DIR, { recursive: true });
  writeFileSync(cache, JSON.stringify(rows, null, 2));
  return rows;
}

const tileText = (config: string) => {
  const t = fpgaConfig(config).tile;
  return `${t.rows}x${t.cols}, L=${t.cellLevels}, ${t.inSpikes} in, ${t.neuron!.spikes} out, ${t.rowsPerCycle}x${t.colsPerCycle}/cycle`;
};

/** One variant: the full build (cached by digest) and the per-module synthesis. */
export async function sweepOne(config: string): Promise<SweepResult> {
  const report = await buildIce40(fpgaConfig(config), BOARDS.icebreaker!);
  return { config, tile: tileText(config), report, modules: await moduleUse(config) };
}

/** Runs the variants in `jobs` worker processes. */
export async function runSweep(configs: readonly string[], jobs: number, log: (m: string) => void): Promise<SweepResult[]> {
  const { Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: path.join(path.dirname(fileURLToPath(import.meta.url)), 'sweep-worker.ts'),
    runtime: 'child_process',
    execArgv: ['--import', 'tsx'],
    minThreads: 1,
    maxThreads: jobs,
    isolateWorkers: true,
  });
  try {
    return await Promise.all(
      configs.map(async (c) => {
        log(`[fpga sweep] ${c}: queued`);
        const r = (await pool.run(c)) as SweepResult;
        log(`[fpga sweep] ${c}: ${r.report.cached ? 'cached' : `built in ${(r.report.timesMs.total / 1000).toFixed(0)} s`}, Fmax ${r.report.clock.fmaxMHz.toFixed(2)} MHz`);
        return r;
      }),
    );
  } finally {
    await pool.destroy();
  }
}

/** What one Slurm array task runs: one variant, its result written as JSON into `out`. */
export async function runSweepTask(config: string, out: string): Promise<string> {
  const r = await sweepOne(config);
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `sweep-${config}.json`);
  const tmp = `${file}.tmp-${process.pid}-x`;
  writeFileSync(tmp, JSON.stringify(r, null, 2));
  renameSync(tmp, file);
  return file;
}

export function gatherSweep(dir: string): SweepResult[] {
  const files = readdirSync(dir).filter((f) => /^sweep-.+\.json$/.test(f)).sort();
  if (!files.length) throw new Error(`${dir}: no sweep-*.json results`);
  return files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as SweepResult);
}

/** A Slurm job-array script: task i builds variant i; the gather step makes the table. */
export function slurmScript(count: number, out: string): string {
  return [
    '#!/bin/bash',
    '# Generated by NeuromorphicLLM (npm run fpga -- --sweep --slurm FILE): one FPGA configuration variant per array task.',
    '# Submit from the repository root: sbatch FILE; then: npm run fpga -- --sweep-gather <out>',
    '#SBATCH --job-name=nllm-fpga-sweep',
    `#SBATCH --array=0-${count - 1}`,
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --mem=2G',
    '#SBATCH --time=00:30:00',
    '#SBATCH --output=nllm-fpga-sweep-%a.log',
    'set -euo pipefail',
    `cd "${PROJECT_ROOT}"`,
    `npx tsx scripts/fpga.ts --sweep-task "$SLURM_ARRAY_TASK_ID" --out "${out}"`,
    '',
  ].join('\n');
}

export function sweepTable(rows: readonly SweepResult[]): { markdown: string; csv: string } {
  const md = [
    '| configuration | tile | module | LUT4 | FF | carry | BRAM | SPRAM | LCs used / 5280 | Fmax (MHz, 12 required) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const csv = ['configuration,tile,module,role,lut4,ff,carry,bram,spram,lc_used,lc_available,fmax_mhz,constraint_mhz,timing_met'];
  for (const r of rows) {
    const lc = r.report.utilization.find((u) => u.resource === 'ICESTORM_LC')!;
    for (const m of r.modules) {
      if (m.luts + m.flipFlops + m.carries + m.bram + m.spram === 0) continue;
      md.push(`| ${r.config} | ${r.tile} | ${m.role} | ${m.luts} | ${m.flipFlops} | ${m.carries} | ${m.bram} | ${m.spram} | | |`);
      csv.push([r.config, `"${r.tile}"`, m.module, `"${m.role}"`, m.luts, m.flipFlops, m.carries, m.bram, m.spram, '', '', '', '', ''].join(','));
    }
    const ram = r.report.utilization.find((u) => u.resource === 'ICESTORM_RAM')?.used ?? 0;
    const sp = r.report.utilization.find((u) => u.resource === 'ICESTORM_SPRAM')?.used ?? 0;
    md.push(`| **${r.config}** | | **whole design (placed)** | ${r.report.cells.luts} | ${r.report.cells.flipFlops} | ${r.report.cells.carries} | ${ram} | ${sp} | **${lc.used}** | **${r.report.clock.fmaxMHz.toFixed(2)}** |`);
    csv.push([r.config, `"${r.tile}"`, 'total', '"whole design (placed)"', r.report.cells.luts, r.report.cells.flipFlops, r.report.cells.carries, ram, sp, lc.used, lc.available, r.report.clock.fmaxMHz.toFixed(2), r.report.clock.constraintMHz, r.report.clock.met].join(','));
  }
  return { markdown: md.join('\n') + '\n', csv: csv.join('\n') + '\n' };
}

export function writeSweepTable(rows: readonly SweepResult[], out: string): string[] {
  const t = sweepTable(rows);
  mkdirSync(out, { recursive: true });
  const files = [path.join(out, 'fpga-sweep.md'), path.join(out, 'fpga-sweep.csv')];
  writeFileSync(files[0]!, t.markdown);
  writeFileSync(files[1]!, t.csv);
  return files;
}
