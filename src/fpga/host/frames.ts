// Response frames from a byte stream: hunts for the response SYNC, reads status and length, the payload and the CRC,
// and hands out complete frames. A CRC mismatch is reported with the frame's bytes, not silently dropped.
import { crc8, SYNC_RESPONSE } from '../../spec/fpga-link.js';

export interface ResponseFrame {
  status: number;
  payload: number[];
  /** the frame's bytes as received, SYNC to CRC */
  bytes: number[];
  crcOk: boolean;
}

export class ResponseParser {
  private buf: number[] = [];
  /** bytes skipped while hunting for SYNC (line noise, or a frame whose start was lost) */
  skipped = 0;

  /** Adds received bytes; returns the frames they complete. */
  push(bytes: ArrayLike<number>): ResponseFrame[] {
    for (let i = 0; i < bytes.length; i++) this.buf.push(bytes[i]! & 0xff);
    const out: ResponseFrame[] = [];
    for (;;) {
      while (this.buf.length && this.buf[0] !== SYNC_RESPONSE) {
        this.buf.shift();
        this.skipped++;
      }
      if (this.buf.length < 4) return out;
      const len = this.buf[2]! | (this.buf[3]! << 8);
      if (this.buf.length < 5 + len) return out;
      const frame = this.buf.splice(0, 5 + len);
      const body = frame.slice(1, 4 + len);
      out.push({ status: frame[1]!, payload: frame.slice(4, 4 + len), bytes: frame, crcOk: crc8(body) === frame[4 + len] });
    }
  }

  /** bytes of a frame begun but not complete */
  get pending(): number {
    return this.buf.length;
  }
}
