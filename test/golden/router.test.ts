// The spike router's rules (src/spec/router.ts), its functional counterpart and its golden cycle model, on cases
// computed by hand from docs/router.md, plus the errors a user gets for bad parameters and bad data.
import { describe, expect, it } from 'vitest';
import { routerMesh } from '../../dsl/router.js';
import { RouterTraffic, treeCounts } from '../../src/functional/router.js';
import { offeredTo, packOffers, RouterMeshModel, type MeshPortsIn } from '../../src/golden/router.js';
import { ElaborationError, elaborate } from '../../src/hdl/index.js';
import {
  branchTiles,
  candidates,
  decodeCfgWrite,
  hops,
  inputPorts,
  layerRoutes,
  reachTiles,
  registerAddress,
  routePort,
  routerMap,
  tableAddress,
  tableWrite,
  tiles,
  zeroLoadLatency,
  type Port,
  type RouterSpec,
} from '../../src/spec/router.js';
import { Rng } from '../../src/util/random.js';
import { here } from '../helpers.js';

const base: RouterSpec = { meshX: 3, meshY: 2, neuronBits: 5, timestepBits: 4, payloadBits: 6, groupShift: 3, fifoDepth: 2, counterBits: 16 };
const sq3: RouterSpec = { ...base, meshX: 3, meshY: 3 };
const m2: RouterSpec = { ...base, meshX: 2, meshY: 2 };

describe('geometry and XY routing', () => {
  it('routes X first, then Y (3 x 3, centre tile 4)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((d) => routePort(sq3, 4, d))).toEqual(['W', 'N', 'E', 'W', 'L', 'E', 'W', 'S', 'E']);
    expect(hops(sq3, 0, 8)).toBe(4);
    expect(zeroLoadLatency(sq3, 0, 8)).toBe(5);
    expect(zeroLoadLatency(sq3, 4, 4)).toBe(1);
  });
  it('branches, reach and candidates of the centre and a corner', () => {
    expect((['L', 'N', 'E', 'S', 'W'] as Port[]).map((o) => branchTiles(sq3, 4, o))).toEqual([[4], [1], [2, 5, 8], [7], [0, 3, 6]]);
    expect(reachTiles(sq3, 4, 'W')).toEqual([1, 2, 4, 5, 7, 8]); // moving east: x >= 1
    expect(reachTiles(sq3, 4, 'N')).toEqual([4, 7]); // moving south in column 1
    expect(reachTiles(sq3, 4, 'L')).toHaveLength(9);
    expect(candidates(sq3, 4, 'E')).toEqual(['L', 'W']);
    expect(candidates(sq3, 4, 'N')).toEqual(['L', 'E', 'S', 'W']);
    expect(candidates(sq3, 4, 'S')).toEqual(['L', 'N', 'E', 'W']);
    expect(candidates(sq3, 4, 'L')).toEqual(['L', 'N', 'E', 'S', 'W']);
    expect(inputPorts(sq3, 0)).toEqual(['L', 'E', 'S']);
    expect(candidates(sq3, 0, 'E')).toEqual(['L']);
    expect(candidates(sq3, 0, 'S')).toEqual(['L', 'E']);
  });
});

describe('configuration address map (3 x 2: T = 6, tb = 3, gb = 2)', () => {
  it('decodes table writes, clears and refusals', () => {
    const m = routerMap(base);
    expect(m).toEqual({ tileBits: 3, groupBits: 2, addrBits: 6, dataBits: 8 });
    expect(tableAddress(base, 5, 3)).toBe(23);
    expect(decodeCfgWrite(base, 23, 0b110001n)).toEqual({ kind: 'table', tile: 5, group: 3, mask: 0b110001n });
    expect(decodeCfgWrite(base, 24, 1n)).toMatchObject({ kind: 'refused', why: expect.stringMatching(/source tile 6: tiles are 0\.\.5/) });
    expect(decodeCfgWrite(base, 0, 1n << 6n)).toMatchObject({ kind: 'refused', why: expect.stringMatching(/missing tile/) });
    expect(registerAddress(base, 0)).toBe(32);
    expect(decodeCfgWrite(base, 32, 123n)).toEqual({ kind: 'clear' });
    expect(decodeCfgWrite(base, 33, 0n).kind).toBe('refused');
    expect(tableWrite(base, 1, 2, [0, 5, 5])).toEqual({ addr: 6, data: 0b100001n });
  });
  it('tableWrite refuses a missing tile, group or destination with the caller line', () => {
    const line = here() + 1;
    expect(() => tableWrite(base, 0, 0, [2, 6])).toThrow(new RegExp(`destination tile 6 does not exist; tiles are 0\\.\\.5 \\(3 x 2 mesh\\).*router\\.test\\.ts:${line}`));
    expect(() => tableWrite(base, 6, 0, [])).toThrow(/source tile 6 is outside 0\.\.5/);
    expect(() => tableWrite(base, 0, 4, [])).toThrow(/group 4 is outside 0\.\.3 \(neuronBits 5, groupShift 3\)/);
  });
});

describe('layerRoutes: a layer to the next layer\'s row tiles', () => {
  const p: RouterSpec = { ...base, meshX: 4, meshY: 2, neuronBits: 4, groupShift: 2 };
  it('sends each group to every column tile of the row tile that takes it', () => {
    expect(layerRoutes(p, { sourceTiles: [0, 1], outputsPerTile: 8, destTiles: [[2, 3], [4, 5]], inputsPerTile: 8 })).toEqual([
      { tile: 0, group: 0, dests: [2, 3] },
      { tile: 0, group: 1, dests: [2, 3] },
      { tile: 1, group: 0, dests: [4, 5] },
      { tile: 1, group: 1, dests: [4, 5] },
    ]);
    // row tiles of 4 inputs: tile 0's outputs 0..3 to row tile 0, 4..7 to row tile 1
    expect(layerRoutes(p, { sourceTiles: [7], outputsPerTile: 8, destTiles: [[1], [2, 6]], inputsPerTile: 4 })).toEqual([
      { tile: 7, group: 0, dests: [1] },
      { tile: 7, group: 1, dests: [2, 6] },
    ]);
  });
  it('refuses a group that straddles two row tiles', () => {
    expect(() => layerRoutes(p, { sourceTiles: [0], outputsPerTile: 8, destTiles: [[1], [2]], inputsPerTile: 6 })).toThrow(/group 1 of source tile 0 \(outputs 4\.\.7\) straddles row tiles 0 and 1/);
  });
});

/** The XY tree built link by link from routePort, independently of treeCounts' closed form. */
function explicitTree(p: RouterSpec, src: number, dests: number[]) {
  const links = new Set<string>();
  const branches = new Map<number, Set<string>>();
  for (const d of dests) {
    let at = src;
    for (;;) {
      const port = routePort(p, at, d);
      if (!branches.has(at)) branches.set(at, new Set());
      branches.get(at)!.add(port);
      if (port === 'L') break;
      links.add(`${at}${port}`);
      const { x, y } = { x: at % p.meshX, y: Math.floor(at / p.meshX) };
      at = port === 'E' ? at + 1 : port === 'W' ? at - 1 : port === 'S' ? at + p.meshX : at - p.meshX;
      void x;
      void y;
    }
  }
  let replications = 0;
  for (const b of branches.values()) replications += b.size - 1;
  return { hops: links.size, delivered: dests.length, replications };
}

describe('functional counterpart', () => {
  it('counts the spec example and broadcasts by hand', () => {
    // 3 x 2, tile 0 to {2, 4, 5}: 0->1, 1->2, 1->4, 2->5
    expect(treeCounts(base, 0, 0b110100n)).toEqual({ hops: 4, delivered: 3, replications: 2 });
    const m4: RouterSpec = { ...base, meshX: 4, meshY: 4 };
    expect(treeCounts(m4, 0, (1n << 16n) - 1n)).toEqual({ hops: 15, delivered: 16, replications: 15 });
    expect(treeCounts(m4, 5, 1n << 5n)).toEqual({ hops: 0, delivered: 1, replications: 0 });
    expect(treeCounts(m4, 5, 0n)).toEqual({ hops: 0, delivered: 0, replications: 0 });
  });
  it('equals the tree built link by link, for random destination sets', () => {
    const rng = new Rng(5);
    for (const p of [base, sq3, { ...base, meshX: 4, meshY: 4 }, { ...base, meshX: 1, meshY: 5 }]) {
      for (let k = 0; k < 300; k++) {
        const src = rng.int(0, tiles(p) - 1);
        const dests = Array.from({ length: tiles(p) }, (_, d) => d).filter(() => rng.chance(0.3));
        if (!dests.length) continue;
        const mask = dests.reduce((m, d) => m | (1n << BigInt(d)), 0n);
        expect(treeCounts(p, src, mask)).toEqual(explicitTree(p, src, dests));
      }
    }
  });
  it('RouterTraffic: per-packet lookup, unrouted groups, clear, reset', () => {
    const f = new RouterTraffic(base);
    f.setEntry(0, 0, [2, 4, 5]);
    f.setEntry(0, 1, 0b000001n); // to itself
    f.send(0, 3, 2); // group 0 (neuron >> 3)
    f.send(0, 8); // group 1
    f.send(0, 16); // group 2: unrouted
    expect(f.counts).toEqual({ injected: 4, unrouted: 1, delivered: 7, hops: 8, replications: 4 });
    f.clear();
    expect(f.counts.injected).toBe(0);
    expect(f.entry(0, 0)).toBe(0b110100n);
    f.reset();
    expect(f.entry(0, 0)).toBe(0n);
  });
  it('refuses a missing tile or neuron with the caller line', () => {
    const f = new RouterTraffic(base);
    const line = here() + 1;
    expect(() => f.setEntry(0, 0, [7])).toThrow(new RegExp(`destination tile 7 does not exist; tiles are 0\\.\\.5.*router\\.test\\.ts:${line}`));
    expect(() => f.send(0, 32)).toThrow(/neuron = 32 is outside 0\.\.31 \(neuronBits = 5\)/);
    expect(() => f.send(6, 0)).toThrow(/source tile 6 is outside 0\.\.5/);
  });
});

// ---- the golden cycle model, cycle by cycle ----

const quiet = (p: RouterSpec): MeshPortsIn => ({ rst: 0, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0n, in_neuron: 0n, in_timestep: 0n, in_payload: 0n, out_ready: (1n << BigInt(tiles(p))) - 1n });

/** Drives the model: writes, then per cycle the offers and sink readiness; returns the outputs before each edge. */
function drive(p: RouterSpec, cycles: { offers?: Record<number, { neuron: number; timestep: number; payload: number }>; ready?: bigint; write?: { addr: number; data: bigint } }[]) {
  const g = new RouterMeshModel(p);
  const outs: Record<string, bigint>[] = [];
  for (const c of cycles) {
    const x = { ...quiet(p), ...packOffers(p, Array.from({ length: tiles(p) }, (_, t) => c.offers?.[t])) };
    if (c.ready !== undefined) x.out_ready = c.ready;
    if (c.write) Object.assign(x, { cfg_we: 1, cfg_addr: c.write.addr, cfg_data: c.write.data });
    outs.push(g.outputs());
    g.edge(x);
  }
  return { g, outs };
}

describe('golden cycle model by hand (2 x 2, D = 2)', () => {
  const pk = (neuron: number, timestep = 1, payload = -3) => ({ neuron, timestep, payload });
  it('a packet from tile 0 to tile 3 is offered in cycle h = 2 after the taking edge, latency 3', () => {
    const { outs } = drive(m2, [{ write: tableWrite(m2, 0, 0, [3]) }, { offers: { 0: pk(5) } }, {}, {}, {}, {}]);
    // cycle 1 takes it; cycles 2, 3 move it 0 -> 1 -> 3; cycle 4 offers it (h = 2 after cycle 2 = "cycle 0")
    expect(outs.map((o) => Number(o.out_valid))).toEqual([0, 0, 0, 0, 0b1000, 0]);
    expect(offeredTo(m2, outs[4]!)[3]).toEqual({ src: 0, neuron: 5, timestep: 1, payload: -3 });
    expect(outs[5]).toMatchObject({ cnt_injected: 1n, cnt_delivered: 1n, cnt_hops: 2n, cnt_replications: 0n, cnt_stalls: 0n });
  });
  it('round robin at a contested local output: L, E, S in turn; a stalled sink keeps the same offer', () => {
    // tiles 0, 1, 2 each send three packets to tile 0 (group 0 -> {0})
    const writes = [0, 1, 2].map((t) => ({ write: tableWrite(m2, t, 0, [0]) }));
    const offers = [0, 1, 2].map((k) => ({ offers: { 0: pk(k, 0), 1: pk(k, 1), 2: pk(k, 2) } }));
    const { outs } = drive(m2, [...writes, ...offers, ...Array.from({ length: 12 }, () => ({}))]);
    const seq = outs.map((o) => offeredTo(m2, o)[0]).filter((d) => d !== undefined).map((d) => `${d.src}:${d.neuron}`);
    expect(seq).toEqual(['0:0', '1:0', '2:0', '0:1', '1:1', '2:1', '0:2', '1:2', '2:2']);
  });
  it('after reset the first candidate in L, N, E, S, W order has priority', () => {
    // tile 1's packet reaches tile 0's E input in the cycle tile 0's own packet reaches its L input head
    const { outs } = drive(m2, [{ write: tableWrite(m2, 1, 0, [0]) }, { write: tableWrite(m2, 0, 0, [0]) }, { offers: { 1: pk(3) } }, { offers: { 0: pk(4) } }, {}, {}, {}]);
    const shown = outs.map((o) => offeredTo(m2, o)[0]).map((d) => (d ? `${d.src}:${d.neuron}` : '-'));
    expect(shown.slice(4, 7)).toEqual(['0:4', '1:3', '-']);
  });
  it('an offer not taken stays: a stalled output does not switch to a candidate that starts requesting', () => {
    // tile 2's packet reaches tile 0 first and stalls there (pointer now before S); tile 0's own packet then
    // requests L too, and plain round robin from the old pointer (S) would offer it (L comes first after S)
    const { outs } = drive(m2, [
      { write: tableWrite(m2, 2, 0, [0]) },
      { write: tableWrite(m2, 0, 0, [0]) },
      { offers: { 2: pk(5) } },
      {},
      { offers: { 0: pk(7) }, ready: 0b1110n },
      { ready: 0b1110n },
      { ready: 0b1110n },
      {},
      {},
      {},
    ]);
    const shown = outs.map((o) => offeredTo(m2, o)[0]).map((d) => (d ? `${d.src}:${d.neuron}` : '-'));
    expect(shown.slice(4, 9)).toEqual(['2:5', '2:5', '2:5', '2:5', '0:7']);
    expect(outs[9]!.cnt_stalls).toBe(3n);
  });
  it('a full local FIFO lowers in_ready; offers then stall at the input', () => {
    const { outs } = drive(m2, [{ write: tableWrite(m2, 0, 0, [0]) }, ...Array.from({ length: 5 }, (_, k) => ({ offers: { 0: pk(k % 8) }, ready: 0n }))]);
    expect(outs.map((o) => Number(o.in_ready! & 1n))).toEqual([1, 1, 1, 0, 0, 0]);
    expect(outs[5]).toMatchObject({ cnt_injected: 2n, cnt_inject_stalls: 2n });
  });
  it('a multicast packet leaves each output when that output is free (partial replication)', () => {
    // tile 0: group 0 -> {1}, group 1 -> {1, 2}. Two packets for tile 1 fill its W FIFO (its sink stalls until
    // cycle 6); the multicast packet then goes S at once and E only when tile 1's FIFO has room
    const { outs } = drive(m2, [
      { write: tableWrite(m2, 0, 0, [1]) },
      { write: tableWrite(m2, 0, 1, [1, 2]), offers: { 0: pk(0) }, ready: 0b1101n },
      { offers: { 0: pk(1) }, ready: 0b1101n },
      { offers: { 0: pk(8) }, ready: 0b1101n },
      { ready: 0b1101n },
      { ready: 0b1101n },
      ...Array.from({ length: 6 }, () => ({})),
    ]);
    const at = (t: number) => outs.map((o) => offeredTo(m2, o)[t]?.neuron ?? -1);
    expect(at(2).indexOf(8)).toBe(5); // the S copy: taken at edge 3, S at edge 4, offered in cycle 5
    expect(at(1).slice(3, 10)).toEqual([0, 0, 0, 0, 1, 8, -1]);
    expect(outs[7]!.cnt_replications).toBe(0n); // still waiting for E at tile 0
    expect(outs[8]!.cnt_replications).toBe(1n); // left tile 0's FIFO at edge 7
    expect(outs[11]).toMatchObject({ cnt_injected: 3n, cnt_delivered: 4n, cnt_hops: 4n, cnt_stalls: 6n });
  });
  it('a table write at the edge of an injection applies from the next packet', () => {
    const { outs } = drive(m2, [{ write: tableWrite(m2, 0, 0, [1]) }, { offers: { 0: pk(1) }, write: tableWrite(m2, 0, 0, [2]) }, { offers: { 0: pk(2) } }, {}, {}, {}]);
    const got = outs.flatMap((o) => offeredTo(m2, o).flatMap((d, t) => (d ? [`${t}:${d.neuron}`] : [])));
    expect(got).toEqual(['1:1', '2:2']);
  });
  it('refused writes set cfg_error, count and change nothing; clearCounters clears both', () => {
    const { outs } = drive(base, [
      { write: tableWrite(base, 0, 0, [1]) },
      { write: { addr: tableAddress(base, 0, 0), data: 1n << 6n } }, // names tile 6
      { write: { addr: tableAddress(base, 6, 0), data: 1n } },
      { write: { addr: registerAddress(base, 2), data: 0n } },
      { offers: { 0: pk(1) } },
      {},
      {},
      { write: { addr: registerAddress(base, 0), data: 0n } },
      {},
    ]);
    expect(outs[4]).toMatchObject({ cfg_error: 1n, cnt_refused_writes: 3n });
    expect(Number(outs[6]!.out_valid)).toBe(0b10); // still routed by the first write, to tile 1
    expect(outs[8]).toMatchObject({ cfg_error: 0n, cnt_refused_writes: 0n, cnt_injected: 0n, cnt_delivered: 0n });
  });
});

describe('bad input: clear errors with the parameter, its range and the TS line', () => {
  it('generator parameters', () => {
    let line = 0;
    const bad = (p: Partial<RouterSpec>) => {
      try {
        line = here() + 1;
        elaborate(() => routerMesh({ ...base, ...p }));
      } catch (e) {
        expect(e).toBeInstanceOf(ElaborationError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ meshX: 0 })).toMatch(new RegExp(`error\\[E0701\\]: routerMesh: parameter meshX = 0 is outside 1\\.\\.16[\\s\\S]*router\\.test\\.ts:${line}`));
    expect(bad({ meshY: 0 })).toMatch(/parameter meshY = 0 is outside 1\.\.16/);
    expect(bad({ meshX: 9, meshY: 8 })).toMatch(/a 9 x 8 mesh has 72 tiles; allowed: 1\.\.64 tiles/);
    expect(bad({ groupShift: 6 })).toMatch(/parameter groupShift = 6 is outside 0\.\.5 \(neuronBits\)/);
    expect(bad({ neuronBits: 12, groupShift: 4 })).toMatch(/gives 256 table groups per tile; allowed: at most 64 \(groupShift 6\.\.12\)/);
    expect(bad({ fifoDepth: 0 })).toMatch(/parameter fifoDepth = 0 is outside 1\.\.16/);
    const both = bad({ payloadBits: 17, timestepBits: 0 }); // every problem at once
    expect(both).toMatch(/payloadBits = 17 is outside 1\.\.16/);
    expect(both).toMatch(/timestepBits = 0 is outside 1\.\.16/);
    expect(bad({ counterBits: 4.5 })).toMatch(/counterBits = 4\.5 is outside 8\.\.48/);
  });
  it('models refuse bad parameters and bad offers at construction / packing', () => {
    expect(() => new RouterMeshModel({ ...base, meshX: 0 })).toThrow(/RouterMeshModel: parameter meshX = 0 is outside 1\.\.16/);
    expect(() => new RouterTraffic({ ...base, fifoDepth: 17 })).toThrow(/fifoDepth = 17 is outside 1\.\.16/);
    const line = here() + 1;
    expect(() => packOffers(base, [{ neuron: 0, timestep: 0, payload: 32 }, undefined, undefined, undefined, undefined, undefined])).toThrow(new RegExp(`offer of tile 0: payload = 32 is outside -32\\.\\.31 \\(payloadBits = 6\\).*router\\.test\\.ts:${line}`));
    expect(() => packOffers(base, [undefined, { neuron: 32, timestep: 0, payload: 0 }, undefined, undefined, undefined, undefined])).toThrow(/offer of tile 1: neuron = 32 is outside 0\.\.31/);
    expect(() => packOffers(base, [undefined])).toThrow(/offers: 1 entries, the 3 x 2 mesh has 6 tiles/);
  });
});
