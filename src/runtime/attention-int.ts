// The digital-softmax ablation of the attention op: the same KV cache of integer counts and the same scores as the
// attention unit, but float softmax weights (exp of the real scores) and a rounded float normalization — a "small
// digital softmax unit" to compare the unit's exp-LUT softmax against (docs/compiler.md, "Attention").
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
  constructor(readonly a: DigitalAttention) {}

  token(q: Int32Array, k: Int32Array, v: Int32Array): Int32Array {
    const { heads, kvHeads, headDim: hd, context, scoreScale } = this.a;
    if (this.k.length >= context) throw new RangeError(`attention: position ${this.k.length} is beyond the KV cache of ${context} positions (chip attention.context)`);
    this.k.push(k.slice());
    this.v.push(v.slice());
    const n = this.k.length;
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
