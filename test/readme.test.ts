// The README stays true: every diagnostic code is documented, and every npm script it names exists.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/hdl/index.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('documents every diagnostic code with its title and help', () => {
    for (const c of Object.values(CODES)) expect(readme).toContain(`| ${c.code} | ${c.severity} | ${c.title} | ${c.help} |`);
  });
  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(3);
    for (const n of named) expect(pkg.scripts, `npm run ${n}`).toHaveProperty(n);
  });
  it('.ci/run runs the README test command', () => {
    const ci = readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    expect(readme).toContain('npm run setup && npm test');
    expect(ci).toContain('npm run setup && npm test');
  });
});
