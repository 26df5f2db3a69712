// Random stimulus for the chip top: phases of random bus traffic (configuration of every unit — weights, masks,
// registers, biases, modes, chains, routing tables, attention registers and tokens, pruning hook, loader commands
// streamed from the off-chip memory — reads of every readable word, refused accesses of every kind) and random host
// packets (some with a timestep past T), with random stalls of the host's spike sink. Only the comparison with the
// golden chip model decides; nothing here predicts results.
import { readWord, writeWord, type BusOp } from '../src/chip/bus.js';
import type { HostPacket, Phase } from '../src/chip/backend.js';
import { busAddress, busMap, LOADER_REG, packCommand, PRUNE_REG, SLOT_REG, SLOT_TARGET, type BusMap } from '../src/spec/chip-map.js';
import { loaderSpecOf, northOf, positions, routerSpecOf, SLOT_MODE, slotCount, southOf, tileSpecOf, type ChipSpec } from '../src/spec/chip.js';
import { crossbarMap, TILE_REG } from '../src/spec/crossbar.js';
import { beatsPerWord } from '../src/spec/memory.js';
import { groups } from '../src/spec/router.js';
import type { Rng } from '../src/util/random.js';

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const randBits = (rng: Rng, w: number): bigint => {
  let v = 0n;
  for (let i = 0; i < w; i += 30) v |= BigInt(rng.int(0, 2 ** Math.min(30, w - i) - 1)) << BigInt(i);
  return v;
};

/** One random phase of host work. */
export function randomPhase(spec: ChipSpec, rng: Rng, m: BusMap = busMap(spec), ops = 40): Phase {
  const N = slotCount(spec);
  const T = spec.timesteps;
  const rs = routerSpecOf(spec);
  const bus: BusOp[] = [];
  const tile = tileSpecOf(spec, 'signed');
  const tm = crossbarMap(tile);
  const weightsW = tm.wordBits;
  for (let i = 0; i < ops; i++) {
    const s = rng.int(0, N - 1);
    const k = rng.int(0, 19);
    if (k === 0) {
      // weights: levels 0..L-1 per cell (canonical or not)
      const idx = rng.int(0, tm.weightWords - 1);
      bus.push(...writeWord(m, 'slot', 'weights', idx, randBits(rng, weightsW) & cellsMask(tile.cellLevels, weightsW), s));
    } else if (k === 1) bus.push(...writeWord(m, 'slot', 'mask', 0, rng.chance(0.5) ? mask(tile.rows) : randBits(rng, tile.rows), s));
    else if (k === 2) bus.push(...writeWord(m, 'slot', 'tileRegisters', TILE_REG.threshold, rng.int(0, 40), s));
    else if (k === 3) bus.push(...writeWord(m, 'slot', 'tileRegisters', TILE_REG.adcShift, rng.int(0, 3), s));
    else if (k === 4) {
      const modes = [SLOT_MODE.off, SLOT_MODE.spikes, SLOT_MODE.membrane, ...(southOf(spec, s) !== undefined ? [SLOT_MODE.link] : [])];
      bus.push(...writeWord(m, 'slot', 'registers', SLOT_REG.mode, modes[rng.int(0, modes.length - 1)]!, s));
    } else if (k === 5) bus.push(...writeWord(m, 'slot', 'registers', SLOT_REG.chain, northOf(spec, s) !== undefined ? rng.int(0, 1) : 0, s));
    else if (k === 6) bus.push(...writeWord(m, 'slot', 'bias', rng.int(0, tile.cols - 1), BigInt(rng.int(-50, 50)) & mask(tile.psumBits), s));
    else if (k === 7) {
      // a routing entry to random positions (the host port included)
      const g = rng.int(0, groups(rs) - 1);
      const src = rng.int(0, positions(spec) - 1);
      let dm = 0n;
      for (let d = 0; d < positions(spec); d++) if (rng.chance(0.4)) dm |= 1n << BigInt(d);
      bus.push(...writeWord(m, 'router', 'tables', src * 2 ** (rs.neuronBits - rs.groupShift) + g, dm));
    } else if (k === 8) bus.push(...writeWord(m, 'attention', 'registers', rng.int(0, 2), rng.int(0, 3)));
    else if (k === 9) {
      for (const name of ['q', 'k', 'v']) m.regions.find((r) => r.unit === 'attention' && r.name === name)!.words.forEach((w, j) => bus.push(...writeWord(m, 'attention', name, j, randBits(rng, w!.width))));
      bus.push(...writeWord(m, 'attention', 'token', 0, rng.chance(0.2) ? 1 : 0));
    } else if (k === 10 && spec.pruning.enabled) {
      const r = rng.int(0, 2);
      if (r === PRUNE_REG.watch) bus.push(...writeWord(m, 'pruning', 'registers', PRUNE_REG.watch, rng.int(0, N - 1)));
      else if (r === PRUNE_REG.copy) bus.push(...writeWord(m, 'pruning', 'registers', PRUNE_REG.copy, randBits(rng, N)));
      else bus.push(...writeWord(m, 'pruning', 'registers', PRUNE_REG.tokenEnd, 0));
    } else if (k === 11) {
      // a loader command into a random slot (some refused by the loader: past the region's words)
      const ls = loaderSpecOf(spec);
      bus.push(...writeWord(m, 'loader', 'registers', LOADER_REG.target, rng.int(0, N - 1)));
      const region = rng.int(0, 2);
      const words = ls.target.regionWords[region]!;
      const count = rng.int(1, Math.min(3, words + 1));
      const base = rng.int(0, Math.max(0, words - 1));
      bus.push(...writeWord(m, 'loader', 'registers', LOADER_REG.command, packCommand(m, { src: rng.int(0, 2 ** ls.addrBits - 1 - count * beatsPerWord(ls)), count, region, base, first: rng.chance(0.5) })));
    } else if (k === 12) bus.push(...writeWord(m, 'slot', 'registers', SLOT_REG.clearCounters, 0, s));
    else if (k === 13) bus.push(refusedWrite(spec, m, rng));
    else if (k === 14) bus.push({ kind: 'read', addr: rng.int(0, 2 ** m.addrBits - 1) });
    else {
      // a read of a readable word
      const rr = m.regions.filter((r) => r.access === 'r');
      const r = rr[rng.int(0, rr.length - 1)]!;
      const idx = rng.int(0, r.words.length - 1);
      if (r.words[idx]) bus.push(readWord(m, r.unit, r.name, idx, s));
    }
  }
  const packets: HostPacket[] = [];
  // payloads in the tiles' row-input alphabet (-K..K: what a host or tile can send; docs/chip.md, rules of use)
  const K = spec.tile.inLevels;
  const n = rng.int(0, 60);
  for (let i = 0; i < n; i++) {
    const marker = rng.chance(0.15);
    const ts = rng.chance(0.05) ? rng.int(0, 2 ** rs.timestepBits - 1) : rng.int(0, T - 1);
    packets.push({ neuron: rng.int(0, 2 ** rs.neuronBits - 1), timestep: ts, payload: marker ? 0 : rng.int(-K, K) });
  }
  return { label: 'random', bus, packets, idle: rng.int(0, 30) };
}

/** Each cell level a random level 0..L-1 (bits above L-1 cleared when L is a power of two). */
function cellsMask(L: number, width: number): bigint {
  const cb = Math.max(1, Math.ceil(Math.log2(L)));
  return 2 ** cb === L ? mask(width) : 0n;
}

/** A write the chip must refuse (the bus helper refuses these, so they are made here by hand). */
export function refusedWrite(spec: ChipSpec, m: BusMap, rng: Rng): BusOp {
  const cases = refusedWrites(spec, m, rng);
  return cases[rng.int(0, cases.length - 1)]!;
}

/** One write of every kind the chip must refuse (slots picked at random). */
export function refusedWrites(spec: ChipSpec, m: BusMap, rng: Rng): BusOp[] {
  const N = slotCount(spec);
  const cases: (() => BusOp)[] = [
    () => ({ kind: 'write', addr: busAddress(m, 'chip', 7, 0), data: 1n, what: 'unmapped chip region' }),
    () => ({ kind: 'write', addr: (SLOT_TARGET + N) * 2 ** (3 + m.indexBits), data: 0n, what: 'a slot that does not exist' }),
    () => ({ kind: 'write', addr: busAddress(m, 'slot', 5, 0, rng.int(0, N - 1)), data: 0n, what: 'read-only membranes' }),
    () => ({ kind: 'write', addr: busAddress(m, 'slot', 4, 0, rng.int(0, N - 1)), data: 1n << BigInt(spec.tile.psumBits), what: 'bias wider than psumBits' }),
    () => ({ kind: 'write', addr: busAddress(m, 'slot', 2, 1, rng.int(0, N - 1)), data: 1n, what: 'tile leak (no such register)' }),
    () => ({ kind: 'write', addr: busAddress(m, 'router', 0, 0), data: 1n << BigInt(positions(spec)), what: 'routing entry naming a missing position' }),
    () => ({ kind: 'write', addr: busAddress(m, 'loader', 0, LOADER_REG.target), data: BigInt(N), what: 'loader target past the slots' }),
  ];
  const bottom = Array.from({ length: N }, (_, s) => s).filter((s) => southOf(spec, s) === undefined);
  const top = Array.from({ length: N }, (_, s) => s).filter((s) => northOf(spec, s) === undefined);
  cases.push(() => ({ kind: 'write', addr: busAddress(m, 'slot', 3, SLOT_REG.mode, bottom[rng.int(0, bottom.length - 1)]!), data: BigInt(SLOT_MODE.link), what: 'link mode with no slot below' }));
  cases.push(() => ({ kind: 'write', addr: busAddress(m, 'slot', 3, SLOT_REG.chain, top[rng.int(0, top.length - 1)]!), data: 1n, what: 'chain with no slot above' }));
  return cases.map((c) => c());
}
