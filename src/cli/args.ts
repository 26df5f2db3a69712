// Command-line arguments of the npm scripts: numbers checked against their ranges, and a wrapper that turns a user's
// mistake (a bad option, a missing or malformed file) into one `error:` line and exit status 2, not a stack trace.
// Anything else is a bug and keeps its stack.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FormatError } from '../lm/formats/safetensors.js';
import { DatasetError } from '../lm/data/wikitext.js';

/** A user's mistake a script reports as one `error:` line and exit status 2 (a bad value in a file they gave...). */
export class UserError extends Error {
  override name = 'UserError';
}

/** A bad command line: reported like a UserError, followed by the usage. */
export class UsageError extends UserError {
  override name = 'UsageError';
}

/** --help or -h was given: runCli prints the usage and the options and exits 0. */
class HelpRequested extends Error {}

interface Range {
  min: number;
  max?: number;
  /** what max stands for, for the message (e.g. "the model's context") */
  maxIs?: string;
}

function checked(name: string, raw: string, n: number, r: Range, what: string): number {
  const top = r.max === undefined ? '' : ` to ${r.max}${r.maxIs ? ` (${r.maxIs})` : ''}`;
  if (!Number.isFinite(n) || raw.trim() === '' || n < r.min || (r.max !== undefined && n > r.max)) {
    throw new UsageError(`--${name} must be ${what} from ${r.min}${top}, got '${raw}'`);
  }
  return n;
}

/** An integer option; `raw` undefined gives `fallback`. */
export function intArg(name: string, raw: string | undefined, fallback: number, r: Range): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return checked(name, raw, Number.isInteger(n) ? n : NaN, r, 'an integer');
}

/** A real-number option; `raw` undefined gives `fallback`. */
export function numArg(name: string, raw: string | undefined, fallback: number, r: Range): number {
  if (raw === undefined) return fallback;
  return checked(name, raw, Number(raw), r, 'a number');
}

/** One of `choices`. */
export function choiceArg<T extends string>(name: string, raw: string | undefined, choices: readonly T[]): T {
  const v = raw ?? choices[0]!;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return v as T;
}

/** node:util parseArgs, with its errors (unknown option, missing value) reported as usage errors, and --help / -h
 *  (before any `--`) answered by runCli with the script's usage, whatever else the line holds. */
export function parseCli<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequested();
  try {
    return parseArgs({ ...config, args }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // parseArgs appends advice about positionals starting with '-', which none of our scripts take
    const msg = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `${err.message.split('. ')[0]!} (--help lists the options)` : err.message;
    throw new UsageError(msg);
  }
}

/** A user's mistake rather than a bug in the program. */
function userError(e: unknown): string | undefined {
  if (e instanceof UserError || e instanceof FormatError || e instanceof DatasetError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' || err?.code === 'EISDIR' || err?.code === 'EACCES') return `${err.path ?? ''}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.code === 'EISDIR' ? 'is a folder, a file was expected' : 'permission denied'}`;
  return undefined;
}

/** Runs an npm script's body; a user's mistake prints `error: ...` (and the usage line, for a bad option) and exits 2;
 *  --help prints the usage and `options` (what each option does) on stdout and exits 0. */
export async function runCli(usage: string, body: () => void | Promise<void>, options = ''): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(`usage: ${usage}${options ? `\n\n${options.replace(/^\n+|\s+$/g, '')}` : ''}`);
      process.exit(0);
    }
    const msg = userError(e);
    if (msg === undefined) throw e;
    console.error(`error: ${msg}`);
    if (e instanceof UsageError) console.error(`usage: ${usage}`);
    process.exit(2);
  }
}
