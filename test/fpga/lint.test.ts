// The FPGA flow's RTL lints clean (Yosys structural checks + Verilator -Wall, zero findings): the FPGA top over the
// co-simulation sets and the default configuration, and each board's generated pin-level top with everything below it.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../src/fpga/boards/index.js';
import { fpgaConfig } from '../../src/fpga/config.js';
import { fpgaSources } from '../../src/fpga/sources.js';
import { writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { formatFinding, lintDesign, lintModule } from '../../src/tools/lint.js';
import { LINK_SETS, linkDesign } from '../../testbenches/fpga_link_cosim.js';

const scratch = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-fpga-lint-')), 'gen');

describe('lint: FPGA top', () => {
  // small: signed inputs, graded spikes, two column groups; default8: the default tile (the others repeat their modules)
  it.each(['small', 'default8'])('%s (with debug ports) has zero findings', async (name) => {
    const dir = scratch();
    await writeDesignAtomically(linkDesign(LINK_SETS[name]!), dir);
    expect((await lintDesign(dir)).flatMap((r) => r.findings.map(formatFinding))).toEqual([]);
  });
});

describe('lint: board tops around the default configuration', () => {
  it.each(Object.keys(BOARDS))('%s has zero findings', async (name) => {
    const s = fpgaSources(fpgaConfig('default'), BOARDS[name]!);
    const dir = scratch();
    await writeDesignAtomically(s.design, dir);
    writeFileSync(path.join(dir, `${s.boardTop.name}.v`), s.boardTop.verilog);
    const files = readdirSync(dir).filter((f) => f.endsWith('.v') || f.endsWith('.hex'));
    const r = await lintModule(dir, s.boardTop.name, files);
    expect(r.findings.map(formatFinding)).toEqual([]);
  });
});
