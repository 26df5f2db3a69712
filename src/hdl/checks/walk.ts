// Shared traversals over the IR used by the check passes and the backend.
import type { Expr, Signal } from '../expr.js';
import type { Module, Stmt } from '../module.js';
import type { SrcLoc } from '../srcloc.js';

/** Direct operands of an expression node. */
export function children(e: Expr): Expr[] {
  const n = e.node;
  switch (n.kind) {
    case 'const':
    case 'ref':
      return [];
    case 'unop':
    case 'shift':
    case 'resize':
    case 'reinterpret':
    case 'slice':
      return [n.a];
    case 'binop':
      return [n.a, n.b];
    case 'mux':
      return [n.cond, n.a, n.b];
    case 'concat':
      return n.parts;
  }
}

/** Visits every node of an expression tree (pre-order). */
export function visitExpr(e: Expr, fn: (e: Expr) => void): void {
  fn(e);
  for (const c of children(e)) visitExpr(c, fn);
}

/** Signals read by an expression. */
export function signalsRead(e: Expr): Set<Signal> {
  const out = new Set<Signal>();
  visitExpr(e, (x) => {
    if (x.node.kind === 'ref') out.add(x.node.signal);
  });
  return out;
}

export interface AssignSite {
  target: Signal;
  value: Expr;
  loc?: SrcLoc;
  /** conditions and selectors enclosing the assignment (outermost first) */
  guards: Expr[];
}

/** Every assignment with the expressions that guard it. */
export function assignments(stmts: readonly Stmt[], guards: Expr[] = [], out: AssignSite[] = []): AssignSite[] {
  for (const s of stmts) {
    if (s.kind === 'assign') out.push({ target: s.target, value: s.value, loc: s.loc, guards });
    else if (s.kind === 'if') {
      const g = [...guards, s.cond];
      assignments(s.then, g, out);
      assignments(s.else, g, out);
    } else {
      const g = [...guards, s.sel];
      for (const c of s.cases) assignments(c.body, g, out);
      if (s.default) assignments(s.default, g, out);
    }
  }
  return out;
}

/** Every expression a module reads, with its location (values, guards, ports, memories, enables). */
export function moduleReads(m: Module): { expr: Expr; loc?: SrcLoc }[] {
  const out: { expr: Expr; loc?: SrcLoc }[] = [];
  const walk = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.kind === 'assign') out.push({ expr: s.value, loc: s.loc });
      else if (s.kind === 'if') {
        out.push({ expr: s.cond, loc: s.loc });
        walk(s.then);
        walk(s.else);
      } else {
        out.push({ expr: s.sel, loc: s.loc });
        for (const c of s.cases) walk(c.body);
        if (s.default) walk(s.default);
      }
    }
  };
  walk(m.stmts);
  for (const s of m.signals) if (s.enable) out.push({ expr: s.enable, loc: s.loc });
  for (const mem of m.memories) {
    for (const r of mem.reads) {
      out.push({ expr: r.addr, loc: r.loc });
      if (r.en) out.push({ expr: r.en, loc: r.loc });
    }
    for (const w of mem.writes) {
      out.push({ expr: w.addr, loc: w.loc }, { expr: w.data, loc: w.loc }, { expr: w.en, loc: w.loc });
    }
  }
  for (const i of m.instances) for (const b of i.bindings) if (b.value) out.push({ expr: b.value, loc: b.loc });
  return out;
}

/** Signals whose value is produced combinationally by assignments (wires and outputs). */
export function isCombTarget(s: Signal): boolean {
  return s.kind === 'wire' || s.kind === 'output';
}
