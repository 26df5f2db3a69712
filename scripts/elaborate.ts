// npm run elaborate [-- --out DIR] [--no-lint]
// Elaborates the chip described in dsl/ into generated/ (atomically), linting it with Yosys and Verilator first.
import path from 'node:path';
import { defaultChip } from '../dsl/chip.js';
import { ElaborationError, elaborate, formatDiagnostics } from '../src/hdl/index.js';
import { writeDesignAtomically } from '../src/hdl/backend/write.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { formatFinding, lintDesign } from '../src/tools/lint.js';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? path.resolve(args[outIdx + 1]!) : path.join(PROJECT_ROOT, 'generated');
const lint = !args.includes('--no-lint');

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
  const written = await writeDesignAtomically(design, out, async (staging) => {
    if (!lint) return;
    const results = await lintDesign(staging);
    const findings = results.flatMap((r) => r.findings);
    for (const r of results) console.log(`lint ${r.module}: yosys ${r.yosysMs.toFixed(0)} ms, verilator ${r.verilatorMs.toFixed(0)} ms, ${r.findings.length} finding(s)`);
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
