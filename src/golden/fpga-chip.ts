// The FPGA chip (dsl/fpga_chip.ts: one tile with neurons, partial sums in = 0) as a cycle core for the link models.
import type { CrossbarSpec } from '../spec/crossbar.js';
import { CrossbarTileCycleModel } from './crossbar-cycle.js';
import type { CycleCore } from './fpga-link.js';

export class FpgaChipCycleModel implements CycleCore {
  readonly tile: CrossbarTileCycleModel;
  constructor(readonly spec: CrossbarSpec) {
    this.tile = new CrossbarTileCycleModel(spec);
  }
  outputs(): Record<string, bigint> {
    return this.tile.outputs();
  }
  edge(x: Record<string, bigint>, rst: boolean): void {
    this.tile.edge({
      rst: rst ? 1 : 0,
      cfg_we: Number(x.cfg_we ?? 0n),
      cfg_addr: Number(x.cfg_addr ?? 0n),
      cfg_data: x.cfg_data ?? 0n,
      in_valid: Number(x.in_valid ?? 0n),
      in_spikes: x.in_spikes ?? 0n,
      in_psum: 0n,
      in_restart: Number(x.in_restart ?? 0n),
    });
  }
}
