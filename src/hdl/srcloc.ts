// Source locations of user code. Every IR object records where the *user* created it, so diagnostics
// point at dsl/… lines rather than at library internals (Amaranth src_loc, Chisel's trimmed ErrorLog).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SrcLoc {
  /** path relative to the project root, forward slashes */
  file: string;
  line: number;
  col: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Project root: src/hdl/../.. */
export const PROJECT_ROOT = path.resolve(HERE, '..', '..');
// Frames inside these folders belong to the library and are skipped automatically.
const LIBRARY_DIRS = [path.join(PROJECT_ROOT, 'src') + path.sep];

let extraSkip = 0;

/**
 * Runs `fn` with locations attributed one (or `frames`) user frame further up. A user-level helper in dsl/
 * that builds hardware for its caller wraps its body in this, so diagnostics name the helper's caller.
 */
export function atCaller<T>(fn: () => T, frames = 1): T {
  extraSkip += frames;
  try {
    return fn();
  } finally {
    extraSkip -= frames;
  }
}

const FRAME_RE = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

function frameFile(raw: string): string {
  return raw.startsWith('file://') ? fileURLToPath(raw) : raw;
}

/**
 * The location of the code that called into the current user file: the first user frame whose file differs
 * from the innermost user frame's. A generator uses this to report a bad parameter at its call site.
 */
export function captureCallerLoc(): SrcLoc | undefined {
  let first: string | undefined;
  for (const loc of userFrames()) {
    if (first === undefined) first = loc.file;
    else if (loc.file !== first) return loc;
  }
  return undefined;
}

function* userFrames(): Generator<SrcLoc> {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME_RE.exec(line);
    if (!m) continue;
    const file = frameFile(m[1]!);
    if (!path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (LIBRARY_DIRS.some((d) => file.startsWith(d)) && !/\.test\.ts$/.test(file)) continue;
    yield { file: path.relative(PROJECT_ROOT, file).split(path.sep).join('/'), line: Number(m[2]), col: Number(m[3]) };
  }
}

/** The location of the first user frame on the current stack (after `extraSkip` user frames). */
export function captureLoc(): SrcLoc | undefined {
  let skip = extraSkip;
  for (const loc of userFrames()) {
    if (skip-- > 0) continue;
    return loc;
  }
  return undefined;
}

export function formatLoc(loc: SrcLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '<unknown>';
}
