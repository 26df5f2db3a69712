// The chip top. For now: a configuration register bank (threshold, leak) loaded over a simple write bus, driving
// one LIF neuron array, and one crossbar tile with its own ports (prefixed xbar_). The chip-top issue replaces this
// with the tile grid, router, attention unit and one configuration interface.
import { Bool, Module, UInt, type Signal } from '../src/hdl/index.js';
import { paramLocations, resolveParams, type Resolved } from '../src/params/define.js';
import { crossbarTile } from './crossbar.js';
import { lifArray, type LifArrayParams } from './lif_array.js';
import { leakType, thresholdType } from './lif_neuron.js';
import { chipParams } from './params.js';

export type ChipParams = Resolved<typeof chipParams>;

/** Configuration register addresses on the cfg bus. */
export const CFG = { threshold: 0, leak: 1 } as const;

export function chipTop(params: ChipParams): Module {
  const lp: LifArrayParams = { ...params.lif } as LifArrayParams;
  const tt = thresholdType(lp);
  const lt = leakType(lp);
  // the bus is as wide as the widest register it loads, so no bit of it is dead
  const dw = Math.max(tt.width, lt?.width ?? 0);

  const m = new Module('chip_top', { ...flatten(params) }, 'NeuromorphicLLM chip top');
  const cfgWe = m.input('cfg_we', Bool, 'configuration write strobe');
  const cfgAddr = m.input('cfg_addr', UInt(1), 'configuration register address (0 threshold, 1 leak)');
  const cfgData = m.input('cfg_data', UInt(dw), 'configuration write data');
  const threshold = m.reg('threshold', tt, { reset: 0, enable: cfgWe.and(cfgAddr.eq(CFG.threshold)) });
  threshold.assign(cfgData.truncate(tt.width));
  let leak: Signal | undefined;
  if (lt) {
    leak = m.reg('leak', lt, { reset: 0, enable: cfgWe.and(cfgAddr.eq(CFG.leak)) });
    leak.assign(cfgData.truncate(lt.width));
  }
  const lif = lifArray(lp);
  const bind: Record<string, Signal> = { threshold };
  if (leak) bind.leak = leak;
  for (const port of lif.ports) {
    if (port.name === 'threshold' || port.name === 'leak') continue;
    bind[port.name] = port.kind === 'input' ? m.input(port.name, port.type, port.doc) : m.output(port.name, port.type, port.doc);
  }
  m.instance('u_lif', lif, bind);

  const tile = crossbarTile({ ...params.crossbar, output: 'neurons' }, paramLocations(chipParams.crossbar));
  const tbind: Record<string, Signal> = {};
  for (const port of tile.ports) tbind[port.name] = port.kind === 'input' ? m.input(`xbar_${port.name}`, port.type, port.doc) : m.output(`xbar_${port.name}`, port.type, port.doc);
  m.instance('u_xbar', tile, tbind);
  return m;
}

function flatten(o: object, prefix = ''): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v as string | number | boolean;
  }
  return out;
}

/** The default chip, from dsl/params.ts. */
export function defaultChip(): Module {
  return chipTop(resolveParams(chipParams));
}
