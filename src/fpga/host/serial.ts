// A serial port as a Transport, for a board on a USB-UART (Linux /dev/ttyUSB*, macOS /dev/cu.usbserial-*). The port
// is set to raw 8N1 at the baud rate with stty (argv, no shell), then read and written as a file: no native module.
import { open, type FileHandle } from 'node:fs/promises';
import { execa } from 'execa';
import { UserError } from '../../cli/args.js';
import type { Transport } from './transport.js';

export class SerialTransport implements Transport {
  private chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {
    void this.pump();
  }

  static async open(path: string, baud: number): Promise<SerialTransport> {
    const flag = process.platform === 'darwin' ? '-f' : '-F';
    const r = await execa('stty', [flag, path, String(baud), 'raw', '-echo', 'cs8', '-cstopb', '-parenb', '-ixon', '-ixoff', '-crtscts'], { reject: false });
    if (r.exitCode !== 0) throw new UserError(`${path}: cannot set it to ${baud} baud 8N1 (stty: ${(r.stderr || r.stdout).trim()})`);
    return new SerialTransport(path, await open(path, 'r+'));
  }

  private async pump(): Promise<void> {
    const buf = Buffer.alloc(4096);
    while (!this.closed) {
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, null).catch(() => ({ bytesRead: 0 }));
      if (bytesRead > 0) {
        this.chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
        this.waiter?.();
      } else await new Promise((r) => setTimeout(r, 2));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.fh.write(bytes);
  }

  async receive(timeoutMs: number): Promise<Uint8Array> {
    if (!this.chunks.length) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const out = Buffer.concat(this.chunks);
    this.chunks = [];
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.fh.close();
  }
}
