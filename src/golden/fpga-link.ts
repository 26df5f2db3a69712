// Golden model of the FPGA link at the byte level (docs/fpga.md, "Protocol"): request bytes in, response frames
// out, the core driven through its cycle model. No UART timing: a request's bytes are taken as they come and each
// response is complete before the next request byte (the host's stop-and-wait). `timeout()` stands for a pause longer
// than timeoutCycles. The cycle-level model (fpga-link-cycle.ts) places the same behaviour in time.
import {
  CMD,
  crc8Update,
  deviceInfo,
  encodeInfo,
  encodeResponse,
  maxSteps,
  padMasks,
  payloadLayout,
  readLE,
  STATUS,
  STATUS_FLAG,
  SYNC_REQUEST,
  unpackFields,
  writeLE,
  type CoreLayout,
  type LinkParams,
  type PayloadLayout,
} from '../spec/fpga-link.js';

/** A core's cycle-level model: its outputs during the current cycle, and one rising edge with these inputs. */
export interface CycleCore {
  outputs(): Record<string, bigint>;
  edge(inputs: Record<string, bigint>, rst: boolean): void;
}

export interface ResetWritesSpec {
  base: number;
  count: number;
  final?: { addr: number; data: bigint };
}

/** Guard against a core that never becomes ready (a bug, not a protocol case). */
const MAX_WAIT = 10_000_000;

/** The core's inputs with nothing offered. */
export function quietInputs(c: CoreLayout): Record<string, bigint> {
  const x: Record<string, bigint> = { cfg_we: 0n, cfg_addr: 0n, cfg_data: 0n, in_valid: 0n };
  for (const f of c.stepInputs) x[f.name] = 0n;
  return x;
}

/** Drives a cycle core the way the link does: one configuration write, or one timestep with its records. */
export class CoreDriver {
  constructor(
    readonly layout: CoreLayout,
    readonly core: CycleCore,
  ) {}

  private quiet = () => quietInputs(this.layout);

  reset(): void {
    this.core.edge(this.quiet(), true);
  }

  /** Offers the write until the core takes it (an edge with ready = 1). */
  write(addr: bigint, data: bigint): void {
    for (let n = 0; ; n++) {
      if (n > MAX_WAIT) throw new Error('the core never became ready for a configuration write');
      const ready = this.core.outputs().ready === 1n;
      this.core.edge({ ...this.quiet(), cfg_we: 1n, cfg_addr: addr, cfg_data: data }, false);
      if (ready) return;
    }
  }

  /** Offers the timestep until taken, then collects every out_valid beat until the first cycle with ready = 1. */
  step(fields: Record<string, bigint>): Record<string, bigint>[] {
    for (let n = 0; ; n++) {
      if (n > MAX_WAIT) throw new Error('the core never took the timestep');
      const ready = this.core.outputs().ready === 1n;
      this.core.edge({ ...this.quiet(), ...fields, in_valid: 1n }, false);
      if (ready) break;
    }
    const out: Record<string, bigint>[] = [];
    for (let n = 0; ; n++) {
      if (n > MAX_WAIT) throw new Error('the core never finished the timestep');
      const o = this.core.outputs();
      if (o.out_valid === 1n) out.push(Object.fromEntries(this.layout.streamOutputs.map((f) => [f.name, o[f.name]!])));
      this.core.edge(this.quiet(), false);
      if (o.ready === 1n) return out;
    }
  }

  /** Idle cycles until the core is ready (after reset). */
  settle(): void {
    for (let n = 0; this.core.outputs().ready !== 1n; n++) {
      if (n > MAX_WAIT) throw new Error('the core never became ready');
      this.core.edge(this.quiet(), false);
    }
  }
}

type RxState = 'hunt' | 'cmd' | 'len0' | 'len1' | 'payload' | 'crc';

export class LinkDevice {
  readonly pl: PayloadLayout;
  readonly driver: CoreDriver;
  private rx: RxState = 'hunt';
  private cmd = 0;
  private len = 0;
  private crc = 0;
  private payload: number[] = [];
  private lastError = false;

  constructor(
    readonly layout: CoreLayout,
    readonly params: LinkParams,
    core: CycleCore,
    readonly resetWrites?: ResetWritesSpec,
  ) {
    this.pl = payloadLayout(layout);
    this.driver = new CoreDriver(layout, core);
    this.reset();
  }

  /** The board's reset: the core's reset, then the reset writes. */
  reset(): void {
    this.rx = 'hunt';
    this.lastError = false;
    this.driver.reset();
    const rw = this.resetWrites;
    if (rw) {
      for (let i = 0; i < rw.count; i++) this.driver.write(BigInt(rw.base + i), 0n);
      if (rw.final) this.driver.write(BigInt(rw.final.addr), rw.final.data);
    }
  }

  /** Takes request bytes; returns the response frames they complete, in order. */
  receive(bytes: ArrayLike<number>): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const r = this.byte(bytes[i]! & 0xff);
      if (r) out.push(r);
    }
    return out;
  }

  /** A pause longer than timeoutCycles: a request in the middle is dropped with ERR_TIMEOUT. */
  timeout(): Uint8Array | undefined {
    if (this.rx === 'hunt') return undefined;
    this.rx = 'hunt';
    return this.respond(STATUS.timeout);
  }

  /** The status LED: the last response was an error, or a core flag is set. */
  get ledError(): boolean {
    return this.lastError || this.coreFlag();
  }

  private coreFlag(): boolean {
    const o = this.driver.core.outputs();
    return this.layout.flags.some((f) => o[f] === 1n);
  }

  private byte(b: number): Uint8Array | undefined {
    switch (this.rx) {
      case 'hunt':
        if (b === SYNC_REQUEST) {
          this.rx = 'cmd';
          this.crc = 0;
        }
        return undefined;
      case 'cmd':
        this.cmd = b;
        this.crc = crc8Update(this.crc, b);
        this.rx = 'len0';
        return undefined;
      case 'len0':
        this.len = b;
        this.crc = crc8Update(this.crc, b);
        this.rx = 'len1';
        return undefined;
      case 'len1':
        this.len |= b << 8;
        this.crc = crc8Update(this.crc, b);
        this.payload = [];
        if (this.len > this.params.bufferBytes) {
          this.rx = 'hunt';
          return this.respond(STATUS.len);
        }
        this.rx = this.len === 0 ? 'crc' : 'payload';
        return undefined;
      case 'payload':
        this.payload.push(b);
        this.crc = crc8Update(this.crc, b);
        if (this.payload.length === this.len) this.rx = 'crc';
        return undefined;
      case 'crc':
        this.rx = 'hunt';
        if (b !== this.crc) return this.respond(STATUS.crc);
        return this.execute();
    }
  }

  private execute(): Uint8Array {
    const { cmd, payload } = this;
    const pl = this.pl;
    const known = ([CMD.ping, CMD.write, CMD.step, CMD.counters] as number[]).includes(cmd);
    if (!known) return this.respond(STATUS.cmd);
    const item = cmd === CMD.write ? pl.pairBytes : cmd === CMD.step ? pl.inBytes : 0;
    const n = item ? payload.length / item : 0;
    const lenOk = item === 0 ? payload.length === 0 : payload.length > 0 && Number.isInteger(n) && (cmd !== CMD.step || n <= maxSteps(this.layout, this.params));
    if (!lenOk) return this.respond(STATUS.len);
    if (item) {
      const masks = padMasks(this.layout, cmd === CMD.write ? 'write' : 'step');
      if (payload.some((b, i) => (b & masks[i % item]!) !== 0)) return this.respond(STATUS.field);
    }
    if (cmd === CMD.ping) return this.respond(STATUS.ok, 0, encodeInfo(deviceInfo(this.layout, this.params)));
    if (cmd === CMD.counters) return this.respond(STATUS.ok, 0, this.countersPayload());
    if (cmd === CMD.write) {
      for (let k = 0; k < n; k++) {
        const at = k * item;
        this.driver.write(readLE(payload, at, pl.addrBytes), readLE(payload, at + pl.addrBytes, pl.dataBytes));
      }
      return this.respond(STATUS.ok);
    }
    const records: number[] = [];
    let flags = 0;
    let kept = 0;
    for (let k = 0; k < n; k++) {
      const fields = unpackFields(this.layout.stepInputs, readLE(payload, k * item, item));
      for (const r of this.driver.step(fields)) {
        if (kept === this.params.fifoRecords) {
          flags |= STATUS_FLAG.overflow;
          continue;
        }
        kept++;
        let v = 0n;
        let at = 0;
        for (const f of this.layout.streamOutputs) {
          v |= r[f.name]! << BigInt(at);
          at += f.width;
        }
        records.push(...writeLE(v, pl.recordBytes));
      }
    }
    return this.respond(STATUS.ok, flags, records);
  }

  private countersPayload(): number[] {
    const o = this.driver.core.outputs();
    let flags = 0;
    this.layout.flags.forEach((f, i) => (flags |= Number(o[f]!) << i));
    const bytes = [flags];
    this.layout.counters.forEach((f, i) => bytes.push(...writeLE(o[f.name]!, this.pl.counterBytes[i]!)));
    return bytes;
  }

  private respond(code: number, flags = 0, payload: number[] = []): Uint8Array {
    this.lastError = code !== STATUS.ok;
    // the core flag is read as the status byte leaves: after the request was performed
    const status = code | flags | (this.coreFlag() ? STATUS_FLAG.coreFlag : 0);
    return encodeResponse(status, payload);
  }
}
