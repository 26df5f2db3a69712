// Error analysis of one SNN run: where values hit their bounds (encoder and neuron counts at their largest level,
// residuals at the residual width, ADC conversions clipped, partial sums saturated), and the positions where the
// SNN's next-token distribution departs most from the dense model's.
import type { ChipProgram } from '../compiler/program.js';
import type { TextTokenizer } from '../lm/tokenizers/index.js';
import type { Fidelity } from '../runtime/fidelity.js';

export interface Saturation {
  tensor: string;
  kind: 'spike count' | 'count' | 'residual';
  /** values seen (per position and channel) and those at a bound of their range */
  values: number;
  atBound: number;
}

export interface AdcClipping {
  op: string;
  conversions: number;
  clipped: number;
  psumSaturated: number;
}

export interface WorstPosition {
  /** index of the predicted token in the evaluation ids */
  index: number;
  /** the text before it (up to 40 characters) and the token itself */
  context: string;
  target: string;
  denseNll: number;
  snnNll: number;
  kl: number;
}

export interface ErrorStats {
  saturation: Saturation[];
  adc: AdcClipping[];
  worst: WorstPosition[];
}

export function errorStats(p: ChipProgram) {
  const sat = new Map<string, Saturation>();
  const residuals = new Set(p.ops.filter((o) => o.kind === 'residual').map((o) => o.out));
  const rHi = 2 ** (p.chip.residualBits - 1) - 1;
  const T = p.chip.T;
  const entry = (tensor: string, kind: Saturation['kind']) => sat.get(tensor) ?? (sat.set(tensor, { tensor, kind, values: 0, atBound: 0 }), sat.get(tensor)!);
  const tap = (tensor: string, v: Int32Array | Int8Array, S: number) => {
    const info = p.tensors[tensor];
    if (!info) return;
    const d = info.width;
    if (residuals.has(tensor)) {
      const e = entry(tensor, 'residual');
      for (let i = 0; i < v.length; i++) if (v[i]! >= rHi || v[i]! <= -rHi - 1) e.atBound++;
      e.values += v.length;
      return;
    }
    if (!info.ideal) return;
    const { lo, hi } = info.ideal;
    if (v instanceof Int8Array) {
      // a spike tensor [S][T][d]: its count over the T steps against the ideal quantizer's range
      const e = entry(tensor, 'spike count');
      for (let s = 0; s < S; s++) {
        for (let c = 0; c < d; c++) {
          let n = 0;
          for (let t = 0; t < T; t++) n += v[(s * T + t) * d + c]!;
          if (n >= hi || (lo < 0 && n <= lo)) e.atBound++;
        }
      }
      e.values += S * d;
    } else {
      const e = entry(tensor, 'count');
      for (let i = 0; i < v.length; i++) if (v[i]! >= hi || (lo < 0 && v[i]! <= lo)) e.atBound++;
      e.values += v.length;
    }
  };
  const finish = (f: Fidelity, ids: readonly number[], tokenizer: TextTokenizer | undefined, worstN = 12): ErrorStats => {
    const adc: AdcClipping[] = [];
    for (const [op, c] of f.snnModel.tileCounters()) adc.push({ op, conversions: c.adc_conversions, clipped: c.adc_clipped, psumSaturated: c.psum_saturated });
    const text = (a: number, b: number) => (tokenizer ? tokenizer.decode(ids.slice(Math.max(0, a), b)) : ids.slice(Math.max(0, a), b).join(' '));
    const worst = [...(f.positions ?? [])]
      .sort((a, b) => b.kl - a.kl || a.index - b.index)
      .slice(0, worstN)
      .map((q) => ({ index: q.index, context: text(q.index - 40, q.index).slice(-40), target: text(q.index, q.index + 1), denseNll: q.dense, snnNll: q.snn, kl: q.kl }));
    return { saturation: [...sat.values()], adc, worst };
  };
  return { tap, finish };
}
