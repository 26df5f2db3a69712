// npm run lint [-- DIR] [--no-cache]: Yosys + Verilator -Wall on every module of an elaborated design; any finding fails.
import path from 'node:path';
import { parseCli, runCli, UsageError } from '../src/cli/args.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { formatFinding, lintDesign } from '../src/tools/lint.js';

const USAGE = 'npm run lint [-- DIR] [--no-cache]';
const OPTIONS = `Lints every module of an elaborated design (its manifest.json) with Yosys and Verilator -Wall; any finding fails (exit 1).
  DIR          the design folder (default generated/)
  --no-cache   lint every module again, even those unchanged since a clean lint
  -h, --help   this text`;

await runCli(USAGE, async () => {
  const { values: a, positionals } = parseCli({ allowPositionals: true, options: { 'no-cache': { type: 'boolean', default: false } } });
  if (positionals.length > 1) throw new UsageError(`give at most one design folder, got ${positionals.length}`);
  const dir = path.resolve(positionals[0] ?? path.join(PROJECT_ROOT, 'generated'));
  const results = await lintDesign(dir, a['no-cache'] ? { cache: false } : {});
  let n = 0;
  for (const r of results) {
    console.log(`${r.module}: ${r.cached ? 'clean (cached: unchanged since a clean lint)' : `yosys ${r.yosysMs.toFixed(0)} ms, verilator ${r.verilatorMs.toFixed(0)} ms, ${r.findings.length} finding(s)`}`);
    for (const f of r.findings) console.error(formatFinding(f));
    n += r.findings.length;
  }
  const hits = results.filter((r) => r.cached).length;
  console.log(n ? `lint FAILED: ${n} finding(s)` : `lint clean: ${results.length} module(s), 0 findings (${results.length - hits} linted, ${hits} taken from the cache)`);
  process.exit(n ? 1 : 0);
}, OPTIONS);
