// LIF neuron array: RTL co-simulated against the golden model, bit for bit, every output on every cycle.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, testSeed } from '../src/util/random.js';
import type { Dut } from '../src/harness/cocotb.js';
import { LifNeurons } from '../src/golden/lif.js';
import { lifStateAccesses, wrapCount } from '../src/functional/memory.js';
import { COUNTER_SETS, LANE_SETS, PARAM_SETS, cosim, randomVectors, startLif, withArch, type Vector } from './lif_cosim.js';

const CYCLES = Number(process.env.LIF_CYCLES ?? 100_000);
const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});

const cases = Object.entries(PARAM_SETS).flatMap(([name, p]) => [
  [`${name}/timemux`, withArch(p, 'timemux')],
  [`${name}/parallel`, withArch(p, 'parallel')],
] as const);

describe.each(cases)('LIF array %s', (name, p) => {
  it(`matches the golden model over ${CYCLES} random cycles`, async () => {
    const seed = testSeed(0xc0ffee + name.length * 7919);
    console.log(`LIF ${name}: seed ${seed} (replay with SEED=${seed})`);
    const dut = await startLif(p);
    duts.push(dut);
    const r = await cosim(dut, p, randomVectors(p, new Rng(seed), CYCLES), `lif ${name} seed ${seed}`);
    console.log(r.scoreboard.report());
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.scoreboard.checks).toBeGreaterThanOrEqual(CYCLES);
    expect(r.spikes).toBeGreaterThan(CYCLES / 100); // the stimulus really exercises firing
  });
});

/** Drives one neuron (timemux, neuron 0) with a fixed current each update; returns (spike, v) per update. */
async function directed(overrides: Partial<(typeof PARAM_SETS)['small']>, current: number, updates: number, threshold: number, leak = 0) {
  const p = { ...PARAM_SETS.small!, neurons: 2, ...overrides, arch: 'timemux' as const };
  const dut = await startLif(p);
  duts.push(dut);
  const vectors: Vector[] = [{ rst: 1, in_valid: 0, in_addr: 0, in_current: 0, threshold, leak }];
  for (let i = 0; i < p.neurons + 1; i++) vectors.push({ rst: 0, in_valid: 0 }); // clearing
  const mask = (1n << BigInt(p.iWidth)) - 1n;
  for (let i = 0; i < updates; i++) vectors.push({ in_valid: 1, in_addr: 0, in_current: BigInt(current) & mask }); // back-to-back
  for (let i = 0; i < 3; i++) vectors.push({ in_valid: 0 });
  const r = await cosim(dut, p, vectors, 'directed');
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  // independent expectation from the spec, via the vectorized golden neuron
  const g = new LifNeurons({ ...p, neurons: 1 });
  return Array.from({ length: updates }, () => [g.update(0, current, threshold, leak), g.v[0]!] as const);
}

describe('LIF directed cases (spec values)', () => {
  it('fires exactly when u reaches the threshold; soft reset keeps the remainder', async () => {
    const seq = await directed({ vWidth: 8, iWidth: 6, leak: 'none', reset: 'subtract' }, 4, 6, 10);
    expect(seq.map((x) => x[0])).toEqual([0, 0, 1, 0, 1, 0]);
    expect(seq.map((x) => x[1])).toEqual([4, 8, 2, 6, 0, 4]);
  });
  it('reset to zero', async () => {
    const seq = await directed({ vWidth: 8, iWidth: 6, leak: 'none', reset: 'zero' }, 4, 4, 10);
    expect(seq.map((x) => x[1])).toEqual([4, 8, 0, 4]);
  });
  it('saturates at the membrane limits', async () => {
    const up = await directed({ vWidth: 6, iWidth: 6, leak: 'none', reset: 'subtract' }, 31, 3, 31);
    expect(up.map((x) => x[1])).toEqual([0, 0, 0]); // 31 >= 31 fires each time, remainder 0
    const sat = await directed({ vWidth: 6, iWidth: 6, leak: 'none', reset: 'zero', spikes: 'binary' }, -32, 3, 31);
    expect(sat.map((x) => x[1])).toEqual([-32, -32, -32]); // clamps at the minimum
  });
  it('shift leak decays to zero without input', async () => {
    const p = { ...PARAM_SETS.small!, neurons: 1, vWidth: 8, leak: 'shift' as const };
    const g = new LifNeurons(p);
    g.v[0] = 100;
    const vs: number[] = [];
    for (let i = 0; i < 12; i++) {
      g.update(0, 0, 127, 1);
      vs.push(g.v[0]!);
    }
    expect(vs.slice(0, 7)).toEqual([50, 25, 12, 6, 3, 1, 0]);
    expect(vs[vs.length - 1]).toBe(0);
    await directed({ vWidth: 8, leak: 'shift' }, 0, 8, 127, 1); // the RTL agrees on the same path
  });
  it('signed and graded spikes', async () => {
    const neg = await directed({ vWidth: 8, iWidth: 6, leak: 'none', spikes: 'signed', reset: 'subtract' }, -7, 3, 10);
    expect(neg.map((x) => x[0])).toEqual([0, -1, -1]); // -7, -14 fires (v -4), -11 fires (v -1)
    expect(neg.map((x) => x[1])).toEqual([-7, -4, -1]);
    const gr = await directed({ vWidth: 10, iWidth: 8, leak: 'none', spikes: 'graded', levels: 3, reset: 'subtract' }, 100, 2, 30);
    expect(gr.map((x) => x[0])).toEqual([3, 3]); // 100 >= 3*30, capped at 3 levels
    expect(gr.map((x) => x[1])).toEqual([10, 20]);
  });
});

describe('LIF configuration timing (docs/lif.md: threshold, leak and in_restart are sampled at the edge that accepts the update)', () => {
  it.each(['timemux', 'parallel'] as const)('%s: threshold and leak changed on every request follow the request', async (arch) => {
    const p = { ...PARAM_SETS.medium!, neurons: 2, refractory: 0, leak: 'subtract' as const, reset: 'subtract' as const, spikes: 'binary' as const, arch };
    const dut = await startLif(p);
    duts.push(dut);
    const thresholds = [5, 40, 7, 30, 3, 50, 9, 11, 60, 2];
    const leaks = [0, 3, 1, 0, 2, 4, 0, 1, 5, 0];
    const current = 9;
    const mask = (1n << BigInt(p.iWidth)) - 1n;
    const packed = arch === 'parallel' ? ((BigInt(current) & mask) << BigInt(p.iWidth)) | (BigInt(current) & mask) : BigInt(current) & mask;
    const vectors: Vector[] = [{ rst: 1, in_valid: 0, in_addr: 0, in_current: 0, threshold: 0, leak: 0 }];
    for (let i = 0; i < p.neurons + 1; i++) vectors.push({ rst: 0, in_valid: 0 });
    // a new threshold and leak on the very cycle of each request, and different values right after it
    thresholds.forEach((th, i) => vectors.push({ in_valid: 1, in_addr: 0, in_current: packed, threshold: th, leak: leaks[i]! }));
    for (let i = 0; i < 3; i++) vectors.push({ in_valid: 0, threshold: 1, leak: 7 });
    const r = await cosim(dut, p, vectors, `config timing ${arch}`, 25_000, true);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    // independent expectation: each update uses its own request's threshold and leak
    const g = new LifNeurons({ ...p, neurons: 1 });
    const spikes = thresholds.map((th, i) => g.update(0, current, th, leaks[i]!));
    const rtl = r.outputs!.filter((o) => o.out_valid === 1n).map((o) => Number(arch === 'parallel' ? o.out_spikes! & 1n : o.out_spike!));
    expect(rtl).toEqual(spikes);
    // the per-request expectation differs from "one cycle late" sampling, so the test can tell the two apart
    const late = new LifNeurons({ ...p, neurons: 1 });
    const lateSpikes = thresholds.map((_, i) => late.update(0, current, thresholds[i + 1] ?? 1, leaks[i + 1] ?? 7));
    expect(spikes).not.toEqual(lateSpikes);
    expect(spikes.filter((s) => s).length).toBeGreaterThan(2);
  });

  it.each(['timemux', 'parallel'] as const)('%s: random stimulus with threshold/leak/restart churning every cycle', async (arch) => {
    const p = withArch(PARAM_SETS.floored!, arch);
    const seed = testSeed(4242 + arch.length);
    const dut = await startLif(p);
    duts.push(dut);
    const r = await cosim(dut, p, randomVectors(p, new Rng(seed), 20_000, 0.5), `churn ${arch} seed ${seed}`);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.spikes).toBeGreaterThan(200);
  });
});

describe('LIF floor (membrane bounded below at 0)', () => {
  it('never goes below 0; without the floor the same input goes negative', async () => {
    const seq = await directed({ vWidth: 8, iWidth: 6, leak: 'none', reset: 'subtract', floor: true }, -7, 3, 10);
    expect(seq.map((x) => x[1])).toEqual([0, 0, 0]);
    const free = await directed({ vWidth: 8, iWidth: 6, leak: 'none', reset: 'subtract' }, -7, 3, 10);
    expect(free.map((x) => x[1])).toEqual([-7, -14, -21]);
  });
  it('refuses a floor with a signed spike alphabet, naming the parameter', async () => {
    const { lifArray } = await import('../dsl/lif_array.js');
    const { elaborate, ElaborationError } = await import('../src/hdl/index.js');
    let err: unknown;
    try {
      elaborate(() => lifArray({ ...PARAM_SETS.medium!, floor: true }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElaborationError);
    expect(String((err as Error).message)).toMatch(/E0701.*floor = true.*spikes = 'signed'/s);
    expect(String((err as Error).message)).toMatch(/lif_array\.test\.ts:\d+/);
  });
});

describe.each(Object.entries(LANE_SETS))('LIF time-multiplexed with lanes: %s', (name, p) => {
  it('matches the golden model over 30000 random cycles', async () => {
    const seed = testSeed(0x1a7e5 + name.length);
    const dut = await startLif(p);
    duts.push(dut);
    const r = await cosim(dut, p, randomVectors(p, new Rng(seed), 30_000, 0.01), `lif ${name} seed ${seed}`);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.spikes).toBeGreaterThan(300);
  });
});

describe.each(Object.entries(COUNTER_SETS))('LIF state-memory access counters: %s', (name, p) => {
  it(`match the golden model over ${CYCLES} random cycles (wrapping included)`, async () => {
    const seed = testSeed(0x5eed + name.length * 31);
    console.log(`LIF counters ${name}: seed ${seed} (replay with SEED=${seed})`);
    const dut = await startLif(p);
    duts.push(dut);
    // a quiet tail, so that the last requests' write-backs show on the counters
    const vs: Vector[] = [...randomVectors(p, new Rng(seed), CYCLES), { in_valid: 0 }, { in_valid: 0 }, { in_valid: 0 }];
    const r = await cosim(dut, p, vs, `lif counters ${name} seed ${seed}`, 25_000, true);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    // the narrow counters wrapped at least once, so wrapping was compared too
    const reads = r.outputs!.map((o) => o.cnt_state_reads!);
    expect(reads.some((v, i) => i > 10 && v < reads[i - 1]!)).toBe(true);
    // the functional counterpart from the ports since the last reset: accepted requests, and one clearing per reset
    const lastReset = vs.map((v) => Number(v.rst)).lastIndexOf(1);
    const words = p.neurons / (p.lanes ?? 1);
    expect(lastReset).toBeLessThan(vs.length - words - 3); // its clearing is complete
    let addr = 0;
    let requests = 0;
    vs.forEach((v, i) => {
      if (v.in_addr !== undefined) addr = Number(v.in_addr);
      if (i > lastReset && Number(v.in_valid) && r.outputs![i]!.ready && addr < words) requests++;
    });
    const want = lifStateAccesses(p, requests, 1);
    const end = r.outputs![r.outputs!.length - 1]!;
    expect([Number(end.cnt_state_reads), Number(end.cnt_state_writes)]).toEqual([wrapCount(want.state_reads, p.counters!), wrapCount(want.state_writes, p.counters!)]);
  });

  it('spec values: words/lanes clearing writes after reset, then one read and one write per accepted request', async () => {
    const words = p.neurons / (p.lanes ?? 1);
    const dut = await startLif(p);
    duts.push(dut);
    const vectors: Vector[] = [{ rst: 1, in_valid: 0, in_addr: 0, in_current: 0, threshold: 3, leak: 0, in_restart: 0 }];
    for (let i = 0; i < words + 2; i++) vectors.push({ rst: 0, in_valid: 0 });
    // 7 accepted requests (one back-to-back on the same word), one dropped (address out of range when it exists)
    const addrs = [0, 0, 1, 2, words - 1, 1, 0];
    for (const a of addrs) vectors.push({ in_valid: 1, in_addr: a, in_current: 1 });
    const aw = Math.max(1, Math.ceil(Math.log2(words)));
    const dropped = words < 2 ** aw ? 1 : 0;
    if (dropped) vectors.push({ in_valid: 1, in_addr: 2 ** aw - 1 });
    for (let i = 0; i < 3; i++) vectors.push({ in_valid: 0 });
    const r = await cosim(dut, p, vectors, `lif counters ${name} directed`, 25_000, true);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    const end = r.outputs![r.outputs!.length - 1]!;
    expect(Number(end.cnt_state_reads)).toBe(addrs.length);
    expect(Number(end.cnt_state_writes)).toBe(words + addrs.length);
    // the clearing writes are done (and counted) by the time ready rises
    const firstReady = r.outputs!.findIndex((o, i) => i > 0 && o.ready === 1n);
    expect(Number(r.outputs![firstReady]!.cnt_state_writes)).toBe(words);
  });

  it('refuses counters on the parallel array and a width outside 8..48, naming the parameter', async () => {
    const { lifArray } = await import('../dsl/lif_array.js');
    const { elaborate } = await import('../src/hdl/index.js');
    expect(() => elaborate(() => lifArray({ ...p, lanes: undefined, arch: 'parallel' }))).toThrow(/E0701[\s\S]*counters = \d+ applies to arch 'timemux' only[\s\S]*lif_array\.test\.ts:\d+/);
    expect(() => elaborate(() => lifArray({ ...p, counters: 4 }))).toThrow(/parameter counters = 4 is outside 8\.\.48/);
  });
});
