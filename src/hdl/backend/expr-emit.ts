// Expression emission. Invariant: every emitted string has exactly the IR node's width and signedness when
// evaluated in a context of that width. Extension to a wider context goes through a size cast; a compound
// expression is first closed at its own width (`9'(...)`) so Verilog's context-determined widths can never
// change its value (and Verilator -Wall stays silent).
import type { Expr } from '../expr.js';
import { toBits } from '../types.js';

interface Emitted {
  text: string;
  /** safe to size-cast directly (a name, literal, cast, slice, concat or system function) */
  prim: boolean;
}

export function literal(value: bigint, width: number, signed: boolean): string {
  if (value >= 0n) return `${width}'${signed ? 's' : ''}d${value}`;
  return `${width}'${signed ? 's' : ''}h${toBits(value, width).toString(16)}`;
}

/** `e` extended (by its own signedness) to `width` bits. */
export function extend(e: Expr, width: number): string {
  if (e.width === width) return emitExpr(e).text;
  if (e.node.kind === 'const') return literal(e.node.value, width, e.signed);
  const x = emit(e);
  return x.prim ? `${width}'(${x.text})` : `${width}'(${e.width}'(${x.text}))`;
}

export function emitExpr(e: Expr): Emitted {
  return emit(e);
}

function emit(e: Expr): Emitted {
  const n = e.node;
  const W = e.width;
  switch (n.kind) {
    case 'const':
      return { text: literal(n.value, W, e.signed), prim: true };
    case 'ref':
      return { text: n.signal.name, prim: true };
    case 'binop': {
      switch (n.op) {
        case 'add':
        case 'mul': {
          const op = n.op === 'add' ? '+' : '*';
          return { text: `(${extend(n.a, W)} ${op} ${extend(n.b, W)})`, prim: false };
        }
        case 'sub': {
          // exact difference; unsigned operands are zero-extended first, then read as signed
          const wrap = (x: Expr) => (x.signed ? extend(x, W) : `$signed(${extend(x, W)})`);
          return { text: `(${wrap(n.a)} - ${wrap(n.b)})`, prim: false };
        }
        case 'addw':
        case 'subw':
          return { text: `${W}'(${emit(n.a).text} ${n.op === 'addw' ? '+' : '-'} ${emit(n.b).text})`, prim: true };
        case 'and':
        case 'or':
        case 'xor': {
          const op = n.op === 'and' ? '&' : n.op === 'or' ? '|' : '^';
          return { text: `(${emit(n.a).text} ${op} ${emit(n.b).text})`, prim: false };
        }
        case 'eq':
        case 'ne':
        case 'lt':
        case 'le':
        case 'gt':
        case 'ge': {
          const op = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[n.op];
          const w = Math.max(n.a.width, n.b.width);
          return { text: `(${extend(n.a, w)} ${op} ${extend(n.b, w)})`, prim: false };
        }
        case 'shlv':
          return { text: `(${emit(n.a).text} << ${emit(n.b).text})`, prim: false };
        case 'shrv':
          return { text: `(${emit(n.a).text} ${n.a.signed ? '>>>' : '>>'} ${emit(n.b).text})`, prim: false };
      }
      break;
    }
    case 'unop': {
      switch (n.op) {
        case 'not':
          return { text: `(~${emit(n.a).text})`, prim: false };
        case 'neg':
          return { text: `(-(${extend(n.a, W)}))`, prim: false };
        case 'redand':
          return { text: `(&${emit(n.a).text})`, prim: false };
        case 'redor':
          return { text: `(|${emit(n.a).text})`, prim: false };
        case 'redxor':
          return { text: `(^${emit(n.a).text})`, prim: false };
      }
      break;
    }
    case 'shift': {
      if (n.op === 'shl') return { text: `(${extend(n.a, W)} << ${n.amount})`, prim: false };
      if (n.amount >= n.a.width) {
        // everything shifted out: the sign (signed) or zero (unsigned)
        return n.a.signed ? { text: `${W}'(${emit(n.a).text} >>> ${n.a.width - 1})`, prim: true } : { text: literal(0n, W, false), prim: true };
      }
      return { text: `${W}'(${emit(n.a).text} ${n.a.signed ? '>>>' : '>>'} ${n.amount})`, prim: true };
    }
    case 'mux':
      return { text: `(${emit(n.cond).text} ? ${emit(n.a).text} : ${emit(n.b).text})`, prim: false };
    case 'slice': {
      if (n.a.node.kind === 'ref') {
        const name = n.a.node.signal.name;
        if (n.a.width === 1) return { text: name, prim: true };
        return { text: n.hi === n.lo ? `${name}[${n.hi}]` : `${name}[${n.hi}:${n.lo}]`, prim: true };
      }
      const inner = n.lo === 0 ? emit(n.a).text : `${emit(n.a).text} >> ${n.lo}`;
      const cast = `${W}'(${inner})`;
      return { text: n.a.signed ? `$unsigned(${cast})` : cast, prim: true };
    }
    case 'concat':
      return { text: `{${n.parts.map((p) => emit(p).text).join(', ')}}`, prim: true };
    case 'resize': {
      if (W > n.a.width) return { text: extend(n.a, W), prim: true };
      return { text: `${W}'(${emit(n.a).text})`, prim: true };
    }
    case 'reinterpret':
      return { text: `${e.signed ? '$signed' : '$unsigned'}(${emit(n.a).text})`, prim: true };
  }
  throw new Error(`unhandled expression node ${JSON.stringify(n)}`);
}
