// The digital-softmax ablation of the attention op: the same KV cache of integer counts and the same scores as the
// attention unit, but float softmax weights (exp of the real scores) and a rounded float normalization — a "small
// digital softmax unit" to compare the unit's exp-LUT softmax against (docs/compiler.md, "Attention"). It counts the
// same structural events as the unit (tokenEvents: KV reads and writes, MACs, exps, reciprocals, encoder updates) so
// the energy model can price it, with float arithmetic where it computes in float (src/energy/chip-energy.ts).
import { ATT_COUNTERS, tokenEvents, type AttentionCounter, type AttentionSpec } from '../spec/attention.js';

export interface DigitalAttention {
  heads: number;
  kvHeads: number;
  headDim: number;
  context: number;
  /** real value of one unit of q . k, divided by sqrt(headDim) */
  scoreScale: number;
}

export class DigitalSoftmaxAttention {
  private readonly k: Int32Array[] = [];
  private readonly v: Int32Array[] = [];
  readonly counters = Object.fromEntries(ATT_COUNTERS.map((c) => [c, 0])) as Record<AttentionCounter, number>;
  /** spec: the attention unit this one stands in for (its widths, for the counted bits); T: the encoder's steps */
  constructor(
    readonly a: DigitalAttention,
    private readonly spec: AttentionSpec,
    private readonly T: number,
  ) {}

  token(q: Int32Array, k: Int32Array, v: Int32Array): Int32Array {
    const { heads, kvHeads, headDim: hd, context, scoreScale } = this.a;
    if (this.k.length >= context) throw new RangeError(`attention: position ${this.k.length} is beyond the KV cache of ${context} positions (chip attention.context)`);
    this.k.push(k.slice());
    this.v.push(v.slice());
    const n = this.k.length;
    const ev = tokenEvents(this.spec, n, this.T);
    for (const c of ATT_COUNTERS) this.counters[c] += ev[c];
    const group = heads / kvHeads;
    const out = new Int32Array(heads * hd);
    const e = new Float64Array(n);
    for (let h = 0; h < heads; h++) {
      const qo = h * hd;
      const ko = Math.floor(h / group) * hd;
      let m = -Infinity;
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q[qo + i]! * this.k[j]![ko + i]!;
        e[j] = dot * scoreScale;
        if (e[j]! > m) m = e[j]!;
      }
      let den = 0;
      for (let j = 0; j < n; j++) den += (e[j] = Math.exp(e[j]! - m));
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += e[j]! * this.v[j]![ko + i]!;
        out[qo + i] = Math.round(acc / den);
      }
    }
    return out;
  }
}
