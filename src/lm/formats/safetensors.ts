// safetensors reader and writer (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
// The reader parses only the header up front and reads each tensor on demand from the file, so a large
// checkpoint's tensor list is available without loading its weights.
import { closeSync, fstatSync, openSync, readSync, writeFileSync, renameSync } from 'node:fs';

export type DType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I32' | 'I64' | 'I8' | 'U8' | 'I16' | 'BOOL';
export const DTYPE_BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8, I8: 1, U8: 1, I16: 2, BOOL: 1 };

export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** byte offsets relative to the start of the data section */
  begin: number;
  end: number;
}

export class FormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'FormatError';
  }
}

export class SafetensorsFile {
  readonly tensors = new Map<string, TensorInfo>();
  readonly metadata: Record<string, string> = {};
  private fd: number;
  private dataStart: number;
  readonly size: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.size = fstatSync(this.fd).size;
      if (this.size < 8) throw new FormatError(path, `file is ${this.size} bytes; a safetensors file starts with an 8-byte header length`);
      const lenBuf = Buffer.alloc(8);
      readSync(this.fd, lenBuf, 0, 8, 0);
      const hlen = Number(lenBuf.readBigUInt64LE(0));
      if (hlen > this.size - 8 || hlen > 100 * 1024 * 1024) throw new FormatError(path, `header length ${hlen} exceeds the file (${this.size} bytes): truncated or not safetensors`);
      const hbuf = Buffer.alloc(hlen);
      readSync(this.fd, hbuf, 0, hlen, 8);
      let header: unknown;
      try {
        header = JSON.parse(hbuf.toString('utf8'));
      } catch (e) {
        throw new FormatError(path, `header is not valid JSON (${(e as Error).message})`);
      }
      this.dataStart = 8 + hlen;
      const { tensors, metadata } = checkHeader(path, header, this.size - this.dataStart);
      for (const t of tensors) this.tensors.set(t.name, t);
      Object.assign(this.metadata, metadata);
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new FormatError(this.path, `missing tensor '${name}'`);
    return t;
  }

  /** Reads a tensor as float32 (F32, F16, BF16 and F64 are converted). */
  float32(name: string, expectShape?: readonly number[]): Float32Array {
    const t = this.info(name);
    if (expectShape && (expectShape.length !== t.shape.length || expectShape.some((d, i) => d !== t.shape[i]))) {
      throw new FormatError(this.path, `tensor '${name}' has shape [${t.shape}], expected [${expectShape}]`);
    }
    if (!FLOAT_DTYPES.has(t.dtype)) throw new FormatError(this.path, `tensor '${name}' is ${t.dtype}; a float tensor was expected`);
    const n = (t.end - t.begin) / DTYPE_BYTES[t.dtype];
    const out = new Float32Array(n);
    if (t.dtype === 'F32' && LITTLE_ENDIAN) {
      // the file's bytes are the array's bytes: read straight into it, no per-element conversion
      this.readAt(new Uint8Array(out.buffer), t.begin);
      return out;
    }
    const bytes = Buffer.alloc(t.end - t.begin);
    this.readAt(bytes, t.begin);
    switch (t.dtype) {
      case 'F32':
        for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(i * 4);
        break;
      case 'F64':
        for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(i * 8);
        break;
      case 'BF16': {
        // bfloat16 is the top half of a float32's bits
        const bits = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) bits[i] = bytes.readUInt16LE(i * 2) << 16;
        break;
      }
      case 'F16': {
        const table = halfTable();
        for (let i = 0; i < n; i++) out[i] = table[bytes.readUInt16LE(i * 2)]!;
        break;
      }
    }
    return out;
  }

  /** Fills `into` from data-section offset `at`, in pieces: one readSync call moves at most 2 GiB - 1. */
  private readAt(into: Uint8Array, at: number): void {
    for (let done = 0; done < into.length; ) {
      const got = readSync(this.fd, into, done, Math.min(into.length - done, READ_CHUNK), this.dataStart + at + done);
      if (got === 0) throw new FormatError(this.path, `unexpected end of file at byte ${this.dataStart + at + done} (the file shrank while open?)`);
      done += got;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The header's tensors, checked as the format requires (and as the reference implementation validates): each
 *  entry names a known dtype, a shape of non-negative integers and two integer offsets begin <= end spanning exactly
 *  the shape's bytes; sorted by offset the tensors tile the data section: the first begins at 0, each begins where
 *  the previous ended, the last ends at the section's end. Overlapping tensors would silently share weights, a gap
 *  or trailing bytes mean the offsets are not what the writer meant. */
function checkHeader(file: string, header: unknown, dataLen: number): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  if (!isObject(header)) throw new FormatError(file, `header must be a JSON object {name: {dtype, shape, data_offsets}}, got ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}`);
  const tensors: TensorInfo[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) throw new FormatError(file, '__metadata__ must be an object of string values');
      metadata = v as Record<string, string>;
      continue;
    }
    const bad = (what: string) => new FormatError(file, `tensor '${name}': ${what}`);
    if (!isObject(v)) throw bad(`header entry must be an object {dtype, shape, data_offsets}, got ${JSON.stringify(v)}`);
    const missing = ['dtype', 'shape', 'data_offsets'].filter((k) => v[k] === undefined);
    if (missing.length) throw bad(`header entry has no ${missing.join(', ')}`);
    const { dtype, shape, data_offsets: offsets } = v;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw bad(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) throw bad(`data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
    const bytes = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_BYTES[dtype as DType];
    if (end - begin !== bytes) throw bad(`shape [${shape}] of ${dtype} needs ${bytes} bytes, offsets span ${end - begin}`);
    if (end > dataLen) throw new FormatError(file, `tensor '${name}' ends at byte ${end} of the data section but the file holds ${dataLen}: the file is truncated`);
    tensors.push({ name, dtype: dtype as DType, shape: shape as number[], begin, end });
  }
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: TensorInfo | undefined;
  for (const t of sorted) {
    if (t.begin < at) throw new FormatError(file, `tensor '${t.name}' (data_offsets [${t.begin}, ${t.end}]) overlaps tensor '${prev!.name}' ([${prev!.begin}, ${prev!.end}]): each tensor must begin where the previous one ends`);
    if (t.begin > at) throw new FormatError(file, prev ? `${t.begin - at} unused bytes between tensor '${prev.name}' (ends at ${at}) and tensor '${t.name}' (begins at ${t.begin}): each tensor must begin where the previous one ends` : `the first tensor, '${t.name}', begins at byte ${t.begin}: the data section must start with a tensor at byte 0`);
    at = t.end;
    prev = t;
  }
  if (at !== dataLen) throw new FormatError(file, `${dataLen - at} bytes after the last tensor${prev ? ` ('${prev.name}' ends at byte ${at})` : ''} in a data section of ${dataLen}: the tensors must fill it exactly`);
  return { tensors, metadata };
}

const FLOAT_DTYPES = new Set<DType>(['F32', 'F64', 'BF16', 'F16']);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let READ_CHUNK = 1 << 30;
/** Tests: a small read piece, so multi-piece reads are exercised without a 2 GiB tensor. */
export function setReadChunk(bytes: number): void {
  READ_CHUNK = bytes;
}

let HALF_TABLE: Float32Array | undefined;
/** float32 value of every IEEE binary16 bit pattern (256 KiB, built once). */
export function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfToFloat(h);
  }
  return HALF_TABLE;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Writes float32 tensors (in insertion order) atomically. */
export function writeSafetensors(path: string, tensors: Map<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`tensor '${name}': shape [${t.shape}] has ${n} elements but data has ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + n * 4] };
    off += n * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data aligned to 8 bytes
  const hb = Buffer.from(json, 'utf8');
  const buf = Buffer.alloc(8 + hb.length + off);
  buf.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(buf, 8);
  let p = 8 + hb.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, p);
    p += t.data.byteLength;
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, buf);
  renameSync(tmp, path);
}
