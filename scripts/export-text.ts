// npm run export-text -- SPEC FILE [--limit-bytes N]
// Writes an evaluation text (sotu:SPLIT, wikitext:FILE, wikitext-detok:FILE, text:FILE) to a UTF-8 file, so tools
// outside Node (the PyTorch baseline, on a machine without node_modules) score exactly the text `npm run eval` scores.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readTextSpec, TEXT_SPEC_USAGE } from '../src/lm/data/text-spec.js';

const { values: a, positionals } = parseArgs({ allowPositionals: true, options: { 'limit-bytes': { type: 'string' } } });
if (positionals.length !== 2) {
  console.error(`usage: npm run export-text -- SPEC OUT.txt [--limit-bytes N]   (SPEC: ${TEXT_SPEC_USAGE})`);
  process.exit(2);
}
const [spec, file] = positionals as [string, string];
const { text, label } = readTextSpec(spec, a['limit-bytes'] === undefined ? undefined : Number(a['limit-bytes']));
const bytes = Buffer.from(text, 'utf8');
writeFileSync(file, bytes);
console.log(`wrote ${bytes.length} bytes of ${label} to ${file}`);
