// Pass: fold each norm's affine weights into the linear ops that read it: W' = W diag(gamma), b' = b + W beta, and the
// norm keeps only the normalization (the chip's norm unit has no weights). Exact in real arithmetic; in float the
// logits move by rounding only (test/compiler/passes.test.ts).
import { consumers, type IrOp, type LinearOp, type ModelIR } from '../ir.js';

export function foldNormAffine(ir: ModelIR): ModelIR {
  const ops: IrOp[] = ir.ops.map((o) => ({ ...o }));
  const byName = new Map(ops.map((o) => [o.name, o]));
  for (const op of ir.ops) {
    if (op.kind !== 'norm') continue;
    const users = consumers(ir, op.out);
    if (!users.length || users.some((u) => u.kind !== 'linear')) continue;
    for (const u of users as LinearOp[]) {
      const w = new Float32Array(u.w.length);
      const b = new Float32Array(u.dOut);
      for (let o = 0; o < u.dOut; o++) {
        let acc = u.b ? u.b[o]! : 0;
        for (let i = 0; i < u.dIn; i++) {
          const wi = u.w[o * u.dIn + i]!;
          w[o * u.dIn + i] = wi * op.w[i]!;
          if (op.b) acc += wi * op.b[i]!;
        }
        b[o] = acc;
      }
      const lin = byName.get(u.name) as LinearOp;
      lin.w = w;
      lin.b = u.b || op.b ? b : undefined;
    }
    const norm = byName.get(op.name) as IrOp & { kind: 'norm' };
    norm.w = new Float32Array(op.d).fill(1);
    norm.b = undefined;
  }
  return { ...ir, ops };
}
