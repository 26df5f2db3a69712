// constraints/: every board's constraint files for the default configuration (its baud sets the .sdc's serial
// clock), rendered from the boards' typed resources. A test keeps the committed files equal to what this renders.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { boardTop } from './board-top.js';
import { BOARDS } from './boards/index.js';
import { fpgaConfig } from './config.js';
import { constraintFiles } from './constraints.js';

export const CONSTRAINTS_DIR = path.join(PROJECT_ROOT, 'constraints');

/** file name -> text, for every board. The pin-level top's ports do not depend on the configuration's core. */
export function allConstraints(): Record<string, string> {
  const baud = fpgaConfig('default').link.baud;
  const out: Record<string, string> = {};
  for (const b of Object.values(BOARDS)) Object.assign(out, constraintFiles(b, boardTop(b, 'fpga_top'), baud));
  return out;
}

export function writeConstraints(dir = CONSTRAINTS_DIR): string[] {
  const written: string[] = [];
  for (const [f, text] of Object.entries(allConstraints())) {
    const file = path.join(dir, f);
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    written.push(file);
  }
  return written;
}
