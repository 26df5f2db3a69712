// The FPGA serial link's definition (docs/fpga.md): frame format, commands, status codes, CRC-8, the byte layout of
// payloads derived from a core's ports, the link parameters and their ranges, and the device description a PING
// returns. Shared by the RTL generator (dsl/fpga_top.ts), the golden models (src/golden/fpga-link*.ts) and the host
// driver (src/fpga/host/), so the three speak one protocol.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import type { SrcLoc } from '../hdl/srcloc.js';
import { bitsFor } from '../hdl/types.js';
import { requireRange } from '../params/define.js';

export const PROTOCOL_VERSION = 1;
/** First byte of every request / every response. */
export const SYNC_REQUEST = 0xa5;
export const SYNC_RESPONSE = 0x5a;

export const CMD = { ping: 0x01, write: 0x02, step: 0x03, counters: 0x04 } as const;
export type Command = keyof typeof CMD;

/** Low nibble of a response's status byte. */
export const STATUS = { ok: 0, crc: 1, cmd: 2, len: 3, timeout: 4, field: 5 } as const;
export type StatusCode = keyof typeof STATUS;
/** High bits of the status byte. */
export const STATUS_FLAG = {
  /** a timestep produced more records than the record buffer had room for; the excess was dropped */
  overflow: 0x10,
  /** bytes arrived while the device was busy (executing or answering) since the last response; they were dropped */
  dropped: 0x20,
  /** the OR of the core's status flags (the tile: cfg_error) when the response started */
  coreFlag: 0x80,
} as const;

export const STATUS_DOC: Record<StatusCode, string> = {
  ok: 'the command was performed',
  crc: 'the CRC byte did not match; nothing was performed',
  cmd: 'unknown command byte; nothing was performed',
  len: 'the payload length does not suit the command (or exceeds the request buffer: answered before the payload is received); nothing was performed',
  timeout: 'a request stopped arriving in the middle (no byte for timeoutCycles); it was dropped',
  field: 'a payload item has bits set above a field\'s width (in its padding); nothing was performed',
};

export const CMD_DOC: Record<Command, string> = {
  ping: 'no payload; answers the device description (version, widths, buffer sizes, layout hash)',
  write: 'payload: k >= 1 configuration writes, each {addr, data}, little-endian; performed in order on the core\'s cfg bus; no answer payload',
  step: 'payload: k >= 1 timestep input vectors; each is offered to the core in turn; answers every output record the k timesteps produced, in order',
  counters: 'no payload; answers the core\'s flags byte, then every counter, little-endian',
};

// ---- CRC-8 (polynomial x^8 + x^2 + x + 1 = 0x07, initial value 0, no reflection, no final xor: CRC-8/SMBUS) ----

const CRC_TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function crc8Update(crc: number, byte: number): number {
  return CRC_TABLE[(crc ^ byte) & 0xff]!;
}

export function crc8(bytes: ArrayLike<number>, init = 0): number {
  let c = init;
  for (let i = 0; i < bytes.length; i++) c = crc8Update(c, bytes[i]!);
  return c;
}

/**
 * The byte update as a matrix over GF(2): bit i of crc8Update(c, b) is the parity of (c ^ b) & rows[i]. The table
 * is linear in c ^ b, so each row is read off the table's values at single-bit inputs (for the RTL's XOR network).
 */
export function crc8Rows(): number[] {
  const rows = new Array<number>(8).fill(0);
  for (let j = 0; j < 8; j++) {
    const out = CRC_TABLE[1 << j]!;
    for (let i = 0; i < 8; i++) if ((out >> i) & 1) rows[i]! |= 1 << j;
  }
  return rows;
}

// ---- the core's side: fields and the payload layout ----

export interface LinkField {
  name: string;
  width: number;
}

/**
 * What the link needs to know of a core: its cfg bus widths, its timestep input fields (beyond in_valid), the
 * fields of its output stream (captured when out_valid = 1), its counters and 1-bit status flags, and the most
 * records one timestep produces.
 */
export interface CoreLayout {
  addrBits: number;
  dataBits: number;
  stepInputs: LinkField[];
  streamOutputs: LinkField[];
  counters: LinkField[];
  flags: string[];
  recordsPerStep: number;
}

export const bytesFor = (bits: number) => Math.ceil(bits / 8);
const sum = (fs: readonly LinkField[]) => fs.reduce((s, f) => s + f.width, 0);

/** Byte sizes of every payload item, from the layout. */
export interface PayloadLayout {
  addrBytes: number;
  dataBytes: number;
  /** one write: addr then data, each little-endian in its own bytes */
  pairBytes: number;
  /** one timestep vector: the step input fields packed LSB-first in order, little-endian bytes */
  inBits: number;
  inBytes: number;
  /** one record: the stream fields packed LSB-first in order */
  recordBits: number;
  recordBytes: number;
  /** the counters answer: flags byte, then each counter in ceil(width / 8) bytes */
  counterBytes: number[];
  countersPayloadBytes: number;
}

export function payloadLayout(c: CoreLayout): PayloadLayout {
  const addrBytes = bytesFor(c.addrBits);
  const dataBytes = bytesFor(c.dataBits);
  const inBits = sum(c.stepInputs);
  const recordBits = sum(c.streamOutputs);
  const counterBytes = c.counters.map((f) => bytesFor(f.width));
  return {
    addrBytes,
    dataBytes,
    pairBytes: addrBytes + dataBytes,
    inBits,
    inBytes: bytesFor(inBits),
    recordBits,
    recordBytes: bytesFor(recordBits),
    counterBytes,
    countersPayloadBytes: 1 + counterBytes.reduce((s, n) => s + n, 0),
  };
}

/**
 * Which bits of each byte of a payload item are padding (must be 0), per byte of the item: a write's address and
 * data each pad their last byte; a step vector pads its last byte.
 */
export function padMasks(c: CoreLayout, item: 'write' | 'step'): number[] {
  return itemByteBits(c, item).map((n) => 0xff & ~((1 << n) - 1));
}

/** Bits of each byte of a payload item that carry a field (the low ones; the rest are padding). */
export function itemByteBits(c: CoreLayout, item: 'write' | 'step'): number[] {
  const pl = payloadLayout(c);
  const used = (bits: number, bytes: number) => Array.from({ length: bytes }, (_, i) => Math.max(0, Math.min(8, bits - 8 * i)));
  if (item === 'write') return [...used(c.addrBits, pl.addrBytes), ...used(c.dataBits, pl.dataBytes)];
  return used(pl.inBits, pl.inBytes);
}

// ---- link parameters ----

export interface LinkParams {
  /** the board clock the link runs on */
  clockHz: number;
  /** UART baud rate; the bit period is round(clockHz / baud) cycles */
  baud: number;
  /** bytes of the request payload buffer (a power of two) */
  bufferBytes: number;
  /** output records the record buffer holds (one STEP request's answer) */
  fifoRecords: number;
  /** cycles without a byte, in the middle of a request, after which it is dropped (ERR_TIMEOUT) */
  timeoutCycles: number;
}

export const LINK_LIMITS = {
  clockHz: [1_000_000, 1_000_000_000],
  baud: [300, 250_000_000],
  bufferBytes: [16, 4096],
  fifoRecords: [1, 4096],
  timeoutCycles: [1, 2 ** 28],
} as const;

export const LINK_DOC: Record<keyof LinkParams, string> = {
  clockHz: 'the clock the link and the core run on (the board clock)',
  baud: 'UART baud rate, 8N1; the bit period is round(clockHz / baud) cycles, within 2% of the rate',
  bufferBytes: 'request payload buffer in bytes (a power of two, at least one write or one timestep vector)',
  fifoRecords: 'output records one STEP request may produce (at least recordsPerStep)',
  timeoutCycles: 'cycles without a byte inside a request after which it is dropped (at least 30 bit periods)',
};

/** Cycles per UART bit. */
export const baudDivisor = (p: Pick<LinkParams, 'clockHz' | 'baud'>) => Math.round(p.clockHz / p.baud);
/** Timesteps one STEP request may carry: every timestep may produce recordsPerStep records. */
export const maxSteps = (c: CoreLayout, p: Pick<LinkParams, 'fifoRecords'>) => Math.floor(p.fifoRecords / c.recordsPerStep);

const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Checks the link parameters against the core's layout; every problem is reported at once, at `loc`. */
export function checkLinkParams(p: LinkParams, c: CoreLayout, loc: SrcLoc | undefined, who = 'fpgaTop'): void {
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(LINK_LIMITS)) requireRange(who, k, p[k as keyof LinkParams], lo, hi, loc);
    const bad = (msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, loc));
    const pl = payloadLayout(c);
    const div = baudDivisor(p);
    if (Number.isFinite(div) && div < 4) bad(`baud = ${p.baud} leaves ${div} cycle(s) per bit at clockHz = ${p.clockHz}; allowed: at least 4 (baud <= ${Math.floor(p.clockHz / 4)})`);
    else if (Number.isFinite(div) && div > 0) {
      const err = Math.abs(p.clockHz / div - p.baud) / p.baud;
      if (err > 0.02) bad(`baud = ${p.baud} is ${(err * 100).toFixed(1)}% off at clockHz = ${p.clockHz} (${div} cycles per bit give ${Math.round(p.clockHz / div)} baud); allowed: within 2%`);
      if (div > 65535) bad(`baud = ${p.baud} needs ${div} cycles per bit; allowed: at most 65535`);
      if (p.timeoutCycles < 30 * div) bad(`timeoutCycles = ${p.timeoutCycles} is shorter than 3 bytes on the line (30 bit periods of ${div} cycles); allowed: ${30 * div}..${LINK_LIMITS.timeoutCycles[1]}`);
    }
    if (!pow2(p.bufferBytes)) bad(`bufferBytes = ${p.bufferBytes} must be a power of two`);
    const item = Math.max(pl.pairBytes, pl.inBytes);
    if (p.bufferBytes < item) bad(`bufferBytes = ${p.bufferBytes} cannot hold one payload item (${pl.pairBytes} bytes per write, ${pl.inBytes} per timestep); allowed: ${item}..${LINK_LIMITS.bufferBytes[1]}`);
    if (p.fifoRecords * pl.recordBytes > 0xffff) bad(`fifoRecords = ${p.fifoRecords} records of ${pl.recordBytes} bytes exceed a response's 65535 bytes; allowed: ${c.recordsPerStep}..${Math.floor(0xffff / pl.recordBytes)}`);
    if (p.fifoRecords < c.recordsPerStep) bad(`fifoRecords = ${p.fifoRecords} cannot hold one timestep's records (${c.recordsPerStep}); allowed: ${c.recordsPerStep}..${LINK_LIMITS.fifoRecords[1]}`);
    if (c.flags.length > 8) bad(`the core has ${c.flags.length} status flags (${c.flags.join(', ')}); the counters answer carries at most 8`);
    if (c.recordsPerStep < 1) bad(`recordsPerStep = ${c.recordsPerStep} must be at least 1`);
    if (pl.recordBits < 1) bad('the core has no output stream fields (out_*)');
    if (pl.inBits < 1) bad('the core has no timestep input fields (in_* besides in_valid)');
  });
}

// ---- device description (the PING answer) ----

export interface DeviceInfo {
  version: number;
  addrBits: number;
  dataBits: number;
  inBits: number;
  recordBits: number;
  counters: number;
  flags: number;
  bufferBytes: number;
  fifoRecords: number;
  recordsPerStep: number;
  /** FNV-1a of the layout's field names and widths: the host checks it talks to the bitstream it expects */
  layoutHash: number;
}

/** Byte layout of the PING answer: [name, bytes], little-endian. */
export const INFO_FIELDS: readonly [keyof DeviceInfo, number][] = [
  ['version', 1],
  ['addrBits', 1],
  ['dataBits', 2],
  ['inBits', 2],
  ['recordBits', 2],
  ['counters', 1],
  ['flags', 1],
  ['bufferBytes', 2],
  ['fifoRecords', 2],
  ['recordsPerStep', 2],
  ['layoutHash', 4],
];
export const INFO_BYTES = INFO_FIELDS.reduce((s, [, n]) => s + n, 0);

/** FNV-1a (32 bits) of the canonical text of the layout. */
export function layoutHash(c: CoreLayout): number {
  const f = (fs: readonly LinkField[]) => fs.map((x) => `${x.name}:${x.width}`).join(',');
  const text = `a${c.addrBits};d${c.dataBits};in[${f(c.stepInputs)}];out[${f(c.streamOutputs)}];cnt[${f(c.counters)}];flags[${c.flags.join(',')}];r${c.recordsPerStep}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

export function deviceInfo(c: CoreLayout, p: LinkParams): DeviceInfo {
  const pl = payloadLayout(c);
  return {
    version: PROTOCOL_VERSION,
    addrBits: c.addrBits,
    dataBits: c.dataBits,
    inBits: pl.inBits,
    recordBits: pl.recordBits,
    counters: c.counters.length,
    flags: c.flags.length,
    bufferBytes: p.bufferBytes,
    fifoRecords: p.fifoRecords,
    recordsPerStep: c.recordsPerStep,
    layoutHash: layoutHash(c),
  };
}

export function encodeInfo(d: DeviceInfo): number[] {
  const out: number[] = [];
  for (const [k, n] of INFO_FIELDS) for (let i = 0; i < n; i++) out.push(Math.floor(d[k] / 2 ** (8 * i)) & 0xff);
  return out;
}

export function decodeInfo(bytes: ArrayLike<number>): DeviceInfo {
  if (bytes.length !== INFO_BYTES) throw new RangeError(`device description: ${bytes.length} bytes, expected ${INFO_BYTES}`);
  const d = {} as DeviceInfo;
  let at = 0;
  for (const [k, n] of INFO_FIELDS) {
    let v = 0;
    for (let i = 0; i < n; i++) v += bytes[at + i]! * 2 ** (8 * i);
    d[k] = v;
    at += n;
  }
  return d;
}

// ---- frames ----

/** A request frame: SYNC, command, length (2 bytes, little-endian), payload, CRC-8 of everything after SYNC. */
export function encodeRequest(cmd: number, payload: ArrayLike<number> = []): Uint8Array {
  const n = payload.length;
  if (n > 0xffff) throw new RangeError(`request payload of ${n} bytes; a frame carries at most 65535`);
  const body = [cmd & 0xff, n & 0xff, n >> 8, ...Array.from(payload)];
  return Uint8Array.from([SYNC_REQUEST, ...body, crc8(body)]);
}

/** A response frame: SYNC, status, length (2 bytes, little-endian), payload, CRC-8 of everything after SYNC. */
export function encodeResponse(status: number, payload: ArrayLike<number> = []): Uint8Array {
  const n = payload.length;
  const body = [status & 0xff, n & 0xff, n >> 8, ...Array.from(payload)];
  return Uint8Array.from([SYNC_RESPONSE, ...body, crc8(body)]);
}

/** Value of a little-endian byte range. */
export function readLE(bytes: ArrayLike<number>, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

export function writeLE(v: bigint, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

/** Packs field values LSB-first in field order (each value already within its width). */
export function packFields(fields: readonly LinkField[], values: Record<string, bigint>): bigint {
  let v = 0n;
  let at = 0;
  for (const f of fields) {
    const x = values[f.name];
    if (x === undefined) throw new RangeError(`field ${f.name} has no value`);
    if (x < 0n || x >> BigInt(f.width) !== 0n) throw new RangeError(`field ${f.name} = ${x} does not fit its ${f.width} bits`);
    v |= x << BigInt(at);
    at += f.width;
  }
  return v;
}

export function unpackFields(fields: readonly LinkField[], v: bigint): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  let at = 0;
  for (const f of fields) {
    out[f.name] = (v >> BigInt(at)) & ((1n << BigInt(f.width)) - 1n);
    at += f.width;
  }
  return out;
}

/** Bits needed for a count 0..n. */
export const countBits = (n: number) => bitsFor(n);
