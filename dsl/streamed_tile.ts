// A crossbar tile whose configuration port is fed by a weight-streaming loader (docs/memory.md, "Streamed tile"):
// the chip reprograms the tile per layer group from off-chip memory. The tile takes timesteps only while the
// loader reports its image loaded, so a tile whose stream failed (or is still running) is never used as if complete.
import { Bool, Module, captureCallerLoc, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import { streamedLoaderSpec, type StreamedTileParams } from '../src/spec/memory.js';
import { crossbarName, crossbarTile } from './crossbar.js';
import { weightStreamLoader, weightStreamName } from './weight_stream.js';

export type { StreamedTileParams } from '../src/spec/memory.js';

/** Loader ports that the top passes through unchanged (its counters are renamed ld_cnt_*). */
const LOADER_PORTS = ['cmd_valid', 'cmd_src', 'cmd_count', 'cmd_region', 'cmd_base', 'cmd_first', 'cmd_ready', 'req_valid', 'req_addr', 'req_len', 'req_ready', 'data_valid', 'data', 'data_last', 'data_ready', 'loaded', 'fault'];

export function streamedTile(p: StreamedTileParams, locs?: Record<string, SrcLoc | undefined>): Module {
  // bad parameters are reported at the caller's line (or at the parameter file's lines in `locs`), not at this file's
  const loc = captureCallerLoc();
  const at = locs ?? new Proxy<Record<string, SrcLoc | undefined>>({}, { get: () => loc });
  const tile = crossbarTile(p.tile, at);
  const loader = weightStreamLoader(streamedLoaderSpec(p), at);
  const m = new Module(`streamed_${weightStreamName(streamedLoaderSpec(p)).replace(/^wstream_/, '')}_${crossbarName(p.tile).replace(/^xbar_/, '')}`, { tile: crossbarName(p.tile), loader: loader.name }, 'Crossbar tile programmed by a weight-streaming loader (spec: docs/memory.md)');
  const port = (q: Signal, name = q.name) => (q.kind === 'input' ? m.input(name, q.type, q.doc) : m.output(name, q.type, q.doc));

  const loaded = m.wire('image_loaded', Bool);
  const tileReady = m.wire('tile_ready', Bool);
  const cfg = { we: m.wire('cfg_we', Bool), addr: m.wire('cfg_addr', tile.ports.find((q) => q.name === 'cfg_addr')!.type), data: m.wire('cfg_data', tile.ports.find((q) => q.name === 'cfg_data')!.type) };

  const lbind: Record<string, Signal> = { cfg_we: cfg.we, cfg_addr: cfg.addr, cfg_data: cfg.data, tgt_ready: tileReady };
  for (const q of loader.ports) {
    if (q.name in lbind) continue;
    if (q.name === 'loaded') {
      lbind.loaded = loaded;
      m.output('loaded', Bool, q.doc).assign(loaded);
    } else lbind[q.name] = LOADER_PORTS.includes(q.name) ? port(q) : port(q, `ld_${q.name}`);
  }
  m.instance('u_loader', loader, lbind);

  // timesteps only while the image is loaded: in_valid is gated, and `ready` says so
  const inValid = m.input('in_valid', Bool, 'a timestep is offered (taken only while the image is loaded)');
  const tbind: Record<string, Expr> = { cfg_we: cfg.we, cfg_addr: cfg.addr, cfg_data: cfg.data, ready: tileReady, in_valid: m.let('tile_in_valid', inValid.and(loaded)) };
  for (const q of tile.ports) {
    if (q.name in tbind) continue;
    tbind[q.name] = port(q);
  }
  m.instance('u_tile', tile, tbind);
  m.output('ready', Bool, 'the tile takes a timestep at the end of this cycle: idle and its image loaded').assign(tileReady.and(loaded));
  return m;
}
