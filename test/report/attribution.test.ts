// Per-layer attribution (src/report/attribution.ts): a sublayer run in float on the SNN's residual stream. With every
// sublayer in float the hybrid is the dense model up to the residual stream's rounding; with none it is the SNN.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP } from '../../src/compiler/chip-config.js';
import { compileModel } from '../../src/compiler/compile.js';
import { irFromDense } from '../../src/compiler/ir.js';
import { tokenStream } from '../../src/compiler/token-stream.js';
import { loadModel } from '../../src/lm/load.js';
import { floatSegments, segments } from '../../src/report/attribution.js';
import { fidelity } from '../../src/runtime/fidelity.js';
import { SnnModel } from '../../src/runtime/snn.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

describe('per-layer attribution', () => {
  const dir = path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'gpt2-tiny');
  const { lm } = loadModel(dir, { tokenizerOptional: true });
  const chip = { ...DEFAULT_CHIP, tile: { ...DEFAULT_CHIP.tile, rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 } };
  const cal = tokenStream(lm, undefined, 'generated:1', 256).ids;
  const ids = tokenStream(lm, undefined, 'generated:2', 2 * lm.config.maxSeq).ids;
  const p = compileModel(lm, dir, chip, { calibration: cal, adcTokens: 64 });
  const ir = irFromDense(lm, dir);
  const segs = segments(p);
  const o = { context: lm.config.maxSeq, stride: lm.config.maxSeq - 1, quantized: false };

  it('names each layer\'s attention and FFN sublayer and the head, residual to residual', () => {
    expect(segs.map((s) => s.label)).toEqual([...Array.from({ length: lm.config.nLayers }, (_, i) => [`L${i} attention`, `L${i} FFN`]).flat(), 'head']);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.from).toBe(segs[i - 1]!.to);
  });

  it('every sublayer in float: the dense model, up to the residual rounding', () => {
    const snn = fidelity(lm, p, ids, o);
    const f = fidelity(lm, p, ids, { ...o, hooks: { override: floatSegments(p, ir, segs) } });
    expect(snn.meanKl).toBeGreaterThan(1e-4);
    expect(f.meanKl).toBeLessThan(1e-6);
    expect(Math.abs(f.deltaPpl)).toBeLessThan(0.01);
    expect(f.top1Agreement).toBe(1);
  });

  it('no sublayer in float: the SNN exactly; one in float changes the logits', () => {
    const a = new SnnModel(p).windowLogits(ids.slice(0, lm.config.maxSeq));
    const b = new SnnModel(p, undefined, { override: floatSegments(p, ir, []) }).windowLogits(ids.slice(0, lm.config.maxSeq));
    expect(b).toEqual(a);
    const c = new SnnModel(p, undefined, { override: floatSegments(p, ir, [segs[0]!]) }).windowLogits(ids.slice(0, lm.config.maxSeq));
    expect(c).not.toEqual(a);
  });
});
