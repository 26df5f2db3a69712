// Verilator (Debian 5.006): located on PATH; a clear message when it is missing.
import { execa } from 'execa';

let cached: string | undefined;

export class ToolMissingError extends Error {}

export async function verilatorVersion(): Promise<string> {
  if (cached) return cached;
  try {
    const r = await execa('verilator', ['--version']);
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

export async function verilatorLint(cwd: string, top: string, files: string[]): Promise<VerilatorLintResult> {
  await verilatorVersion();
  const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', top, ...files], { cwd, reject: false, all: true });
  return { ok: r.exitCode === 0 && !/%(Warning|Error)/.test(r.all ?? ''), output: r.all ?? '' };
}
