// Expressions and signals: the IR's value graph. Every operator infers its result type exactly
// (add grows one bit, multiply sums widths); nothing truncates unless asked to.
import { makeDiagnostic, report, type CodeKey } from './diagnostics.js';
import { captureLoc, type SrcLoc } from './srcloc.js';
import { Bool, fits, minWidth, SInt, typeName, UInt, type HdlType } from './types.js';

export type ExprLike = Expr | number | bigint | boolean;

export type BinOp =
  | 'add' | 'sub' | 'mul' | 'addw' | 'subw'
  | 'and' | 'or' | 'xor'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  | 'shlv' | 'shrv';
export type UnOp = 'not' | 'neg' | 'redand' | 'redor' | 'redxor';

export type ExprNode =
  | { kind: 'const'; value: bigint }
  | { kind: 'ref'; signal: Signal }
  | { kind: 'unop'; op: UnOp; a: Expr }
  | { kind: 'binop'; op: BinOp; a: Expr; b: Expr }
  | { kind: 'shift'; op: 'shl' | 'shr'; a: Expr; amount: number }
  | { kind: 'mux'; cond: Expr; a: Expr; b: Expr }
  | { kind: 'slice'; a: Expr; hi: number; lo: number }
  | { kind: 'concat'; parts: Expr[] }
  | { kind: 'resize'; a: Expr }
  | { kind: 'reinterpret'; a: Expr };

function diag(key: CodeKey, message: string, loc: SrcLoc | undefined): void {
  report(makeDiagnostic(key, message, loc));
}

export class Expr {
  readonly loc: SrcLoc | undefined;
  constructor(
    readonly type: HdlType,
    readonly node: ExprNode,
    /** where the user made it (default: captured now); null for none (constants: see lit) */
    loc?: SrcLoc | null,
  ) {
    this.loc = loc === null ? undefined : (loc ?? captureLoc());
  }

  get width(): number {
    return this.type.width;
  }
  get signed(): boolean {
    return this.type.signed;
  }

  // ---- arithmetic (exact: the result type holds every possible result) ----
  add(b: ExprLike): Expr {
    const [x, y] = pair(this, b, 'add');
    return new Expr({ signed: x.signed, width: Math.max(x.width, y.width) + 1 }, { kind: 'binop', op: 'add', a: x, b: y });
  }
  /** Exact difference. unsigned − unsigned gives a signed result one bit wider, so no value is lost. */
  sub(b: ExprLike): Expr {
    const [x, y] = pair(this, b, 'sub');
    return new Expr(SInt(Math.max(x.width, y.width) + 1), { kind: 'binop', op: 'sub', a: x, b: y });
  }
  mul(b: ExprLike): Expr {
    const [x, y] = pair(this, b, 'mul');
    return new Expr({ signed: x.signed, width: x.width + y.width }, { kind: 'binop', op: 'mul', a: x, b: y });
  }
  /** Wrapping add: both operands of one width, result of that width (modulo 2^w). */
  addWrap(b: ExprLike): Expr {
    const [x, y] = pair(this, b, 'addWrap', true);
    return new Expr(x.type, { kind: 'binop', op: 'addw', a: x, b: y });
  }
  subWrap(b: ExprLike): Expr {
    const [x, y] = pair(this, b, 'subWrap', true);
    return new Expr(x.type, { kind: 'binop', op: 'subw', a: x, b: y });
  }
  /** Exact negation: one bit wider, signed. */
  neg(): Expr {
    const a = this.signed ? this : this.toSigned();
    return new Expr(SInt(a.width + 1), { kind: 'unop', op: 'neg', a });
  }

  // ---- bitwise (operands must have one width) ----
  and(b: ExprLike): Expr {
    return this.bitwise('and', b);
  }
  or(b: ExprLike): Expr {
    return this.bitwise('or', b);
  }
  xor(b: ExprLike): Expr {
    return this.bitwise('xor', b);
  }
  not(): Expr {
    return new Expr(this.type, { kind: 'unop', op: 'not', a: this });
  }
  private bitwise(op: 'and' | 'or' | 'xor', b: ExprLike): Expr {
    const [x, y] = pair(this, b, op, true);
    return new Expr(x.type, { kind: 'binop', op, a: x, b: y });
  }
  orReduce(): Expr {
    return new Expr(Bool, { kind: 'unop', op: 'redor', a: this });
  }
  andReduce(): Expr {
    return new Expr(Bool, { kind: 'unop', op: 'redand', a: this });
  }
  xorReduce(): Expr {
    return new Expr(Bool, { kind: 'unop', op: 'redxor', a: this });
  }

  // ---- comparisons (operands extended to a common width; signedness must match) ----
  eq(b: ExprLike): Expr {
    return this.cmp('eq', b);
  }
  ne(b: ExprLike): Expr {
    return this.cmp('ne', b);
  }
  lt(b: ExprLike): Expr {
    return this.cmp('lt', b);
  }
  le(b: ExprLike): Expr {
    return this.cmp('le', b);
  }
  gt(b: ExprLike): Expr {
    return this.cmp('gt', b);
  }
  ge(b: ExprLike): Expr {
    return this.cmp('ge', b);
  }
  private cmp(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', b: ExprLike): Expr {
    const [x, y] = pair(this, b, op);
    return new Expr(Bool, { kind: 'binop', op, a: x, b: y });
  }

  // ---- shifts ----
  /** Shift left by a constant: grows by `n` bits, nothing is lost. */
  shl(n: number): Expr {
    checkAmount(n, this);
    return new Expr({ signed: this.signed, width: this.width + n }, { kind: 'shift', op: 'shl', a: this, amount: n });
  }
  /** Shift right by a constant (arithmetic when signed): shrinks by `n` bits. */
  shr(n: number): Expr {
    checkAmount(n, this);
    const width = Math.max(1, this.width - n);
    return new Expr({ signed: this.signed, width }, { kind: 'shift', op: 'shr', a: this, amount: n });
  }
  /** Shift left by a signal, keeping the width (bits shifted out are lost by design). */
  shlVar(amount: Expr): Expr {
    return new Expr(this.type, { kind: 'binop', op: 'shlv', a: this, b: unsignedAmount(amount) });
  }
  /** Shift right by a signal, keeping the width (arithmetic when signed). */
  shrVar(amount: Expr): Expr {
    return new Expr(this.type, { kind: 'binop', op: 'shrv', a: this, b: unsignedAmount(amount) });
  }

  // ---- bits ----
  /** Bits hi..lo (inclusive), unsigned. */
  slice(hi: number, lo: number): Expr {
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width) {
      diag('BAD_SLICE', `slice [${hi}:${lo}] of a ${typeName(this.type)} value`, captureLoc());
      return new Expr(UInt(1), { kind: 'const', value: 0n });
    }
    if (lo === 0 && hi === this.width - 1) return this.asUnsigned();
    return new Expr(UInt(hi - lo + 1), { kind: 'slice', a: this, hi, lo });
  }
  bit(i: number): Expr {
    return this.slice(i, i);
  }
  msb(): Expr {
    return this.bit(this.width - 1);
  }
  /** Explicit width change: sign- or zero-extends (by the value's signedness) or truncates. */
  resize(width: number): Expr {
    const t = { signed: this.signed, width };
    return width === this.width ? this : new Expr(t, { kind: 'resize', a: this });
  }
  /** Explicit truncation to fewer (or equal) bits. */
  truncate(width: number): Expr {
    if (width > this.width) {
      diag('WIDTH_MISMATCH', `truncate(${width}) of a ${typeName(this.type)} value would widen it`, captureLoc());
    }
    return this.resize(width);
  }
  /** Same bits read as signed. */
  asSigned(): Expr {
    return this.signed ? this : new Expr(SInt(this.width), { kind: 'reinterpret', a: this });
  }
  /** Same bits read as unsigned. */
  asUnsigned(): Expr {
    return this.signed ? new Expr(UInt(this.width), { kind: 'reinterpret', a: this }) : this;
  }
  /** Value-preserving conversion to signed (zero-extends an unsigned value by one bit first). */
  toSigned(): Expr {
    return this.signed ? this : this.resize(this.width + 1).asSigned();
  }
}

function checkAmount(n: number, e: Expr): void {
  if (!Number.isInteger(n) || n < 0) diag('BAD_SLICE', `shift amount must be a non-negative integer, got ${n} (value ${typeName(e.type)})`, captureLoc());
}

function unsignedAmount(a: Expr): Expr {
  if (a.signed) diag('SIGN_MISMATCH', `a variable shift amount must be unsigned, got ${typeName(a.type)}`, captureLoc());
  return a;
}


/** A constant of the given type, checked to fit. */
export function lit(value: number | bigint | boolean, type?: HdlType): Expr {
  const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
  const t = type ?? (typeof value === 'boolean' ? Bool : v < 0n ? SInt(minWidth(v, true)) : UInt(minWidth(v, false)));
  if (!fits(v, t)) diag('CONST_OVERFLOW', `constant ${v} does not fit in ${typeName(t)}`, captureLoc());
  // a constant carries no location: it is never a named net, and its own diagnostics are reported where it is made
  // (capturing one per constant was a quarter of the default chip's elaboration time)
  return new Expr(t, { kind: 'const', value: v }, null);
}

/** Converts a plain number to a constant typed like `like` (same signedness, at least its width). */
export function toExpr(v: ExprLike, like?: HdlType, exactWidth = false): Expr {
  if (v instanceof Expr) return v;
  if (typeof v === 'boolean') return lit(v, like && exactWidth ? like : Bool);
  const value = BigInt(v);
  if (!like) return lit(value);
  if (value < 0n && !like.signed) {
    diag('SIGN_MISMATCH', `negative constant ${value} used with an unsigned ${typeName(like)} value`, captureLoc());
    return lit(value);
  }
  const w = exactWidth ? like.width : Math.max(like.width, minWidth(value, like.signed));
  return lit(value, { signed: like.signed, width: w });
}

function pair(a: Expr, bl: ExprLike, op: string, sameWidth = false): [Expr, Expr] {
  const b = toExpr(bl, a.type, sameWidth);
  if (a.signed !== b.signed) {
    diag('SIGN_MISMATCH', `${op}: operands are ${typeName(a.type)} and ${typeName(b.type)}`, captureLoc());
  } else if (sameWidth && a.width !== b.width) {
    diag('WIDTH_MISMATCH', `${op}: operands are ${typeName(a.type)} and ${typeName(b.type)}; this operator needs one width`, captureLoc());
  }
  return [a, b];
}

/** cond ? a : b. Both arms must have one type (constants adapt). */
export function mux(cond: ExprLike, a: ExprLike, b: ExprLike): Expr {
  const c = toExpr(cond);
  if (c.width !== 1) diag('WIDTH_MISMATCH', `mux condition must be 1 bit, got ${typeName(c.type)}`, captureLoc());
  let x: Expr;
  let y: Expr;
  if (a instanceof Expr) {
    x = a;
    y = toExpr(b, a.type, true);
  } else if (b instanceof Expr) {
    y = b;
    x = toExpr(a, b.type, true);
  } else {
    x = toExpr(a);
    y = toExpr(b, x.type);
  }
  if (x.signed !== y.signed) diag('SIGN_MISMATCH', `mux arms are ${typeName(x.type)} and ${typeName(y.type)}`, captureLoc());
  else if (x.width !== y.width) diag('WIDTH_MISMATCH', `mux arms are ${typeName(x.type)} and ${typeName(y.type)}`, captureLoc());
  return new Expr(x.type, { kind: 'mux', cond: c, a: x, b: y });
}

/** Concatenation, most significant part first (Verilog order). Unsigned result. */
export function cat(...parts: Expr[]): Expr {
  if (parts.length === 0) throw new RangeError('cat() needs at least one part');
  if (parts.length === 1) return parts[0]!.asUnsigned();
  return new Expr(UInt(parts.reduce((s, p) => s + p.width, 0)), { kind: 'concat', parts });
}

/** Replicates `e` n times. */
export function rep(e: Expr, n: number): Expr {
  return cat(...Array.from({ length: n }, () => e));
}

export type SignalKind = 'input' | 'output' | 'wire' | 'reg' | 'memrd' | 'clock' | 'reset';

/** What a signal needs from the module that owns it. */
export interface SignalOwner {
  readonly name: string;
  assignStmt(target: Signal, value: ExprLike): void;
}

export interface RegOptions {
  /** Synchronous reset value; `null` for a register without reset. Default 0. */
  reset?: number | bigint | null;
  /** When given, the register only loads on cycles where this is 1. */
  enable?: Expr;
}

export class Signal extends Expr {
  resetValue: bigint | null = null;
  enable: Expr | undefined;
  /** free-form TS object path for names.json */
  tsPath: string;
  constructor(
    readonly owner: SignalOwner,
    readonly name: string,
    readonly kind: SignalKind,
    type: HdlType,
    loc?: SrcLoc,
    readonly doc?: string,
  ) {
    super(type, undefined as unknown as ExprNode, loc);
    (this as { node: ExprNode }).node = { kind: 'ref', signal: this };
    this.tsPath = `${owner.name}.${name}`;
  }
  /** Drives this signal: combinational for outputs/wires, the next value for registers. */
  assign(value: ExprLike): void {
    this.owner.assignStmt(this, value);
  }
}
