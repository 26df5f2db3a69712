// Clean lint results cached by a digest of everything the lint of one module reads: its Verilog and that of the
// modules it instantiates, the memory files they load, the lint recipe and flags, the tool versions and the lint
// code itself. Only clean results are stored: a finding is always found again by running the tools, so the cache
// can make a run faster but never quieter. Entries are written under a temp name and renamed (atomic).
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { removeStale, tmpPid } from '../util/stale.js';

export const LINT_CACHE_DIR = process.env.NLLM_LINT_CACHE ?? path.join(PROJECT_ROOT, '.cache', 'lint');

let tools: Promise<string> | undefined;
/** Yosys's package version, `verilator --version`, and the text of the lint code (a change to it invalidates). */
function toolsDigest(): Promise<string> {
  tools ??= (async () => {
    const req = createRequire(import.meta.url);
    let dir = path.dirname(req.resolve('@yowasp/yosys'));
    while (readJson(path.join(dir, 'package.json'))?.name !== '@yowasp/yosys' && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const yosys = String(readJson(path.join(dir, 'package.json'))?.version);
    // node's own child_process, not execa: on a fully cached run this is the only tool started
    const verilator = (await promisify(execFile)('verilator', ['--version'])).stdout.trim();
    const h = createHash('sha256').update(`yosys ${yosys}\n${verilator}\n`);
    for (const f of ['lint.ts', 'lint-cache.ts', 'yosys.ts', 'verilator.ts']) h.update(readFileSync(new URL(`./${f}`, import.meta.url)));
    return h.digest('hex');
  })();
  return tools;
}

function readJson(f: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The cache key of linting `top` over exactly these files (name -> text) with this recipe. */
export async function lintKey(top: string, recipe: string, texts: Record<string, string>): Promise<string> {
  const h = createHash('sha256').update(await toolsDigest()).update(`\0${top}\0${recipe}\0`);
  for (const f of Object.keys(texts).sort()) h.update(`${f}\0${texts[f]!.length}\0`).update(texts[f]!);
  return h.digest('hex').slice(0, 32);
}

/** Whether a clean result is stored under this key. */
export function cachedClean(dir: string, key: string): boolean {
  return readJson(path.join(dir, `${key}.json`))?.result === 'clean';
}

let swept = false;
export function storeClean(dir: string, key: string, top: string): void {
  mkdirSync(dir, { recursive: true });
  if (!swept) {
    swept = true;
    removeStale(dir, tmpPid); // temp files of runs killed between write and rename
  }
  const f = path.join(dir, `${key}.json`);
  const tmp = `${f}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, JSON.stringify({ result: 'clean', module: top }) + '\n');
  renameSync(tmp, f);
}
