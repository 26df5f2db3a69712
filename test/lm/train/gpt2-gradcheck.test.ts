// Finite-difference gradient check of the explicit backward pass (every parameter tensor, both activations).
import { afterAll, describe, expect, it } from 'vitest';
import { forceKernel } from '../../../src/lm/kernels.js';

afterAll(() => forceKernel('auto'));
import { Gpt2Trainer, initParams, paramShapes, type ParamName } from '../../../src/lm/train/gpt2.js';
import { Rng } from '../../../src/util/random.js';

describe.each([['gelu', 'js'], ['relu', 'js'], ['gelu', 'wasm'], ['relu', 'wasm']] as const)('GPT-2 backward (%s, %s kernels) matches central finite differences', (activation, kernel) => {
  it('on a sample of every parameter tensor', () => {
    forceKernel(kernel);
    const cfg = { vocabSize: 13, maxSeq: 6, nLayers: 2, nHeads: 2, dModel: 8, dFF: 12, activation };
    const rng = new Rng(1234);
    const m = new Gpt2Trainer(cfg, 2, 5);
    initParams(m.params, () => rng.next());
    // larger weights than the 0.02 init, so every path carries a measurable gradient
    for (let i = 0; i < m.params.flat.length; i++) m.params.flat[i]! += (rng.next() - 0.5) * 0.6;
    const inp = Int32Array.from({ length: 10 }, () => rng.int(0, 12));
    const tgt = Int32Array.from({ length: 10 }, () => rng.int(0, 12));
    m.forward(inp, tgt);
    m.zeroGrad();
    m.backward(inp, tgt);
    const analytic = Float32Array.from(m.grads.flat);
    const eps = 1e-2;
    let worst = 0;
    let checked = 0;
    for (const [name] of paramShapes(cfg)) {
      const [a, b] = m.params.offsets[name as ParamName];
      for (let s = 0; s < 6; s++) {
        const i = a + Math.floor(rng.next() * (b - a));
        const keep = m.params.flat[i]!;
        m.params.flat[i] = keep + eps;
        const lp = m.forward(inp, tgt);
        m.params.flat[i] = keep - eps;
        const lm = m.forward(inp, tgt);
        m.params.flat[i] = keep;
        const numeric = (lp - lm) / (2 * eps);
        const err = Math.abs(numeric - analytic[i]!) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]!));
        worst = Math.max(worst, err);
        checked++;
        expect(err, `${name}[${i - a}]: numeric ${numeric}, analytic ${analytic[i]}`).toBeLessThan(2e-2);
      }
    }
    expect(checked).toBe(16 * 6);
    console.log(`${activation}/${kernel}: worst relative error ${worst.toExponential(2)} over ${checked} parameters`);
  });
});
