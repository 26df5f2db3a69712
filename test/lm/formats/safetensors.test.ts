// safetensors dtype conversion: F16 exhaustively against Python's own binary16 decoder, BF16/F64/F32 on chosen
// bit patterns (signed zero, subnormals, infinities, NaN, extremes), and reads split into pieces.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FormatError, SafetensorsFile, halfTable, setReadChunk, writeSafetensors } from '../../../src/lm/formats/safetensors.js';

/** A safetensors file from raw little-endian tensor bytes. */
function rawFile(tensors: [string, string, number[], Buffer][]): string {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, dtype, shape, bytes] of tensors) {
    header[name] = { dtype, shape, data_offsets: [off, off + bytes.length] };
    off += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-st-')), 'x.safetensors');
  writeFileSync(f, Buffer.concat([len, json, ...tensors.map((t) => t[3])]));
  return f;
}
const u16 = (xs: number[]) => Buffer.from(new Uint16Array(xs).buffer);
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('safetensors float conversion', () => {
  afterEach(() => setReadChunk(1 << 30));

  it('F16: all 65,536 bit patterns equal Python struct "e" decoding (SHA-256 of the float32 bits, NaN canonical)', () => {
    // python3 -c "import struct,hashlib; print(hashlib.sha256(b''.join(struct.pack('<I',0x7fc00000) if v!=v else
    //   struct.pack('<f',v) for v in (struct.unpack('<e',struct.pack('<H',h))[0] for h in range(65536)))).hexdigest())"
    const bits = new Uint32Array(halfTable().slice().buffer);
    for (let h = 0; h < 65536; h++) if (Number.isNaN(halfTable()[h])) bits[h] = 0x7fc00000;
    expect(createHash('sha256').update(new Uint8Array(bits.buffer)).digest('hex')).toBe('385ff5fe69182797cda5f1827e20cf423f4416bc9246f27d0eec27cac9039259');
  });

  it('reads F16, BF16, F64 and F32 tensors as float32, bit for bit', () => {
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x8000, 0x3555];
    const bf16 = [0x3f80, 0xc040, 0x7f7f, 0x0001, 0x7f80, 0xff80, 0x8000, 0x3eab];
    const f64 = [1 / 3, -0, 1e-40, 3.5e38, -1e300];
    const f32 = Float32Array.from([Math.PI, -0, 1e-45, -3.4e38, Infinity]);
    const st = new SafetensorsFile(
      rawFile([
        ['h', 'F16', [2, 5], u16(f16)],
        ['b', 'BF16', [8], u16(bf16)],
        ['d', 'F64', [5], Buffer.from(new Float64Array(f64).buffer)],
        ['f', 'F32', [5], Buffer.from(f32.buffer)],
      ]),
    );
    expect(Array.from(st.float32('h', [2, 5]))).toEqual([1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, -0, 0.333251953125]);
    expect(bitsOf(st.float32('b'))).toEqual(bf16.map((b) => (b << 16) >>> 0));
    expect(Array.from(st.float32('d'))).toEqual(f64.map((x) => Math.fround(x)));
    expect(bitsOf(st.float32('f'))).toEqual(bitsOf(f32));
    const nan = new SafetensorsFile(rawFile([['n', 'F16', [2], u16([0x7e00, 0xfe01])], ['m', 'BF16', [1], u16([0x7fc0])]]));
    expect(Array.from(nan.float32('n')).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(nan.float32('m')[0])).toBe(true);
    st.close();
    nan.close();
  });

  it('a read split into pieces gives the same tensor (readSync moves at most 2 GiB at a time)', () => {
    const a = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 7);
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-st-')), 'y.safetensors');
    writeSafetensors(f, new Map([['pad', { shape: [3], data: new Float32Array(3) }], ['a', { shape: [1001], data: a }]]));
    setReadChunk(7); // not a multiple of 4: pieces end mid-float
    const st = new SafetensorsFile(f);
    expect(bitsOf(st.float32('a'))).toEqual(bitsOf(a));
    st.close();
  });

  it('rejects a non-float tensor where floats are expected, naming it', () => {
    const st = new SafetensorsFile(rawFile([['ids', 'I32', [2], Buffer.from(new Int32Array([1, 2]).buffer)]]));
    expect(() => st.float32('ids')).toThrow(/tensor 'ids' is I32; a float tensor was expected/);
    st.close();
  });
});

/** A file with a hand-written header and `dataLen` bytes of data. */
function headerFile(header: unknown, dataLen: number): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-st-')), 'h.safetensors');
  writeFileSync(f, Buffer.concat([len, json, Buffer.alloc(dataLen)]));
  return f;
}
const f32 = (shape: unknown, offsets: unknown) => ({ dtype: 'F32', shape, data_offsets: offsets });

describe('safetensors header checks (what the format requires; each names the file and the tensor)', () => {
  it('accepts tensors that tile the data section, in any header order, zero-sized ones included', () => {
    const st = new SafetensorsFile(headerFile({ b: f32([2], [8, 16]), a: f32([2], [0, 8]), e: f32([0], [16, 16]), __metadata__: { k: 'v' } }, 16));
    expect([...st.tensors.keys()]).toEqual(['b', 'a', 'e']);
    st.close();
  });

  it.each([
    ['overlapping tensors', { a: f32([2], [0, 8]), b: f32([2], [0, 8]) }, 8, /tensor 'b' \(data_offsets \[0, 8\]\) overlaps tensor 'a' \(\[0, 8\]\): each tensor must begin where the previous one ends/],
    ['partly overlapping tensors', { a: f32([3], [0, 12]), b: f32([3], [8, 20]) }, 20, /tensor 'b' .* overlaps tensor 'a'/],
    ['a gap between tensors', { a: f32([2], [0, 8]), b: f32([2], [12, 20]) }, 20, /4 unused bytes between tensor 'a' \(ends at 8\) and tensor 'b' \(begins at 12\)/],
    ['a first tensor not at byte 0', { a: f32([2], [4, 12]) }, 12, /the first tensor, 'a', begins at byte 4: the data section must start with a tensor at byte 0/],
    ['trailing bytes after the last tensor', { a: f32([2], [0, 8]) }, 12, /4 bytes after the last tensor \('a' ends at byte 8\) in a data section of 12: the tensors must fill it exactly/],
    ['data but no tensors', {}, 4, /4 bytes after the last tensor in a data section of 4/],
    ['a negative dimension', { a: f32([-8], [0, 0]) }, 0, /tensor 'a': shape must be a list of non-negative integers, got \[-8\]/],
    ['a non-integer dimension', { a: f32([2.5], [0, 10]) }, 10, /tensor 'a': shape must be a list of non-negative integers, got \[2\.5\]/],
    ['a shape that is not a list', { a: f32('2', [0, 8]) }, 8, /tensor 'a': shape must be a list of non-negative integers, got "2"/],
    ['offsets that are not integers', { a: f32([2], [0, '8']) }, 8, /tensor 'a': data_offsets must be two non-negative integers \[begin, end\], got \[0,"8"\]/],
    ['fractional offsets', { a: f32([2], [0.5, 8.5]) }, 9, /tensor 'a': data_offsets must be two non-negative integers/],
    ['negative offsets', { a: f32([2], [-8, 0]) }, 0, /tensor 'a': data_offsets must be two non-negative integers/],
    ['three offsets', { a: f32([2], [0, 8, 16]) }, 16, /tensor 'a': data_offsets must be two non-negative integers/],
    ['end before begin', { a: f32([0], [8, 0]) }, 8, /tensor 'a': data_offsets \[8, 0\] end before they begin/],
    ['an unknown dtype', { a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2, /tensor 'a': unsupported dtype "F8_E4M3" \(supported: F32, /],
    ['a missing dtype and shape', { a: { data_offsets: [0, 8] } }, 8, /tensor 'a': header entry has no dtype, shape/],
    ['missing data_offsets', { a: { dtype: 'F32', shape: [2] } }, 8, /tensor 'a': header entry has no data_offsets/],
    ['an entry that is not an object', { a: [1, 2] }, 0, /tensor 'a': header entry must be an object \{dtype, shape, data_offsets\}, got \[1,2\]/],
    ['a header that is not an object', [1, 2], 0, /header must be a JSON object .*got an array/],
    ['metadata that is not strings', { __metadata__: { n: 1 } }, 0, /__metadata__ must be an object of string values/],
    ['a shape that does not fit its offsets', { a: f32([3], [0, 8]) }, 8, /tensor 'a': shape \[3\] of F32 needs 12 bytes, offsets span 8/],
  ])('refuses %s', (_, header, dataLen, msg) => {
    const f = headerFile(header, dataLen);
    let err: unknown;
    try {
      new SafetensorsFile(f).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message.startsWith(`${f}: `)).toBe(true);
    expect((err as Error).message).toMatch(msg);
  });
});
