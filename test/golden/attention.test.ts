// The attention unit's rules (src/spec/attention.ts) and golden token model on cases computed by hand from
// docs/attention.md, the normalization's stated error bound, the float reference, and the errors a user gets for
// bad parameters and bad data.
import { describe, expect, it } from 'vitest';
import { attentionUnit } from '../../dsl/attention.js';
import { attentionReference, AttentionUnit, cachedValue } from '../../src/golden/attention.js';
import { ElaborationError, elaborate } from '../../src/hdl/index.js';
import { ATT_REG, expCutoff, expLut, expWeight, normalize, normalizeErrorBound, reciprocal, refusedWrite, scoreOf, type AttentionSpec } from '../../src/spec/attention.js';
import { Rng } from '../../src/util/random.js';
import { randomToken } from '../../testbenches/attention_cosim.js';
import { ATT_SETS } from '../../testbenches/attention_sets.js';
import { here } from '../helpers.js';

const tiny: AttentionSpec = { context: 4, qHeads: 1, kvHeads: 1, headSize: 2, lanes: 1, qBits: 6, kBits: 6, vBits: 6, scoreBits: 10, expLutBits: 1, expFracBits: 4, recipBits: 10, outBits: 6, encVBits: 8, spikeLevels: 2, maxSteps: 3, positionBits: 3, counterBits: 16, policy: 'error' };

describe('exp LUT and weights', () => {
  it('LUT[i] = round(2^F * 2^(-i/2^f)), half up (values by hand)', () => {
    expect(expLut(0, 8)).toEqual([256]);
    expect(expLut(1, 4)).toEqual([16, 11]); // 11.31
    expect(expLut(2, 8)).toEqual([256, 215, 181, 152]); // 215.27, 181.02, 152.22
    expect(expLut(3, 10)).toEqual([1024, 939, 861, 790, 724, 664, 609, 558]); // 789.61 rounds up, 663.98 too
  });
  it('every LUT entry is within 1/2 of its exact value, for all f and F in range', () => {
    for (let f = 0; f <= 6; f++) {
      for (let F = 1; F <= 16; F++) {
        expLut(f, F).forEach((L, i) => expect(Math.abs(L - 2 ** (F - i / 2 ** f))).toBeLessThan(0.5));
      }
    }
  });
  it('e = LUT[d mod 2^f] >> floor(d / 2^f), 0 once the shift passes F', () => {
    const lut = expLut(2, 8);
    expect(expWeight(0, lut, 2, 8)).toBe(256);
    expect(expWeight(5, lut, 2, 8)).toBe(107); // 215 >> 1
    expect(expWeight(32, lut, 2, 8)).toBe(1); // 256 >> 8
    expect(expWeight(35, lut, 2, 8)).toBe(0); // 152 >> 8
    expect(expWeight(36, lut, 2, 8)).toBe(0);
    expect(expCutoff(2, 8)).toBe(36);
    // f = 0: a pure power-of-two softmax
    expect([0, 1, 2, 3, 8, 9].map((d) => expWeight(d, [256], 0, 8))).toEqual([256, 128, 64, 32, 1, 0]);
  });
});

describe('scores, reciprocal, normalization', () => {
  it('scores are floor(q.k / 2^shift), clamped to S bits', () => {
    expect(scoreOf(-5, 1, { scoreBits: 10 })).toEqual({ s: -3, saturated: false });
    expect(scoreOf(5, 1, { scoreBits: 10 })).toEqual({ s: 2, saturated: false });
    expect(scoreOf(1000, 0, { scoreBits: 10 })).toEqual({ s: 511, saturated: true });
    expect(scoreOf(-1000, 0, { scoreBits: 10 })).toEqual({ s: -512, saturated: true });
    expect(scoreOf(-1, 30, { scoreBits: 4 })).toEqual({ s: -1, saturated: false });
  });
  it('r = floor(2^R / den); o = clamp(floor((acc r + 2^(R-1)) / 2^R))', () => {
    expect(reciprocal(3, { recipBits: 4 })).toBe(5);
    expect(reciprocal(27, { recipBits: 10 })).toBe(37);
    expect(reciprocal(16, { recipBits: 10 })).toBe(64);
    expect(normalize(160, 37, { recipBits: 10, outBits: 6 })).toBe(6); // 6432 / 1024 = 6.28
    expect(normalize(-64, 64, { recipBits: 10, outBits: 6 })).toBe(-4);
    expect(normalize(160, 32, { recipBits: 10, outBits: 6 })).toBe(5);
    expect(normalize(8, 64, { recipBits: 10, outBits: 6 })).toBe(1); // 8/16 = 0.5 rounds up
    expect(normalize(-8, 64, { recipBits: 10, outBits: 6 })).toBe(0); // -0.5 rounds up, to 0
    expect(normalize(1000 * 16, 64, { recipBits: 10, outBits: 6 })).toBe(31); // clamped
  });
  it('the stated worst case holds: |o - acc/den| <= 1/2 + |acc| / 2^R, below 1 when R >= F + log2 N + vBits', () => {
    const rng = new Rng(5);
    for (const p of Object.values(ATT_SETS)) {
      const u = new AttentionUnit(p);
      u.scoreShift = 3;
      let worst = 0;
      for (let i = 0; i < 300; i++) {
        const r = u.token(randomToken(p, rng, rng.chance(0.2)));
        if (r.refused) continue;
        for (let h = 0; h < p.qHeads; h++) {
          for (let d = 0; d < p.headSize; d++) {
            const exact = r.acc[h * p.headSize + d]! / r.den[h]!;
            if (exact < -(2 ** (p.outBits - 1)) || exact > 2 ** (p.outBits - 1) - 1) continue; // clamped
            const err = Math.abs(r.out[h * p.headSize + d]! - exact);
            expect(err).toBeLessThanOrEqual(0.5 + Math.abs(r.acc[h * p.headSize + d]!) / 2 ** p.recipBits);
            worst = Math.max(worst, err);
          }
        }
      }
      expect(worst).toBeLessThanOrEqual(normalizeErrorBound(p));
      if (p.recipBits >= p.expFracBits + Math.log2(p.context) + p.vBits) expect(worst).toBeLessThan(1);
    }
  });
});

describe('golden unit, two tokens by hand', () => {
  it('scores, weights, den, reciprocal, outputs, spikes and counters', () => {
    const u = new AttentionUnit(tiny);
    u.theta = 4;
    u.steps = 3;
    const t0 = u.token({ q: [1, 0], k: [3, 0], v: [10, -4], seqStart: true });
    // one position: e = 2^F, r = 2^(R-F), o = v
    expect(Array.from(t0.weights)).toEqual([16]);
    expect(Array.from(t0.out)).toEqual([10, -4]);
    const t1 = u.token({ q: [1, 0], k: [2, 1], v: [0, 6] });
    expect(Array.from(t1.scores)).toEqual([3, 2]);
    expect(Array.from(t1.weights)).toEqual([16, 11]); // d = 1: LUT[1]
    expect(t1.den[0]).toBe(27);
    expect(Array.from(t1.acc)).toEqual([160, 2]);
    expect(t1.recip[0]).toBe(37);
    expect(Array.from(t1.out)).toEqual([6, 0]);
    // the encoder, theta 4, K 2: o = 6 gives u = 6, 8, 6 -> spikes 1, 2, 1 (membranes 2, 0, 2); o = 0 never fires
    expect(Array.from(t1.spikes)).toEqual([1, 0, 2, 0, 1, 0]);
    expect(Array.from(t1.membranes)).toEqual([2, 0, 0, 0, 2, 0]);
    expect(t1.events).toMatchObject({ tokens: 1, kv_writes: 4, kv_write_bits: 24, kv_reads: 8, kv_read_bits: 48, score_macs: 4, score_buffer_accesses: 4, exp_evals: 2, value_macs: 4, divisions: 1, encoder_updates: 6, spikes_out: 3, scores_saturated: 0 });
    expect([u.len, u.lastPos]).toEqual([2, 1]);
  });
  it("'error' refuses the token after N positions and writes nothing; 'sliding' keeps the last N", () => {
    const u = new AttentionUnit(tiny);
    for (let i = 0; i < 4; i++) expect(u.token({ q: [1, 1], k: [i, 0], v: [i, i], seqStart: i === 0 }).refused).toBe(false);
    const before = Array.from(u.kCache);
    const r = u.token({ q: [1, 1], k: [9, 9], v: [9, 9] });
    expect(r.refused).toBe(true);
    expect([u.ctxError, u.counters.refused_tokens, u.len]).toEqual([true, 1, 4]);
    expect(Array.from(u.kCache)).toEqual(before);
    const s = new AttentionUnit({ ...tiny, policy: 'sliding' });
    for (let i = 0; i < 6; i++) s.token({ q: [0, 0], k: [i, 0], v: [i, 0], seqStart: i === 0 });
    // positions 2..5 remain, in slots 2, 3, 0, 1; all scores 0, so o = mean(v) = 3.5 -> 4
    expect(Array.from(s.vCache.filter((_, i) => i % 2 === 0))).toEqual([4, 5, 2, 3]);
    expect([s.len, s.lastPos, s.wr]).toEqual([4, 5, 2]);
    expect(s.token({ q: [0, 0], k: [6, 0], v: [6, 0] }).out[0]).toBe(Math.round((3 + 4 + 5 + 6) / 4));
  });
  it('configuration writes: refused ones change nothing', () => {
    const u = new AttentionUnit(tiny);
    expect(u.write(ATT_REG.steps, 0n).refused).toBe(true);
    expect(u.write(ATT_REG.steps, 4n).refused).toBe(true);
    expect(u.write(6, 0n).refused).toBe(true);
    expect(u.steps).toBe(1);
    expect(u.write(ATT_REG.steps, 3n).refused).toBe(false);
    expect(u.steps).toBe(3);
    expect(refusedWrite(tiny, ATT_REG.theta, 128n)).toMatch(/theta wider than its register/);
  });
});

describe('float reference', () => {
  it('exact softmax over 2^(q.k / 2^(f + shift)): dots 3 and 1 at f = 1 weigh 2/3 and 1/3', () => {
    const ref = attentionReference(tiny, Float64Array.from([3, 1]), (_h, j) => [30, 0][j]!, 2, 0);
    expect(ref.weights[0]).toBeCloseTo(2 / 3, 12);
    expect(ref.weights[1]).toBeCloseTo(1 / 3, 12);
    expect(ref.out[0]).toBeCloseTo(20, 10);
  });
  it('the integer unit follows it: with f = 4 and wide scores the outputs stay within 1.5 of the exact ones', () => {
    const p = ATT_SETS.lut16!;
    const u = new AttentionUnit({ ...p, recipBits: 30, outBits: p.vBits });
    const rng = new Rng(9);
    let worst = 0;
    for (let i = 0; i < 200; i++) {
      const t = randomToken(u.spec, rng, rng.chance(0.3));
      const shift = u.scoreShift;
      const r = u.token(t);
      if (r.refused) continue;
      const ref = attentionReference(u.spec, r.dots, cachedValue(u), r.n, shift);
      for (let d = 0; d < p.headSize * p.qHeads; d++) worst = Math.max(worst, Math.abs(r.out[d]! - ref.out[d]!));
    }
    expect(worst).toBeLessThan(1.5);
  });
});

describe('bad input: clear errors with the parameter, its range and the TS line', () => {
  it('generator parameters', () => {
    let line = 0;
    const bad = (p: Partial<AttentionSpec>) => {
      try {
        line = here() + 1;
        elaborate(() => attentionUnit({ ...tiny, ...p }));
      } catch (e) {
        expect(e).toBeInstanceOf(ElaborationError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ qHeads: 3, kvHeads: 2 })).toMatch(new RegExp(`qHeads = 3 must be a multiple of kvHeads = 2[\\s\\S]*attention\\.test\\.ts:${line}`));
    expect(bad({ headSize: 0 })).toMatch(/parameter headSize = 0 is outside 1\.\.256/);
    expect(bad({ context: 5000 })).toMatch(/parameter context = 5000 is outside 1\.\.4096/);
    expect(bad({ qHeads: 65 })).toMatch(/parameter qHeads = 65 is outside 1\.\.64/);
    expect(bad({ lanes: 3, headSize: 4 })).toMatch(/lanes = 3 must divide headSize = 4/);
    expect(bad({ scoreBits: 30 })).toMatch(/scoreBits = 30 is wider than the dot product \(13 bits .*allowed: 2\.\.13/);
    expect(bad({ recipBits: 3 })).toMatch(/recipBits = 3 must be at least expFracBits = 4.*allowed: 4\.\.48/);
    expect(bad({ outBits: 8 })).toMatch(/outBits = 8 is wider than any output.*allowed: 2\.\.6/);
    expect(bad({ encVBits: 6 })).toMatch(/encVBits = 6 cannot integrate an 6-bit input; allowed: 7\.\.32/);
    expect(bad({ positionBits: 1 })).toMatch(/positionBits = 1 cannot number the 4 cached positions; allowed: 2\.\.32/);
    expect(bad({ policy: 'wrap' as never })).toMatch(/parameter policy = 'wrap' is not one of error, sliding/);
    expect(bad({ qHeads: 64, headSize: 32, lanes: 1 })).toMatch(/qHeads x headSize = 2048 exceeds the encoder's 1024 neurons/);
  });
  it('golden model: a bad spec and bad token data', () => {
    const line = here() + 1;
    expect(() => new AttentionUnit({ ...tiny, kvHeads: 3 })).toThrow(new RegExp(`qHeads = 1 must be a multiple of kvHeads = 3[\\s\\S]*attention\\.test\\.ts:${line}`));
    const u = new AttentionUnit(tiny);
    const l2 = here() + 1;
    expect(() => u.token({ q: [40, 0], k: [0, 0], v: [0, 0] })).toThrow(new RegExp(`q\\[0\\] = 40 is outside the 6-bit signed range -32\\.\\.31 \\(at test/golden/attention\\.test\\.ts:${l2}`));
    expect(() => u.token({ q: [0], k: [0, 0], v: [0, 0] })).toThrow(/q: 1 values, the unit takes 1 head\(s\) x 2 = 2/);
    expect(() => u.token({ q: [0, 0], k: [0, 0], v: [0, 0.5] })).toThrow(/v\[1\] = 0\.5 is outside/);
  });
});
