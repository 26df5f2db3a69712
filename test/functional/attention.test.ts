// The attention unit's functional model (src/functional/attention.ts) computes exactly what the golden token model
// computes: outputs, spikes, positions, refusals and every counter, over random sequences, register changes and
// parameter sets (the co-simulated ones plus larger, realistic ones).
import { describe, expect, it } from 'vitest';
import { AttentionFunctional } from '../../src/functional/attention.js';
import { AttentionUnit } from '../../src/golden/attention.js';
import { dotWidth, thetaWidth, type AttentionSpec } from '../../src/spec/attention.js';
import { Rng, testSeed } from '../../src/util/random.js';
import { ATT_SETS } from '../../testbenches/attention_sets.js';
import { randomToken } from '../../testbenches/attention_cosim.js';

const BIG: Record<string, AttentionSpec> = {
  // a small-LM-like head layout: 8 query heads over 2 KV heads of 32, a 64-position cache
  gqa8x2: { context: 64, qHeads: 8, kvHeads: 2, headSize: 32, lanes: 8, qBits: 8, kBits: 8, vBits: 8, scoreBits: 14, expLutBits: 3, expFracBits: 10, recipBits: 24, outBits: 8, encVBits: 12, spikeLevels: 3, maxSteps: 8, positionBits: 12, counterBits: 32, policy: 'sliding' },
  // wide products: acc * r beyond 2^53, so normalization takes the exact BigInt path
  wide: { context: 48, qHeads: 2, kvHeads: 1, headSize: 16, lanes: 4, qBits: 16, kBits: 16, vBits: 16, scoreBits: 20, expLutBits: 4, expFracBits: 16, recipBits: 40, outBits: 16, encVBits: 20, spikeLevels: 7, maxSteps: 4, positionBits: 10, counterBits: 48, policy: 'error' },
};

describe.each(Object.entries({ ...ATT_SETS, ...BIG }))('functional attention = golden, %s', (name, p) => {
  it('outputs, spikes, positions, refusals and counters agree token by token', () => {
    const seed = testSeed(0xf00d + name.length);
    const rng = new Rng(seed);
    const golden = new AttentionUnit(p);
    const fast = new AttentionFunctional(p);
    const tokens = name in BIG ? 150 : 600;
    let refused = 0;
    for (let i = 0; i < tokens; i++) {
      if (rng.chance(0.05)) {
        const regs = { scoreShift: rng.int(0, dotWidth(p)), theta: rng.chance(0.1) ? 0 : rng.int(1, Math.min(2 ** thetaWidth(p) - 1, 2 ** (p.outBits - 1))), steps: rng.int(1, p.maxSteps) };
        Object.assign(golden, regs);
        fast.setRegisters(regs);
      }
      if (rng.chance(0.01)) {
        golden.clearCounters();
        golden.ctxError = false;
        fast.clearCounters();
      }
      const t = randomToken(p, rng, rng.chance(i === 0 ? 1 : name in BIG ? 0.004 : 0.04));
      const g = golden.token(t);
      const f = fast.token(t.q, t.k, t.v, t.seqStart);
      expect(f.refused, `${name} seed ${seed} token ${i}`).toBe(g.refused);
      if (g.refused) refused++;
      expect(f.pos).toBe(g.pos);
      expect(f.n).toBe(g.n);
      expect(Array.from(f.out)).toEqual(Array.from(g.out));
      expect(Array.from(f.spikes)).toEqual(Array.from(g.spikes));
      expect({ ...fast.counters }).toEqual({ ...golden.counters });
      expect([fast.len, fast.wr, fast.lastPos, fast.exhausted, fast.ctxError]).toEqual([golden.len, golden.wr, golden.lastPos, golden.exhausted, golden.ctxError]);
    }
    if (p.policy === 'error') expect(refused).toBeGreaterThan(0);
  });
});

describe('functional attention: bad input', () => {
  it('registers out of range and malformed tokens name the value, the range and the caller', () => {
    const f = new AttentionFunctional(ATT_SETS.mha!);
    expect(() => f.setRegisters({ steps: 0 })).toThrow(/register steps = 0 is outside 1\.\.4 \(at test\/functional\/attention\.test\.ts:\d+/);
    expect(() => f.token([1, 2], [], [])).toThrow(/q: 2 values, the unit takes 8/);
    expect(() => f.token(new Array(8).fill(40), new Array(8).fill(0), new Array(8).fill(0))).toThrow(/q\[0\] = 40 is outside the 6-bit signed range -32\.\.31/);
  });
});
