// The specs' generated tables match the code that defines them (regenerate with `npm run docs`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGenerated } from '../../src/docs/tables.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

const dir = path.join(PROJECT_ROOT, 'docs');
const files = readdirSync(dir).filter((n) => n.endsWith('.md'));

describe('generated tables in docs/', () => {
  it.each(files)('%s is up to date', (f) => {
    const text = readFileSync(path.join(dir, f), 'utf8');
    expect(renderGenerated(text, f), 'run `npm run docs`').toBe(text);
  });
  it('finds the crossbar blocks and fills them', () => {
    const text = readFileSync(path.join(dir, 'crossbar.md'), 'utf8');
    expect(text).toContain('| `rows` | 1..1024 |');
    expect(text).toContain('`cnt_adc_clipped`');
  });
  it('refuses an unknown block name', () => {
    expect(() => renderGenerated('<!-- generated:nope -->\n<!-- /generated -->', 'x.md')).toThrow(/unknown generated block 'nope'/);
  });
});
