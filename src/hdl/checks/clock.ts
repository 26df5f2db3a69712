// Pass: the implicit clock is never data; signals are only read and written inside their own module.
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Module } from '../module.js';
import { assignments, moduleReads, visitExpr } from './walk.js';

export function checkClockAndHierarchy(m: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { expr, loc } of moduleReads(m)) {
    visitExpr(expr, (e) => {
      if (e.node.kind !== 'ref') return;
      const s = e.node.signal;
      if (s.kind === 'clock') {
        out.push(makeDiagnostic('CLOCK_MISUSE', `the clock '${s.name}' is used as data`, loc ?? e.loc, [], m.name));
      } else if (s.owner !== m) {
        out.push(makeDiagnostic('HIERARCHY', `'${s.name}' belongs to module ${s.owner.name} but is read in ${m.name}`, loc ?? e.loc, [{ message: 'declared', loc: s.loc }], m.name));
      }
    });
  }
  for (const a of assignments(m.stmts)) {
    if (a.target.owner !== m) {
      out.push(makeDiagnostic('HIERARCHY', `'${a.target.name}' belongs to module ${a.target.owner.name} but is assigned in ${m.name}`, a.loc, [{ message: 'declared', loc: a.target.loc }], m.name));
    }
  }
  for (const inst of m.instances) {
    for (const b of inst.bindings) {
      if (b.target && b.target.owner !== m) {
        out.push(makeDiagnostic('HIERARCHY', `'${b.target.name}' belongs to module ${b.target.owner.name} but is bound in ${m.name}`, b.loc, [], m.name));
      }
    }
  }
  return out;
}
