// The crossbar tile's rules (src/spec/crossbar.ts) and golden timestep model, on cases computed by hand from
// docs/crossbar.md, plus the errors a user gets for bad parameters and bad data.
import { describe, expect, it } from 'vitest';
import { crossbarTile } from '../../dsl/crossbar.js';
import { CrossbarTile } from '../../src/golden/crossbar.js';
import { ElaborationError, elaborate } from '../../src/hdl/index.js';
import { adcConvert, decodeWeight, encodeWeight, maxWeight, timestepCycles, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { here } from '../helpers.js';

const base: CrossbarSpec = { rows: 4, cols: 2, cellLevels: 4, slices: 2, inSpikes: 'graded-signed', inLevels: 2, adcBits: 5, adcRounding: 'floor', rowsPerCycle: 2, colsPerCycle: 1, output: 'psum', psumBits: 12, counterBits: 16 };

describe('weights and cells', () => {
  it('maps a weight to canonical cells and back (L = 4, S = 2: the spec example)', () => {
    expect(encodeWeight(-13, base)).toEqual({ pos: [0, 0], neg: [1, 3] });
    expect(encodeWeight(13, base)).toEqual({ pos: [1, 3], neg: [0, 0] });
    expect(encodeWeight(0, base)).toEqual({ pos: [0, 0], neg: [0, 0] });
    for (let w = -maxWeight(base); w <= maxWeight(base); w++) expect(decodeWeight(encodeWeight(w, base), base)).toBe(w);
    // non-canonical pairs decode by the same formula
    expect(decodeWeight({ pos: [3, 1], neg: [1, 2] }, base)).toBe(2 - 4);
  });
  it('refuses a weight outside -(L^S - 1)..L^S - 1', () => {
    expect(() => encodeWeight(16, base)).toThrow(/weight 16 is outside -15\.\.15/);
    expect(() => encodeWeight(1.5, base)).toThrow(/outside/);
  });
});

describe('ADC transfer function', () => {
  it('floor and half-up shifts, clipping both ways', () => {
    const f = { adcBits: 4, adcRounding: 'floor' as const };
    const h = { adcBits: 4, adcRounding: 'half-up' as const };
    expect(adcConvert(5, 1, f)).toEqual({ q: 2, clip: 0 });
    expect(adcConvert(-5, 1, f)).toEqual({ q: -3, clip: 0 });
    expect(adcConvert(5, 1, h)).toEqual({ q: 3, clip: 0 });
    expect(adcConvert(-5, 1, h)).toEqual({ q: -2, clip: 0 });
    expect(adcConvert(-6, 2, h)).toEqual({ q: -1, clip: 0 }); // -1.5 + 0.5 = -1
    expect(adcConvert(100, 0, f)).toEqual({ q: 7, clip: 1 });
    expect(adcConvert(-100, 0, f)).toEqual({ q: -8, clip: -1 });
    expect(adcConvert(-1, 30, h)).toEqual({ q: 0, clip: 0 });
    expect(adcConvert(-1, 30, f)).toEqual({ q: -1, clip: 0 });
    expect(adcConvert(0, 3, h)).toEqual({ q: 0, clip: 0 });
  });
});

describe('golden tile, one timestep by hand', () => {
  it('column sums, masked rows, recombination, partial sums and counters', () => {
    const t = new CrossbarTile(base);
    // W (4 x 2): column 0 = [5, -13, 0, 15], column 1 = [1, 1, -1, -2]
    t.program([5, 1, -13, 1, 0, -1, 15, -2]);
    t.setMask([1, 1, 1, 0]);
    const s = t.step([2, -1, 1, 2], [100, -5]);
    // row 3 is masked; active rows 0,1,2; slice sums col 0: s0 = 2*1 + -1*-1 + 0 = 3, s1 = 2*1 + -1*-3 = 5
    expect(Array.from(s.sums)).toEqual([3, 2 - 1 - 1, 5, 0]);
    expect(Array.from(s.y)).toEqual([3 + 5 * 4, 0]);
    expect(Array.from(s.z)).toEqual([123, -5]);
    expect(s.events).toMatchObject({ timesteps: 1, active_rows: 3, masked_rows: 1, cell_reads: 3 * 2 * 2 * 2, adc_conversions: 4, adc_clipped: 0, psum_saturated: 0 });
    expect(s.activeGroups).toEqual([0, 1]);
    expect(timestepCycles(base, 2)).toBe(2 * 2 + 1 + 2 + 1);
  });
  it('a silent timestep converts nothing and leaves the partial sums as they came', () => {
    const t = new CrossbarTile(base);
    t.program(new Array(8).fill(7));
    const s = t.step([0, 0, 0, 0], [2047, -2048]);
    expect(Array.from(s.z)).toEqual([2047, -2048]);
    expect(s.events.adc_conversions).toBe(0);
  });
  it('saturates the partial-sum add at P bits and counts it', () => {
    const t = new CrossbarTile({ ...base, adcBits: 8 });
    t.program(new Array(8).fill(15));
    const s = t.step([2, 2, 2, 2], [2040, -2048]);
    expect(Array.from(s.z)).toEqual([2047, -2048 + 120]);
    expect(s.events.psum_saturated).toBe(1);
  });
});

describe('bad input: clear errors with the parameter, its range and the TS line', () => {
  it('generator parameters', () => {
    let line = 0;
    const bad = (p: Partial<CrossbarSpec>) => {
      try {
        line = here() + 1;
        elaborate(() => crossbarTile({ ...base, ...p }));
      } catch (e) {
        expect(e).toBeInstanceOf(ElaborationError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ rows: 0 })).toMatch(/parameter rows = 0 is outside 1\.\.1024/);
    expect(bad({ cols: 0 })).toMatch(new RegExp(`parameter cols = 0 is outside 1\\.\\.1024[\\s\\S]*crossbar\\.test\\.ts:${line}`));
    expect(bad({ rowsPerCycle: 3 })).toMatch(/rowsPerCycle = 3 must divide rows = 4/);
    expect(bad({ cellLevels: 3 })).toMatch(/slices = 2 needs cellLevels a power of two/);
    expect(bad({ psumBits: 6 })).toMatch(/psumBits = 6 cannot hold the tile's own output \(8 bits .*allowed: 8\.\.32/);
    expect(bad({ output: 'neurons' })).toMatch(/needs the neuron parameters/);
    expect(bad({ adcBits: 0 })).toMatch(/adcBits = 0 is outside 1\.\.24/);
  });
  it('golden model data: weights, masks, inputs', () => {
    const t = new CrossbarTile(base);
    const line = here() + 1;
    expect(() => t.program([0, 0, 0, 16, 0, 0, 0, 0])).toThrow(new RegExp(`weights\\[1\\]\\[1\\] = 16 is outside -15\\.\\.15.*crossbar\\.test\\.ts:${line}`));
    expect(() => t.program([1, 2])).toThrow(/weights: 2 values, the tile holds 4 x 2 = 8/);
    expect(() => t.setMask([1, 1, 1])).toThrow(/row mask: 3 bits, the tile has 4 rows/);
    expect(() => t.setMask([1, 2, 1, 1])).toThrow(/row mask\[1\] = 2; each mask bit is 0 or 1/);
    expect(() => t.step([3, 0, 0, 0])).toThrow(/row input x\[0\] = 3 is outside the graded-signed alphabet -2\.\.2/);
    expect(() => t.step([0, 0, 0, 0], [1])).toThrow(/psum_in: 1 values, the tile has 2 columns/);
    expect(() => new CrossbarTile({ ...base, rows: 0 })).toThrow(/rows = 0 is outside 1\.\.1024/);
  });
});
