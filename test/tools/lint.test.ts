// The lint gate: Yosys + Verilator -Wall on generated modules, findings mapped back to TS lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, Module, UInt, elaborate } from '../../src/hdl/index.js';
import { writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { lintDesign, lintModule } from '../../src/tools/lint.js';
import { defaultChip } from '../../dsl/chip.js';
import { lifArray } from '../../dsl/lif_array.js';
import { PARAM_SETS, withArch } from '../../testbenches/lif_cosim.js';
import { here } from '../helpers.js';

async function lintOf(build: () => Module) {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-lint-')), 'gen');
  await writeDesignAtomically(elaborate(build), dir);
  return lintDesign(dir);
}

describe('lint gate', () => {
  it('the default chip has zero findings in both linters', async () => {
    const results = await lintOf(defaultChip);
    // every module of the design, each once, children before parents (the top last)
    const modules = elaborate(defaultChip).modules.map((m) => m.name);
    expect(modules.length).toBeGreaterThan(10);
    expect([...results.map((r) => r.module)].sort()).toEqual([...modules].sort());
    expect(results.at(-1)!.module).toBe('chip_top');
    expect(results.flatMap((r) => r.findings)).toEqual([]);
  });

  it.each(Object.entries(PARAM_SETS).flatMap(([n, p]) => [[`${n}/timemux`, withArch(p, 'timemux')], [`${n}/parallel`, withArch(p, 'parallel')]] as const))(
    'LIF array %s lints clean',
    async (_, p) => {
      const results = await lintOf(() => lifArray(p));
      expect(results.flatMap((r) => r.findings)).toEqual([]);
    },
  );

  it('a Verilator finding is mapped back to the TS line', async () => {
    let line = 0;
    const results = await lintOf(() => {
      const m = new Module('lint_unused');
      const a = m.input('a', UInt(8)); line = here();
      m.output('o', UInt(4)).assign(a.truncate(4));
      return m;
    });
    const f = results.flatMap((r) => r.findings).find((x) => x.tool === 'verilator')!;
    expect(f.code).toBe('UNUSEDSIGNAL');
    expect(f.tsLoc).toMatch(new RegExp(`^test/tools/lint\\.test\\.ts:${line}:\\d+$`));
  });

  it('Yosys catches a latch in hand-written Verilog', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-latch-'));
    writeFileSync(path.join(dir, 'latchy.v'), '`default_nettype none\nmodule latchy(input wire en, input wire d, output reg q);\n  always @(*) if (en) q = d;\nendmodule\n');
    const r = await lintModule(dir, 'latchy', ['latchy.v']);
    expect(r.findings.some((f) => f.tool === 'yosys')).toBe(true);
    expect(r.findings.some((f) => f.tool === 'verilator' && f.code === 'LATCH')).toBe(true);
    void Bool;
  });
});
