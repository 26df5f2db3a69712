// Expression emission. Invariant: every emitted string has exactly the IR node's width and signedness when
// evaluated in a context of that width. Extension to a wider context goes through a size cast; a compound
// expression is first closed at its own width (`9'(...)`) so Verilog's context-determined widths can never
// change its value (and Verilator -Wall stays silent).
//
// A node that has a name (a wire declared with exactly the node's type, see share.ts) is written as that name.
// A name is a primary, so it satisfies the invariant trivially and is size-cast like a signal: `W'(name)`.
import type { Expr } from '../expr.js';
import { toBits } from '../types.js';

export interface Emitted {
  text: string;
  /** safe to size-cast directly (a name, literal, cast, slice, concat or system function) */
  prim: boolean;
}

export interface ExprName {
  name: string;
  /**
   * bit-selects of the name are fine (`name[7:4]`): a signal of the design, whose bits are all read anyway.
   * A backend-made wire is sliced by shifting instead, so that no bit of it reads as unused.
   */
  select: boolean;
}

/** Where the emitter asks which nodes are written as a name, and which are replaced by an equivalent node. */
export interface ExprNames {
  nameOf(e: Expr): ExprName | undefined;
  /** an equivalent node of the same type (a long concatenation regrouped), or undefined */
  replacement(e: Expr): Expr | undefined;
}

export function literal(value: bigint, width: number, signed: boolean): string {
  if (value >= 0n) return `${width}'${signed ? 's' : ''}d${value}`;
  return `${width}'${signed ? 's' : ''}h${toBits(value, width).toString(16)}`;
}

export class ExprEmitter {
  private memo = new Map<Expr, Emitted>();

  constructor(private readonly names?: ExprNames) {}

  /** Forgets the memoized text of `e`; called for a node whose operand got a name or a replacement. */
  forget(e: Expr): void {
    this.memo.delete(e);
  }

  /** The text of `e`. With `self`, `e` itself is written out even when it has a name (its own definition). */
  emit(e: Expr, self = false): Emitted {
    if (self) return this.structural(this.names?.replacement(e) ?? e);
    const named = this.names?.nameOf(e);
    if (named) return { text: named.name, prim: true };
    const hit = this.memo.get(e);
    if (hit) return hit;
    const r = this.structural(this.names?.replacement(e) ?? e);
    this.memo.set(e, r);
    return r;
  }

  /** `e` extended (by its own signedness) to `width` bits. */
  extend(e: Expr, width: number, self = false): string {
    if (e.width === width) return this.emit(e, self).text;
    if (e.node.kind === 'const') return literal(e.node.value, width, e.signed);
    const x = this.emit(e, self);
    return x.prim ? `${width}'(${x.text})` : `${width}'(${e.width}'(${x.text}))`;
  }

  private structural(e: Expr): Emitted {
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
            return { text: `(${this.extend(n.a, W)} ${op} ${this.extend(n.b, W)})`, prim: false };
          }
          case 'sub': {
            // exact difference; unsigned operands are zero-extended first, then read as signed
            const wrap = (x: Expr) => (x.signed ? this.extend(x, W) : `$signed(${this.extend(x, W)})`);
            return { text: `(${wrap(n.a)} - ${wrap(n.b)})`, prim: false };
          }
          case 'addw':
          case 'subw':
            return { text: `${W}'(${this.emit(n.a).text} ${n.op === 'addw' ? '+' : '-'} ${this.emit(n.b).text})`, prim: true };
          case 'and':
          case 'or':
          case 'xor': {
            const op = n.op === 'and' ? '&' : n.op === 'or' ? '|' : '^';
            return { text: `(${this.emit(n.a).text} ${op} ${this.emit(n.b).text})`, prim: false };
          }
          case 'eq':
          case 'ne':
          case 'lt':
          case 'le':
          case 'gt':
          case 'ge': {
            const op = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[n.op];
            const w = Math.max(n.a.width, n.b.width);
            return { text: `(${this.extend(n.a, w)} ${op} ${this.extend(n.b, w)})`, prim: false };
          }
          case 'shlv':
            return { text: `(${this.emit(n.a).text} << ${this.emit(n.b).text})`, prim: false };
          case 'shrv':
            return { text: `(${this.emit(n.a).text} ${n.a.signed ? '>>>' : '>>'} ${this.emit(n.b).text})`, prim: false };
        }
        break;
      }
      case 'unop': {
        // Yosys reads `~1'(x)` as a cast of size ~1 (an error): a size-cast operand of a unary operator is parenthesized
        const operand = () => {
          const t = this.emit(n.a).text;
          return /^\d/.test(t) ? `(${t})` : t;
        };
        switch (n.op) {
          case 'not':
            return { text: `(~${operand()})`, prim: false };
          case 'neg':
            return { text: `(-(${this.extend(n.a, W)}))`, prim: false };
          case 'redand':
            return { text: `(&${operand()})`, prim: false };
          case 'redor':
            return { text: `(|${operand()})`, prim: false };
          case 'redxor':
            return { text: `(^${operand()})`, prim: false };
        }
        break;
      }
      case 'shift': {
        if (n.op === 'shl') return { text: `(${this.extend(n.a, W)} << ${n.amount})`, prim: false };
        if (n.amount >= n.a.width) {
          // everything shifted out: the sign (signed) or zero (unsigned)
          return n.a.signed ? { text: `${W}'(${this.emit(n.a).text} >>> ${n.a.width - 1})`, prim: true } : { text: literal(0n, W, false), prim: true };
        }
        return { text: `${W}'(${this.emit(n.a).text} ${n.a.signed ? '>>>' : '>>'} ${n.amount})`, prim: true };
      }
      case 'mux':
        return { text: `(${this.emit(n.cond).text} ? ${this.emit(n.a).text} : ${this.emit(n.b).text})`, prim: false };
      case 'slice': {
        const named = n.a.node.kind === 'ref' ? { name: n.a.node.signal.name, select: true } : this.names?.nameOf(n.a);
        if (named?.select) {
          if (n.a.width === 1) return { text: named.name, prim: true };
          return { text: n.hi === n.lo ? `${named.name}[${n.hi}]` : `${named.name}[${n.hi}:${n.lo}]`, prim: true };
        }
        const inner = n.lo === 0 ? this.emit(n.a).text : `${this.emit(n.a).text} >> ${n.lo}`;
        const cast = `${W}'(${inner})`;
        return { text: n.a.signed ? `$unsigned(${cast})` : cast, prim: true };
      }
      case 'concat':
        return { text: `{${n.parts.map((p) => this.emit(p).text).join(', ')}}`, prim: true };
      case 'resize': {
        if (W > n.a.width) return { text: this.extend(n.a, W), prim: true };
        return { text: `${W}'(${this.emit(n.a).text})`, prim: true };
      }
      case 'reinterpret':
        return { text: `${e.signed ? '$signed' : '$unsigned'}(${this.emit(n.a).text})`, prim: true };
    }
    throw new Error(`unhandled expression node ${JSON.stringify(n)}`);
  }
}

/** `e` written out in full (no names). */
export function emitExpr(e: Expr): Emitted {
  return new ExprEmitter().emit(e);
}

/** `e` extended (by its own signedness) to `width` bits, written out in full. */
export function extend(e: Expr, width: number): string {
  return new ExprEmitter().extend(e, width);
}
