// The host side of the FPGA link (docs/fpga.md, "Protocol"): requests framed and CRC'd, one at a time (the device
// answers each before the next is sent), split into as many frames as the device's buffers need, and every answer
// checked: its CRC, its status (an error status is thrown with what it means), its length.
import { ResponseParser, type ResponseFrame } from './frames.js';
import type { Transport } from './transport.js';
import {
  CMD,
  decodeInfo,
  encodeRequest,
  layoutHash,
  maxSteps,
  packFields,
  payloadLayout,
  PROTOCOL_VERSION,
  readLE,
  STATUS,
  STATUS_DOC,
  STATUS_FLAG,
  unpackFields,
  writeLE,
  type CoreLayout,
  type DeviceInfo,
  type LinkParams,
  type PayloadLayout,
  type StatusCode,
} from '../../spec/fpga-link.js';

export class LinkError extends Error {
  override name = 'LinkError';
}

export interface LinkAnswer {
  payload: number[];
  /** the core's flags were set when the answer left (the tile: a write was refused since the last clear) */
  coreFlag: boolean;
  /** bytes had arrived while the device was busy (a host that did not wait) */
  dropped: boolean;
}

const codeName = (code: number) => (Object.entries(STATUS).find(([, v]) => v === code)?.[0] ?? `0x${code.toString(16)}`) as StatusCode;

export class FpgaLink {
  readonly pl: PayloadLayout;
  private readonly parser = new ResponseParser();
  private queue: ResponseFrame[] = [];

  constructor(
    readonly transport: Transport,
    readonly layout: CoreLayout,
    readonly link: Pick<LinkParams, 'bufferBytes' | 'fifoRecords'>,
    readonly timeoutMs = 2000,
  ) {
    this.pl = payloadLayout(layout);
  }

  /** One request and its answer; an error status, a bad CRC or no answer in time is thrown. */
  async request(cmd: number, payload: ArrayLike<number> = []): Promise<LinkAnswer> {
    await this.transport.write(encodeRequest(cmd, payload));
    const t0 = Date.now();
    while (!this.queue.length) {
      const left = this.timeoutMs - (Date.now() - t0);
      if (left <= 0) throw new LinkError(`no answer to command 0x${cmd.toString(16)} within ${this.timeoutMs} ms (${this.parser.pending} bytes of a frame received)`);
      this.queue.push(...this.parser.push(await this.transport.receive(left)));
    }
    const f = this.queue.shift()!;
    if (!f.crcOk) throw new LinkError(`an answer with a bad CRC (frame ${f.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')})`);
    const code = f.status & 0x0f;
    if (code !== STATUS.ok) throw new LinkError(`the device answered ${codeName(code)}: ${STATUS_DOC[codeName(code)] ?? 'unknown status'}`);
    if (f.status & STATUS_FLAG.overflow) throw new LinkError('the record buffer overflowed: the core gave more records per timestep than it declared');
    return { payload: f.payload, coreFlag: !!(f.status & STATUS_FLAG.coreFlag), dropped: !!(f.status & STATUS_FLAG.dropped) };
  }

  /** The device description; refuses a device whose protocol or core layout is not this one. */
  async ping(): Promise<DeviceInfo> {
    const info = decodeInfo((await this.request(CMD.ping)).payload);
    if (info.version !== PROTOCOL_VERSION) throw new LinkError(`the device speaks protocol version ${info.version}, this driver ${PROTOCOL_VERSION}`);
    const want = layoutHash(this.layout);
    if (info.layoutHash !== want) throw new LinkError(`the device's core layout hash is 0x${info.layoutHash.toString(16)}, expected 0x${want.toString(16)}: it runs another bitstream (rebuild and load it)`);
    return info;
  }

  /** Configuration writes, as few requests as the buffer allows; returns whether the core flag was set after them. */
  async write(writes: readonly { addr: number; data: bigint }[]): Promise<boolean> {
    const per = Math.floor(this.link.bufferBytes / this.pl.pairBytes);
    let flag = false;
    for (let i = 0; i < writes.length; i += per) {
      const payload = writes.slice(i, i + per).flatMap((w) => [...writeLE(BigInt(w.addr), this.pl.addrBytes), ...writeLE(w.data, this.pl.dataBytes)]);
      flag = (await this.request(CMD.write, payload)).coreFlag;
    }
    return flag;
  }

  /** Timesteps (each the core's step input fields); returns every record, in order. */
  async step(vectors: readonly Record<string, bigint>[]): Promise<Record<string, bigint>[]> {
    const per = Math.max(1, Math.min(maxSteps(this.layout, this.link), Math.floor(this.link.bufferBytes / this.pl.inBytes)));
    const out: Record<string, bigint>[] = [];
    for (let i = 0; i < vectors.length; i += per) {
      const payload = vectors.slice(i, i + per).flatMap((v) => writeLE(packFields(this.layout.stepInputs, v), this.pl.inBytes));
      const a = await this.request(CMD.step, payload);
      for (let at = 0; at < a.payload.length; at += this.pl.recordBytes) out.push(unpackFields(this.layout.streamOutputs, readLE(a.payload, at, this.pl.recordBytes)));
    }
    return out;
  }

  /** The core's flags and counters. */
  async counters(): Promise<{ flags: Record<string, boolean>; counters: Record<string, bigint> }> {
    const p = (await this.request(CMD.counters)).payload;
    const flags = Object.fromEntries(this.layout.flags.map((f, i) => [f, !!((p[0]! >> i) & 1)]));
    const counters: Record<string, bigint> = {};
    let at = 1;
    this.layout.counters.forEach((c, i) => {
      counters[c.name] = readLE(p, at, this.pl.counterBytes[i]!);
      at += this.pl.counterBytes[i]!;
    });
    return { flags, counters };
  }
}
