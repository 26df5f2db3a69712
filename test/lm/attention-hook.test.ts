// The dense forward's softmax hook (src/lm/attention-hook.ts): unset, the forward is the default path bit for bit;
// with the exact softmax it gives the same logits (to float rounding); the attention unit's float softmax by hand.
import { describe, expect, it } from 'vitest';
import { exactSoftmax, unitSoftmax, type SoftmaxHook } from '../../src/lm/attention-hook.js';
import { loadModel } from '../../src/lm/load.js';

describe('softmax hook', () => {
  const { lm, tokenizer } = loadModel('models/sotu-gelu');
  const ids = tokenizer!.encode('Fellow-Citizens of the Senate and of the House of Representatives: among the vicissitudes incident to life');
  const run = () => lm.forward(ids, lm.newCache(ids.length));

  it('unset, the forward is bit-identical before and after a hooked run', () => {
    const before = run();
    lm.softmaxHook = exactSoftmax;
    run();
    lm.softmaxHook = undefined;
    expect(Buffer.from(run().buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('with the exact softmax the logits match the default path, and every row of every head and layer is seen', () => {
    const base = run();
    const seen = new Set<string>();
    let rows = 0;
    const record: SoftmaxHook = (x, off, n, layer, head) => {
      seen.add(`${layer}/${head}`);
      rows++;
      exactSoftmax(x, off, n, layer, head);
    };
    lm.softmaxHook = record;
    const hooked = run();
    lm.softmaxHook = undefined;
    let worst = 0;
    for (let i = 0; i < base.length; i++) worst = Math.max(worst, Math.abs(base[i]! - hooked[i]!));
    expect(worst).toBeLessThan(1e-4); // measured 2e-5 (float32 matmuls vs double sums)
    expect(seen.size).toBe(lm.config.nLayers * lm.config.nHeads);
    expect(rows).toBe(lm.config.nLayers * lm.config.nHeads * ids.length);
  });

  it('the unit softmax: s = floor(x log2(e) 2^f), e = LUT >> shift, p = e / sum(e)', () => {
    // f = 0, F = 8: x = 0, -1.5 ln2, -2.5 ln2 -> s = 0, -2, -3 -> e = 256, 64, 32
    const x = Float32Array.from([0, -1.5 * Math.LN2, -2.5 * Math.LN2, -20]);
    unitSoftmax(0, 8)(x, 0, 4, 0, 0);
    expect(Array.from(x)).toEqual([256 / 352, 64 / 352, 32 / 352, 0].map(Math.fround));
    // f = 2, F = 8: x = -1.3 ln2 -> s = floor(-5.2) = -6 -> d = 6 -> LUT[2] >> 1 = 90
    const y = Float32Array.from([0, -1.3 * Math.LN2]);
    unitSoftmax(2, 8)(y, 0, 2, 0, 0);
    expect(Array.from(y)).toEqual([256 / 346, 90 / 346].map(Math.fround));
  });
});
