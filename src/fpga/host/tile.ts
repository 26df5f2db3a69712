// The FPGA chip's tile driven over the link: load a network, run timesteps, read spikes, membranes and counters.
import type { CrossbarSpec, TileCounter } from '../../spec/crossbar.js';
import { colGroups, TILE_COUNTERS } from '../../spec/crossbar.js';
import { clearCountersWrite, tileConfigWrites, tileStepFields, tileStepResult, type TileNetwork, type TileStepResult } from '../tile-core.js';
import { FpgaLink, LinkError } from './driver.js';

export class TileOnFpga {
  constructor(
    readonly link: FpgaLink,
    readonly spec: CrossbarSpec,
  ) {}

  /** Writes every weight word, the mask and the registers, then clears the counters; a refused write is thrown. */
  async load(net: TileNetwork): Promise<void> {
    const refused = await this.link.write(tileConfigWrites(this.spec, net));
    if (refused) throw new LinkError('the tile refused a configuration write (cfg_error): the network does not suit the bitstream\'s tile');
    await this.link.write([clearCountersWrite(this.spec)]);
  }

  /** Timesteps of row inputs; `restart` marks the first timestep of a token (default: the first one given). */
  async run(inputs: readonly ArrayLike<number>[], restart: (t: number) => boolean = (t) => t === 0): Promise<TileStepResult[]> {
    const records = await this.link.step(inputs.map((x, t) => tileStepFields(this.spec, x, restart(t))));
    const G = colGroups(this.spec);
    if (records.length !== inputs.length * G) throw new LinkError(`${inputs.length} timesteps gave ${records.length} records, expected ${inputs.length * G}`);
    return inputs.map((_, t) => tileStepResult(this.spec, records.slice(t * G, (t + 1) * G)));
  }

  async counters(): Promise<Record<TileCounter, bigint> & { cfg_error: boolean }> {
    const c = await this.link.counters();
    const out = Object.fromEntries(TILE_COUNTERS.map((k) => [k, c.counters[`cnt_${k}`]!])) as Record<TileCounter, bigint>;
    return { ...out, cfg_error: !!c.flags.cfg_error };
  }
}
