// npm run export-text -- SPEC FILE [--limit-bytes N]
// Writes an evaluation text (sotu:SPLIT, wikitext:FILE, wikitext-detok:FILE, text:FILE) to a UTF-8 file, so tools
// outside Node (the PyTorch baseline, on a machine without node_modules) score exactly the text `npm run eval` scores.
import { writeFileSync } from 'node:fs';
import { intArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { readTextSpec, TEXT_SPEC_USAGE } from '../src/lm/data/text-spec.js';

const OPTIONS = `Writes the text npm run eval scores to a UTF-8 file.
  SPEC             ${TEXT_SPEC_USAGE}
  OUT.txt          the file to write
  --limit-bytes N  only the first N bytes, cut as npm run eval cuts them
  -h, --help       this text`;

await runCli(`npm run export-text -- SPEC OUT.txt [--limit-bytes N]   (SPEC: ${TEXT_SPEC_USAGE})`, () => {
  const { values: a, positionals } = parseCli({ allowPositionals: true, options: { 'limit-bytes': { type: 'string' } } });
  if (positionals.length !== 2) throw new UsageError(`expected SPEC and OUT.txt, got ${positionals.length} argument(s)`);
  const [spec, file] = positionals as [string, string];
  const limit = a['limit-bytes'] === undefined ? undefined : intArg('limit-bytes', a['limit-bytes'], 0, { min: 1 });
  const { text, label } = readTextSpec(spec, limit);
  const bytes = Buffer.from(text, 'utf8');
  writeFileSync(file, bytes);
  console.log(`wrote ${bytes.length} bytes of ${label} to ${file}`);
}, OPTIONS);
