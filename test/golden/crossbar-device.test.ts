// Device mode of the golden crossbar tile (src/golden/crossbar-device.ts, docs/crossbar.md "Device mode"): the
// noise-free device equals the exact model bit for bit; the noise has the configured statistics; seeds replay; more
// noise, larger errors. Random cases print their seed; SEED=<n> replays one.
import { describe, expect, it } from 'vitest';
import { CrossbarTile } from '../../src/golden/crossbar.js';
import { DEFAULT_DEVICE, DeviceCrossbarTile, IDEAL_DEVICE, PCM_PROG_COEFF_US, progSigma, STUCK, type DeviceParams } from '../../src/golden/crossbar-device.js';
import { leakWidth, thresholdWidth, type SpikeMode } from '../../src/spec/lif.js';
import { inputRange, maxWeight, shiftWidth, sumWidth, tileOutputWidth, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { Gaussian } from '../../src/util/gaussian.js';
import { Rng, testSeed } from '../../src/util/random.js';

const ALPHABETS: SpikeMode[] = ['binary', 'signed', 'graded', 'graded-signed'];
const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(0, a.length - 1)]!;
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** A random valid tile spec: any L for S = 1, L a power of two for S > 1, either output, random neurons. */
function randomSpec(rng: Rng): CrossbarSpec {
  for (;;) {
    const slices = rng.chance(0.5) ? 1 : rng.int(2, 4);
    const cellLevels = slices === 1 ? pick(rng, [2, 3, 5, 7, 16, 100, 256]) : 2 ** rng.int(1, 4);
    if (maxWeight({ cellLevels, slices }) > 2 ** 31 - 1) continue;
    const rows = rng.int(1, 24);
    const cols = rng.int(1, 12);
    const inSpikes = pick(rng, ALPHABETS);
    const inLevels = inSpikes.startsWith('graded') ? rng.int(1, 15) : 1;
    const adcBits = rng.int(1, 12);
    const need = tileOutputWidth({ adcBits, cellLevels, slices });
    if (need > 32) continue;
    const output = rng.chance(0.5) ? 'neurons' : 'psum';
    const spikes = pick(rng, ALPHABETS);
    return {
      rows,
      cols,
      cellLevels,
      slices,
      inSpikes,
      inLevels,
      adcBits,
      adcRounding: rng.chance(0.5) ? 'floor' : 'half-up',
      rowsPerCycle: pick(rng, divisors(rows)),
      colsPerCycle: pick(rng, divisors(cols)),
      output,
      psumBits: rng.int(need, Math.min(32, need + 4)),
      counterBits: 16,
      neuron:
        output === 'neurons'
          ? {
              vWidth: rng.int(6, 20),
              leak: pick(rng, ['none', 'shift', 'subtract'] as const),
              reset: pick(rng, ['zero', 'subtract'] as const),
              refractory: rng.int(0, 2),
              spikes,
              levels: spikes.startsWith('graded') ? rng.int(1, 4) : 1,
              floor: !spikes.includes('signed') && rng.chance(0.3),
            }
          : undefined,
    };
  }
}

function randomWeights(rng: Rng, p: CrossbarSpec): number[] {
  const max = maxWeight(p);
  return Array.from({ length: p.rows * p.cols }, () => (rng.chance(0.2) ? 0 : rng.chance(0.1) ? pick(rng, [max, -max]) : rng.int(-max, max)));
}

function randomInputs(rng: Rng, p: CrossbarSpec, density = 0.6): number[] {
  const [lo, hi] = inputRange(p);
  return Array.from({ length: p.rows }, () => (rng.chance(density) ? rng.int(lo, hi) : 0));
}

function randomPsum(rng: Rng, p: CrossbarSpec): number[] {
  const m = 2 ** (p.psumBits - 1);
  return Array.from({ length: p.cols }, () => (rng.chance(0.1) ? pick(rng, [m - 1, -m]) : rng.int(-Math.min(m, 300), Math.min(m - 1, 300))));
}

/** A tile spec for the statistics tests: psum output, binary inputs. */
const statSpec = (rows: number, cols: number, cellLevels: number, slices = 1, more: Partial<CrossbarSpec> = {}): CrossbarSpec => ({
  rows,
  cols,
  cellLevels,
  slices,
  inSpikes: 'binary',
  inLevels: 1,
  adcBits: 16,
  adcRounding: 'floor',
  rowsPerCycle: 1,
  colsPerCycle: 1,
  output: 'psum',
  psumBits: 32,
  counterBits: 32,
  ...more,
});

const meanStd = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(v / (a.length - 1)) };
};

/** Expects a sample of n to have mean mu and standard deviation sigma within k standard errors (normal samples). */
function expectNormal(what: string, a: ArrayLike<number>, mu: number, sigma: number, k = 5) {
  const { mean, std } = meanStd(a);
  const n = a.length;
  expect(Math.abs(mean - mu), `${what}: mean ${mean} vs ${mu} (n = ${n})`).toBeLessThan((k * sigma) / Math.sqrt(n));
  expect(Math.abs(std - sigma), `${what}: std ${std} vs ${sigma} (n = ${n})`).toBeLessThan((k * sigma) / Math.sqrt(2 * (n - 1)));
}

describe('the zero-noise device equals the exact model', () => {
  it('bit for bit on random specs, weights, masks, shifts, inputs and partial sums, counters included', () => {
    const seed = testSeed(20240610);
    const rng = new Rng(seed);
    let convs = 0;
    let clipped = 0;
    let saturated = 0;
    let spikes = 0;
    for (let trial = 0; trial < 60; trial++) {
      const p = randomSpec(rng);
      const ctx = `seed ${seed}, trial ${trial}, spec ${JSON.stringify(p)}`;
      const exact = new CrossbarTile(p);
      // the ideal device with any seed: no draw may leak into the results
      const dev = new DeviceCrossbarTile(p, { ...IDEAL_DEVICE, seed: rng.int(0, 0xffffffff) });
      const regs = () => {
        const shift = rng.int(0, Math.min(sumWidth(p), 2 ** shiftWidth(p) - 1));
        exact.adcShift = dev.adcShift = rng.chance(0.3) ? 0 : shift;
        if (p.neuron) {
          const tmax = 2 ** thresholdWidth(p.neuron) - 1;
          exact.threshold = dev.threshold = rng.int(1, Math.min(tmax, 64));
          const lw = leakWidth(p.neuron);
          exact.leak = dev.leak = lw ? rng.int(0, Math.min(2 ** lw - 1, 4)) : 0;
        }
      };
      for (let prog = 0; prog < 2; prog++) {
        const w = randomWeights(rng, p);
        exact.program(w);
        dev.program(w);
        if (rng.chance(0.5)) {
          const m = Array.from({ length: p.rows }, () => (rng.chance(0.8) ? 1 : 0));
          exact.setMask(m);
          dev.setMask(m);
        }
        regs();
        for (let t = 0; t < 8; t++) {
          if (rng.chance(0.2)) regs();
          const x = randomInputs(rng, p, pick(rng, [0, 0.3, 0.8]));
          const psum = rng.chance(0.7) ? randomPsum(rng, p) : undefined;
          const restart = rng.chance(0.2);
          const a = exact.step(x, psum, restart);
          const b = dev.step(x, psum, restart);
          const where = `${ctx}, program ${prog}, step ${t}`;
          expect(Array.from(b.sums), where).toEqual(Array.from(a.sums));
          expect({ ...b, sums: undefined }, where).toEqual({ ...a, sums: undefined });
          convs += a.events.adc_conversions;
          clipped += a.events.adc_clipped;
          saturated += a.events.psum_saturated;
          spikes += a.spikes ? a.spikes.filter((s) => s !== 0).length : 0;
        }
        expect(dev.counters, ctx).toEqual(exact.counters);
        if (p.neuron) {
          expect(Array.from(dev.neurons!.v), ctx).toEqual(Array.from(exact.neurons!.v));
          expect(Array.from(dev.neurons!.r), ctx).toEqual(Array.from(exact.neurons!.r));
        }
        if (rng.chance(0.3)) {
          exact.clearCounters();
          dev.clearCounters();
        }
      }
    }
    // the cases exercised the interesting paths
    expect(convs).toBeGreaterThan(1000);
    expect(clipped).toBeGreaterThan(50);
    expect(saturated).toBeGreaterThan(20);
    expect(spikes).toBeGreaterThan(50);
  });

  it('setCells with non-canonical levels, and the programmed conductances are the levels', () => {
    const p = statSpec(3, 2, 4, 2, { inSpikes: 'graded-signed', inLevels: 3, adcRounding: 'half-up' });
    const exact = new CrossbarTile(p);
    const dev = new DeviceCrossbarTile(p, IDEAL_DEVICE);
    exact.program([1, -2, 3, 15, -15, 0]);
    dev.program([1, -2, 3, 15, -15, 0]);
    exact.setCells(1, 0, { pos: [3, 1], neg: [2, 2] });
    dev.setCells(1, 0, { pos: [3, 1], neg: [2, 2] });
    expect(dev.conductances(1, 0)).toEqual({ pos: [3, 1], neg: [2, 2] });
    expect(dev.effectiveWeight(1, 0)).toBe(exact.weight(1, 0));
    expect(dev.weight(2, 0)).toBe(-15);
    for (const sh of [0, 1, 2]) {
      exact.adcShift = dev.adcShift = sh;
      const x = [3, -2, 1];
      expect(dev.step(x).q).toEqual(exact.step(x).q);
    }
  });

  it('bad data: the exact model\'s messages, and bad device parameters', () => {
    const p = statSpec(4, 2, 4, 2, { inSpikes: 'graded-signed', inLevels: 2 });
    const exact = new CrossbarTile(p);
    const dev = new DeviceCrossbarTile(p);
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message.replace(/ \(at .*\)$/, '');
      }
      throw new Error('no error');
    };
    const cases: [string, (t: CrossbarTile | DeviceCrossbarTile) => unknown][] = [
      ['weights', (t) => t.program([0, 0, 0, 16, 0, 0, 0, 0])],
      ['weights length', (t) => t.program([1, 2])],
      ['mask', (t) => t.setMask([1, 2, 1, 1])],
      ['input', (t) => t.step([3, 0, 0, 0])],
      ['input length', (t) => t.step([0, 0, 0])],
      ['psum length', (t) => t.step([0, 0, 0, 0], [1])],
    ];
    for (const [what, f] of cases) expect(msg(() => f(dev)), what).toBe(msg(() => f(exact)));
    expect(msg(() => dev.step([1.5, 0, 0, 0]))).toMatch(/row input x\[0\] = 1\.5 is outside the graded-signed alphabet -2\.\.2/);
    expect(() => dev.program([0, 0, 0, 16, 0, 0, 0, 0])).toThrow(/crossbar-device\.test\.ts:\d+/);
    expect(() => new DeviceCrossbarTile({ ...p, rows: 0 })).toThrow(/DeviceCrossbarTile.*rows = 0 is outside 1\.\.1024/s);
    expect(() => new DeviceCrossbarTile(p, { readSigma: -0.1 })).toThrow(/readSigma = -0\.1 must be a finite number >= 0/);
    expect(() => new DeviceCrossbarTile(p, { pStuckOn: 1.5 })).toThrow(/pStuckOn = 1\.5 is outside 0\.\.1/);
    expect(() => new DeviceCrossbarTile(p, { pStuckOn: 0.6, pStuckOff: 0.6 })).toThrow(/pStuckOff \+ pStuckOn = 1\.2 exceeds 1/);
    expect(() => new DeviceCrossbarTile(p, { progCoeff: [] })).toThrow(/progCoeff = \[\] must be a non-empty list/);
    expect(() => new DeviceCrossbarTile(p, { progCoeff: [0.01, -0.02] })).toThrow(/sigma_prog = -0\.0033\d* < 0 at level 2 \(u = 2\/3\)/);
    expect(() => new DeviceCrossbarTile(p, { seed: -1 })).toThrow(/seed = -1 must be an integer 0\.\.2\^32-1/);
    expect(() => dev.setCells(0, 0, { pos: [4, 0], neg: [0, 0] })).toThrow(/cells pos\[0\] of \(0, 0\) = 4 is outside 0\.\.3/);
    expect(() => dev.setCells(0, 2, { pos: [0, 0], neg: [0, 0] })).toThrow(/cell \(0, 2\) is outside the 4 x 2 tile/);
  });
});

describe('defaults', () => {
  it('the PCM fit of Nandakumar et al. 2019 (aihwkit PCMLikeNoiseModel) and 1 % read noise', () => {
    expect(PCM_PROG_COEFF_US).toEqual([0.26348, 1.965, -1.1731]);
    expect(progSigma(0, DEFAULT_DEVICE)).toBeCloseTo(0.0105392, 6);
    expect(progSigma(1, DEFAULT_DEVICE)).toBeCloseTo(0.0422148, 6);
    expect(progSigma(0.5, DEFAULT_DEVICE)).toBeCloseTo((0.26348 + 0.9825 - 1.1731 / 4) / 25, 12);
    expect(DEFAULT_DEVICE).toMatchObject({ readSigma: 0.01, pStuckOff: 0, pStuckOn: 0 });
  });
});

describe('noise statistics match the configured parameters', () => {
  it('the Gaussian helper: mean 0, standard deviation 1', () => {
    const g = new Gaussian(new Rng(testSeed(7)));
    const a = Float64Array.from({ length: 200000 }, () => g.next());
    expectNormal('N(0,1)', a, 0, 1);
  });

  it('programming noise: (g_p - g_t) / g_max ~ N(0, sigma_prog(u)) at each level, the clamp at 0 on level 0', () => {
    const seed = testSeed(11);
    const L = 16;
    const p = statSpec(256, 256, L);
    for (const [name, d] of [
      ['PCM default', {}],
      ['flat 3 %', { progCoeff: [0.03] }],
      ['linear', { progCoeff: [0.005, 0.05] }],
    ] as [string, Partial<DeviceParams>][]) {
      const dev = new DeviceCrossbarTile(p, { ...d, seed });
      for (const level of [2, 4, 8, 12, 15]) {
        dev.program(new Array(256 * 256).fill(level)); // g+ at the level, g- at 0
        const u = level / (L - 1);
        const sigma = progSigma(u, dev.device);
        // the clamp at 0 is over 4 sigma away here: its effect (< 4e-5 of the samples) is below the tolerance
        expect(u / sigma).toBeGreaterThan(4);
        const err = dev.gPos.map((g) => (g - level) / (L - 1));
        expectNormal(`${name}, level ${level}, seed ${seed}`, err, 0, sigma);
        // level 0: g_p = max(0, sigma0 * n), a rectified normal with mean sigma0/sqrt(2 pi) and E[g^2] = sigma0^2 / 2
        const s0 = progSigma(0, dev.device);
        const g0 = dev.gNeg.map((g) => g / (L - 1));
        const m1 = s0 / Math.sqrt(2 * Math.PI);
        const m2 = (s0 * s0) / 2;
        const m3 = (s0 ** 3 * 2) / Math.sqrt(2 * Math.PI);
        const m4 = (3 * s0 ** 4) / 2;
        const variance = m2 - m1 * m1;
        const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
        const n = g0.length;
        const { mean, std } = meanStd(g0);
        expect(Math.abs(mean - m1), `${name}, level 0 mean ${mean} vs ${m1}`).toBeLessThan(5 * Math.sqrt(variance / n));
        expect(Math.abs(std - Math.sqrt(variance)), `${name}, level 0 std ${std} vs ${Math.sqrt(variance)}`).toBeLessThan((5 * Math.sqrt((mu4 - variance ** 2) / n)) / (2 * Math.sqrt(variance)));
        expect(g0.every((g) => g >= 0)).toBe(true);
        const zeros = g0.filter((g) => g === 0).length;
        expect(Math.abs(zeros - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
      }
    }
  });

  it('read noise: per device per read, sigma_read * g_max, only on active rows, scaled by the input', () => {
    const seed = testSeed(13);
    const L = 8;
    const C = 1024;
    const p = statSpec(8, C, L, 2, { inSpikes: 'graded-signed', inLevels: 3 });
    for (const readSigma of [0.01, 0.03]) {
      const dev = new DeviceCrossbarTile(p, { progCoeff: [0], readSigma, seed });
      const exact = new CrossbarTile(p);
      const rng = new Rng(seed);
      const w = Array.from({ length: 8 * C }, () => rng.int(-maxWeight(p), maxWeight(p)));
      dev.program(w);
      exact.program(w);
      dev.setMask([1, 1, 1, 1, 1, 1, 0, 1]);
      exact.setMask(dev.mask);
      // rows: active 3, -2, 1, 1; silent rows 1, 3, 5; masked row 6
      const x = [3, 0, -2, 0, 1, 0, 3, 1];
      const sumX2 = 9 + 4 + 1 + 1;
      // the sum of a slice = exact + (L-1) * sigma * sum_r x_r (m+ - m-): sd = (L-1) sigma sqrt(2 sum x^2)
      const errs: number[] = [];
      for (let t = 0; t < 20; t++) {
        const a = exact.step(x);
        const b = dev.step(x);
        for (let i = 0; i < a.sums.length; i++) errs.push((b.sums[i]! - a.sums[i]!) / (L - 1));
      }
      expectNormal(`readSigma ${readSigma}, seed ${seed}`, errs, 0, readSigma * Math.sqrt(2 * sumX2));
      // a single active row with x = 1: the difference of two devices
      const one = [0, 0, 0, 0, 1, 0, 0, 0];
      const e1: number[] = [];
      for (let t = 0; t < 20; t++) {
        const a = exact.step(one);
        const b = dev.step(one);
        for (let i = 0; i < a.sums.length; i++) e1.push((b.sums[i]! - a.sums[i]!) / (L - 1));
      }
      expectNormal(`one row, readSigma ${readSigma}`, e1, 0, readSigma * Math.SQRT2);
      // no active row: no read, no noise
      const quiet = dev.step([0, 0, 0, 0, 0, 0, 3, 0]);
      exact.step([0, 0, 0, 0, 0, 0, 3, 0]);
      expect(quiet.sums.every((s) => s === 0)).toBe(true);
      expect(quiet.events).toMatchObject({ active_rows: 0, masked_rows: 1, cell_reads: 0, adc_conversions: 0 });
      expect(dev.counters).toEqual(exact.counters);
    }
  });

  it('stuck-at-off and stuck-at-on devices at the configured rates, both cells of a pair separately, kept through reprogramming', () => {
    const seed = testSeed(17);
    const L = 4;
    const p = statSpec(1024, 64, L, 2);
    const pStuckOff = 0.01;
    const pStuckOn = 0.02;
    const dev = new DeviceCrossbarTile(p, { progCoeff: [0], readSigma: 0, pStuckOff, pStuckOn, seed });
    const n = 2 * dev.gPos.length; // devices
    const count = (v: number) => dev.stuckPos.filter((s) => s === v).length + dev.stuckNeg.filter((s) => s === v).length;
    const within = (k: number, q: number, what: string) => expect(Math.abs(k - n * q), `${what}: ${k} of ${n}, seed ${seed}`).toBeLessThan(5 * Math.sqrt(n * q * (1 - q)));
    within(count(STUCK.off), pStuckOff, 'stuck off');
    within(count(STUCK.on), pStuckOn, 'stuck on');
    // independence of the two cells of a pair: both stuck at about the product rate
    const pS = pStuckOff + pStuckOn;
    let both = 0;
    for (let k = 0; k < dev.gPos.length; k++) if (dev.stuckPos[k] && dev.stuckNeg[k]) both++;
    expect(Math.abs(both - (n / 2) * pS * pS)).toBeLessThan(5 * Math.sqrt((n / 2) * pS * pS));
    // programmed to level 2 on g+ (w = 2 + 2*4 = 10) and 0 on g-: stuck cells read 0 or L-1, the others their level
    const stuckBefore = [Uint8Array.from(dev.stuckPos), Uint8Array.from(dev.stuckNeg)];
    dev.program(new Array(1024 * 64).fill(10));
    let wrong = 0;
    for (let k = 0; k < dev.gPos.length; k++) {
      const sp = dev.stuckPos[k]!;
      const sn = dev.stuckNeg[k]!;
      if (dev.gPos[k] !== (sp === STUCK.off ? 0 : sp === STUCK.on ? L - 1 : 2)) wrong++;
      if (dev.gNeg[k] !== (sn === STUCK.on ? L - 1 : 0)) wrong++;
    }
    expect(wrong).toBe(0);
    dev.program(new Array(1024 * 64).fill(-5));
    expect([dev.stuckPos, dev.stuckNeg]).toEqual(stuckBefore);
    // the default: no stuck device
    const healthy = new DeviceCrossbarTile(p, { seed });
    expect(healthy.stuckPos.every((s) => s === 0) && healthy.stuckNeg.every((s) => s === 0)).toBe(true);
  });
});

describe('seeds', () => {
  const p: CrossbarSpec = { ...statSpec(16, 8, 4, 2, { inSpikes: 'graded-signed', inLevels: 2, adcBits: 6, adcRounding: 'half-up', colsPerCycle: 4, output: 'neurons', psumBits: 12 }), neuron: { vWidth: 12, leak: 'shift', reset: 'subtract', refractory: 0, spikes: 'signed', levels: 1 } };
  const run = (seed: number) => {
    const rng = new Rng(99);
    const dev = new DeviceCrossbarTile(p, { ...DEFAULT_DEVICE, pStuckOff: 0.05, pStuckOn: 0.05, seed });
    dev.program(randomWeights(rng, p));
    dev.threshold = 20;
    dev.leak = 2;
    const steps = Array.from({ length: 10 }, (_, t) => dev.step(randomInputs(rng, p), randomPsum(rng, p), t === 0));
    return { g: [Array.from(dev.gPos), Array.from(dev.gNeg)], stuck: [Array.from(dev.stuckPos), Array.from(dev.stuckNeg)], steps: steps.map((s) => ({ ...s, sums: Array.from(s.sums) })), counters: { ...dev.counters } };
  };
  it('same seed, same numbers; another seed, other numbers', () => {
    const a = run(5);
    expect(run(5)).toEqual(a);
    const b = run(6);
    expect(b.g).not.toEqual(a.g);
    expect(b.stuck).not.toEqual(a.stuck);
    expect(b.steps.map((s) => s.sums)).not.toEqual(a.steps.map((s) => s.sums));
    expect(b.steps.map((s) => s.z)).not.toEqual(a.steps.map((s) => s.z));
  });
  it('the streams are independent: read noise does not change the programmed conductances or the stuck map', () => {
    const w = randomWeights(new Rng(3), p);
    const a = new DeviceCrossbarTile(p, { seed: 8, pStuckOn: 0.1, readSigma: 0 });
    const b = new DeviceCrossbarTile(p, { seed: 8, pStuckOn: 0.1, readSigma: 0.05 });
    b.step(randomInputs(new Rng(4), p));
    a.program(w);
    b.program(w);
    expect(Array.from(b.gPos)).toEqual(Array.from(a.gPos));
    expect(Array.from(b.stuckNeg)).toEqual(Array.from(a.stuckNeg));
  });
});

describe('more noise, larger errors', () => {
  const L = 16;
  const p = statSpec(64, 64, L, 1, { inSpikes: 'graded-signed', inLevels: 3, adcBits: 14 });
  const rng = new Rng(testSeed(23));
  const w = Array.from({ length: 64 * 64 }, () => rng.int(-(L - 1), L - 1));
  const xs = Array.from({ length: 10 }, () => randomInputs(rng, p));
  /** mean |I_device - I_exact| of the column sums, and of the ADC outputs at shift 2 */
  const error = (d: Partial<DeviceParams>) => {
    const exact = new CrossbarTile(p);
    const dev = new DeviceCrossbarTile(p, { seed: 1, ...d });
    exact.program(w);
    dev.program(w);
    exact.adcShift = dev.adcShift = 2;
    let es = 0;
    let eq = 0;
    let n = 0;
    for (const x of xs) {
      const a = exact.step(x);
      const b = dev.step(x);
      for (let i = 0; i < a.sums.length; i++) {
        es += Math.abs(b.sums[i]! - a.sums[i]!);
        eq += Math.abs(b.q[i]! - a.q[i]!);
        n++;
      }
    }
    return { sums: es / n, q: eq / n };
  };
  const increasing = (e: number[]) => e.every((v, i) => i === 0 || v > e[i - 1]!);
  it('with the programming noise scale', () => {
    const e = [0, 0.5, 1, 2, 4].map((k) => error({ progCoeff: DEFAULT_DEVICE.progCoeff.map((c) => c * k), readSigma: 0 }));
    expect(e[0]).toEqual({ sums: 0, q: 0 });
    expect(increasing(e.map((x) => x.sums)), JSON.stringify(e)).toBe(true);
    expect(increasing(e.map((x) => x.q)), JSON.stringify(e)).toBe(true);
  });
  it('with the read noise', () => {
    const e = [0, 0.005, 0.01, 0.02, 0.04].map((readSigma) => error({ progCoeff: [0], readSigma }));
    expect(e[0]).toEqual({ sums: 0, q: 0 });
    expect(increasing(e.map((x) => x.sums)), JSON.stringify(e)).toBe(true);
    expect(increasing(e.map((x) => x.q)), JSON.stringify(e)).toBe(true);
  });
  it('with the stuck-device rates', () => {
    const off = [0, 0.01, 0.03, 0.1].map((pStuckOff) => error({ progCoeff: [0], readSigma: 0, pStuckOff }));
    const on = [0, 0.01, 0.03, 0.1].map((pStuckOn) => error({ progCoeff: [0], readSigma: 0, pStuckOn }));
    expect(increasing(off.map((x) => x.sums)), JSON.stringify(off)).toBe(true);
    expect(increasing(on.map((x) => x.sums)), JSON.stringify(on)).toBe(true);
    // stuck-on cells (g = g_max) hurt more than stuck-off ones at the same rate: most cells sit at low levels
    expect(on[3]!.sums).toBeGreaterThan(off[3]!.sums);
  });
  it('the defaults: a column sum of 64 rows is off by a few levels', () => {
    const e = error({});
    expect(e.sums).toBeGreaterThan(0.5);
    expect(e.sums).toBeLessThan(20);
  });
});
