// The lint gate: Yosys (structural: latches, loops, drivers) and Verilator -Wall (widths, unused, style) on
// every generated module. Any finding fails. Findings are mapped back to TS through the `// @[...]` locators.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verilatorLint } from './verilator.js';
import { yosys } from './yosys.js';

export interface LintFinding {
  tool: 'yosys' | 'verilator';
  module: string;
  code: string;
  message: string;
  file?: string;
  line?: number;
  /** the TS location of the Verilog line, when it carries a locator */
  tsLoc?: string;
}

export interface ModuleLint {
  module: string;
  findings: LintFinding[];
  yosysMs: number;
  verilatorMs: number;
}

const LOCATOR = /\/\/ @\[(\S+) (\d+):(\d+)\]/;

/** The TS location for a Verilog line: the locator on that line, else the nearest one above it. */
export function tsLocFor(text: string, line: number): string | undefined {
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = LOCATOR.exec(lines[i]!);
    if (m) return `${m[1]}:${m[2]}:${m[3]}`;
    if (/^\s*(module|endmodule)\b/.test(lines[i]!)) break;
  }
  return undefined;
}

export const YOSYS_LINT_SCRIPT = (files: string[], top: string) =>
  [
    ...files.filter((f) => f.endsWith('.v')).map((f) => `read_verilog -sv -noautowire ${f}`),
    `hierarchy -check -top ${top}`,
    'proc',
    'select -assert-none t:$dlatch t:$adlatch t:$dlatchsr',
    'opt_clean',
    'check -assert',
  ].join('; ');

/** Lints module `top` of the design in `dir` (all .v and .hex files there are made available). */
export async function lintModule(dir: string, top: string, files: string[]): Promise<ModuleLint> {
  const texts: Record<string, string> = {};
  for (const f of files) texts[f] = readFileSync(path.join(dir, f), 'utf8');
  const findings: LintFinding[] = [];
  const locate = (file: string | undefined, line: number | undefined) => (file && line && texts[file] ? tsLocFor(texts[file], line) : undefined);

  const t0 = performance.now();
  const y = await yosys(YOSYS_LINT_SCRIPT(files, top), texts, ['-q']);
  const yosysMs = performance.now() - t0;
  for (const l of y.log.split('\n')) {
    const m = /^(Warning|ERROR): (.*)$/.exec(l.trim());
    if (!m) continue;
    const at = /([\w.]+\.v):(\d+)/.exec(m[2]!);
    findings.push({ tool: 'yosys', module: top, code: m[1] === 'ERROR' ? 'ERROR' : 'WARNING', message: m[2]!, file: at?.[1], line: at ? Number(at[2]) : undefined, tsLoc: locate(at?.[1], at ? Number(at[2]) : undefined) });
  }
  if (!y.ok && !findings.length) findings.push({ tool: 'yosys', module: top, code: 'ERROR', message: `yosys failed:\n${y.log}` });

  const t1 = performance.now();
  const v = await verilatorLint(dir, top, files.filter((f) => f.endsWith('.v')));
  const verilatorMs = performance.now() - t1;
  for (const l of v.output.split('\n')) {
    const m = /^%(Warning|Error)(?:-(\w+))?: (?:([\w./-]+\.v):(\d+):(?:\d+):\s*)?(.*)$/.exec(l);
    if (!m || /^Exiting due to/.test(m[5]!)) continue;
    const file = m[3] ? path.basename(m[3]) : undefined;
    const line = m[4] ? Number(m[4]) : undefined;
    findings.push({ tool: 'verilator', module: top, code: m[2] ?? m[1]!.toUpperCase(), message: m[5]!, file, line, tsLoc: locate(file, line) });
  }
  if (!v.ok && !findings.some((f) => f.tool === 'verilator')) findings.push({ tool: 'verilator', module: top, code: 'ERROR', message: v.output });
  return { module: top, findings, yosysMs, verilatorMs };
}

export function formatFinding(f: LintFinding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : f.module;
  return `${f.tool} ${f.code}: ${f.message}\n  --> ${where}${f.tsLoc ? `  (TS: ${f.tsLoc})` : ''}`;
}

/** Modules of a generated design in dependency order, from its manifest. */
export interface Manifest {
  generator: string;
  top: string;
  modules: string[];
  files: string[];
}

export async function lintDesign(dir: string): Promise<ModuleLint[]> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const out: ModuleLint[] = [];
  for (const mod of manifest.modules) out.push(await lintModule(dir, mod, manifest.files.filter((f) => f.endsWith('.v') || f.endsWith('.hex'))));
  return out;
}
