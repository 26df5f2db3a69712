// How the host driver reaches a device: bytes out, bytes in. Implementations: a serial port (serial.ts), the
// byte-level golden model (ModelTransport below), the co-simulated RTL (testbenches/fpga_harness_transport.ts).
import type { LinkDevice } from '../../golden/fpga-link.js';

export interface Transport {
  write(bytes: Uint8Array): Promise<void>;
  /** whatever has arrived, waiting up to timeoutMs for the first byte (empty on timeout) */
  receive(timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The byte-level golden model as a device: a request's response is there as soon as its last byte is written. */
export class ModelTransport implements Transport {
  private pending: number[] = [];
  constructor(readonly device: LinkDevice) {}
  async write(bytes: Uint8Array): Promise<void> {
    for (const f of this.device.receive(bytes)) this.pending.push(...f);
  }
  async receive(): Promise<Uint8Array> {
    const out = Uint8Array.from(this.pending);
    this.pending = [];
    return out;
  }
  async close(): Promise<void> {}
}
