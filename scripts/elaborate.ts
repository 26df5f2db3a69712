// npm run elaborate [-- --out DIR] [--no-lint] [--no-cache]
// Elaborates the chip described in dsl/ into generated/ (atomically), linting it with Yosys and Verilator first.
import path from 'node:path';
import { defaultChip } from '../dsl/chip.js';
import { parseCli, runCli } from '../src/cli/args.js';
import { ElaborationError, elaborate, formatDiagnostics } from '../src/hdl/index.js';
import { writeDesignAtomically } from '../src/hdl/backend/write.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { LINT_CACHE_DIR } from '../src/tools/lint-cache.js';
import { formatFinding, lintDesign } from '../src/tools/lint.js';
import { removeStale, tmpPid } from '../src/util/stale.js';

const USAGE = 'npm run elaborate [-- --out DIR] [--no-lint] [--no-cache]';
const OPTIONS = `Elaborates the chip described in dsl/ and writes its Verilog, names.json and manifest.json, replacing the
output folder only when elaboration and lint (Yosys and Verilator -Wall, zero findings) succeed.
  --out DIR     output folder (default generated/)
  --no-lint     skip the lint gate
  --no-cache    lint every module again, even those unchanged since a clean lint (cache: ${path.relative(PROJECT_ROOT, LINT_CACHE_DIR)})
  -h, --help    this text`;

let opts = { out: undefined as string | undefined, 'no-lint': false, 'no-cache': false };
await runCli(USAGE, () => {
  opts = parseCli({ options: { out: { type: 'string' }, 'no-lint': { type: 'boolean', default: false }, 'no-cache': { type: 'boolean', default: false } } }).values as typeof opts;
}, OPTIONS);
const out = opts.out ? path.resolve(opts.out) : path.join(PROJECT_ROOT, 'generated');
const lint = !opts['no-lint'];

async function main(): Promise<number> {
  const t0 = performance.now();
  let design;
  try {
    design = elaborate(defaultChip);
  } catch (e) {
    if (e instanceof ElaborationError) {
      console.error(e.message);
      console.error(`\nelaboration failed; ${path.relative(process.cwd(), out) || out} was left untouched`);
      return 1;
    }
    throw e;
  }
  const elabMs = performance.now() - t0;
  if (design.warnings.length) console.warn(formatDiagnostics(design.warnings));
  // staging folders of runs killed before their rename (OUT.tmp-<pid>-<time>)
  removeStale(path.dirname(out), (n) => (n.startsWith(`${path.basename(out)}.tmp-`) ? tmpPid(n) : undefined));
  const written = await writeDesignAtomically(design, out, async (staging) => {
    if (!lint) return;
    const results = await lintDesign(staging, opts['no-cache'] ? { cache: false } : {});
    const findings = results.flatMap((r) => r.findings);
    for (const r of results) console.log(`lint ${r.module}: ${r.cached ? 'clean (cached: unchanged since a clean lint)' : `yosys ${r.yosysMs.toFixed(0)} ms, verilator ${r.verilatorMs.toFixed(0)} ms, ${r.findings.length} finding(s)`}`);
    const hits = results.filter((r) => r.cached).length;
    console.log(`lint: ${results.length - hits} module(s) linted, ${hits} taken from the cache`);
    if (findings.length) {
      for (const f of findings) console.error(formatFinding(f));
      throw new Error(`lint failed with ${findings.length} finding(s); ${out} was left untouched`);
    }
  });
  for (const w of written) console.log(`wrote ${path.relative(process.cwd(), path.join(out, w.file))} (${w.bytes} bytes, sha256 ${w.sha256.slice(0, 12)})`);
  console.log(`elaborated ${design.top.name} (${design.modules.length} modules) in ${elabMs.toFixed(0)} ms${lint ? '; Yosys and Verilator lint clean' : '; lint skipped (--no-lint)'}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
