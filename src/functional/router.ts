// The spike router in the chip functional model (docs/router.md, "Functional counterpart"): what a given traffic
// costs, without cycles. A packet from tile s whose table entry names the set D travels the XY tree from s to D:
// along row y_s to the westmost and eastmost columns of D, then in each of those columns up and down to D's rows
// there. Its counts are computed per table entry, in closed form, when the entry is set, so a packet costs one
// lookup. The totals equal the RTL's counters after a run that drains (shown in co-simulation).
import { captureLoc } from '../hdl/srcloc.js';
import { checkRouterSpec, groupOf, groups, maskTiles, RouterInputError, tiles, tileXY, type RouterSpec } from '../spec/router.js';

/** The counters a traffic determines (stalls depend on timing and are the cycle models' business). */
export interface TrafficCounts {
  injected: number;
  unrouted: number;
  delivered: number;
  hops: number;
  replications: number;
}

export const zeroTraffic = (): TrafficCounts => ({ injected: 0, unrouted: 0, delivered: 0, hops: 0, replications: 0 });

/** Links, deliveries and copies of one packet from `src` to the tiles of `mask` over the XY tree. */
export function treeCounts(p: RouterSpec, src: number, mask: bigint): { hops: number; delivered: number; replications: number } {
  const dests = maskTiles(mask);
  if (dests.length === 0) return { hops: 0, delivered: 0, replications: 0 };
  const s = tileXY(p, src);
  // per destination column: the northmost and southmost destination rows
  const span = new Map<number, [number, number]>();
  for (const d of dests) {
    const { x, y } = tileXY(p, d);
    const r = span.get(x);
    span.set(x, r ? [Math.min(r[0], y), Math.max(r[1], y)] : [y, y]);
  }
  const xs = [...span.keys()];
  let hops = Math.max(0, Math.max(...xs) - s.x) + Math.max(0, s.x - Math.min(...xs));
  for (const [, [lo, hi]] of span) hops += Math.max(0, hi - s.y) + Math.max(0, s.y - lo);
  // a tree with n routers has n - 1 links; each router adds (branches - 1) copies: sum = leaves - 1
  return { hops, delivered: dests.length, replications: dests.length - 1 };
}

export class RouterTraffic {
  readonly counts = zeroTraffic();
  private readonly T: number;
  private readonly G: number;
  /** per (tile * G + group): the entry's mask and its per-packet counts */
  private readonly masks: bigint[];
  private readonly perPacket: { hops: number; delivered: number; replications: number }[];

  constructor(readonly spec: RouterSpec) {
    checkRouterSpec(spec, captureLoc(), 'RouterTraffic');
    this.T = tiles(spec);
    this.G = groups(spec);
    this.masks = new Array<bigint>(this.T * this.G).fill(0n);
    this.perPacket = this.masks.map(() => ({ hops: 0, delivered: 0, replications: 0 }));
  }

  /** Sets the entry of (tile, group): a mask (bit d = tile d) or a list of tiles. */
  setEntry(tile: number, group: number, dests: bigint | readonly number[]): void {
    const loc = captureLoc();
    if (!Number.isInteger(tile) || tile < 0 || tile >= this.T) throw new RouterInputError(`routing table: source tile ${tile} is outside 0..${this.T - 1}`, loc);
    if (!Number.isInteger(group) || group < 0 || group >= this.G) throw new RouterInputError(`routing table of tile ${tile}: group ${group} is outside 0..${this.G - 1}`, loc);
    let mask = 0n;
    if (typeof dests === 'bigint') mask = dests;
    else for (const d of dests) mask |= 1n << BigInt(d);
    const bad = maskTiles(mask).find((d) => !Number.isInteger(d) || d < 0 || d >= this.T);
    if (mask < 0n || bad !== undefined) throw new RouterInputError(`routing table entry (tile ${tile}, group ${group}): destination tile ${bad ?? mask} does not exist; tiles are 0..${this.T - 1}`, loc);
    this.masks[tile * this.G + group] = mask;
    this.perPacket[tile * this.G + group] = treeCounts(this.spec, tile, mask);
  }

  entry(tile: number, group: number): bigint {
    return this.masks[tile * this.G + group]!;
  }

  /** `count` packets from `src` with neuron id `neuron` (their other fields do not change the counts). */
  send(src: number, neuron: number, count = 1): void {
    if (!Number.isInteger(src) || src < 0 || src >= this.T) throw new RouterInputError(`packet source tile ${src} is outside 0..${this.T - 1}`);
    if (!Number.isInteger(neuron) || neuron < 0 || neuron >= 2 ** this.spec.neuronBits) throw new RouterInputError(`packet neuron = ${neuron} is outside 0..${2 ** this.spec.neuronBits - 1} (neuronBits = ${this.spec.neuronBits})`);
    const k = src * this.G + groupOf(this.spec, neuron);
    const c = this.perPacket[k]!;
    this.counts.injected += count;
    if (c.delivered === 0) this.counts.unrouted += count;
    this.counts.delivered += c.delivered * count;
    this.counts.hops += c.hops * count;
    this.counts.replications += c.replications * count;
  }

  /** Spikes of one timestep: neurons[i] fired on tile srcs[i] (typed arrays welcome). */
  sendAll(srcs: ArrayLike<number>, neurons: ArrayLike<number>): void {
    if (srcs.length !== neurons.length) throw new RouterInputError(`sendAll: ${srcs.length} sources but ${neurons.length} neuron ids`);
    for (let i = 0; i < srcs.length; i++) this.send(srcs[i]!, neurons[i]!);
  }

  /** What a clear_counters write does. */
  clear(): void {
    Object.assign(this.counts, zeroTraffic());
  }

  /** What a reset does: counts and every table entry to zero. */
  reset(): void {
    this.clear();
    this.masks.fill(0n);
    for (let i = 0; i < this.perPacket.length; i++) this.perPacket[i] = { hops: 0, delivered: 0, replications: 0 };
  }
}
