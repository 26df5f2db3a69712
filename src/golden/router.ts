// Cycle-level golden model of the spike-router mesh (docs/router.md), written from the spec, not from the RTL:
// per router an input FIFO per port, round-robin arbitration per output, XY tree multicast with partial
// replication, the routing tables and configuration bus, and the counters. outputs() is what the ports show
// during a cycle; edge() is the rising edge that ends it.
import { captureLoc } from '../hdl/srcloc.js';
import {
  branchTiles,
  candidates,
  checkPacket,
  checkRouterSpec,
  decodeCfgWrite,
  groupOf,
  groups,
  neighbour,
  OPPOSITE,
  outputPorts,
  PORT,
  PORTS,
  ROUTER_COUNTERS,
  RouterInputError,
  tileBits,
  tiles,
  type Delivery,
  type Packet,
  type Port,
  type RouterCounter,
  type RouterSpec,
} from '../spec/router.js';

export interface MeshPortsIn {
  rst: number;
  cfg_we: number;
  cfg_addr: number;
  cfg_data: bigint;
  /** bit t: tile t offers a packet */
  in_valid: bigint;
  /** tile t's fields at [t*w +: w] */
  in_neuron: bigint;
  in_timestep: bigint;
  in_payload: bigint;
  /** bit t: tile t's sink takes a packet */
  out_ready: bigint;
}

/** A packet in a FIFO: its destination set (tile bits), fields, and the outputs it needs at this router. */
interface Entry {
  src: number;
  mask: bigint;
  neuron: number;
  timestep: number;
  /** payload bits (two's complement in payloadBits) */
  payload: number;
  /** bit PORT[o] set: the packet has destinations beyond output o */
  needed: number;
}

interface Output {
  port: number;
  /** candidate inputs (PORT indices), in arbitration order */
  cand: number[];
  /** tiles reached through this output */
  branch: bigint;
  /** the neighbour (tile, input port) this output feeds; undefined for the local output */
  to?: { tile: number; port: number };
  /** index into cand of the last candidate taken (round-robin pointer) */
  ptr: number;
}

interface Router {
  fifo: Entry[][];
  sent: number[];
  outs: Output[];
  table: bigint[];
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** The local-input port values for one cycle: offers[t] is tile t's packet, or undefined for no offer. */
export function packOffers(p: RouterSpec, offers: readonly (Packet | undefined)[]): Pick<MeshPortsIn, 'in_valid' | 'in_neuron' | 'in_timestep' | 'in_payload'> {
  const loc = captureLoc();
  const T = tiles(p);
  if (offers.length !== T) throw new RouterInputError(`offers: ${offers.length} entries, the ${p.meshX} x ${p.meshY} mesh has ${T} tiles`, loc);
  const v = { in_valid: 0n, in_neuron: 0n, in_timestep: 0n, in_payload: 0n };
  for (let t = T - 1; t >= 0; t--) {
    const o = offers[t];
    if (o) checkPacket(p, o, `offer of tile ${t}`, loc);
    v.in_valid = (v.in_valid << 1n) | (o ? 1n : 0n);
    v.in_neuron = (v.in_neuron << BigInt(p.neuronBits)) | BigInt(o?.neuron ?? 0);
    v.in_timestep = (v.in_timestep << BigInt(p.timestepBits)) | BigInt(o?.timestep ?? 0);
    v.in_payload = (v.in_payload << BigInt(p.payloadBits)) | (BigInt(o?.payload ?? 0) & mask(p.payloadBits));
  }
  return v;
}

/** The packet offered to each tile by a cycle's outputs (undefined where out_valid is 0), payload signed. */
export function offeredTo(p: RouterSpec, out: Record<string, bigint>): (Delivery | undefined)[] {
  const f = (name: string, t: number, w: number) => Number((out[name]! >> BigInt(t * w)) & mask(w));
  return Array.from({ length: tiles(p) }, (_, t) => {
    if (!((out.out_valid! >> BigInt(t)) & 1n)) return undefined;
    const raw = f('out_payload', t, p.payloadBits);
    return { src: f('out_src', t, tileBits(p)), neuron: f('out_neuron', t, p.neuronBits), timestep: f('out_timestep', t, p.timestepBits), payload: raw >= 2 ** (p.payloadBits - 1) ? raw - 2 ** p.payloadBits : raw };
  });
}
const bitCount = (v: number) => {
  let n = 0;
  for (let b = v; b; b &= b - 1) n++;
  return n;
};

export class RouterMeshModel {
  readonly T: number;
  private readonly D: number;
  private readonly routers: Router[];
  private cfgError = 0;
  private readonly cnt: Record<RouterCounter, bigint> = Object.fromEntries(ROUTER_COUNTERS.map((c) => [c, 0n])) as Record<RouterCounter, bigint>;
  /** grants of the current cycle, [tile][output index] = candidate index or -1; computed on first use */
  private grants: Int8Array[] | undefined;

  constructor(readonly spec: RouterSpec) {
    checkRouterSpec(spec, captureLoc(), 'RouterMeshModel');
    this.T = tiles(spec);
    this.D = spec.fifoDepth;
    this.routers = Array.from({ length: this.T }, (_, t) => ({
      fifo: PORTS.map(() => []),
      sent: PORTS.map(() => 0),
      outs: outputPorts(spec, t).map((o) => {
        const nb = neighbour(spec, t, o);
        const out: Output = {
          port: PORT[o],
          cand: candidates(spec, t, o).map((c) => PORT[c]),
          branch: branchTiles(spec, t, o).reduce((m, d) => m | (1n << BigInt(d)), 0n),
          ptr: 0,
        };
        if (o !== 'L') out.to = { tile: nb!, port: PORT[OPPOSITE[o]] };
        return out;
      }),
      table: new Array<bigint>(groups(spec)).fill(0n),
    }));
    this.resetState();
  }

  private resetState(): void {
    for (const r of this.routers) {
      for (const f of r.fifo) f.length = 0;
      r.sent.fill(0);
      // the pointer starts at the last candidate, so the first one has priority after reset
      for (const o of r.outs) o.ptr = o.cand.length - 1;
      r.table.fill(0n);
    }
    this.cfgError = 0;
    for (const c of ROUTER_COUNTERS) this.cnt[c] = 0n;
    this.grants = undefined;
  }

  private entry(r: Router, src: number, m: bigint, neuron: number, timestep: number, payload: number): Entry {
    let needed = 0;
    for (const o of r.outs) if (m & o.branch) needed |= 1 << o.port;
    return { src, mask: m, neuron, timestep, payload, needed };
  }

  /** Round-robin choice per output: the first requesting candidate after the pointer. */
  private decide(): Int8Array[] {
    if (this.grants) return this.grants;
    this.grants = this.routers.map((r) => {
      const g = new Int8Array(r.outs.length).fill(-1);
      r.outs.forEach((o, oi) => {
        const k = o.cand.length;
        for (let j = 1; j <= k; j++) {
          const ci = (o.ptr + j) % k;
          const c = o.cand[ci]!;
          const head = r.fifo[c]![0];
          if (head && (head.needed >> o.port) & 1 && !((r.sent[c]! >> o.port) & 1)) {
            g[oi] = ci;
            break;
          }
        }
      });
      return g;
    });
    return this.grants;
  }

  /** Packets held in FIFOs, per tile and input port (PORT index); for tests. */
  fifoCounts(): number[][] {
    return this.routers.map((r) => r.fifo.map((f) => f.length));
  }

  /** Packets in the network (FIFO entries, a multicast packet counted once per FIFO holding it). */
  get inFlight(): number {
    return this.routers.reduce((s, r) => s + r.fifo.reduce((a, f) => a + f.length, 0), 0);
  }

  /** in_ready alone (what a driver needs to know which offers are taken). */
  inReadyBits(): bigint {
    let v = 0n;
    for (let t = this.T - 1; t >= 0; t--) v = (v << 1n) | (this.routers[t]!.fifo[PORT.L]!.length < this.D ? 1n : 0n);
    return v;
  }

  outputs(): Record<string, bigint> {
    const s = this.spec;
    const grants = this.decide();
    let inReady = 0n;
    let outValid = 0n;
    let src = 0n;
    let neuron = 0n;
    let ts = 0n;
    let payload = 0n;
    const tb = BigInt(tileBits(s));
    for (let t = this.T - 1; t >= 0; t--) {
      const r = this.routers[t]!;
      src <<= tb;
      neuron <<= BigInt(s.neuronBits);
      ts <<= BigInt(s.timestepBits);
      payload <<= BigInt(s.payloadBits);
      inReady = (inReady << 1n) | (r.fifo[PORT.L]!.length < this.D ? 1n : 0n);
      const local = r.outs[0]!; // outputPorts lists L first
      const g = grants[t]![0]!;
      outValid <<= 1n;
      if (g < 0) continue;
      const e = r.fifo[local.cand[g]!]![0]!;
      outValid |= 1n;
      src |= BigInt(e.src);
      neuron |= BigInt(e.neuron);
      ts |= BigInt(e.timestep);
      payload |= BigInt(e.payload);
    }
    const o: Record<string, bigint> = { in_ready: inReady, out_valid: outValid, out_src: src, out_neuron: neuron, out_timestep: ts, out_payload: payload, cfg_error: BigInt(this.cfgError) };
    for (const c of ROUTER_COUNTERS) o[`cnt_${c}`] = this.cnt[c];
    return o;
  }

  edge(x: MeshPortsIn): void {
    if (x.rst) {
      this.resetState();
      return;
    }
    const s = this.spec;
    const grants = this.decide();
    const inc: Record<RouterCounter, number> = { injected: 0, unrouted: 0, delivered: 0, hops: 0, replications: 0, stalls: 0, inject_stalls: 0, refused_writes: 0 };
    const served = this.routers.map(() => new Array<number>(PORTS.length).fill(0));
    const pushes: { tile: number; port: number; from: Entry; branch: bigint }[] = [];
    // transfers, decided on the state before the edge (a FIFO that pops at this edge is not yet free)
    this.routers.forEach((r, t) => {
      r.outs.forEach((o, oi) => {
        const ci = grants[t]![oi]!;
        if (ci < 0) return;
        const k = o.cand.length;
        const ready = o.to ? this.routers[o.to.tile]!.fifo[o.to.port]!.length < this.D : ((x.out_ready >> BigInt(t)) & 1n) === 1n;
        if (!ready) {
          inc.stalls++;
          o.ptr = (ci + k - 1) % k; // the same candidate comes first again: an offered packet stays until taken
          return;
        }
        o.ptr = ci;
        const c = o.cand[ci]!;
        served[t]![c]! |= 1 << o.port;
        if (o.to) {
          inc.hops++;
          pushes.push({ tile: o.to.tile, port: o.to.port, from: r.fifo[c]![0]!, branch: o.branch });
        } else inc.delivered++;
      });
    });
    const inReady = this.routers.map((r) => r.fifo[PORT.L]!.length < this.D);
    // pops: a head leaves once every output it needs has taken it
    this.routers.forEach((r, t) => {
      for (let c = 0; c < PORTS.length; c++) {
        const head = r.fifo[c]![0];
        if (!head) continue;
        const done = r.sent[c]! | served[t]![c]!;
        if ((head.needed & ~done) === 0) {
          if (head.needed === 0) throw new Error(`router model: a packet with no destination at tile ${t}, port ${PORTS[c]}`);
          inc.replications += bitCount(head.needed) - 1;
          r.fifo[c]!.shift();
          r.sent[c] = 0;
        } else r.sent[c] = done;
      }
    });
    for (const p of pushes) {
      const r = this.routers[p.tile]!;
      r.fifo[p.port]!.push(this.entry(r, p.from.src, p.from.mask & p.branch, p.from.neuron, p.from.timestep, p.from.payload));
    }
    // injection: the table as it was before this edge
    const nbw = BigInt(s.neuronBits);
    const tsw = BigInt(s.timestepBits);
    const pbw = BigInt(s.payloadBits);
    for (let t = 0; t < this.T; t++) {
      if (((x.in_valid >> BigInt(t)) & 1n) === 0n) continue;
      if (!inReady[t]) {
        inc.inject_stalls++;
        continue;
      }
      inc.injected++;
      const r = this.routers[t]!;
      const neuron = Number((x.in_neuron >> (BigInt(t) * nbw)) & mask(s.neuronBits));
      const m = r.table[groupOf(s, neuron)]!;
      if (m === 0n) {
        inc.unrouted++;
        continue;
      }
      const ts = Number((x.in_timestep >> (BigInt(t) * tsw)) & mask(s.timestepBits));
      const payload = Number((x.in_payload >> (BigInt(t) * pbw)) & mask(s.payloadBits));
      r.fifo[PORT.L]!.push(this.entry(r, t, m, neuron, ts, payload));
    }
    let clear = false;
    if (x.cfg_we) {
      const eff = decodeCfgWrite(s, x.cfg_addr, x.cfg_data);
      if (eff.kind === 'table') this.routers[eff.tile]!.table[eff.group] = eff.mask;
      else if (eff.kind === 'clear') clear = true;
      else {
        inc.refused_writes++;
        this.cfgError = 1;
      }
    }
    const cw = mask(s.counterBits);
    for (const c of ROUTER_COUNTERS) this.cnt[c] = clear ? 0n : (this.cnt[c] + BigInt(inc[c])) & cw;
    if (clear) this.cfgError = 0;
    this.grants = undefined;
  }

  /** The routing-table entry of (tile, group) as the model holds it. */
  tableEntry(tile: number, group: number): bigint {
    return this.routers[tile]!.table[group]!;
  }

  /** Input ports of each tile that exist (PORT indices), for tests that look at FIFO occupancy. */
  inputPortsOf(t: number): Port[] {
    return this.routers[t]!.outs.map((o) => PORTS[o.port]!);
  }
}
