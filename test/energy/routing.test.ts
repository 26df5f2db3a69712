// Spike routes on the mesh: the XY-tree link count equals the router's functional counterpart (treeCounts) on
// router-sized meshes, and a two-op route by hand.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, tileSpec } from '../../src/compiler/chip-config.js';
import type { LinearEvents } from '../../src/energy/events.js';
import { placement, routesOf, xyTreeHops } from '../../src/energy/routing.js';
import { treeCounts } from '../../src/functional/router.js';
import type { RouterSpec } from '../../src/spec/router.js';
import { Rng } from '../../src/util/random.js';

const tile = tileSpec(DEFAULT_CHIP, 'unsigned');
const op = (name: string, rowTiles: number, colTiles: number, input: string, output?: string): LinearEvents => ({
  name, role: 'up', tile, rowTiles, colTiles, dIn: rowTiles * 64, dOut: colTiles * 64, readout: output ? 'spikes' : 'membrane',
  counters: { timesteps: 0, active_rows: 0, masked_rows: 0, cell_reads: 0, adc_conversions: 0, adc_clipped: 0, psum_saturated: 0, weight_reads: 0, weight_writes: 0 },
  input: { tensor: input, events: 64, magnitude: 64, elements: 4 * rowTiles * 64, spikeBits: 5 },
  output: output ? { tensor: output, events: 32, magnitude: 32, elements: 4 * colTiles * 64, spikeBits: 4 } : undefined,
});

describe('routing', () => {
  it('XY-tree links = the router functional counterpart\'s treeCounts, random sets on meshes up to 8 x 8', () => {
    const rng = new Rng(11);
    for (let k = 0; k < 300; k++) {
      const X = rng.int(1, 8);
      const Y = rng.int(1, 8);
      const spec = { meshX: X, meshY: Y, neuronBits: 4, timestepBits: 2, payloadBits: 4, groupShift: 0, fifoDepth: 2, counterBits: 16 } as RouterSpec;
      const src = rng.int(0, X * Y - 1);
      const dests = [...new Set(Array.from({ length: rng.int(1, X * Y) }, () => rng.int(0, X * Y - 1)))];
      const mask = dests.reduce((m, d) => m | (1n << BigInt(d)), 0n);
      expect(xyTreeHops({ width: X, first: new Map() }, src, dests), `mesh ${X}x${Y} src ${src} dests ${dests}`).toBe(treeCounts(spec, src, mask).hops);
    }
  });

  it('a 1x2 op feeding a 2x1 op on a 2x2 mesh, by hand', () => {
    const a = op('A', 1, 2, 'x', 'y'); // tiles 0, 1
    const b = op('B', 2, 1, 'y'); // tiles 2, 3: row tile 0 at (0, 1), row tile 1 at (1, 1)
    expect(placement([a, b]).width).toBe(2);
    const r = routesOf([a, b], 4, 24);
    // x: 64 spikes injected at tile 0 into A's row tile 0 = tiles {0, 1}: one link each
    const x = r.find((q) => q.from === 'x')!;
    expect(x.hops).toBe(64);
    expect(x.delivered).toBe(128);
    // y (B's input: 64 spikes, half from each of A's column tiles): A's column tile 0 (tile 0) feeds B's row tile 0
    // (tile 2), one link; column tile 1 (tile 1) feeds row tile 1 (tile 3), one link
    const y = r.find((q) => q.from === 'y')!;
    expect(y.packets).toBe(64);
    expect(y.hops).toBe(64);
    expect(y.delivered).toBe(64);
    // B's membranes (64 values) gather at its first tile (2) from its last row tile (tile 3): 1 link each
    const m = r.find((q) => q.from === 'B (membranes)')!;
    expect(m.hops).toBe(64);
    // streaming on a chip of one tile: every op reuses it, no links at all
    expect(routesOf([a, b], 4, 24, 1).reduce((s, q) => s + q.hops, 0)).toBe(0);
  });
});
