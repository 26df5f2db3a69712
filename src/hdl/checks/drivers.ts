// Pass: every output/wire/register has exactly one driver; inputs, clock and reset are never driven inside.
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Signal } from '../expr.js';
import type { Module, Stmt } from '../module.js';
import type { SrcLoc } from '../srcloc.js';
import { assignments } from './walk.js';

/** Two unconditional assignments to one signal in the same block: the first is dead (SpinalHDL's ASSIGNMENT OVERLAP). */
function overlaps(m: Module, stmts: readonly Stmt[], out: Diagnostic[]): void {
  const seen = new Map<Signal, SrcLoc | undefined>();
  for (const s of stmts) {
    if (s.kind === 'assign') {
      if (seen.has(s.target)) {
        out.push(
          makeDiagnostic('MULTIPLE_DRIVERS', `'${s.target.name}' is assigned unconditionally twice; the first assignment is dead`, s.loc, [{ message: 'first assignment', loc: seen.get(s.target) }], m.name),
        );
      }
      seen.set(s.target, s.loc);
    } else if (s.kind === 'if') {
      overlaps(m, s.then, out);
      overlaps(m, s.else, out);
    } else {
      for (const c of s.cases) overlaps(m, c.body, out);
      if (s.default) overlaps(m, s.default, out);
    }
  }
}

export function checkDrivers(m: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  type Driver = { what: string; loc?: SrcLoc };
  const drivers = new Map<Signal, Driver[]>();
  const add = (s: Signal, d: Driver) => {
    const l = drivers.get(s) ?? [];
    l.push(d);
    drivers.set(s, l);
  };
  const procedural = new Set<Signal>();
  for (const a of assignments(m.stmts)) {
    if (a.target.kind === 'input') {
      out.push(makeDiagnostic('INPUT_DRIVEN', `input '${a.target.name}' is assigned inside module ${m.name}`, a.loc, [{ message: 'input declared', loc: a.target.loc }], m.name));
    } else if (a.target.kind === 'clock' || a.target.kind === 'reset') {
      out.push(makeDiagnostic('CLOCK_MISUSE', `the implicit ${a.target.kind} '${a.target.name}' is assigned`, a.loc, [], m.name));
    } else if (a.target.kind === 'memrd') {
      out.push(makeDiagnostic('MULTIPLE_DRIVERS', `'${a.target.name}' is a memory read port and is also assigned`, a.loc, [{ message: 'read port created', loc: a.target.loc }], m.name));
    } else if (!procedural.has(a.target)) {
      procedural.add(a.target);
      add(a.target, { what: 'assignment', loc: a.loc });
    }
  }
  for (const inst of m.instances) {
    for (const b of inst.bindings) if (b.target) add(b.target, { what: `output '${b.port}' of instance '${inst.name}'`, loc: b.loc });
  }
  for (const [sig, ds] of drivers) {
    if (ds.length > 1) {
      out.push(
        makeDiagnostic(
          'MULTIPLE_DRIVERS',
          `'${sig.name}' has ${ds.length} drivers: ${ds.map((d) => d.what).join(', ')}`,
          ds[1]!.loc,
          ds.map((d) => ({ message: `driven by ${d.what}`, loc: d.loc })),
          m.name,
        ),
      );
    }
  }
  for (const s of m.signals) {
    if ((s.kind === 'output' || s.kind === 'wire' || s.kind === 'reg') && !drivers.has(s)) {
      out.push(makeDiagnostic('UNDRIVEN', `${s.kind} '${s.name}' is never driven`, s.loc, [], m.name));
    }
  }
  overlaps(m, m.stmts, out);
  return out;
}
