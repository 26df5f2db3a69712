// The lint gate: Yosys (structural: latches, loops, drivers) and Verilator -Wall (widths, unused, style) on
// every generated module. Any finding fails. Findings are mapped back to TS through the `// @[...]` locators.
// Clean results are cached (lint-cache.ts): an unchanged module is not linted again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cachedClean, LINT_CACHE_DIR, lintKey, storeClean } from './lint-cache.js';

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
  /** true when the clean result was taken from the lint cache (the tools did not run) */
  cached?: boolean;
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

const VERILATOR_FLAGS = ['--lint-only', '-Wall'];

/** Lints module `top` of the design in `dir` over `files` (.v are read, .hex made available). */
export async function lintModule(dir: string, top: string, files: string[]): Promise<ModuleLint> {
  const texts: Record<string, string> = {};
  for (const f of files) texts[f] = readFileSync(path.join(dir, f), 'utf8');
  return lintTexts(dir, top, texts);
}

async function lintTexts(dir: string, top: string, texts: Record<string, string>): Promise<ModuleLint> {
  // loaded on a cache miss only: the Yosys wasm bundle and execa are most of a cached run's start-up otherwise
  const [{ yosys }, { verilatorLint }] = await Promise.all([import('./yosys.js'), import('./verilator.js')]);
  const files = Object.keys(texts);
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
  const v = await verilatorLint(dir, top, files.filter((f) => f.endsWith('.v')), VERILATOR_FLAGS);
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

/** The files the lint of `top` reads: its own, those of the modules it instantiates (transitively) and the memory
 *  files they load. A module's file is `<name>.v` (the backend's naming); a name mentioned anywhere in the text
 *  counts as an instance, which can only add files, never miss one. */
export function moduleFiles(texts: Record<string, string>, modules: readonly string[], top: string): string[] {
  if (texts[`${top}.v`] === undefined) return Object.keys(texts).filter((f) => f.endsWith('.v') || f.endsWith('.hex'));
  const seen = new Set<string>([top]);
  const files = new Set<string>();
  for (const queue = [top]; queue.length; ) {
    const text = texts[`${queue.pop()!}.v`] ?? '';
    for (const m of modules) {
      if (seen.has(m) || !new RegExp(`\\b${m}\\b`).test(text)) continue;
      seen.add(m);
      queue.push(m);
    }
    for (const [, f] of text.matchAll(/\$readmem[hb]\s*\(\s*"([^"]+)"/g)) if (texts[f!] !== undefined) files.add(f!);
  }
  for (const m of seen) if (texts[`${m}.v`] !== undefined) files.add(`${m}.v`);
  return [...files].sort();
}

export interface LintOptions {
  /** where clean results are cached; false: no cache (default: NLLM_LINT_CACHE or .cache/lint) */
  cache?: string | false;
}

/** Lints every module of the generated design in `dir`, each over the files it reads; unchanged clean modules are
 *  taken from the cache (`cached: true`). */
export async function lintDesign(dir: string, opts: LintOptions = {}): Promise<ModuleLint[]> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const cacheDir = opts.cache ?? LINT_CACHE_DIR;
  const all: Record<string, string> = {};
  for (const f of manifest.files) if (f.endsWith('.v') || f.endsWith('.hex')) all[f] = readFileSync(path.join(dir, f), 'utf8');
  const out: ModuleLint[] = [];
  for (const mod of manifest.modules) {
    const texts = Object.fromEntries(moduleFiles(all, manifest.modules, mod).map((f) => [f, all[f]!]));
    const key = cacheDir === false ? undefined : await lintKey(mod, `${YOSYS_LINT_SCRIPT(Object.keys(texts), mod)}\0verilator ${VERILATOR_FLAGS.join(' ')}`, texts);
    if (key && cachedClean(cacheDir as string, key)) {
      out.push({ module: mod, findings: [], yosysMs: 0, verilatorMs: 0, cached: true });
      continue;
    }
    const r = await lintTexts(dir, mod, texts);
    if (key && r.findings.length === 0) storeClean(cacheDir as string, key, mod);
    out.push({ ...r, cached: false });
  }
  return out;
}
