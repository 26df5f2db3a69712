// Chip top (docs/chip.md): the RTL co-simulated against the golden chip model (src/golden/chip-cycle.ts), every
// output on every cycle, on several parameter sets: random bus traffic to every unit (refused accesses of every
// kind included) with random host packets and a stalling spike sink; directed refusals (nothing changes, bus_error
// and `refused` count them); and a small multi-layer spiking network with one attention step, written as a chip
// program, loaded through the configuration bus and run by the host loop, equal to the chip functional model
// (SnnModel) in every tensor and every counter.
import { describe, expect, it } from 'vitest';
import { readWord } from '../src/chip/bus.js';
import { ChipLoop } from '../src/chip/host.js';
import { OffchipMemory } from '../src/golden/offchip-memory.js';
import { busMap } from '../src/spec/chip-map.js';
import { BUS_COUNTERS, loaderSpecOf } from '../src/spec/chip.js';
import { ROUTER_COUNTERS } from '../src/spec/router.js';
import { Rng, testSeed } from '../src/util/random.js';
import { ChipSession, startChip } from './chip_cosim.js';
import { compareLoop, referenceRun } from './chip_loop.js';
import { tinyProgram } from './chip_net.js';
import { CHIP_SETS } from './chip_sets.js';
import { randomPhase, refusedWrites } from './chip_soak.js';
import { dutPool } from './dut-pool.js';

const PHASES = Number(process.env.CHIP_PHASES ?? 250);
const dutFor = dutPool(CHIP_SETS, startChip);

/** A session on a fresh reset, with an off-chip memory of random beats for the loader. */
async function session(name: string, rng: Rng, label: string): Promise<ChipSession> {
  const spec = CHIP_SETS[name]!;
  const ls = loaderSpecOf(spec);
  const memory = new OffchipMemory(ls.beatBits, ls.addrBits, rng);
  const n = Math.min(2 ** ls.addrBits, 4096);
  memory.write(0, Array.from({ length: n }, () => BigInt(rng.int(0, 2 ** 30 - 1)) & ((1n << BigInt(ls.beatBits)) - 1n)));
  const s = new ChipSession(spec, await dutFor(name), label, { rng, soutStall: 0.2, memory });
  s.reset();
  return s;
}

/** The bus counters and the router's counters, read over the bus. */
async function counters(s: ChipSession) {
  const m = busMap(s.spec);
  const reads = [...BUS_COUNTERS.map((_, k) => readWord(m, 'chip', 'counters', k)), ...ROUTER_COUNTERS.map((_, k) => readWord(m, 'router', 'counters', k))];
  s.plan({ label: 'read counters', bus: reads, idle: 2 });
  const got = (await s.flush()).reads.map(Number);
  return { bus: Object.fromEntries(BUS_COUNTERS.map((c, k) => [c, got[k]!])), router: Object.fromEntries(ROUTER_COUNTERS.map((c, k) => [c, got[BUS_COUNTERS.length + k]!])) };
}

describe('chip top: random bus traffic and host packets', () => {
  it.each(['default', 'mesh3', 'wide'])('%s: the RTL equals the golden chip model on every output of every cycle', async (name) => {
    const seed = testSeed(0xc417 + name.length);
    console.log(`chip ${name}: seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    const s = await session(name, rng, `chip ${name} seed ${seed}`);
    for (let i = 0; i < PHASES; i++) {
      s.plan(randomPhase(s.spec, rng));
      if (i % 50 === 49) await s.flush();
    }
    const c = await counters(s);
    console.log(s.board.report(), `${s.cycle} cycles`, JSON.stringify(c));
    expect(s.board.count, s.board.report()).toBe(0);
    // the traffic did what it claims: refused accesses, packets through the router, reads
    expect(c.bus.refused).toBeGreaterThan(0);
    expect(c.bus.reads).toBeGreaterThan(0);
    expect(c.router.delivered).toBeGreaterThan(0);
  });
});

describe('chip top: refused accesses', () => {
  it.each(['default', 'mesh3'])('%s: every kind is refused, counted and flagged on bus_error', async (name) => {
    const rng = new Rng(testSeed(0x5e7));
    const s = await session(name, rng, `chip ${name} refusals`);
    const m = busMap(s.spec);
    const bad = refusedWrites(s.spec, m, rng);
    s.plan({ label: 'refused writes', bus: bad, idle: 2 });
    const flagged = s.model.busError;
    const c = await counters(s);
    expect(s.board.count, s.board.report()).toBe(0);
    expect(c.bus.refused).toBe(bad.length);
    expect(c.bus.writes).toBe(bad.length);
    // bus_error is among the outputs compared every cycle, so the RTL's flag equals this one
    expect(flagged).toBe(true);
    expect(c.router.refused_writes).toBe(0);
  });
});

describe('chip top: a small multi-layer network with one attention step, loaded over the bus', () => {
  it.each(['mesh3', 'default'])('%s: every tensor and counter equals the chip functional model; RTL = golden every cycle', async (name) => {
    const spec = CHIP_SETS[name]!;
    const seed = testSeed(5);
    const rng = new Rng(seed);
    const program = tinyProgram(spec, rng);
    const tokens = Array.from({ length: 4 }, () => rng.int(0, 7));
    const ref = referenceRun(program, tokens);
    const s = new ChipSession(spec, await dutFor(name), `net ${name} seed ${seed}`);
    s.reset();
    s.plan({ label: 'clear', until: (g) => g.quiet() && g.tiles.every((x) => x.ready) && g.att.ready, idle: 1 });
    const res = await new ChipLoop(program, spec, s).run(tokens);
    const diff = compareLoop(ref, res, spec);
    console.log(s.board.report(), `${s.cycle} cycles; loads ${res.loads.length}; phase cycles ${JSON.stringify(res.phaseCycles)}`);
    expect(s.board.count, s.board.report()).toBe(0);
    expect(diff, diff.slice(0, 20).join('\n')).toEqual([]);
    // the network did work: spikes from tile to tile, an attention step per token, every op's tiles took steps
    expect([...res.tileCounters.values()].every((c) => c.timesteps > 0)).toBe(true);
    expect([...res.attentionCounters.values()][0]!.tokens).toBe(tokens.length);
    expect(res.routerCounters.reduce((a, r) => a + r.delivered, 0)).toBeGreaterThan(0);
  });
});
