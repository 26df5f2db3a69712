// The iCE40 flow end to end: the default FPGA configuration becomes a UP5K bitstream that fits and meets timing at
// the iCEBreaker's 12 MHz (Fmax printed), a second build of the same inputs is read from the cache; a design that does
// not fit names the resource and by how much, one that misses its clock names the margin, and neither leaves a
// bitstream or a report behind.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fpgaTop } from '../../dsl/fpga_top.js';
import { boardTop } from '../../src/fpga/board-top.js';
import { BOARDS } from '../../src/fpga/boards/index.js';
import { buildIce40, buildSources, FpgaBuildError } from '../../src/fpga/build.js';
import { fpgaConfig } from '../../src/fpga/config.js';
import { constraintFiles } from '../../src/fpga/constraints.js';
import type { FpgaSources } from '../../src/fpga/sources.js';
import { designFiles } from '../../src/hdl/backend/write.js';
import { Bool, elaborate, Module, UInt, type Expr } from '../../src/hdl/index.js';
import { coreLayoutOf } from '../../dsl/fpga_top.js';
import { LINK_SETS } from '../../testbenches/fpga_link_cosim.js';

const board = BOARDS.icebreaker!;

describe('UP5K bitstream of the default FPGA configuration', () => {
  it('fits, meets timing at 12 MHz, and is cached the second time', async () => {
    const r = await buildIce40(fpgaConfig('default'), board);
    const use = Object.fromEntries(r.utilization.map((u) => [u.resource, u]));
    console.log(`UP5K default: ${use.ICESTORM_LC!.used}/${use.ICESTORM_LC!.available} LCs, ${r.cells.flipFlops} FFs, BRAM ${use.ICESTORM_RAM!.used}/30, SPRAM ${use.ICESTORM_SPRAM!.used}/4, Fmax ${r.clock.fmaxMHz.toFixed(2)} MHz at 12 MHz, bitstream ${r.bitstream.bytes} bytes${r.cached ? ' (cached build)' : ` in ${(r.timesMs.total / 1000).toFixed(0)} s`}`);
    for (const u of r.utilization) expect(u.used, u.resource).toBeLessThanOrEqual(u.available);
    expect(use.ICESTORM_LC!.available).toBe(5280);
    expect(use.ICESTORM_LC!.used).toBeGreaterThan(1000);
    // the weights are in SPRAM (64-bit words: 4 blocks side by side), not in block RAM
    expect(use.ICESTORM_SPRAM!.used).toBe(4);
    expect(use.SB_IO).toMatchObject({ used: 6, available: 39 });
    expect(r.clock).toMatchObject({ port: 'clk12_0', constraintMHz: 12, met: true });
    expect(r.clock.fmaxMHz).toBeGreaterThan(12);
    expect(r.cells.flipFlops).toBeGreaterThan(500);
    expect(r.bitstream.bytes).toBe(104_090); // the UP5K's uncompressed bitstream size
    expect(existsSync(path.join(r.dir, 'design.bin'))).toBe(true);
    // nothing changed: the report is read back, no tool runs
    const again = await buildIce40(fpgaConfig('default'), board);
    expect(again.cached).toBe(true);
    expect(again.bitstream.sha256).toBe(r.bitstream.sha256);
    expect(again.dir).toBe(r.dir);
  });
});

/** A core that follows the link's port convention and holds `stages` bytes in a shift register: 8 FFs per stage. */
function shiftCore(stages: number): Module {
  const m = new Module(`shift_core_s${stages}`, { stages });
  const we = m.input('cfg_we', Bool);
  const addr = m.input('cfg_addr', UInt(2));
  const data = m.input('cfg_data', UInt(8));
  const valid = m.input('in_valid', Bool);
  const x = m.input('in_x', UInt(8));
  m.output('ready', Bool).assign(1);
  const ov = m.reg('ov', Bool, { reset: 0 });
  ov.assign(valid.or(we));
  m.output('out_valid', Bool).assign(ov);
  let prev: Expr = x.xor(data).xor(addr.resize(8));
  for (let i = 0; i < stages; i++) {
    const r = m.reg(`s${i}`, UInt(8), { reset: null });
    r.assign(prev);
    prev = r;
  }
  m.output('out_y', UInt(8)).assign(prev);
  return m;
}

function sourcesOf(build: () => Module): FpgaSources {
  let layout;
  const design = elaborate(() => {
    const top = build();
    layout = coreLayoutOf(top.instances.find((i) => i.name === 'u_core')!.module, 1);
    return top;
  });
  const bt = boardTop(board, design.top.name);
  const rtl: Record<string, string> = {};
  for (const [f, t] of designFiles(design)) if (f.endsWith('.v') || f.endsWith('.hex')) rtl[f] = t;
  rtl[`${bt.name}.v`] = bt.verilog;
  return { design, layout: layout!, link: LINK_SETS.small!.link, boardTop: bt, rtl, constraints: constraintFiles(board, bt, 115_200) };
}

const expectFailure = async (p: Promise<unknown>, reason: string, message: RegExp) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FpgaBuildError);
    expect((e as FpgaBuildError).reason).toBe(reason);
    expect((e as Error).message).toMatch(message);
    const logs = (e as FpgaBuildError).logDir!;
    // the logs are kept; no bitstream, no report
    expect(readdirSync(logs)).toEqual(expect.arrayContaining(['yosys.log', 'nextpnr.log', 'failure.json']));
    expect(readdirSync(logs)).not.toEqual(expect.arrayContaining(['design.bin']));
    expect(existsSync(logs.replace(/\.failed$/, ''))).toBe(false);
    console.log((e as Error).message);
    return;
  }
  throw new Error('the build did not fail');
};

describe('builds that fail say why', () => {
  const link = { ...LINK_SETS.small!.link, baud: 1_500_000 };
  it('a design that does not fit names the resource and the excess', async () => {
    const src = sourcesOf(() => fpgaTop(shiftCore(720), { link, recordsPerStep: 1 }));
    await expectFailure(buildSources('shift720', src, board, { weightMemory: 'bram', seed: 1 }), 'fit', /does not fit the iCE40UP5K SG48: ICESTORM_LC \(logic cells \(LUT4 \+ FF\)\): \d+ used of 5280 available, \d+ over \(1\d\d%\)/);
  });
  it('a design that misses its clock names the margin', async () => {
    // the link around a one-stage core, small buffers: quick to place, and far from 100 MHz on a UP5K
    const small = { ...link, bufferBytes: 16, fifoRecords: 1 };
    const src = sourcesOf(() => fpgaTop(shiftCore(1), { link: small, recordsPerStep: 1 }));
    await expectFailure(buildSources('shift1-at-100', src, board, { weightMemory: 'bram', seed: 1, freqMHz: 100 }), 'timing', /timing FAILED: Fmax \d+\.\d\d MHz against 100 MHz on clk12_0, margin -\d+\.\d% \(slack -\d+\.\d\d ns per cycle\)/);
  });
});
