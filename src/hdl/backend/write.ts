// Writes a design into a folder atomically: everything goes to a staging folder beside it, is optionally
// linted there, and only then replaces the old folder. A failure leaves the previous output untouched.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Design } from '../elaborate.js';
import { HDL_VERSION } from '../elaborate.js';
import { GENERATOR } from './verilog.js';

export interface WrittenFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** The files of a design as name → contents (Verilog, memory images, names.json, manifest.json). */
export function designFiles(d: Design): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of d.emitted) {
    files.set(`${e.name}.v`, e.verilog);
    for (const [f, text] of e.memFiles) files.set(f, text);
  }
  files.set('names.json', JSON.stringify(d.names, null, 2) + '\n');
  const listed = [...files.keys()].sort();
  const manifest = { generator: `${GENERATOR} ${HDL_VERSION}`, top: d.top.name, modules: d.modules.map((m) => m.name), files: listed };
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return files;
}

export async function writeDesignAtomically(d: Design, outDir: string, check?: (stagingDir: string) => Promise<void>): Promise<WrittenFile[]> {
  const files = designFiles(d);
  const parent = path.dirname(path.resolve(outDir));
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now()}`;
  const staging = path.join(parent, `${path.basename(outDir)}.tmp-${tag}`);
  mkdirSync(staging);
  try {
    const written: WrittenFile[] = [];
    for (const [f, text] of files) {
      writeFileSync(path.join(staging, f), text);
      written.push({ file: f, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
    }
    if (check) await check(staging);
    const old = path.join(parent, `${path.basename(outDir)}.old-${tag}`);
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
    rmSync(old, { recursive: true, force: true });
    return written;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
