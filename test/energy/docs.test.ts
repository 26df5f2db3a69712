// docs/energy.md's constants table is the code's: every constant listed once with its value, none extra.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CONSTANTS } from '../../src/energy/constants.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

it('docs/energy.md lists every energy constant with the value the code uses', () => {
  const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'energy.md'), 'utf8');
  const start = doc.indexOf('<!-- constants-table');
  expect(start).toBeGreaterThan(0);
  const rows = doc.slice(start).split('\n').slice(3).filter((l) => l.startsWith('| `'));
  const listed = new Map(rows.map((l) => {
    const [, id, value] = l.split('|').map((c) => c.trim());
    return [id!.replace(/`/g, ''), Number(value)] as const;
  }));
  expect([...listed.keys()].sort()).toEqual(Object.keys(CONSTANTS).sort());
  for (const [id, c] of Object.entries(CONSTANTS)) expect(listed.get(id), id).toBe(c.value);
});
