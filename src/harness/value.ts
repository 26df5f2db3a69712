// A sampled port value, cocotb-style: the raw bits plus the port's width and signedness.
import { fromBits, toBits } from '../hdl/types.js';

export class LogicValue {
  constructor(
    readonly bits: bigint,
    readonly width: number,
    readonly signed: boolean,
  ) {}
  static fromHex(hex: string, width: number, signed: boolean): LogicValue {
    return new LogicValue(toBits(BigInt(`0x${hex}`), width), width, signed);
  }
  toUnsigned(): bigint {
    return this.bits;
  }
  toSigned(): bigint {
    return fromBits(this.bits, { signed: true, width: this.width });
  }
  /** the value by the port's own signedness */
  toBigInt(): bigint {
    return this.signed ? this.toSigned() : this.bits;
  }
  toNumber(): number {
    return Number(this.toBigInt());
  }
  toString(): string {
    return `0x${this.bits.toString(16)} (${this.toBigInt()})`;
  }
}

/** hex and signed decimal, for mismatch reports */
export function showValue(v: bigint, width: number, signed: boolean): string {
  const bits = toBits(v, width);
  const dec = signed ? fromBits(bits, { signed: true, width }) : bits;
  return `0x${bits.toString(16).padStart(Math.ceil(width / 4), '0')} (${dec})`;
}
