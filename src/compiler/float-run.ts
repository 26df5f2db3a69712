// Float execution of a model IR over one window of tokens starting at position 0 (as a perplexity window or a
// prefill runs). It is the dense-equivalent reference the passes are checked against, the source of calibration
// statistics (tap), and, with fake quantization at the coding points (transform), the quantized-dense model.
import { causalAttentionHead, gelu, headSlice, headStore, layerNorm, matmulABt, relu, rmsNorm } from '../lm/kernels.js';
import { activate } from '../lm/model.js';
import type { IrOp, ModelIR } from './ir.js';

export interface FloatRunHooks {
  /** sees every tensor an op produces: data [rows, width] */
  tap?: (tensor: string, data: Float32Array, rows: number, width: number, op: IrOp) => void;
  /** may change a produced tensor in place before its consumers read it (fake quantization) */
  transform?: (tensor: string, data: Float32Array, rows: number, width: number, op: IrOp) => void;
}

/** Runs the IR on `tokens` (positions 0..S-1); returns the logits [S, vocab]. */
export function runFloat(ir: ModelIR, tokens: ArrayLike<number>, hooks: FloatRunHooks = {}): Float32Array {
  const S = tokens.length;
  const t = new Map<string, Float32Array>();
  for (const op of ir.ops) {
    const out = execOp(op, t, tokens, S);
    const width = out.length / S;
    hooks.transform?.(op.out, out, S, width, op);
    hooks.tap?.(op.out, out, S, width, op);
    t.set(op.out, out);
  }
  return t.get(ir.logits)!;
}

/**
 * Runs the IR ops after the one producing `from` up to the one producing `to`, on `input` [S, width] as `from`
 * (positions 0..S-1): one part of the model in float, fed from elsewhere (error analysis). The part may read only
 * `from` and what it produces itself, and no token ids (it starts after the embedding).
 */
export function runFloatSegment(ir: ModelIR, from: string, to: string, input: Float32Array, S: number): Float32Array {
  const first = ir.ops.findIndex((o) => o.out === from);
  const last = ir.ops.findIndex((o) => o.out === to);
  if (first < 0 || last <= first) throw new Error(`runFloatSegment: no IR segment from '${from}' to '${to}'`);
  const t = new Map<string, Float32Array>([[from, input]]);
  for (const op of ir.ops.slice(first + 1, last + 1)) {
    if (op.kind === 'embedding') throw new Error(`runFloatSegment: the segment from '${from}' includes the embedding`);
    t.set(op.out, execOp(op, t, [], S));
  }
  return t.get(to)!;
}

function get(t: Map<string, Float32Array>, name: string): Float32Array {
  const x = t.get(name);
  if (!x) throw new Error(`IR tensor '${name}' is read before it is produced`);
  return x;
}

function execOp(op: IrOp, t: Map<string, Float32Array>, tokens: ArrayLike<number>, S: number): Float32Array {
  switch (op.kind) {
    case 'embedding': {
      const D = op.d;
      const x = new Float32Array(S * D);
      for (let s = 0; s < S; s++) {
        x.set(op.tokEmb.subarray(tokens[s]! * D, (tokens[s]! + 1) * D), s * D);
        if (op.posEmb) for (let i = 0; i < D; i++) x[s * D + i]! += op.posEmb[(s + op.posOffset) * D + i]!;
      }
      return x;
    }
    case 'norm': {
      const out = new Float32Array(S * op.d);
      if (op.norm === 'rmsnorm') rmsNorm(out, get(t, op.input), op.w, S, op.d, op.eps);
      else layerNorm(out, get(t, op.input), op.w, op.b ?? null, S, op.d, op.eps);
      return out;
    }
    case 'linear': {
      const out = new Float32Array(S * op.dOut);
      matmulABt(out, get(t, op.input), op.w, S, op.dIn, op.dOut, op.b);
      return out;
    }
    case 'rope': {
      const out = Float32Array.from(get(t, op.input));
      for (let s = 0; s < S; s++) {
        for (let i = 0; i < op.width; i += 2) {
          const a = s * op.invFreq[(i % op.headDim) / 2]!;
          const c = Math.cos(a);
          const si = Math.sin(a);
          const o = s * op.width + i;
          const x0 = out[o]!;
          const x1 = out[o + 1]!;
          out[o] = x0 * c - x1 * si;
          out[o + 1] = x0 * si + x1 * c;
        }
      }
      return out;
    }
    case 'attention': {
      const hd = op.headDim;
      const D = op.heads * hd;
      const kvd = op.kvHeads * hd;
      const group = op.heads / op.kvHeads;
      const q = get(t, op.q);
      const k = get(t, op.k);
      const v = get(t, op.v);
      const out = new Float32Array(S * D);
      const qh = new Float32Array(S * hd);
      const kh = new Float32Array(S * hd);
      const vh = new Float32Array(S * hd);
      const yh = new Float32Array(S * hd);
      const scores = new Float32Array(S * S);
      for (let g = 0; g < op.kvHeads; g++) {
        headSlice(kh, k, 0, S, kvd, g * hd, hd);
        headSlice(vh, v, 0, S, kvd, g * hd, hd);
        for (let h = g * group; h < (g + 1) * group; h++) {
          headSlice(qh, q, 0, S, D, h * hd, hd);
          causalAttentionHead(yh, qh, kh, vh, S, S, hd, scores, scores);
          headStore(out, yh, 0, S, D, h * hd, hd);
        }
      }
      return out;
    }
    case 'activation': {
      const x = get(t, op.input);
      const out = new Float32Array(x.length);
      if (op.fn === 'relu') relu(out, x, x.length);
      else if (op.fn === 'gelu_new') gelu(out, x, x.length);
      else for (let i = 0; i < x.length; i++) out[i] = activate(op.fn, x[i]!);
      return out;
    }
    case 'mul': {
      const a = get(t, op.a);
      const b = get(t, op.b);
      const out = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
      return out;
    }
    case 'residual': {
      const a = get(t, op.input);
      const b = get(t, op.add);
      const out = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
      return out;
    }
  }
}
