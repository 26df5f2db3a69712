// The "FPGA chip": one crossbar tile with neurons (dsl/crossbar.ts) as the core behind the serial link, the first
// tile of a chain (its partial sums in are 0). Its ports follow the link's core convention (dsl/fpga_top.ts): the
// cfg bus, in_valid with the timestep fields, the out_valid stream, cnt_* counters and the cfg_error flag.
import { Module, captureCallerLoc, lit, validateAll, type Signal } from '../src/hdl/index.js';
import { makeDiagnostic, report } from '../src/hdl/diagnostics.js';
import { cfgAddress, colGroups, crossbarMap, REGION, TILE_REG, type CrossbarSpec } from '../src/spec/crossbar.js';
import { crossbarName, crossbarTile } from './crossbar.js';
import type { ResetWrites } from './fpga_top.js';

export function fpgaChip(p: CrossbarSpec): Module {
  if (p.output !== 'neurons') {
    validateAll(() => report(makeDiagnostic('PARAM_RANGE', `fpgaChip: output = '${p.output}'; the FPGA chip is a tile with neurons (output: 'neurons')`, captureCallerLoc())));
  }
  const tile = crossbarTile(p);
  const m = new Module(`fpga_chip_${crossbarName(p)}`, { tile: crossbarName(p) }, 'FPGA chip: one crossbar tile with neurons, partial sums in tied to 0 (spec: docs/fpga.md)');
  const bind: Record<string, Signal | ReturnType<typeof lit>> = {};
  for (const port of tile.ports) {
    if (port.name === 'in_psum') bind[port.name] = lit(0, port.type);
    else bind[port.name] = port.kind === 'input' ? m.input(port.name, port.type, port.doc) : m.output(port.name, port.type, port.doc);
  }
  m.instance('u_tile', tile, bind);
  return m;
}

/** Records one timestep produces: one per column group. */
export const fpgaChipRecordsPerStep = (p: CrossbarSpec) => colGroups(p);

/**
 * What the link writes after every reset: every weight word 0, then clear_counters (which also clears cfg_error).
 * The UP5K build keeps the weights in SB_SPRAM256KA, which no bitstream initialises; this makes the weights read as
 * the tile spec's power-up zeros on the board as in simulation.
 */
export function fpgaChipResetWrites(p: CrossbarSpec): ResetWrites {
  const map = crossbarMap(p);
  return { base: cfgAddress(map, REGION.weights, 0), count: map.weightWords, final: { addr: cfgAddress(map, REGION.registers, TILE_REG.clearCounters), data: 0n } };
}
