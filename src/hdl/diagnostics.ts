// Diagnostics: a stable code, a message, the user's TS location, related locations and a help line
// (rustc/Veryl style). Elaboration collects them all and fails once.
import { formatLoc, type SrcLoc } from './srcloc.js';

export type Severity = 'error' | 'warning';

export interface DiagnosticCode {
  code: string;
  severity: Severity;
  title: string;
  help: string;
}

/** The table of every diagnostic this library emits; README's list is generated from it. */
export const CODES = {
  WIDTH_MISMATCH: { code: 'E0101', severity: 'error', title: 'width mismatch', help: 'widths never change silently: use .resize(w), .truncate(w) or a saturating helper to make the change explicit' },
  SIGN_MISMATCH: { code: 'E0102', severity: 'error', title: 'signedness mismatch', help: 'convert one side explicitly with .asSigned()/.asUnsigned() or extend it with .toSigned()' },
  CONST_OVERFLOW: { code: 'E0103', severity: 'error', title: 'constant does not fit', help: 'widen the target type or use a smaller constant' },
  BAD_SLICE: { code: 'E0104', severity: 'error', title: 'bit range out of bounds', help: 'slice bounds must satisfy 0 <= lo <= hi < width' },
  UNDRIVEN: { code: 'E0201', severity: 'error', title: 'undriven signal', help: 'assign the signal (an output, wire or register) or bind the instance port' },
  MULTIPLE_DRIVERS: { code: 'E0202', severity: 'error', title: 'multiple drivers', help: 'drive each signal from one place; use a default assignment followed by conditional overrides inside when/switch' },
  INPUT_DRIVEN: { code: 'E0203', severity: 'error', title: 'input port driven from inside its module', help: 'inputs are driven by the parent; use a wire' },
  UNBOUND_PORT: { code: 'E0204', severity: 'error', title: 'instance port not bound', help: 'bind every port of an instance (outputs to a wire of the parent)' },
  COMB_LOOP: { code: 'E0301', severity: 'error', title: 'combinational loop', help: 'break the cycle with a register' },
  LATCH: { code: 'E0302', severity: 'error', title: 'incomplete combinational assignment (would infer a latch)', help: 'give the signal a default assignment before the when/switch, or assign it on every branch' },
  UNUSED: { code: 'W0401', severity: 'warning', title: 'unused signal', help: 'remove the signal, or read every bit of it' },
  CLOCK_MISUSE: { code: 'E0501', severity: 'error', title: 'clock or reset misuse', help: 'the clock only clocks registers and memories; it is never data, and clock/reset are driven by the parent' },
  BAD_NAME: { code: 'E0601', severity: 'error', title: 'bad or duplicate name', help: 'names are Verilog identifiers ([A-Za-z_][A-Za-z0-9_]*), not keywords, unique within a module, and clk/rst are reserved' },
  HIERARCHY: { code: 'E0602', severity: 'error', title: 'signal used outside its module', help: 'cross module boundaries through instance ports' },
  NAME_COLLISION: { code: 'E0603', severity: 'error', title: 'two different modules with one name', help: 'derive the module name from every parameter that changes its body (see paramName())' },
  PARAM_RANGE: { code: 'E0701', severity: 'error', title: 'parameter out of range', help: 'edit the value in the parameter file (or `npm run params -- set path=value`) to lie within the declared range' },
  PARAM_TYPE: { code: 'E0702', severity: 'error', title: 'parameter has the wrong type', help: 'use a value of the declared type' },
  BUILD_CONTEXT: { code: 'E0801', severity: 'error', title: 'statement outside a module body', help: 'hardware statements run inside a module builder' },
} as const satisfies Record<string, DiagnosticCode>;

export type CodeKey = keyof typeof CODES;

export interface Related {
  message: string;
  loc?: SrcLoc;
}

export interface Diagnostic {
  key: CodeKey;
  code: string;
  severity: Severity;
  message: string;
  loc?: SrcLoc;
  module?: string;
  related: Related[];
  help: string;
}

export function makeDiagnostic(key: CodeKey, message: string, loc?: SrcLoc, related: Related[] = [], module?: string): Diagnostic {
  const c = CODES[key];
  return { key, code: c.code, severity: c.severity, message, loc, module, related, help: c.help };
}

export function formatDiagnostic(d: Diagnostic): string {
  const lines = [`${d.severity}[${d.code}]: ${d.message}`, `  --> ${formatLoc(d.loc)}${d.module ? ` (module ${d.module})` : ''}`];
  for (const r of d.related) lines.push(`  note: ${r.message}${r.loc ? ` at ${formatLoc(r.loc)}` : ''}`);
  lines.push(`  = help: ${d.help}`);
  return lines.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  return `${ds.map(formatDiagnostic).join('\n\n')}\n\n${errors} error(s), ${warnings} warning(s)`;
}

/** Thrown once per failed elaboration, carrying every diagnostic collected. */
export class ElaborationError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(formatDiagnostics(diagnostics));
    this.name = 'ElaborationError';
  }
}

// The sink that collects diagnostics during one elaboration. Outside an elaboration a diagnostic throws at once.
let sink: Diagnostic[] | undefined;

export function withDiagnosticSink<T>(fn: () => T): { value: T | undefined; diagnostics: Diagnostic[]; thrown?: unknown } {
  const prev = sink;
  const mine: Diagnostic[] = [];
  sink = mine;
  try {
    return { value: fn(), diagnostics: mine };
  } catch (e) {
    return { value: undefined, diagnostics: mine, thrown: e };
  } finally {
    sink = prev;
  }
}

export function report(d: Diagnostic): void {
  if (sink) sink.push(d);
  else if (d.severity === 'error') throw new ElaborationError([d]);
}

/**
 * Runs a validation step with its own sink: every diagnostic it reports is collected, and if any is an
 * error the step throws them all at once (so later steps never run on invalid input). Warnings pass on.
 */
export function validateAll(fn: () => void): void {
  const r = withDiagnosticSink(fn);
  if (r.thrown) throw r.thrown;
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new ElaborationError(r.diagnostics);
  for (const d of r.diagnostics) report(d);
}
