// Golden model of the streamed tile (docs/memory.md, "Streamed tile"): the loader's port model and the tile's cycle
// model composed as the RTL wires them. The loader writes the tile's configuration port when the tile is ready;
// the tile takes a timestep only while the image is loaded (in_valid gated, `ready` = tile ready and loaded).
import { streamedLoaderSpec, type StreamedTileParams } from '../spec/memory.js';
import { CrossbarTileCycleModel } from './crossbar-cycle.js';
import { WeightStreamModel, type LoaderPortsIn } from './weight-stream.js';

export interface StreamedTilePortsIn extends Omit<LoaderPortsIn, 'tgt_ready'> {
  in_valid: number;
  in_spikes: bigint;
  in_psum: bigint;
  in_restart?: number;
}

const LOADER_PASS = new Set(['cmd_ready', 'req_valid', 'req_addr', 'req_len', 'data_ready', 'loaded', 'fault']);

export class StreamedTileModel {
  readonly loader: WeightStreamModel;
  readonly tile: CrossbarTileCycleModel;
  constructor(readonly spec: StreamedTileParams) {
    this.loader = new WeightStreamModel(streamedLoaderSpec(spec));
    this.tile = new CrossbarTileCycleModel(spec.tile);
  }

  outputs(): Record<string, bigint> {
    const t = this.tile.outputs();
    const l = this.loader.outputs({ tgt_ready: Number(t.ready) });
    const o: Record<string, bigint> = {};
    for (const [k, v] of Object.entries(l)) if (LOADER_PASS.has(k) || k.startsWith('cnt_')) o[LOADER_PASS.has(k) ? k : `ld_${k}`] = v;
    for (const [k, v] of Object.entries(t)) o[k] = v;
    o.ready = t.ready! & l.loaded!;
    return o;
  }

  edge(x: StreamedTilePortsIn): void {
    const t = this.tile.outputs();
    const l = this.loader.outputs({ tgt_ready: Number(t.ready) });
    this.tile.edge({ rst: x.rst, cfg_we: Number(l.cfg_we), cfg_addr: Number(l.cfg_addr), cfg_data: l.cfg_data!, in_valid: x.in_valid & Number(l.loaded), in_spikes: x.in_spikes, in_psum: x.in_psum, in_restart: x.in_restart ?? 0 });
    this.loader.edge({ ...x, tgt_ready: Number(t.ready) });
  }
}
