// FPGA top (UART link + FPGA chip): RTL co-simulated against the golden cycle model, every output on every cycle,
// over random traffic (broken frames, drops, timeouts, resets included) and a directed session whose responses are
// also checked byte for byte against the byte-level model and whose spikes equal the golden tile's.
import { describe, expect, it } from 'vitest';
import { CrossbarTile } from '../src/golden/crossbar.js';
import { FpgaChipCycleModel } from '../src/golden/fpga-chip.js';
import { LinkDevice } from '../src/golden/fpga-link.js';
import { fpgaChipResetWrites } from '../dsl/fpga_chip.js';
import { clearCountersWrite, tileConfigWrites, tileStepFields, tileStepResult } from '../src/fpga/tile-core.js';
import { colGroups, crossbarMap, TILE_COUNTERS } from '../src/spec/crossbar.js';
import { CMD, decodeInfo, deviceInfo, encodeRequest, packFields, payloadLayout, readLE, STATUS, STATUS_FLAG, unpackFields, writeLE } from '../src/spec/fpga-link.js';
import { Rng, testSeed } from '../src/util/random.js';
import { LINK_SETS, LinkPlanner, cosimLink, linkLayout, randomSession, refusalSession, startLink, type LinkSet } from './fpga_link_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.LINK_CYCLES ?? 150_000);
const dutFor = dutPool(LINK_SETS, startLink);

async function checked(name: string, plan: LinkPlanner, label: string) {
  const r = await cosimLink(await dutFor(name), LINK_SETS[name]!, plan.vectors, label);
  console.log(r.scoreboard.report());
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  return r;
}

describe('FPGA link: random traffic', () => {
  it.each([
    ['small', CYCLES, STATUS_FLAG.dropped | STATUS_FLAG.coreFlag],
    ['overflow', CYCLES / 3, STATUS_FLAG.dropped | STATUS_FLAG.coreFlag | STATUS_FLAG.overflow],
  ])('%s: matches the golden cycle model over at least %i cycles', async (name, cycles, wantFlags) => {
    const seed = testSeed(0xf96a + name.length);
    console.log(`fpga link ${name}: seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    const plan = new LinkPlanner(LINK_SETS[name]!).reset();
    refusalSession(plan);
    while (plan.vectors.length < cycles) randomSession(plan, rng, 20);
    await checked(name, plan, `fpga link ${name} seed ${seed}`);
    const codes = new Set(plan.responses.map((f) => f.status & 0x0f));
    const flags = plan.responses.reduce((a, f) => a | (f.status & 0xf0), 0);
    // the traffic reached every status code and flag (else the test would prove less than it claims)
    expect([...codes].sort()).toEqual(Object.values(STATUS).sort());
    expect(flags).toBe(wantFlags);
    expect(plan.responses.every((f) => f.crcOk)).toBe(true);
  });
});

/**
 * A network for a tile: weights with both signs in the first `rows` rows (0 below: what the reset writes leave, so
 * those words need no write), a few rows masked, a threshold that makes some neurons fire.
 */
function network(s: LinkSet, rng: Rng, rows = s.tile.rows, threshold = 3) {
  const p = s.tile;
  const max = p.cellLevels ** p.slices - 1;
  const weights = Array.from({ length: p.rows * p.cols }, (_, i) => (Math.floor(i / p.cols) < rows ? rng.int(-max, max) : 0));
  const mask = Array.from({ length: p.rows }, () => (rng.chance(0.9) ? 1 : 0));
  return { weights, mask, threshold, leak: 1, adcShift: rows < s.tile.rows ? 0 : 1 };
}

function randomInputs(s: LinkSet, rng: Rng, steps: number): number[][] {
  const lo = s.tile.inSpikes === 'signed' || s.tile.inSpikes === 'graded-signed' ? -1 : 0;
  return Array.from({ length: steps }, () => Array.from({ length: s.tile.rows }, () => (rng.chance(0.5) ? (rng.chance(0.5) ? 1 : lo) : 0)));
}

// uart115200 runs at the real divisor, so it loads only the first row group's weights and runs 2 timesteps
describe.each([
  ['small', 8, 12, 3],
  ['default8', 64, 10, 3],
  ['uart115200', 4, 2, 1],
])('FPGA link %s: a network loaded, run and read back over the protocol', (name, rows, steps, threshold) => {
  it('responses equal the byte-level model, spikes and counters equal the golden tile', async () => {
    const s = LINK_SETS[name]!;
    const layout = linkLayout(s);
    const pl = payloadLayout(layout);
    const rng = new Rng(testSeed(77));
    const net = network(s, rng, rows, threshold);
    const inputs = randomInputs(s, rng, steps);
    const plan = new LinkPlanner(s, layout).reset();
    const device = new LinkDevice(layout, s.link, new FpgaChipCycleModel(s.tile), fpgaChipResetWrites(s.tile));
    const requests: Uint8Array[] = [];
    const ask = (cmd: number, payload: number[] = []) => {
      requests.push(encodeRequest(cmd, payload));
      return plan.request(cmd, payload);
    };
    const info = decodeInfo(ask(CMD.ping).payload);
    expect(info).toEqual(deviceInfo(layout, s.link));
    // the network, in as few WRITE requests as the buffer allows
    const map = crossbarMap(s.tile);
    const zeroWords = (rows / s.tile.rowsPerCycle) * colGroups(s.tile);
    const writes = [...tileConfigWrites(s.tile, net), clearCountersWrite(s.tile)].filter((w) => w.addr >= map.weightWords || w.addr < zeroWords);
    const perFrame = Math.floor(s.link.bufferBytes / pl.pairBytes);
    for (let i = 0; i < writes.length; i += perFrame) {
      const payload = writes.slice(i, i + perFrame).flatMap((w) => [...writeLE(BigInt(w.addr), pl.addrBytes), ...writeLE(w.data, pl.dataBytes)]);
      expect(ask(CMD.write, payload).status).toBe(STATUS.ok);
    }
    // timesteps, as many per STEP request as the record buffer allows
    const per = Math.floor(s.link.fifoRecords / colGroups(s.tile));
    const records: Record<string, bigint>[] = [];
    for (let t = 0; t < steps; t += per) {
      const payload = inputs.slice(t, t + per).flatMap((x, k) => writeLE(packFields(layout.stepInputs, tileStepFields(s.tile, x, t + k === 0)), pl.inBytes));
      const f = ask(CMD.step, payload);
      expect(f.status).toBe(STATUS.ok);
      for (let at = 0; at < f.payload.length; at += pl.recordBytes) records.push(unpackFields(layout.streamOutputs, readLE(f.payload, at, pl.recordBytes)));
    }
    const cnt = ask(CMD.counters);
    await checked(name, plan, `fpga link ${name} session`);

    // the byte-level model answers the same requests with the same bytes
    const expected = requests.flatMap((q) => device.receive(q));
    expect(plan.responses.map((f) => f.bytes)).toEqual(expected.map((b) => Array.from(b)));

    // and the tile programmed directly (timestep model) gives the same spikes, membranes and counters
    const tile = new CrossbarTile(s.tile);
    tile.program(net.weights);
    tile.setMask(net.mask);
    Object.assign(tile, { threshold: net.threshold, leak: net.leak, adcShift: net.adcShift });
    tile.clearCounters();
    const G = colGroups(s.tile);
    let fired = 0;
    inputs.forEach((x, t) => {
      const want = tile.step(x, undefined, t === 0);
      const got = tileStepResult(s.tile, records.slice(t * G, (t + 1) * G));
      expect(got.spikes).toEqual(Array.from(want.spikes!));
      expect(got.v).toEqual(Array.from(want.v!));
      fired += got.spikes.filter((v) => v !== 0).length;
    });
    expect(fired).toBeGreaterThan(0); // a network that never fires would prove little
    const counters = cnt.payload;
    let at = 1;
    TILE_COUNTERS.forEach((c, i) => {
      const n = pl.counterBytes[i]!;
      expect(readLE(counters, at, n), c).toBe(BigInt(tile.counters[c]));
      at += n;
    });
  });
});
