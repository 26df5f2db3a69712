// The sweep's table (markdown + CSV), the Slurm job array and the gather step, on results shaped like a real run's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_NAMES } from '../../src/fpga/config.js';
import type { BuildReport } from '../../src/fpga/report.js';
import { gatherSweep, slurmScript, sweepTable, writeSweepTable, type SweepResult } from '../../src/fpga/sweep.js';

const report = (lc: number, fmax: number): BuildReport => ({
  board: 'icebreaker', device: 'iCE40UP5K', package: 'SG48', config: 'x', top: 't', digest: 'd', cached: false, dir: '', seed: 1, weightMemory: 'spram',
  utilization: [{ resource: 'ICESTORM_LC', label: 'logic cells', used: lc, available: 5280 }, { resource: 'ICESTORM_RAM', label: 'bram', used: 7, available: 30 }, { resource: 'ICESTORM_SPRAM', label: 'spram', used: 4, available: 4 }],
  cells: { flipFlops: 1141, luts: 2812, carries: 880 },
  clock: { port: 'clk12_0', constraintMHz: 12, fmaxMHz: fmax, met: fmax >= 12, slackNs: 1000 / 12 - 1000 / fmax, marginPct: (fmax / 12 - 1) * 100 },
  bitstream: { file: 'design.bin', bytes: 104090, sha256: 'ab' }, timesMs: {}, tools: {},
});
const result = (config: string, lc: number, fmax: number): SweepResult => ({
  config,
  tile: '64x32',
  report: report(lc, fmax),
  modules: [
    { module: 'uart_rx_d104', role: 'UART receiver', luts: 30, flipFlops: 25, carries: 0, bram: 0, spram: 0 },
    { module: 'fpga_chip_x', role: 'FPGA chip (wiring)', luts: 0, flipFlops: 0, carries: 0, bram: 0, spram: 0 },
    { module: 'xbar_x', role: 'crossbar tile', luts: 1500, flipFlops: 700, carries: 400, bram: 0, spram: 4 },
  ],
});

describe('sweep table', () => {
  it('lists every module with cells and one placed total per configuration with its Fmax', () => {
    const t = sweepTable([result('default', 3450, 15.47), result('tile-32x16', 2500, 17.1)]);
    const md = t.markdown.trim().split('\n');
    expect(md[0]).toBe('| configuration | tile | module | LUT4 | FF | carry | BRAM | SPRAM | LCs used / 5280 | Fmax (MHz, 12 required) |');
    // the wiring-only module has no cells and no row
    expect(md.filter((l) => l.includes('FPGA chip (wiring)'))).toEqual([]);
    expect(md).toContain('| default | 64x32 | crossbar tile | 1500 | 700 | 400 | 0 | 4 | | |');
    expect(md).toContain('| **default** | | **whole design (placed)** | 2812 | 1141 | 880 | 7 | 4 | **3450** | **15.47** |');
    const csv = t.csv.trim().split('\n');
    expect(csv[0]).toBe('configuration,tile,module,role,lut4,ff,carry,bram,spram,lc_used,lc_available,fmax_mhz,constraint_mhz,timing_met');
    expect(csv).toContain('tile-32x16,"64x32",total,"whole design (placed)",2812,1141,880,7,4,2500,5280,17.10,12,true');
    expect(csv.length).toBe(1 + 2 * 3);
  });

  it('Slurm: one array task per variant, each running the sweep task; gathering gives the same table', () => {
    const s = slurmScript(CONFIG_NAMES.length, '/scratch/out');
    expect(s).toMatch(new RegExp(`#SBATCH --array=0-${CONFIG_NAMES.length - 1}\\n`));
    expect(s).toMatch(/npx tsx scripts\/fpga\.ts --sweep-task "\$SLURM_ARRAY_TASK_ID" --out "\/scratch\/out"/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-sweep-'));
    const rows = [result('default', 3450, 15.47), result('weights-bram', 3500, 16.03)];
    for (const r of rows) writeFileSync(path.join(dir, `sweep-${r.config}.json`), JSON.stringify(r));
    writeFileSync(path.join(dir, 'unrelated.json'), '{}');
    const files = writeSweepTable(gatherSweep(dir), dir);
    expect(readFileSync(files[0]!, 'utf8')).toBe(sweepTable(rows).markdown);
    expect(() => gatherSweep(mkdtempSync(path.join(os.tmpdir(), 'nllm-sweep-empty-')))).toThrow(/no sweep-\*\.json results/);
  });
});
