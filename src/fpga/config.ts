// FPGA configurations: the default of dsl/fpga_params.ts with a named variant's overrides, checked against the
// parameter ranges (an error names dsl/fpga_params.ts and the line), and the link parameters on a board's clock.
import { FPGA_VARIANTS, fpgaParams } from '../../dsl/fpga_params.js';
import { UserError } from '../cli/args.js';
import { isParam, resolveParams, type ParamTree, type Resolved } from '../params/define.js';
import type { CrossbarSpec } from '../spec/crossbar.js';
import type { LinkParams } from '../spec/fpga-link.js';
import type { Board } from './board.js';

export type FpgaParams = Resolved<typeof fpgaParams>;

export interface FpgaConfig extends FpgaParams {
  name: string;
  tile: FpgaParams['tile'] & CrossbarSpec;
}

export const CONFIG_NAMES = Object.keys(FPGA_VARIANTS);

/** The parameter tree with a variant's values in place (each keeps its declared range). */
function withOverrides(tree: ParamTree, over: Record<string, unknown>, at: string): ParamTree {
  const out: Record<string, unknown> = { ...tree };
  for (const [k, v] of Object.entries(over)) {
    const q = tree[k];
    if (q === undefined) throw new UserError(`FPGA configuration variant: ${at}${k} is not a parameter (have: ${Object.keys(tree).join(', ')})`);
    if (isParam(q)) out[k] = { ...q, value: v };
    else out[k] = withOverrides(q as ParamTree, v as Record<string, unknown>, `${at}${k}.`);
  }
  return out as ParamTree;
}

export function fpgaConfig(name = 'default'): FpgaConfig {
  const over = FPGA_VARIANTS[name];
  if (!over) throw new UserError(`--config must be one of ${CONFIG_NAMES.join(', ')}, got '${name}'`);
  const r = resolveParams(withOverrides(fpgaParams as unknown as ParamTree, over, '')) as unknown as FpgaParams;
  return { ...r, name, tile: { ...r.tile, output: 'neurons' } as FpgaConfig['tile'] };
}

/** The link parameters of a configuration on a board's clock. */
export function linkParams(c: FpgaConfig, clockHz: number): LinkParams {
  return { clockHz, baud: c.link.baud, bufferBytes: c.link.bufferBytes, fifoRecords: c.link.fifoRecords, timeoutCycles: Math.round((clockHz * c.link.timeoutMs) / 1000) };
}

export function boardClockHz(b: Board): number {
  return b.resources.find((r) => r.name === b.defaultClock)!.clockHz!;
}
