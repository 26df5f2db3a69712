// A reference evaluator for IR expressions: the value an expression has for given signal values, computed with
// bigints straight from the DSL's semantics (not from the Verilog). Tests compare Verilator against it.
import type { Expr, Signal } from '../expr.js';
import { fromBits, toBits } from '../types.js';

export type Env = Map<Signal, bigint>;

const norm = (e: Expr, v: bigint) => fromBits(toBits(v, e.width), e.type);

export function evalExpr(e: Expr, env: Env): bigint {
  const n = e.node;
  const ev = (x: Expr) => evalExpr(x, env);
  switch (n.kind) {
    case 'const':
      return n.value;
    case 'ref': {
      const v = env.get(n.signal);
      if (v === undefined) throw new Error(`no value for signal '${n.signal.name}'`);
      return norm(e, v);
    }
    case 'unop': {
      const a = ev(n.a);
      if (n.op === 'not') return norm(e, ~a);
      if (n.op === 'neg') return -a;
      const bits = toBits(a, n.a.width);
      const all = (1n << BigInt(n.a.width)) - 1n;
      if (n.op === 'redand') return bits === all ? 1n : 0n;
      if (n.op === 'redor') return bits !== 0n ? 1n : 0n;
      let p = 0n;
      for (let x = bits; x; x >>= 1n) p ^= x & 1n;
      return p;
    }
    case 'binop': {
      const a = ev(n.a);
      const b = ev(n.b);
      switch (n.op) {
        case 'add':
          return a + b;
        case 'sub':
          return a - b;
        case 'mul':
          return a * b;
        case 'addw':
          return norm(e, a + b);
        case 'subw':
          return norm(e, a - b);
        case 'and':
          return norm(e, a & b);
        case 'or':
          return norm(e, a | b);
        case 'xor':
          return norm(e, a ^ b);
        case 'eq':
          return a === b ? 1n : 0n;
        case 'ne':
          return a !== b ? 1n : 0n;
        case 'lt':
          return a < b ? 1n : 0n;
        case 'le':
          return a <= b ? 1n : 0n;
        case 'gt':
          return a > b ? 1n : 0n;
        case 'ge':
          return a >= b ? 1n : 0n;
        case 'shlv':
          return norm(e, a << b);
        case 'shrv':
          return norm(e, a >> b); // bigint >> is arithmetic: right for signed, and unsigned values are >= 0
      }
      break;
    }
    case 'shift':
      return n.op === 'shl' ? ev(n.a) << BigInt(n.amount) : norm(e, ev(n.a) >> BigInt(n.amount));
    case 'mux':
      return ev(n.cond) ? ev(n.a) : ev(n.b);
    case 'slice':
      return (toBits(ev(n.a), n.a.width) >> BigInt(n.lo)) & ((1n << BigInt(n.hi - n.lo + 1)) - 1n);
    case 'concat': {
      let v = 0n;
      for (const p of n.parts) v = (v << BigInt(p.width)) | toBits(ev(p), p.width);
      return v;
    }
    case 'resize':
      return norm(e, ev(n.a));
    case 'reinterpret':
      return fromBits(toBits(ev(n.a), n.a.width), e.type);
  }
  throw new Error(`unhandled node ${(n as { kind: string }).kind}`);
}
