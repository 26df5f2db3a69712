// Test helpers: the caller's line number, and elaboration that returns diagnostics instead of throwing.
import { ElaborationError, elaborate, type Design, type Diagnostic, type Module } from '../src/hdl/index.js';

/** Line number of the line that calls here(). */
export function here(): number {
  const line = new Error().stack!.split('\n')[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(line)![1]);
}

export function diagnosticsOf(build: () => Module): Diagnostic[] {
  try {
    return elaborate(build).warnings;
  } catch (e) {
    if (e instanceof ElaborationError) return [...e.diagnostics];
    throw e;
  }
}

export function elab(build: () => Module): Design {
  return elaborate(build);
}
