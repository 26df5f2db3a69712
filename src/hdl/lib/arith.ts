// Library arithmetic helpers. They live under src/, so locations skip them and name the caller's line.
import { Expr, lit, mux, type ExprLike, toExpr } from '../expr.js';
import { typeMax, typeMin, type HdlType } from '../types.js';

/** Clamps `e` into `type` (same signedness), then resizes to it. */
export function saturate(e: Expr, type: HdlType): Expr {
  if (e.signed !== type.signed) {
    // an unsigned value saturating into a signed type (or the reverse) goes through the exact signed form
    return saturate(e.toSigned(), { signed: true, width: Math.max(type.width, 2) }).resize(type.width).asUnsigned();
  }
  if (e.width <= type.width) return e.resize(type.width);
  const hi = lit(typeMax(type), { signed: type.signed, width: e.width });
  const lo = lit(typeMin(type), { signed: type.signed, width: e.width });
  const clampedHigh = mux(e.gt(hi), hi, e);
  return (type.signed || typeMin(type) !== 0n ? mux(e.lt(lo), lo, clampedHigh) : clampedHigh).resize(type.width);
}

/** a + b saturated to the type of `a`. */
export function satAdd(a: Expr, b: ExprLike): Expr {
  return saturate(a.add(b), a.type);
}

/** a − b saturated to the type of `a`. */
export function satSub(a: Expr, b: ExprLike): Expr {
  const d = a.sub(b);
  if (a.signed) return saturate(d, a.type);
  // unsigned: the exact difference is at most a's maximum, so only the floor at 0 can bind
  return mux(d.lt(0), lit(0, a.type), d.resize(a.width).asUnsigned());
}

export function maxOf(a: Expr, b: ExprLike): Expr {
  const y = toExpr(b, a.type, true);
  return mux(a.ge(y), a, y);
}

export function minOf(a: Expr, b: ExprLike): Expr {
  const y = toExpr(b, a.type, true);
  return mux(a.le(y), a, y);
}

/** Exact sum of `terms` as a balanced adder tree (widths grow one bit per level, nothing is lost). */
export function sumTree(terms: readonly Expr[]): Expr {
  if (terms.length === 0) throw new RangeError('sumTree needs at least one term');
  let level = [...terms];
  while (level.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(level[i]!.add(level[i + 1]!));
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Number of set bits among 1-bit `bits` (unsigned). */
export function popcount(bits: readonly Expr[]): Expr {
  return sumTree(bits);
}
