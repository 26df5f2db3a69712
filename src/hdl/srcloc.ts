// Source locations of user code. Every IR object records where the *user* created it, so diagnostics
// point at dsl/… lines rather than at library internals (Amaranth src_loc, Chisel's trimmed ErrorLog).
import path from 'node:path';
import { findSourceMap, type SourceMap } from 'node:module';
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

// Frames are read as V8 call sites (Error.prepareStackTrace), not as a formatted stack string: formatting maps every
// frame through its source map, which made capturing locations most of the elaboration time of a large chip. Only
// the frames looked at are mapped here, with the same source maps (tsx registers them) and the same rule as Node's
// own stack traces; positions and files are cached.
type CallSite = NodeJS.CallSite;

function callSites(depth: number): CallSite[] {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = depth;
  Error.prepareStackTrace = (_, cs) => cs;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, callSites);
  const cs = holder.stack as CallSite[];
  Error.stackTraceLimit = limit;
  Error.prepareStackTrace = prepare;
  return Array.isArray(cs) ? cs : [];
}

const toPath = (name: string): string => (name.startsWith('file://') ? fileURLToPath(name) : name);
/** generated file name -> whether its frames are user frames */
const isUser = new Map<string, boolean>();
const maps = new Map<string, SourceMap | undefined>();
const mapped = new Map<string, SrcLoc>();

function userFile(name: string): boolean {
  let u = isUser.get(name);
  if (u === undefined) {
    const file = toPath(name);
    u = path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`) && (!LIBRARY_DIRS.some((d) => file.startsWith(d)) || /\.test\.ts$/.test(file));
    isUser.set(name, u);
  }
  return u;
}

const FRAME_RE = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

function locOf(cs: CallSite, name: string, line: number, col: number, prepare: typeof Error.prepareStackTrace): SrcLoc {
  const key = `${name}:${line}:${col}`;
  let loc = mapped.get(key);
  if (!loc) {
    let orig = { file: toPath(name), line, col };
    if (prepare) {
      // a test runner's own stack mapper (vitest's): ask it for this one frame
      const m = FRAME_RE.exec(String(prepare(new Error(), [cs])).split('\n').pop() ?? '');
      if (m) orig = { file: toPath(m[1]!), line: Number(m[2]), col: Number(m[3]) };
    } else {
      // Node's source maps (tsx registers them): the rule of Node's own stack traces
      if (!maps.has(name)) maps.set(name, findSourceMap(name));
      const e = maps.get(name)?.findEntry(line - 1, col - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
      if (e?.originalLine !== undefined && e.originalSource) orig = { file: toPath(e.originalSource), line: e.originalLine + 1, col: e.originalColumn! + 1 };
    }
    loc = { file: path.relative(PROJECT_ROOT, orig.file).split(path.sep).join('/'), line: orig.line, col: orig.col };
    mapped.set(key, loc);
  }
  return loc;
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

// Most locations are found within a few frames; a short capture is tried first, the deep one only when needed.
const SHORT = 8;
const DEEP = 48;

function* userFrames(): Generator<SrcLoc> {
  const prepare = Error.prepareStackTrace;
  const short = callSites(SHORT);
  yield* usersOf(short, prepare);
  if (short.length < SHORT) return;
  yield* usersOf(callSites(DEEP).slice(SHORT), prepare);
}

function* usersOf(sites: CallSite[], prepare: typeof Error.prepareStackTrace): Generator<SrcLoc> {
  for (const cs of sites) {
    const name = cs.getFileName();
    const line = cs.getLineNumber();
    const col = cs.getColumnNumber();
    if (!name || line === null || col === null || !userFile(name)) continue;
    yield locOf(cs, name, line, col, prepare);
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
