// Co-simulation driver for the spike-router mesh. A planner turns traffic (per-tile packet queues, sink stall
// patterns, configuration writes, resets) into per-cycle port vectors, holding each tile's next packet on its local
// input until the golden model says it is taken; the vectors then run through the RTL (Verilator) and a fresh
// golden model, every output compared on every cycle. A delivery checker, fed only the vectors and the RTL's
// outputs, checks the guarantees of docs/router.md: no loss, no duplication, per-flow order, offers held until
// taken, latency at least the zero-load bound, and the functional counterpart's counts equal to the RTL counters.
import { routerMesh, type RouterParams } from '../dsl/router.js';
import { RouterTraffic } from '../src/functional/router.js';
import { RouterMeshModel, type MeshPortsIn } from '../src/golden/router.js';
import { Scoreboard } from '../src/harness/assert.js';
import { Dut } from '../src/harness/cocotb.js';
import { Lockstep } from '../src/harness/lockstep.js';
import { elaborate } from '../src/hdl/index.js';
import {
  decodeCfgWrite,
  groupOf,
  groups,
  layerRoutes,
  maskTiles,
  registerAddress,
  ROUTER_COUNTERS,
  ROUTER_REG,
  routerMap,
  tableAddress,
  tableWrite,
  tileBits,
  tiles,
  zeroLoadLatency,
  type Delivery,
  type Packet,
} from '../src/spec/router.js';
import type { Rng } from '../src/util/random.js';

/**
 * Parameter sets: 2 x 2; 3 x 2 (6 tiles, so tile ids 6 and 7 are missing) with a FIFO depth that is not a power of
 * two and multicast-heavy traffic; 4 x 4; a 3 x 1 row with FIFOs of one packet, one table group and 8-bit counters
 * that wrap; a 1 x 3 column (north/south links only); one router alone.
 */
export const ROUTER_SETS: Record<string, RouterParams> = {
  m2x2: { meshX: 2, meshY: 2, neuronBits: 4, timestepBits: 3, payloadBits: 4, groupShift: 2, fifoDepth: 2, counterBits: 16 },
  m3x2mc: { meshX: 3, meshY: 2, neuronBits: 5, timestepBits: 4, payloadBits: 6, groupShift: 3, fifoDepth: 3, counterBits: 12 },
  m4x4: { meshX: 4, meshY: 4, neuronBits: 6, timestepBits: 4, payloadBits: 8, groupShift: 4, fifoDepth: 4, counterBits: 20 },
  row3d1: { meshX: 3, meshY: 1, neuronBits: 3, timestepBits: 2, payloadBits: 2, groupShift: 3, fifoDepth: 1, counterBits: 8 },
  col1x3: { meshX: 1, meshY: 3, neuronBits: 4, timestepBits: 5, payloadBits: 3, groupShift: 1, fifoDepth: 2, counterBits: 16 },
  single: { meshX: 1, meshY: 1, neuronBits: 2, timestepBits: 2, payloadBits: 5, groupShift: 1, fifoDepth: 2, counterBits: 10 },
};

export type Vector = Record<string, number | bigint>;

const ones = (w: number) => (1n << BigInt(w)) - 1n;
const field = (v: bigint, t: number, w: number) => Number((v >> BigInt(t * w)) & ones(w));
const signed = (bits: number, w: number) => (bits >= 2 ** (w - 1) ? bits - 2 ** w : bits);

export const toPorts = (v: Vector): MeshPortsIn => ({
  rst: Number(v.rst),
  cfg_we: Number(v.cfg_we),
  cfg_addr: Number(v.cfg_addr),
  cfg_data: BigInt(v.cfg_data!),
  in_valid: BigInt(v.in_valid!),
  in_neuron: BigInt(v.in_neuron!),
  in_timestep: BigInt(v.in_timestep!),
  in_payload: BigInt(v.in_payload!),
  out_ready: BigInt(v.out_ready!),
});

/**
 * Builds vectors cycle by cycle: each tile offers the head of its queue (now and then not, a legal gap), each sink
 * is ready with its own probability, queued configuration writes go out one per cycle. The golden model decides
 * what is taken.
 */
export class RouterPlanner {
  readonly vectors: Vector[] = [];
  readonly model: RouterMeshModel;
  readonly T: number;
  /** packets waiting at each tile's local input */
  readonly queues: Packet[][];
  readonly cfg: { addr: number; data: bigint }[] = [];
  /** per tile: probability of offering a waiting packet in a cycle, and of the sink being ready */
  offerP: number[];
  readyP: number[];
  /** packets accepted so far (for tests) */
  taken = 0;
  /** cycles planned so far (vectors may be taken out of `vectors` in segments) */
  cycle = 0;

  constructor(
    readonly p: RouterParams,
    readonly rng: Rng,
  ) {
    this.model = new RouterMeshModel(p);
    this.T = tiles(p);
    this.queues = Array.from({ length: this.T }, () => []);
    this.offerP = new Array<number>(this.T).fill(1);
    this.readyP = new Array<number>(this.T).fill(1);
  }

  /** `n` cycles; `extra` may add to each cycle's traffic before it is planned. */
  run(n: number, extra?: (cycle: number) => void): this {
    const p = this.p;
    for (let k = 0; k < n; k++) {
      extra?.(k);
      const x: MeshPortsIn = { rst: 0, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0n, in_neuron: 0n, in_timestep: 0n, in_payload: 0n, out_ready: 0n };
      const w = this.cfg.shift();
      if (w) Object.assign(x, { cfg_we: 1, cfg_addr: w.addr, cfg_data: w.data });
      const offered: boolean[] = [];
      for (let t = this.T - 1; t >= 0; t--) {
        const pk = this.queues[t]![0];
        const offer = pk !== undefined && (this.offerP[t]! >= 1 || this.rng.chance(this.offerP[t]!));
        offered[t] = offer;
        x.in_valid = (x.in_valid << 1n) | (offer ? 1n : 0n);
        x.in_neuron = (x.in_neuron << BigInt(p.neuronBits)) | BigInt(offer ? pk.neuron : 0);
        x.in_timestep = (x.in_timestep << BigInt(p.timestepBits)) | BigInt(offer ? pk.timestep : 0);
        x.in_payload = (x.in_payload << BigInt(p.payloadBits)) | (offer ? BigInt(pk.payload) & ones(p.payloadBits) : 0n);
        const ready = this.readyP[t]! >= 1 || (this.readyP[t]! > 0 && this.rng.chance(this.readyP[t]!));
        x.out_ready = (x.out_ready << 1n) | (ready ? 1n : 0n);
      }
      const inReady = this.model.inReadyBits();
      for (let t = 0; t < this.T; t++) {
        if (offered[t] && (inReady >> BigInt(t)) & 1n) {
          this.queues[t]!.shift();
          this.taken++;
        }
      }
      this.push(x);
    }
    return this;
  }

  private push(x: MeshPortsIn): void {
    this.vectors.push({ rst: x.rst, cfg_we: x.cfg_we, cfg_addr: x.cfg_addr, cfg_data: x.cfg_data, in_valid: x.in_valid, in_neuron: x.in_neuron, in_timestep: x.in_timestep, in_payload: x.in_payload, out_ready: x.out_ready });
    this.cycle++;
    this.model.edge(x);
  }

  reset(): this {
    this.push({ rst: 1, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0n, in_neuron: 0n, in_timestep: 0n, in_payload: 0n, out_ready: 0n });
    this.cfg.length = 0;
    return this;
  }

  /** Offers everything queued with every sink ready until the network is empty. */
  drain(limit = 100_000): this {
    const saved = [this.offerP, this.readyP];
    this.offerP = this.offerP.map(() => 1);
    this.readyP = this.readyP.map(() => 1);
    let k = 0;
    while (this.cfg.length || this.queues.some((q) => q.length) || this.model.inFlight > 0) {
      if (++k > limit) throw new Error(`router planner: the network did not drain in ${limit} cycles (${this.model.inFlight} FIFO entries left)`);
      this.run(1);
    }
    this.run(2);
    [this.offerP, this.readyP] = saved as [number[], number[]];
    return this;
  }

  /** Drains, then clears the counters on the empty network (so they count exactly the traffic from here on). */
  clearCounters(): this {
    this.drain();
    this.cfg.push({ addr: registerAddress(this.p, ROUTER_REG.clearCounters), data: 0n });
    return this.run(1);
  }

  /** Queues the writes that make `entries` the routing tables (other entries unchanged). */
  setTables(entries: { tile: number; group: number; dests: readonly number[] }[]): this {
    for (const e of entries) this.cfg.push(tableWrite(this.p, e.tile, e.group, e.dests));
    return this;
  }
}

// ---- traffic ----

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;

/** A random packet with sequence-like timestep values per tile. */
function packetFor(p: RouterParams, rng: Rng, neuron: number, seq: number): Packet {
  const half = 2 ** (p.payloadBits - 1);
  return { neuron, timestep: seq % 2 ** p.timestepBits, payload: rng.chance(0.2) ? pick(rng, [-half, half - 1]) : rng.int(-half, half - 1) };
}

/** Every (tile, group) entry: unicast, multicast, all tiles or empty, at random. */
export function randomTables(p: RouterParams, rng: Rng, kind: 'mixed' | 'unicast' | 'broadcast' | 'hotspot' = 'mixed'): { tile: number; group: number; dests: number[] }[] {
  const T = tiles(p);
  const all = Array.from({ length: T }, (_, d) => d);
  const hot = rng.int(0, T - 1);
  const out: { tile: number; group: number; dests: number[] }[] = [];
  for (let t = 0; t < T; t++) {
    for (let g = 0; g < groups(p); g++) {
      let dests: number[];
      if (kind === 'broadcast') dests = all;
      else if (kind === 'hotspot') dests = [hot];
      else if (kind === 'unicast' || rng.chance(0.45)) dests = [rng.int(0, T - 1)];
      else if (rng.chance(0.1)) dests = [];
      else if (rng.chance(0.15)) dests = all;
      else dests = all.filter(() => rng.chance(0.4));
      out.push({ tile: t, group: g, dests });
    }
  }
  return out;
}

/**
 * The compiler's load: a layer on some tiles feeding the next layer's row tiles; each "timestep" every source tile
 * sends the spikes of its outputs that fire (at `rate`), all in one burst.
 */
export function layerLoad(p: RouterParams, rng: Rng): { routes: { tile: number; group: number; dests: number[] }[]; sources: number[]; outputsPerTile: number } {
  const T = tiles(p);
  const order = Array.from({ length: T }, (_, t) => t).sort(() => rng.next() - 0.5);
  const nSrc = rng.int(1, Math.max(1, Math.min(4, T)));
  const sources = order.slice(0, nSrc);
  const size = 2 ** p.groupShift;
  const outputsPerTile = Math.min(2 ** p.neuronBits, size * rng.int(1, Math.max(1, 2 ** (p.neuronBits - p.groupShift))));
  // next layer: as many row tiles as there are source tiles' outputs / inputsPerTile, each with 1..3 column tiles
  const inputsPerTile = outputsPerTile;
  const colTiles = rng.int(1, Math.min(3, T));
  const destTiles = sources.map(() => Array.from({ length: colTiles }, () => rng.int(0, T - 1)).filter((d, i, a) => a.indexOf(d) === i));
  return { routes: layerRoutes(p, { sourceTiles: sources, outputsPerTile, destTiles, inputsPerTile }), sources, outputsPerTile };
}

/**
 * Random scenario of about `cycles` cycles: phases of uniform, compiler-layer, hot-spot and broadcast traffic at
 * varied loads, with sinks that stall (some for long stretches), gaps in the offers, table rewrites while traffic
 * flows, refused writes, counter clears, drains and (unless `noResets`) resets. Ends drained.
 */
export function randomScenario(planner: RouterPlanner, cycles: number, opts: { noResets?: boolean } = {}): RouterPlanner {
  const { p, rng } = planner;
  const T = tiles(p);
  const map = routerMap(p);
  const seq = new Array<number>(T).fill(0);
  const enqueue = (t: number, neuron: number) => {
    if (planner.queues[t]!.length < 12) planner.queues[t]!.push(packetFor(p, rng, neuron, seq[t]!++));
  };
  if (!planner.cycle) planner.reset();
  const end = planner.cycle + cycles;
  while (planner.cycle < end) {
    const kind = pick(rng, ['uniform', 'uniform', 'layer', 'layer', 'hotspot', 'broadcast'] as const);
    const len = rng.int(200, 2500);
    planner.offerP = planner.offerP.map(() => (rng.chance(0.7) ? 1 : pick(rng, [0.3, 0.7, 0.9])));
    planner.readyP = planner.readyP.map(() => pick(rng, [1, 1, 1, 0.95, 0.7, 0.3, 0.05]));
    // configuration for the phase, written while the previous traffic is still in the network
    if (kind === 'layer') {
      const load = layerLoad(p, rng);
      planner.setTables(load.routes);
      const period = rng.int(4, 40);
      const rate = pick(rng, [0.05, 0.2, 0.5, 1]);
      planner.run(len, (k) => {
        if (k % period) return;
        for (const s of load.sources) for (let n = 0; n < load.outputsPerTile; n++) if (rng.chance(rate)) enqueue(s, n);
      });
    } else {
      planner.setTables(randomTables(p, rng, kind === 'uniform' ? 'mixed' : kind).filter(() => kind !== 'uniform' || rng.chance(0.6)));
      const load = planner.offerP.map(() => pick(rng, kind === 'uniform' ? [0.02, 0.1, 0.3, 0.6, 1] : [0.1, 0.5, 1]));
      planner.run(len, () => {
        for (let t = 0; t < T; t++) if (rng.chance(load[t]!)) enqueue(t, rng.int(0, 2 ** p.neuronBits - 1));
      });
    }
    // now and then: refused writes (missing source tile, missing destination tile, unmapped register), a clear
    if (rng.chance(0.5)) {
      const bad = rng.int(0, 2);
      if (bad === 0 && 2 ** map.tileBits > T) planner.cfg.push({ addr: tableAddress(p, rng.int(T, 2 ** map.tileBits - 1), 0), data: 1n });
      else if (bad <= 1 && map.dataBits > T) planner.cfg.push({ addr: tableAddress(p, rng.int(0, T - 1), 0), data: 1n << BigInt(rng.int(T, map.dataBits - 1)) });
      else planner.cfg.push({ addr: registerAddress(p, rng.int(1, 2 ** (map.tileBits + map.groupBits) - 1)), data: 0n });
    }
    // counter clears mostly on an empty network; one in flight makes the counts incomparable until the next
    if (rng.chance(0.12)) planner.clearCounters();
    else if (rng.chance(0.03)) planner.cfg.push({ addr: registerAddress(p, ROUTER_REG.clearCounters), data: 0n });
    if (rng.chance(0.3)) planner.drain();
    else if (!opts.noResets && rng.chance(0.05)) planner.reset();
  }
  return planner.drain();
}

// ---- RTL vs golden ----

export interface CosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  simMs: number;
  goldenMs: number;
}

/**
 * RTL vs a golden model of its own, segment by segment: every output compared on every cycle after the first reset;
 * `observe` sees each compared cycle's vector and the RTL's outputs.
 */
export class RouterCosim extends Lockstep<Vector, MeshPortsIn> {
  constructor(dut: Dut, p: RouterParams, name: string, observe?: (cycle: number, v: Vector, got: Record<string, bigint>) => void, chunk = 20_000) {
    super(dut, name, new RouterMeshModel(p), toPorts, { chunk, onCycle: observe && ((_, v, got, c) => observe(c, v, got)) });
  }
}

/** Runs the vectors through RTL and a fresh golden model, comparing every output on every cycle after the first reset. */
export async function cosimRouter(dut: Dut, p: RouterParams, vectors: readonly Vector[], name: string, observe?: (cycle: number, v: Vector, got: Record<string, bigint>) => void, chunk = 20_000): Promise<CosimResult> {
  const c = await new RouterCosim(dut, p, name, observe, chunk).run(vectors);
  return { scoreboard: c.scoreboard, cycles: c.cycles, simMs: c.simMs, goldenMs: c.goldenMs };
}

export async function startRouter(p: RouterParams): Promise<Dut> {
  return Dut.start(elaborate(() => routerMesh(p)));
}

// ---- the guarantees, checked on the RTL's outputs ----

interface Sent extends Delivery {
  cycle: number;
}

const same = (a: Delivery, b: Delivery) => a.src === b.src && a.neuron === b.neuron && a.timestep === b.timestep && a.payload === b.payload;

/**
 * Checks deliveries against injections, from the port vectors and the RTL's outputs alone: every packet taken at
 * tile s reaches every tile of its table entry (as written over the configuration bus before that edge) exactly
 * once, in order per (s, d) flow; an offer not taken is offered again unchanged; no packet is faster than the
 * zero-load latency. Mirrors the traffic into the functional counterpart to compare counts with the RTL counters.
 */
export class DeliveryChecker {
  readonly T: number;
  private readonly table: bigint[];
  private readonly flows: Sent[][];
  readonly traffic: RouterTraffic;
  readonly errors: string[] = [];
  lost = 0;
  duplicates = 0;
  reordered = 0;
  unstable = 0;
  delivered = 0;
  /** deliveries while the sink had not been ready the cycle before (backpressure met), per tile */
  readonly heldOffers: number[];
  /** packets dropped by a reset while in flight (not a loss: the spec discards them) */
  droppedByReset = 0;
  maxLatency = 0;
  /** the largest latency - zero-load latency */
  maxQueueing = 0;
  latencySum = 0;
  /** false after a counter clear while packets were in flight: the RTL then counts the rest of their journeys */
  countsComparable = true;
  /** cycles at which the RTL counters were compared with the functional counts, and how many differed */
  countCheckpoints = 0;
  counterErrors = 0;
  private prev: { valid: bigint; ready: bigint; got: Record<string, bigint> } | undefined;
  private lastCycle = -1;

  constructor(readonly p: RouterParams) {
    this.T = tiles(p);
    this.table = new Array<bigint>(this.T * groups(p)).fill(0n);
    this.flows = Array.from({ length: this.T * this.T }, () => []);
    this.traffic = new RouterTraffic(p);
    this.heldOffers = new Array<number>(this.T).fill(0);
  }

  private error(msg: string): void {
    if (this.errors.length < 20) this.errors.push(msg);
  }

  observe(cycle: number, v: Vector, got: Record<string, bigint>): void {
    const p = this.p;
    this.lastCycle = cycle;
    if (Number(v.rst)) {
      for (const f of this.flows) {
        this.droppedByReset += f.length;
        f.length = 0;
      }
      this.table.fill(0n);
      this.traffic.reset();
      this.countsComparable = true;
      this.prev = undefined;
      return;
    }
    // whenever nothing is owed, the counters have counted all traffic so far: they must equal the functional counts
    if (this.countsComparable && this.pending === 0) {
      this.countCheckpoints++;
      for (const m of this.counterMismatches(got)) {
        this.counterErrors++;
        this.error(`cycle ${cycle}: ${m}`);
      }
    }
    const tb = tileBits(p);
    const outValid = got.out_valid!;
    const outReady = BigInt(v.out_ready!);
    // an offer not taken stays, unchanged
    if (this.prev) {
      const held = this.prev.valid & ~this.prev.ready;
      for (let d = 0; d < this.T; d++) {
        if (!((held >> BigInt(d)) & 1n)) continue;
        const keep = ((outValid >> BigInt(d)) & 1n) === 1n && ['out_src', 'out_neuron', 'out_timestep', 'out_payload'].every((s) => {
          const w = { out_src: tb, out_neuron: p.neuronBits, out_timestep: p.timestepBits, out_payload: p.payloadBits }[s]!;
          return field(got[s]!, d, w) === field(this.prev!.got[s]!, d, w);
        });
        if (!keep) {
          this.unstable++;
          this.error(`cycle ${cycle}: tile ${d}'s offer changed or vanished before it was taken`);
        }
      }
    }
    // deliveries
    for (let d = 0; d < this.T; d++) {
      if (!(((outValid & outReady) >> BigInt(d)) & 1n)) continue;
      const pk: Delivery = { src: field(got.out_src!, d, tb), neuron: field(got.out_neuron!, d, p.neuronBits), timestep: field(got.out_timestep!, d, p.timestepBits), payload: signed(field(got.out_payload!, d, p.payloadBits), p.payloadBits) };
      if (this.prev && (this.prev.valid & ~this.prev.ready) >> BigInt(d) & 1n) this.heldOffers[d]!++;
      const flow = pk.src < this.T ? this.flows[pk.src * this.T + d]! : [];
      const at = flow.findIndex((s) => same(s, pk));
      if (at < 0) {
        this.duplicates++;
        this.error(`cycle ${cycle}: tile ${d} got ${JSON.stringify(pk)}, which was not sent to it (or was already delivered)`);
        continue;
      }
      if (at > 0) {
        this.reordered++;
        this.error(`cycle ${cycle}: tile ${d} got ${JSON.stringify(pk)} before ${at} earlier packet(s) of flow ${pk.src} -> ${d}`);
      }
      const [s] = flow.splice(at, 1);
      this.delivered++;
      const lat = cycle - s!.cycle;
      const zero = zeroLoadLatency(p, pk.src, d);
      if (lat < zero) this.error(`cycle ${cycle}: packet ${pk.src} -> ${d} took ${lat} cycles, less than the zero-load latency ${zero}`);
      this.maxLatency = Math.max(this.maxLatency, lat);
      this.maxQueueing = Math.max(this.maxQueueing, lat - zero);
      this.latencySum += lat;
    }
    // injections, with the tables as they were before this edge
    const taken = BigInt(v.in_valid!) & got.in_ready!;
    for (let t = 0; t < this.T; t++) {
      if (!((taken >> BigInt(t)) & 1n)) continue;
      const neuron = field(BigInt(v.in_neuron!), t, p.neuronBits);
      const pk: Sent = { src: t, neuron, timestep: field(BigInt(v.in_timestep!), t, p.timestepBits), payload: signed(field(BigInt(v.in_payload!), t, p.payloadBits), p.payloadBits), cycle };
      for (const d of maskTiles(this.table[t * groups(p) + groupOf(p, neuron)]!)) this.flows[t * this.T + d]!.push(pk);
      this.traffic.send(t, neuron);
    }
    if (Number(v.cfg_we)) {
      const eff = decodeCfgWrite(p, Number(v.cfg_addr), BigInt(v.cfg_data!));
      if (eff.kind === 'table') {
        this.table[eff.tile * groups(p) + eff.group] = eff.mask;
        this.traffic.setEntry(eff.tile, eff.group, eff.mask);
      } else if (eff.kind === 'clear') {
        this.traffic.clear();
        this.countsComparable = this.pending === 0;
      }
    }
    this.prev = { valid: outValid, ready: outReady, got };
  }

  /** Packets still owed to some tile. */
  get pending(): number {
    return this.flows.reduce((s, f) => s + f.length, 0);
  }

  /** At the end of a drained run: whatever is still owed is lost. */
  finish(): void {
    for (let i = 0; i < this.flows.length; i++) {
      for (const s of this.flows[i]!) {
        this.lost++;
        this.error(`lost: packet ${JSON.stringify(s)} never reached tile ${i % this.T} (run ended at cycle ${this.lastCycle})`);
      }
    }
  }

  /** RTL counters that differ from the functional counterpart's counts (mod 2^counterBits), as messages. */
  counterMismatches(got: Record<string, bigint>): string[] {
    const out: string[] = [];
    const m = ones(this.p.counterBits);
    for (const c of ['injected', 'unrouted', 'delivered', 'hops', 'replications'] as const) {
      const want = BigInt(this.traffic.counts[c]) & m;
      if (got[`cnt_${c}`] !== want) out.push(`cnt_${c}: RTL ${got[`cnt_${c}`]}, functional ${want} (${this.traffic.counts[c]} mod 2^${this.p.counterBits})`);
    }
    return out;
  }
}

export const COUNTER_PORTS = ROUTER_COUNTERS.map((c) => `cnt_${c}`);
