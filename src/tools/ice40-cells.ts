// iCE40 resource counts of a generated design: Yosys synth_ice40, then stat -json over the whole design (the benches'
// per-module resource rows; the FPGA flow adds place and route on top).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { elaborate, type Module } from '../hdl/index.js';
import { writeDesignAtomically } from '../hdl/backend/write.js';
import { yosys } from './yosys.js';

export interface Ice40Cells {
  SB_LUT4: number;
  /** every SB_DFF* kind */
  SB_DFF: number;
  SB_CARRY: number;
  SB_RAM40_4K: number;
  /** every cell type and its count */
  all: Record<string, number>;
}

export async function ice40Cells(build: () => Module): Promise<Ice40Cells> {
  const design = elaborate(build);
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-synth-')), 'gen');
  try {
    await writeDesignAtomically(design, dir);
    const files: Record<string, string> = {};
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.v') || n.endsWith('.hex'))) files[f] = readFileSync(path.join(dir, f), 'utf8');
    const reads = Object.keys(files).filter((f) => f.endsWith('.v')).map((f) => `read_verilog -sv ${f}`);
    const r = await yosys([...reads, `synth_ice40 -top ${design.top.name}`, 'tee -q -o stat.json stat -json'].join('; '), files, ['-q']);
    if (!r.ok) throw new Error(`synth_ice40 failed for ${design.top.name}:\n${r.log.slice(-2000)}`);
    const all = (JSON.parse(String(r.files['stat.json'])) as { design: { num_cells_by_type?: Record<string, number> } }).design.num_cells_by_type ?? {};
    const sum = (pred: (k: string) => boolean) => Object.entries(all).filter(([k]) => pred(k)).reduce((s, [, n]) => s + n, 0);
    return { SB_LUT4: all.SB_LUT4 ?? 0, SB_DFF: sum((k) => k.startsWith('SB_DFF')), SB_CARRY: all.SB_CARRY ?? 0, SB_RAM40_4K: all.SB_RAM40_4K ?? 0, all };
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

/** "SB_LUT4 n, SB_DFF n, SB_CARRY n, SB_RAM40_4K n" */
export const cellText = (c: Ice40Cells) => `SB_LUT4 ${c.SB_LUT4}, SB_DFF ${c.SB_DFF}, SB_CARRY ${c.SB_CARRY}, SB_RAM40_4K ${c.SB_RAM40_4K}`;
