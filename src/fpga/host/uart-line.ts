// The serial line as levels per clock cycle, for co-simulation: bytes to the 8N1 waveform a host's UART sends, and a
// receiver that decodes the waveform the device sends (sampling each bit in its middle, checking start and stop bits).
// Written from the UART's definition (docs/fpga.md), independently of the RTL's receiver.

/** Levels for `bytes`: per byte a start bit (0), 8 data bits LSB first, a stop bit (1), `divisor` cycles each, then
 *  `gap` idle cycles (1). */
export function uartLevels(bytes: ArrayLike<number>, divisor: number, gap = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0xff;
    const bits = [0, ...Array.from({ length: 8 }, (_, k) => (b >> k) & 1), 1];
    for (const bit of bits) for (let c = 0; c < divisor; c++) out.push(bit);
    for (let c = 0; c < gap; c++) out.push(1);
  }
  return out;
}

export class UartLineError extends Error {}

/** Decodes a line sampled once per cycle. A byte is complete when its stop bit's middle has been seen. */
export class UartLineDecoder {
  private prev = 1;
  /** cycles since the start bit's falling edge, or -1 while idle */
  private t = -1;
  private byte = 0;
  readonly bytes: number[] = [];
  /** cycle of each byte's start edge */
  readonly starts: number[] = [];
  private cycle = 0;
  constructor(readonly divisor: number) {}

  push(level: number): void {
    const D = this.divisor;
    const mid = (k: number) => Math.floor(D / 2) + k * D;
    if (this.t < 0) {
      if (this.prev === 1 && level === 0) {
        this.t = 0;
        this.byte = 0;
        this.starts.push(this.cycle);
      }
    } else {
      this.t++;
      if (this.t === mid(0) && level !== 0) throw new UartLineError(`cycle ${this.cycle}: start bit high at its middle`);
      for (let k = 0; k < 8; k++) if (this.t === mid(k + 1)) this.byte |= level << k;
      if (this.t === mid(9)) {
        if (level !== 1) throw new UartLineError(`cycle ${this.cycle}: stop bit low (framing error) after byte 0x${this.byte.toString(16)}`);
        this.bytes.push(this.byte);
        this.t = -1;
      }
    }
    this.prev = level;
    this.cycle++;
  }
}
