// Spike traffic on the router mesh (docs/router.md): one packet per nonzero spike, carried on the XY tree from the
// tile that sends it to every tile of the row tile that takes it (multicast, copied where the tree branches), as
// src/functional/router.ts counts it: link traversals (`hops`) and deliveries per packet. The router's own mesh
// holds at most 64 tiles; the chip's tile grid is larger, so the same XY-tree rule is applied here on the chip's
// grid (checked equal to the functional counterpart's treeCounts on router-sized meshes). Placement (stated, not the
// compiler's): every linear op's tiles consecutively in program order, row tile by row tile, on the smallest square
// mesh (a chip that streams weights: on its own tiles, indices wrapping around its capacity); an encoder injects at the first tile of the first op reading it; outputs to digital units (Q/K/V counts,
// membrane readouts) travel to the producing op's first tile.
import { bitsFor } from '../hdl/types.js';
import type { LinearEvents, RouteEvents } from './events.js';

export interface Mesh {
  width: number;
  /** first tile index of each linear op */
  first: Map<string, number>;
  /** a chip streaming weights reuses its tiles: tile indices wrap around its capacity */
  capacity?: number;
}

/** Ops in program order on the smallest square grid that holds them, or, streaming, on the chip's `capacity` tiles. */
export function placement(linears: readonly LinearEvents[], capacity?: number): Mesh {
  const first = new Map<string, number>();
  let next = 0;
  for (const l of linears) {
    first.set(l.name, next);
    next += l.rowTiles * l.colTiles;
  }
  return { width: Math.max(1, Math.ceil(Math.sqrt(capacity ?? next))), first, capacity };
}

const xy = (m: Mesh, t: number) => ({ x: t % m.width, y: Math.floor(t / m.width) });
const tileOf = (m: Mesh, l: LinearEvents, rt: number, ct: number) => {
  const t = m.first.get(l.name)! + rt * l.colTiles + ct;
  return m.capacity ? t % m.capacity : t;
};

/** Links of the XY tree from `src` to the tiles `dests` (docs/router.md: along the source row to the extreme
 *  destination columns, then along each destination column to its extreme rows). */
export function xyTreeHops(m: Mesh, src: number, dests: readonly number[]): number {
  if (!dests.length) return 0;
  const s = xy(m, src);
  const span = new Map<number, [number, number]>();
  for (const d of dests) {
    const { x, y } = xy(m, d);
    const r = span.get(x);
    span.set(x, r ? [Math.min(r[0], y), Math.max(r[1], y)] : [y, y]);
  }
  const xs = [...span.keys()];
  let h = Math.max(0, Math.max(...xs) - s.x) + Math.max(0, s.x - Math.min(...xs));
  for (const [lo, hi] of span.values()) h += Math.max(0, hi - s.y) + Math.max(0, s.y - lo);
  return h;
}

/** Packet bits: source tile id, neuron id (a column of the source tile), timestep and the spike value. */
const packetBits = (tiles: number, cols: number, T: number, valueBits: number) => bitsFor(Math.max(1, tiles - 1)) + bitsFor(Math.max(1, cols - 1)) + bitsFor(Math.max(1, T - 1)) + valueBits;

/** Row tiles of `to` fed by inputs [lo, hi) and, per row tile, the share of those inputs it takes. */
function rowTilesOf(to: LinearEvents, lo: number, hi: number): [number, number][] {
  const out: [number, number][] = [];
  for (let r = Math.floor(lo / to.tile.rows); r * to.tile.rows < hi && r < to.rowTiles; r++) {
    const a = Math.max(lo, r * to.tile.rows);
    const b = Math.min(hi, (r + 1) * to.tile.rows, to.dIn);
    if (b > a) out.push([r, (b - a) / (hi - lo)]);
  }
  return out;
}

/**
 * Per token: packets injected, link traversals and deliveries of every spike route, from the events' spike counts
 * (spikes spread evenly over a tensor's elements) and the XY tree of each (source tile, destination row tile).
 */
export function routesOf(linears: readonly LinearEvents[], T: number, vBits: number, capacity?: number): RouteEvents[] {
  const m = placement(linears, capacity);
  const tiles = capacity ?? Math.max(1, linears.reduce((s, l) => s + l.rowTiles * l.colTiles, 0));
  const byInput = new Map<string, LinearEvents[]>();
  for (const l of linears) byInput.set(l.input.tensor, [...(byInput.get(l.input.tensor) ?? []), l]);
  const out: RouteEvents[] = [];
  for (const [tensor, consumers] of byInput) {
    const x = consumers[0]!.input;
    const dIn = consumers[0]!.dIn;
    const producer = linears.find((l) => l.output?.tensor === tensor);
    // sources: the producer's output tiles (column tiles of its last row tile), each with its slice of the inputs;
    // or one encoder at the first consumer's first tile
    const sources = producer
      ? Array.from({ length: producer.colTiles }, (_, c) => ({ tile: tileOf(m, producer, producer.rowTiles - 1, c), lo: c * producer.tile.cols, hi: Math.min(dIn, (c + 1) * producer.tile.cols) }))
      : [{ tile: tileOf(m, consumers[0]!, 0, 0), lo: 0, hi: dIn }];
    let hops = 0;
    let delivered = 0;
    for (const s of sources) {
      if (s.hi <= s.lo) continue;
      const packets = (x.events * (s.hi - s.lo)) / dIn;
      for (const [r, share] of rowTilesOf(consumers[0]!, s.lo, s.hi)) {
        const dests = consumers.flatMap((c) => Array.from({ length: c.colTiles }, (_, ct) => tileOf(m, c, r, ct)));
        hops += packets * share * xyTreeHops(m, s.tile, dests);
        delivered += packets * share * dests.length;
      }
    }
    out.push({ from: tensor, packets: x.events, hops, delivered, bitsPerPacket: packetBits(tiles, consumers[0]!.tile.cols, T, x.spikeBits) });
  }
  for (const l of linears) {
    const home = tileOf(m, l, 0, 0);
    const gather = (perTile: number) => Array.from({ length: l.colTiles }, (_, c) => xyTreeHops(m, tileOf(m, l, l.rowTiles - 1, c), [home]) * perTile).reduce((a, b) => a + b, 0);
    if (l.output && !byInput.has(l.output.tensor)) {
      const per = l.output.events / l.colTiles;
      out.push({ from: l.output.tensor, packets: l.output.events, hops: gather(per), delivered: l.output.events, bitsPerPacket: packetBits(tiles, l.tile.cols, T, l.output.spikeBits) });
    }
    if (l.readout === 'membrane') out.push({ from: `${l.name} (membranes)`, packets: l.dOut, hops: gather(l.dOut / l.colTiles), delivered: l.dOut, bitsPerPacket: packetBits(tiles, l.tile.cols, T, vBits) });
  }
  return out;
}
