// npm run lint [-- DIR]: Yosys + Verilator -Wall on every module of an elaborated design; any finding fails.
import path from 'node:path';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { formatFinding, lintDesign } from '../src/tools/lint.js';

const dir = path.resolve(process.argv[2] ?? path.join(PROJECT_ROOT, 'generated'));
const results = await lintDesign(dir);
let n = 0;
for (const r of results) {
  console.log(`${r.module}: yosys ${r.yosysMs.toFixed(0)} ms, verilator ${r.verilatorMs.toFixed(0)} ms, ${r.findings.length} finding(s)`);
  for (const f of r.findings) console.error(formatFinding(f));
  n += r.findings.length;
}
console.log(n ? `lint FAILED: ${n} finding(s)` : `lint clean: ${results.length} module(s), 0 findings`);
process.exit(n ? 1 : 0);
