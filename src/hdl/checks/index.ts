// The check pipeline: one pass per concern, all diagnostics collected.
import type { Diagnostic } from '../diagnostics.js';
import type { Module } from '../module.js';
import { checkClockAndHierarchy } from './clock.js';
import { checkCombLoops } from './comb-loop.js';
import { checkDrivers } from './drivers.js';
import { checkLatches } from './latch.js';
import { checkUnused } from './unused.js';
import { checkWidths } from './width.js';

export const PASSES: readonly { name: string; run: (m: Module) => Diagnostic[] }[] = [
  { name: 'width', run: checkWidths },
  { name: 'drivers', run: checkDrivers },
  { name: 'latch', run: checkLatches },
  { name: 'comb-loop', run: checkCombLoops },
  { name: 'clock-hierarchy', run: checkClockAndHierarchy },
  { name: 'unused', run: checkUnused },
];

export function runChecks(m: Module): Diagnostic[] {
  return PASSES.flatMap((p) => p.run(m));
}
