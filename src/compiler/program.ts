// The chip program: what the compiler emits and the chip functional model (src/runtime/snn.ts) runs — integer ops
// over per-token tensors, each linear op mapped onto crossbar tiles of the chip it was compiled for. Semantics of
// every op: docs/compiler.md. Stored as a folder: program.json (ops, chip, summary, digests) + weights.bin (the
// integer arrays, little-endian), written to a temporary folder and renamed, so a failed write leaves nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FormatError } from '../lm/formats/safetensors.js';
import type { ChipConfig } from './chip-config.js';

export const PROGRAM_FORMAT = 'nllm-chip-program';
export const PROGRAM_VERSION = 1;

/** A tensor is either digital integers per token, or spike trains: T values per element per token. */
export type TensorKind = 'int' | 'spikes';

export interface TensorInfo {
  kind: TensorKind;
  width: number;
  /** real value of one integer unit (of one spike, for spike trains) */
  scale: number;
  /** the coding of a spike tensor */
  coding?: Coding;
  /** the model IR tensor this one represents (for the quantized-dense model and error analysis) */
  of?: string;
  /** the ideal quantizer of that tensor: integers lo..hi times scale (what the quantized-dense model uses) */
  ideal?: { lo: number; hi: number };
  /** per-channel gains of a smoothed spike tensor: channel c's spike is worth scale * gain[c] (blob, gain = thetas[c] / theta) */
  channelThetas?: string;
}

export type CodingScheme = 'multilevel' | 'rate' | 'ttfs';

export interface Coding {
  scheme: CodingScheme;
  /** signed alphabet (values of both signs) or unsigned (ReLU) */
  signed: boolean;
  /** largest spike magnitude per step */
  levels: number;
}

/** Where a linear op's weights sit: row tiles x column tiles, each with its ADC shift and row mask. */
export interface TileMapping {
  rowTiles: number;
  colTiles: number;
  kind: 'signed' | 'unsigned';
  /** [rowTile * colTiles + colTile] */
  adcShift: number[];
  /** first tile index of this op in the chip's pool of its kind (-1 when streamed in) */
  firstTile: number;
  /** row masks: [rowTile * colTiles + colTile] -> blob of rows bits (absent: all enabled) */
  masks?: string[];
}

export type ProgOp =
  | { kind: 'embed'; name: string; out: string; table: string; pos?: string; posOffset: number }
  | { kind: 'norm'; name: string; input: string; out: string; norm: 'layernorm' | 'rmsnorm'; eps: number }
  /** `thetas`: a threshold per channel (int32 [width]) instead of `theta` for all (per-channel smoothing) */
  | { kind: 'encode'; name: string; input: string; out: string; theta: number; thetas?: string; compensate: boolean; burst?: boolean }
  | {
      kind: 'linear';
      name: string;
      input: string;
      out: string;
      dIn: number;
      dOut: number;
      /** weight levels: int32 [dIn, dOut] (row = input), |w| <= L^S - 1 */
      weights: string;
      /** real value of one weight level */
      weightScale: number;
      /** int32 [dOut]: psum_in of each chain's first tile, every step (bias / T, and the compensation offset), or none */
      bias?: string;
      tiles: TileMapping;
      /** 'spikes': the column neurons fire (threshold theta); 'membrane': they never fire, and the membrane after
       *  the last step (the sum of the token's partial sums) is the output */
      readout: 'spikes' | 'membrane';
      theta: number;
    }
  /** spike counts over the token; `pair`: the input holds a positive and a negative channel, out = first - second half */
  | { kind: 'count'; name: string; input: string; out: string; pair?: boolean }
  | { kind: 'rope'; name: string; input: string; out: string; headDim: number; fracBits: number; invFreq: number[] }
  | { kind: 'attention'; name: string; q: string; k: string; v: string; out: string; heads: number; kvHeads: number; headDim: number; scoreShift: number; softmax: 'approx' | 'exact'; inRange: number }
  | { kind: 'activation'; name: string; input: string; out: string; fn: 'gelu' | 'gelu_new' | 'silu' | 'relu'; inScale: number; outScale: number; clamp: number }
  | { kind: 'mul'; name: string; a: string; b: string; out: string; mult: number; shift: number }
  | { kind: 'rescale'; name: string; input: string; out: string; mult: number; shift: number }
  | { kind: 'residual'; name: string; input: string; add: string; out: string; mult: number; shift: number }
  | { kind: 'logits'; name: string; input: string; out: string };

export interface ProgramSummary {
  tiles: { signed: number; unsigned: number };
  tileCapacity: { signed: number; unsigned: number };
  /** weights / cells that hold them */
  utilization: number;
  weightStreaming: boolean;
  /** estimated chip cycles per token (docs/compiler.md, "Estimates"), at chip.clockHz */
  cyclesPerToken: number;
  notes: string[];
}

export interface ChipProgram {
  format: typeof PROGRAM_FORMAT;
  version: number;
  chip: ChipConfig;
  model: { source: string; family: string; vocabSize: number; dModel: number; nLayers: number; maxSeq: number };
  /** compile options, for provenance */
  options: Record<string, unknown>;
  tensors: Record<string, TensorInfo>;
  ops: ProgOp[];
  logits: string;
  summary: ProgramSummary;
  /** integer arrays by name */
  blobs: Map<string, Int32Array>;
}

interface StoredBlob {
  offset: number;
  length: number;
}

/** The stored form of a program: weights.bin, program.json and its digest (the program's identity). */
function serialize(p: ChipProgram): { bin: Buffer; json: string; digest: string } {
  const names = [...p.blobs.keys()].sort();
  const index: Record<string, StoredBlob> = {};
  let bytes = 0;
  for (const n of names) {
    index[n] = { offset: bytes, length: p.blobs.get(n)!.length };
    bytes += p.blobs.get(n)!.length * 4;
  }
  const bin = Buffer.alloc(bytes);
  for (const n of names) {
    const a = p.blobs.get(n)!;
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(bin, index[n]!.offset);
  }
  const { blobs: _, ...rest } = p;
  const weightsDigest = createHash('sha256').update(bin).digest('hex');
  const json = JSON.stringify({ ...rest, blobs: index, weightsDigest }, null, 1);
  return { bin, json, digest: createHash('sha256').update(json).digest('hex') };
}

/** The digest writeProgram records for `p` (equal for a program and its read-back copy). */
export const programDigest = (p: ChipProgram): string => serialize(p).digest;

/** Writes a program atomically into `dir` (replacing an older one); returns the digest of its contents. */
export function writeProgram(p: ChipProgram, dir: string): string {
  const { bin, json, digest } = serialize(p);
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  const tmp = `${path.resolve(dir)}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    writeFileSync(path.join(tmp, 'weights.bin'), bin);
    writeFileSync(path.join(tmp, 'program.json'), json);
    writeFileSync(path.join(tmp, 'program.sha256'), `${digest}  program.json\n`);
    const old = `${path.resolve(dir)}.old-${process.pid}`;
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return digest;
}

/** Reads a program, checking its format, version and both digests; a mismatch is a FormatError naming what differs. */
export function readProgram(dir: string): ChipProgram {
  const jf = path.join(dir, 'program.json');
  if (!existsSync(jf)) throw new FormatError(dir, 'not a chip program (no program.json); make one with `npm run compile`');
  const json = readFileSync(jf, 'utf8');
  const sumFile = path.join(dir, 'program.sha256');
  const recorded = existsSync(sumFile) ? readFileSync(sumFile, 'utf8').split(/\s+/)[0] : undefined;
  const digest = createHash('sha256').update(json).digest('hex');
  if (recorded !== digest) throw new FormatError(jf, `digest ${digest.slice(0, 16)}… does not match program.sha256 (${recorded?.slice(0, 16) ?? 'missing'}…): the program was changed or corrupted; compile it again`);
  let body: Omit<ChipProgram, 'blobs'> & { blobs: Record<string, StoredBlob>; weightsDigest: string };
  try {
    body = JSON.parse(json);
  } catch (e) {
    throw new FormatError(jf, `not valid JSON (${(e as Error).message})`);
  }
  if (body.format !== PROGRAM_FORMAT) throw new FormatError(jf, `format '${body.format}' is not ${PROGRAM_FORMAT}`);
  if (body.version !== PROGRAM_VERSION) throw new FormatError(jf, `chip program version ${body.version}; this tool reads version ${PROGRAM_VERSION}: compile the model again`);
  const bin = readFileSync(path.join(dir, 'weights.bin'));
  const wd = createHash('sha256').update(bin).digest('hex');
  if (wd !== body.weightsDigest) throw new FormatError(path.join(dir, 'weights.bin'), `digest ${wd.slice(0, 16)}… differs from the program's ${body.weightsDigest.slice(0, 16)}…: corrupted`);
  const blobs = new Map<string, Int32Array>();
  for (const [name, b] of Object.entries(body.blobs)) {
    if (b.offset + b.length * 4 > bin.length) throw new FormatError(path.join(dir, 'weights.bin'), `blob '${name}' ends at byte ${b.offset + b.length * 4}, past the file's ${bin.length}`);
    const a = new Int32Array(b.length);
    Buffer.from(a.buffer).set(bin.subarray(b.offset, b.offset + b.length * 4));
    blobs.set(name, a);
  }
  const { blobs: _, weightsDigest: __, ...rest } = body;
  return { ...rest, blobs } as ChipProgram;
}

export function blob(p: ChipProgram, name: string): Int32Array {
  const b = p.blobs.get(name);
  if (!b) throw new Error(`chip program has no blob '${name}'`);
  return b;
}
