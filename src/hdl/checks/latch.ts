// Pass: a combinationally driven signal must be assigned on every path through when/switch, or it infers a latch.
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Signal } from '../expr.js';
import type { Module, Stmt } from '../module.js';
import { assignments, isCombTarget } from './walk.js';

function covers(stmts: readonly Stmt[], sig: Signal): boolean {
  for (const s of stmts) {
    if (s.kind === 'assign' && s.target === sig) return true;
    if (s.kind === 'if' && covers(s.then, sig) && covers(s.else, sig)) return true;
    if (s.kind === 'switch') {
      const values = new Set(s.cases.flatMap((c) => c.values));
      const full = s.default !== undefined || BigInt(values.size) === 1n << BigInt(s.sel.width);
      if (full && s.cases.every((c) => covers(c.body, sig)) && (s.default === undefined || covers(s.default, sig))) return true;
    }
  }
  return false;
}

export function checkLatches(m: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<Signal>();
  for (const a of assignments(m.stmts)) {
    if (!isCombTarget(a.target) || seen.has(a.target)) continue;
    seen.add(a.target);
    if (!covers(m.stmts, a.target)) {
      out.push(
        makeDiagnostic('LATCH', `'${a.target.name}' is not assigned on every path; it would hold its value (a latch)`, a.loc, [{ message: `'${a.target.name}' declared`, loc: a.target.loc }], m.name),
      );
    }
  }
  return out;
}
