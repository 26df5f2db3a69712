// The co-simulated RTL as a Transport for the host driver: written bytes become uart_rx levels, the simulator runs in
// chunks of cycles, and uart_tx is decoded back into bytes; no golden model is involved.
import type { Dut } from '../src/harness/cocotb.js';
import type { Transport } from '../src/fpga/host/transport.js';
import { uartLevels, UartLineDecoder } from '../src/fpga/host/uart-line.js';

export class HarnessTransport implements Transport {
  private pending: number[] = [];
  private readonly decoder: UartLineDecoder;
  private delivered = 0;
  cycles = 0;

  constructor(
    readonly dut: Dut,
    readonly divisor: number,
    readonly chunk = 4000,
  ) {
    this.decoder = new UartLineDecoder(divisor);
  }

  /** Reset, then idle until the link listens again (its reset writes done). The line before the first reset is not
   *  decoded: the simulator's registers start at 0, the line low. */
  async reset(idleCycles: number): Promise<void> {
    await this.run([1, ...new Array<number>(idleCycles).fill(0)].map((rst) => ({ rst, uart_rx: 1 })), 1);
  }

  private async run(vectors: { rst: number; uart_rx: number }[], skip = 0): Promise<void> {
    const out = await this.dut.stream(vectors);
    for (const o of out.slice(skip)) this.decoder.push(Number(o.uart_tx));
    this.cycles += vectors.length;
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (const level of uartLevels(bytes, this.divisor)) this.pending.push(level);
  }

  /** Runs the simulation until a byte arrives or `budget` cycles passed (simulated time stands in for the timeout). */
  async receive(_timeoutMs: number, budget = 2_000_000): Promise<Uint8Array> {
    for (let spent = 0; this.decoder.bytes.length === this.delivered && spent < budget; spent += this.chunk) {
      const levels = this.pending.splice(0, this.chunk);
      while (levels.length < this.chunk) levels.push(1);
      await this.run(levels.map((uart_rx) => ({ rst: 0, uart_rx })));
    }
    const out = Uint8Array.from(this.decoder.bytes.slice(this.delivered));
    this.delivered = this.decoder.bytes.length;
    return out;
  }

  async close(): Promise<void> {}
}
