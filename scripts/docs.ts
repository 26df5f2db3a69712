// npm run docs: rewrites the generated tables in docs/*.md from the code that defines them (src/docs/tables.ts).
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderGenerated } from '../src/docs/tables.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { parseCli, runCli } from '../src/cli/args.js';

await runCli('npm run docs', () => {
  parseCli({ options: {} });
}, 'Rewrites the generated tables in docs/*.md from the code that defines them (src/docs/tables.ts).\n  -h, --help   this text');

const dir = path.join(PROJECT_ROOT, 'docs');
for (const f of readdirSync(dir).filter((n) => n.endsWith('.md')).sort()) {
  const file = path.join(dir, f);
  const text = readFileSync(file, 'utf8');
  const next = renderGenerated(text, `docs/${f}`);
  if (next === text) continue;
  writeFileSync(`${file}.tmp-${process.pid}`, next);
  renameSync(`${file}.tmp-${process.pid}`, file);
  console.log(`updated docs/${f}`);
}
