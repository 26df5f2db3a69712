// Builds a Verilator simulator for an elaborated design, cached by a digest of RTL + main + flags + version.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { Design } from '../hdl/elaborate.js';
import { designFiles } from '../hdl/backend/write.js';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { verilatorVersion } from '../tools/verilator.js';
import { removeStale, tmpPid } from '../util/stale.js';
import { cppMain, type SimPort } from './cpp-main.js';

export interface BuiltSim {
  top: string;
  dir: string;
  exe: string;
  ports: SimPort[];
  clock: string | undefined;
  reset: string | undefined;
  digest: string;
  /** true when this call compiled it (false: taken from the cache) */
  built: boolean;
  buildMs: number;
}

export const CACHE_DIR = process.env.NLLM_SIM_CACHE ?? path.join(PROJECT_ROOT, '.cache', 'verilator');

let staleChecked = false;
/** Once per process: the temp folders of builds whose process was killed before its rename (pid in the name). */
export function removeStaleBuilds(): string[] {
  if (staleChecked) return [];
  staleChecked = true;
  return removeStale(CACHE_DIR, tmpPid);
}

export function simPorts(d: Design): { ports: SimPort[]; clock?: string; reset?: string } {
  const all = [...d.top.implicitPorts(), ...d.top.ports];
  return {
    ports: all.map((p) => ({ name: p.name, dir: p.kind === 'output' ? 'output' : 'input', width: p.width })),
    clock: all.find((p) => p.kind === 'clock')?.name,
    reset: all.find((p) => p.kind === 'reset')?.name,
  };
}

export async function buildSim(d: Design, opts: { trace?: boolean } = {}): Promise<BuiltSim> {
  const t0 = performance.now();
  const { ports, clock, reset } = simPorts(d);
  const trace = opts.trace ?? false;
  const files = designFiles(d);
  const main = cppMain(d.top.name, ports, clock, trace);
  const flags = ['--cc', '--exe', '--build', '-j', '2', '-Wno-fatal', '--top-module', d.top.name, '-o', 'sim', ...(trace ? ['--trace'] : [])];
  const h = createHash('sha256');
  h.update(await verilatorVersion()).update(flags.join(' ')).update(main);
  for (const [f, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) if (f.endsWith('.v') || f.endsWith('.hex')) h.update(f).update(text);
  const digest = h.digest('hex').slice(0, 20);
  const dir = path.join(CACHE_DIR, `${d.top.name}-${digest}`);
  const exe = path.join(dir, 'obj_dir', 'sim');
  const result = (built: boolean): BuiltSim => ({ top: d.top.name, dir, exe, ports, clock, reset, digest, built, buildMs: performance.now() - t0 });
  if (existsSync(exe)) return result(false);

  // build beside the final folder, then rename: parallel test workers never see a half-built simulator
  mkdirSync(CACHE_DIR, { recursive: true });
  removeStaleBuilds();
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const vfiles: string[] = [];
    for (const [f, text] of files) {
      writeFileSync(path.join(tmp, f), text);
      if (f.endsWith('.v')) vfiles.push(f);
    }
    writeFileSync(path.join(tmp, 'main.cpp'), main);
    const r = await execa('verilator', [...flags, 'main.cpp', ...vfiles], { cwd: tmp, reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`verilator build of ${d.top.name} failed (exit ${r.exitCode}):\n${(r.all ?? '').slice(-4000)}`);
    try {
      renameSync(tmp, dir);
    } catch {
      if (!existsSync(exe)) throw new Error(`could not move the simulator build into ${dir}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return result(true);
}
