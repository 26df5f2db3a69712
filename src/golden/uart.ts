// Cycle-level golden models of the UART receiver and transmitter (docs/fpga.md, "UART"): the receiver's two-stage
// synchronizer, start-bit detection and mid-bit samples; the transmitter's 10 * divisor + 1 cycles per byte.
const RX = { idle: 0, start: 1, data: 2, stop: 3, wait: 4 } as const;
const TX = { idle: 0, start: 1, data: 2, stop: 3 } as const;

export class UartRxModel {
  private meta = 1;
  private sync = 1;
  private state: number = RX.idle;
  private count = 0;
  private bitIndex = 0;
  private shift = 0;
  private got = 0;
  constructor(readonly divisor: number) {}

  /** a byte arrived: 1 for one cycle */
  get valid(): number {
    return this.got;
  }
  get data(): number {
    return this.shift;
  }

  reset(): void {
    this.meta = 1;
    this.sync = 1;
    this.state = RX.idle;
    this.count = 0;
    this.bitIndex = 0;
    this.shift = 0;
    this.got = 0;
  }

  edge(rx: number): void {
    const D = this.divisor;
    const sample = this.count === 0;
    const sync = this.sync;
    let { state, count, bitIndex, shift } = this;
    switch (this.state) {
      case RX.idle:
        if (!sync) {
          state = RX.start;
          count = Math.floor(D / 2) - 1;
        }
        break;
      case RX.start:
        if (!sample) count--;
        else if (!sync) {
          state = RX.data;
          count = D - 1;
          bitIndex = 0;
        } else state = RX.idle;
        break;
      case RX.data:
        if (!sample) count--;
        else {
          shift = (sync << 7) | (shift >> 1);
          count = D - 1;
          if (bitIndex === 7) state = RX.stop;
          else bitIndex++;
        }
        break;
      case RX.stop:
        if (!sample) count--;
        else state = sync ? RX.idle : RX.wait;
        break;
      case RX.wait:
        if (sync) state = RX.idle;
        break;
      default:
        state = RX.idle;
    }
    this.got = this.state === RX.stop && sample && sync ? 1 : 0;
    this.sync = this.meta;
    this.meta = rx & 1;
    Object.assign(this, { state, count, bitIndex, shift });
  }
}

export class UartTxModel {
  private state: number = TX.idle;
  private count = 0;
  private bitIndex = 0;
  private shift = 0;
  private lineBit = 1;
  constructor(readonly divisor: number) {}

  get ready(): number {
    return this.state === TX.idle ? 1 : 0;
  }
  get line(): number {
    return this.lineBit;
  }

  reset(): void {
    this.state = TX.idle;
    this.count = 0;
    this.bitIndex = 0;
    this.shift = 0;
    this.lineBit = 1;
  }

  edge(valid: number, data: number): void {
    const D = this.divisor;
    const done = this.count === 0;
    let { state, count, bitIndex, shift, lineBit } = this;
    const nextBit = () => {
      lineBit = shift & 1;
      shift >>= 1;
      count = D - 1;
    };
    switch (this.state) {
      case TX.idle:
        if (valid) {
          state = TX.start;
          count = D - 1;
          shift = data & 0xff;
          lineBit = 0;
        }
        break;
      case TX.start:
        if (!done) count--;
        else {
          nextBit();
          bitIndex = 0;
          state = TX.data;
        }
        break;
      case TX.data:
        if (!done) count--;
        else if (bitIndex === 7) {
          lineBit = 1;
          count = D - 1;
          state = TX.stop;
        } else {
          nextBit();
          bitIndex++;
        }
        break;
      case TX.stop:
        if (!done) count--;
        else state = TX.idle;
        break;
    }
    Object.assign(this, { state, count, bitIndex, shift, lineBit });
  }
}
