// Hardware value types: unsigned or signed two's complement with an explicit width.

export interface HdlType {
  readonly signed: boolean;
  readonly width: number;
}

export const MAX_WIDTH = 4096;

function checkWidth(width: number): number {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new RangeError(`width must be an integer in 1..${MAX_WIDTH}, got ${width}`);
  }
  return width;
}

export const UInt = (width: number): HdlType => ({ signed: false, width: checkWidth(width) });
export const SInt = (width: number): HdlType => ({ signed: true, width: checkWidth(width) });
export const Bool: HdlType = UInt(1);

export function typeName(t: HdlType): string {
  return `${t.signed ? 'SInt' : 'UInt'}(${t.width})`;
}

/** Smallest number of bits that can index `n` items (log2ceil(1) = 0). */
export function log2ceil(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`log2ceil needs a positive integer, got ${n}`);
  return n === 1 ? 0 : Math.ceil(Math.log2(n));
}

/** Bits needed to hold the non-negative integer `v` as unsigned (at least 1). */
export function bitsFor(v: number | bigint): number {
  let x = BigInt(v);
  if (x < 0n) throw new RangeError(`bitsFor needs a non-negative value, got ${v}`);
  let w = 1;
  while (x > 1n) {
    x >>= 1n;
    w++;
  }
  return w;
}

/** Minimal width of a constant with the given signedness. */
export function minWidth(value: bigint, signed: boolean): number {
  if (!signed) {
    if (value < 0n) return -1;
    return bitsFor(value);
  }
  let w = 1;
  while (!(value >= -(1n << BigInt(w - 1)) && value <= (1n << BigInt(w - 1)) - 1n)) w++;
  return w;
}

export function typeMin(t: HdlType): bigint {
  return t.signed ? -(1n << BigInt(t.width - 1)) : 0n;
}

export function typeMax(t: HdlType): bigint {
  return t.signed ? (1n << BigInt(t.width - 1)) - 1n : (1n << BigInt(t.width)) - 1n;
}

export function fits(value: bigint, t: HdlType): boolean {
  return value >= typeMin(t) && value <= typeMax(t);
}

/** Two's complement bit pattern of `value` in `width` bits (non-negative bigint). */
export function toBits(value: bigint, width: number): bigint {
  const mask = (1n << BigInt(width)) - 1n;
  return value & mask;
}

/** Interprets a `width`-bit pattern as a value of type `t`. */
export function fromBits(bits: bigint, t: HdlType): bigint {
  const b = toBits(bits, t.width);
  if (t.signed && b >> BigInt(t.width - 1) === 1n) return b - (1n << BigInt(t.width));
  return b;
}
