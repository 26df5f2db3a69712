// Verilator (Debian 5.006): located on PATH; a clear message when it is missing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

let cached: string | undefined;

export class ToolMissingError extends Error {}

export async function verilatorVersion(): Promise<string> {
  if (cached) return cached;
  try {
    const r = await promisify(execFile)('verilator', ['--version']);
    cached = r.stdout.trim();
    return cached;
  } catch {
    throw new ToolMissingError('verilator was not found on PATH. Run `npm run setup` (as root it installs it with `apt-get install -y verilator`), or install Verilator 5.x yourself.');
  }
}

export interface VerilatorLintResult {
  ok: boolean;
  output: string;
}

export async function verilatorLint(cwd: string, top: string, files: string[], flags = ['--lint-only', '-Wall']): Promise<VerilatorLintResult> {
  await verilatorVersion();
  const { execa } = await import('execa'); // not at load: a fully cached lint never starts Verilator
  const r = await execa('verilator', [...flags, '--top-module', top, ...files], { cwd, reject: false, all: true });
  return { ok: r.exitCode === 0 && !/%(Warning|Error)/.test(r.all ?? ''), output: r.all ?? '' };
}
