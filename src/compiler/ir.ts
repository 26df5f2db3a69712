// The compiler's model IR: a small graph of named ops over named per-token tensors, in execution order, built from a
// loaded model (src/lm: GPT-2, OPT and Llama families, HF safetensors or llama2.c). Every pass takes an IR and
// returns a new one; float-run.ts executes it in float (the dense-equivalent reference, and calibration).
import { ropeInvFreq, type Activation, type DenseLM, type LmConfig } from '../lm/model.js';

export interface LinearOp {
  kind: 'linear';
  name: string;
  input: string;
  out: string;
  /** [dOut, dIn] row-major, as the dense model holds it */
  w: Float32Array;
  b?: Float32Array;
  dIn: number;
  dOut: number;
  role: 'q' | 'k' | 'v' | 'o' | 'up' | 'gate' | 'down' | 'head';
  layer: number;
}

export type IrOp =
  | { kind: 'embedding'; name: string; out: string; tokEmb: Float32Array; posEmb?: Float32Array; posOffset: number; d: number }
  | { kind: 'norm'; name: string; input: string; out: string; norm: 'layernorm' | 'rmsnorm'; eps: number; w: Float32Array; b?: Float32Array; d: number; layer: number }
  | LinearOp
  | { kind: 'rope'; name: string; input: string; out: string; width: number; headDim: number; invFreq: Float64Array; layer: number }
  | { kind: 'attention'; name: string; q: string; k: string; v: string; out: string; heads: number; kvHeads: number; headDim: number; layer: number }
  | { kind: 'activation'; name: string; input: string; out: string; fn: Activation; d: number; layer: number }
  | { kind: 'mul'; name: string; a: string; b: string; out: string; d: number; layer: number }
  | { kind: 'residual'; name: string; input: string; add: string; out: string; d: number; layer: number };

export type IrOpKind = IrOp['kind'];

export interface ModelIR {
  /** the source model's configuration (shapes, family) */
  config: LmConfig;
  ops: IrOp[];
  /** the tensor holding the logits */
  logits: string;
  /** where the model came from, for the chip program's provenance */
  source: string;
}

/** Widths of every tensor the ops produce. */
export function tensorWidths(ir: ModelIR): Map<string, number> {
  const w = new Map<string, number>();
  for (const op of ir.ops) {
    switch (op.kind) {
      case 'embedding':
      case 'norm':
      case 'activation':
      case 'mul':
      case 'residual':
        w.set(op.out, op.d);
        break;
      case 'linear':
        w.set(op.out, op.dOut);
        break;
      case 'rope':
        w.set(op.out, op.width);
        break;
      case 'attention':
        w.set(op.out, op.heads * op.headDim);
        break;
    }
  }
  return w;
}

/** The IR of a loaded dense model; the weights are shared with it, not copied (passes copy what they change). */
export function irFromDense(lm: DenseLM, source: string): ModelIR {
  const c = lm.config;
  const w = lm.weights;
  const D = c.dModel;
  const hd = D / c.nHeads;
  const kvd = c.nKvHeads * hd;
  const ops: IrOp[] = [{ kind: 'embedding', name: 'embed', out: 'x0', tokEmb: w.tokEmb, posEmb: w.posEmb, posOffset: c.posOffset, d: D }];
  let x = 'x0';
  const lin = (layer: number, role: LinearOp['role'], input: string, out: string, l: { w: Float32Array; b?: Float32Array }, dIn: number, dOut: number): LinearOp => ({ kind: 'linear', name: `L${layer}.${role}`, input, out, w: l.w, b: l.b, dIn, dOut, role, layer });
  const invFreq = c.positions === 'rope' ? ropeInvFreq(hd, c.ropeTheta, c.ropeScaling) : undefined;
  for (let l = 0; l < c.nLayers; l++) {
    const L = w.layers[l]!;
    const p = `L${l}.`;
    ops.push({ kind: 'norm', name: `${p}attn_norm`, input: x, out: `${p}h1`, norm: c.norm, eps: c.normEps, w: L.attnNorm.w, b: L.attnNorm.b, d: D, layer: l });
    ops.push(lin(l, 'q', `${p}h1`, `${p}q`, L.q, D, D), lin(l, 'k', `${p}h1`, `${p}k`, L.k, D, kvd), lin(l, 'v', `${p}h1`, `${p}v`, L.v, D, kvd));
    let q = `${p}q`;
    let k = `${p}k`;
    if (invFreq) {
      ops.push({ kind: 'rope', name: `${p}rope_q`, input: q, out: `${p}q_rot`, width: D, headDim: hd, invFreq, layer: l });
      ops.push({ kind: 'rope', name: `${p}rope_k`, input: k, out: `${p}k_rot`, width: kvd, headDim: hd, invFreq, layer: l });
      q = `${p}q_rot`;
      k = `${p}k_rot`;
    }
    ops.push({ kind: 'attention', name: `${p}attn`, q, k, v: `${p}v`, out: `${p}att`, heads: c.nHeads, kvHeads: c.nKvHeads, headDim: hd, layer: l });
    ops.push(lin(l, 'o', `${p}att`, `${p}o`, L.o, D, D));
    ops.push({ kind: 'residual', name: `${p}res_attn`, input: x, add: `${p}o`, out: `${p}x_mid`, d: D, layer: l });
    ops.push({ kind: 'norm', name: `${p}ffn_norm`, input: `${p}x_mid`, out: `${p}h2`, norm: c.norm, eps: c.normEps, w: L.ffnNorm.w, b: L.ffnNorm.b, d: D, layer: l });
    ops.push(lin(l, 'up', `${p}h2`, `${p}up`, L.up, D, c.dFF));
    if (c.gated) {
      ops.push(lin(l, 'gate', `${p}h2`, `${p}gate`, L.gate!, D, c.dFF));
      ops.push({ kind: 'activation', name: `${p}act`, input: `${p}gate`, out: `${p}gate_act`, fn: c.activation, d: c.dFF, layer: l });
      ops.push({ kind: 'mul', name: `${p}glu`, a: `${p}gate_act`, b: `${p}up`, out: `${p}ff`, d: c.dFF, layer: l });
    } else ops.push({ kind: 'activation', name: `${p}act`, input: `${p}up`, out: `${p}ff`, fn: c.activation, d: c.dFF, layer: l });
    ops.push(lin(l, 'down', `${p}ff`, `${p}down`, L.down, c.dFF, D));
    ops.push({ kind: 'residual', name: `${p}res_ffn`, input: `${p}x_mid`, add: `${p}down`, out: `L${l + 1}.x`, d: D, layer: l });
    x = `L${l + 1}.x`;
  }
  ops.push({ kind: 'norm', name: 'final_norm', input: x, out: 'hf', norm: c.norm, eps: c.normEps, w: w.finalNorm.w, b: w.finalNorm.b, d: D, layer: c.nLayers });
  ops.push({ kind: 'linear', name: 'head', input: 'hf', out: 'logits', w: w.head, dIn: D, dOut: c.vocabSize, role: 'head', layer: c.nLayers });
  return { config: c, ops, logits: 'logits', source };
}

export function linears(ir: ModelIR): LinearOp[] {
  return ir.ops.filter((o): o is LinearOp => o.kind === 'linear');
}

/** The op producing `tensor`. */
export function producer(ir: ModelIR, tensor: string): IrOp | undefined {
  return ir.ops.find((o) => 'out' in o && o.out === tensor);
}

/** The ops reading `tensor`. */
export function consumers(ir: ModelIR, tensor: string): IrOp[] {
  return ir.ops.filter((o) => inputsOf(o).includes(tensor));
}

export function inputsOf(op: IrOp): string[] {
  switch (op.kind) {
    case 'embedding':
      return [];
    case 'attention':
      return [op.q, op.k, op.v];
    case 'mul':
      return [op.a, op.b];
    case 'residual':
      return [op.input, op.add];
    default:
      return [op.input];
  }
}
