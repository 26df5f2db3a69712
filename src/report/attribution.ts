// Per-layer error attribution: one part of the model (an attention or FFN sublayer, or the head) run back in float
// while the rest stays on the chip functional model. The part takes the SNN's integer residual stream (dequantized
// at its scale), runs the model's own float ops, and hands its result back at the next residual's scale; the
// perplexity it recovers is the error that part contributes on the chip.
import type { ChipProgram, ProgOp } from '../compiler/program.js';
import { runFloatSegment } from '../compiler/float-run.js';
import type { ModelIR } from '../compiler/ir.js';
import type { OpOverride } from '../runtime/snn.js';

export interface Segment {
  /** e.g. "L0 attention", "L2 FFN", "head" */
  label: string;
  /** the residual tensor read (its IR and program names agree) and the tensor produced */
  from: string;
  to: string;
}

/** The model's sublayers in order: each layer's attention and FFN (residual to residual), then the head. */
export function segments(p: ChipProgram): Segment[] {
  const out: Segment[] = [];
  let from = p.ops.find((o) => o.kind === 'embed')!.out;
  for (const op of p.ops) {
    if (op.kind !== 'residual') continue;
    const m = /^L(\d+)\.res_(attn|ffn)$/.exec(op.name);
    out.push({ label: m ? `L${m[1]} ${m[2] === 'attn' ? 'attention' : 'FFN'}` : op.name, from, to: op.out });
    from = op.out;
  }
  const logits = p.ops.find((o) => o.kind === 'logits');
  if (!logits || logits.kind !== 'logits') throw new Error('attribution: the program has no logits op');
  out.push({ label: 'head', from, to: logits.input });
  return out;
}

/** The override that runs every segment of `segs` in float (none may overlap another). */
export function floatSegments(p: ChipProgram, ir: ModelIR, segs: readonly Segment[]): OpOverride {
  const fs = segs.map((s) => floatSegment(p, ir, s));
  return (op, vals, S) => {
    for (const f of fs) {
      const r = f(op, vals, S);
      if (r) return r;
    }
    return undefined;
  };
}

/**
 * The override that runs `seg` in float (ir: the model's float IR, whose tensor names the program's residual and
 * logit tensors share; segments start after the embedding, so no token ids are needed). Ops between the segment's ends are skipped (their outputs are read only inside it).
 */
export function floatSegment(p: ChipProgram, ir: ModelIR, seg: Segment): OpOverride {
  const first = p.ops.findIndex((o) => o.out === seg.from);
  const last = p.ops.findIndex((o) => o.out === seg.to);
  if (first < 0 || last <= first) throw new Error(`attribution: no program segment from '${seg.from}' to '${seg.to}'`);
  const inside = new Set(p.ops.slice(first + 1, last + 1).map((o) => o.out));
  const hi = 2 ** (p.chip.residualBits - 1) - 1;
  return (op: ProgOp, vals, S) => {
    if (!inside.has(op.out)) return undefined;
    if (op.out !== seg.to) return new Int32Array(0);
    const x = vals.get(seg.from) as Int32Array;
    const sIn = p.tensors[seg.from]!.scale;
    const y = runFloatSegment(ir, seg.from, seg.to, Float32Array.from(x, (v) => v * sIn), S);
    const sOut = p.tensors[seg.to]!.scale;
    const lim = seg.label === 'head' ? 2 ** 31 - 1 : hi;
    const out = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = Math.max(-lim - 1, Math.min(lim, Math.round(y[i]! / sOut)));
    if (out.length !== S * p.tensors[seg.to]!.width) throw new Error(`attribution: ${seg.label} gives ${out.length} values for ${S} x ${p.tensors[seg.to]!.width}`);
    return out;
  };
}
