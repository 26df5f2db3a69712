// npm run export-text -- SPEC FILE [--limit-bytes N]
// Writes an evaluation text (sotu:SPLIT, wikitext:FILE, text:FILE) to a UTF-8 file, so tools outside Node (the
// PyTorch baseline, on a machine without node_modules) score exactly the text `npm run eval` scores.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readTextSpec } from '../src/lm/data/text-spec.js';

const { values: a, positionals } = parseArgs({ allowPositionals: true, options: { 'limit-bytes': { type: 'string' } } });
if (positionals.length !== 2) {
  console.error('usage: npm run export-text -- sotu:test|wikitext:FILE|text:FILE OUT.txt [--limit-bytes N]');
  process.exit(2);
}
const [spec, file] = positionals as [string, string];
const { text, label } = readTextSpec(spec);
let bytes = Buffer.from(text, 'utf8');
if (a['limit-bytes'] !== undefined) {
  const n = Number(a['limit-bytes']);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--limit-bytes must be a positive integer, got '${a['limit-bytes']}'`);
  // cut on a character boundary: UTF-8 continuation bytes are 10xxxxxx
  let end = Math.min(n, bytes.length);
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  bytes = bytes.subarray(0, end);
}
writeFileSync(file, bytes);
console.log(`wrote ${bytes.length} bytes of ${label} to ${file}`);
