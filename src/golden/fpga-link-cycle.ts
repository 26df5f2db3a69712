// Cycle-level golden model of the FPGA top (docs/fpga.md, "Link timing"): the UARTs, the receive / execute /
// answer state machine with the latencies the spec gives, and the core through its own cycle model. What a request
// does is the byte-level model's (fpga-link.ts) business; this file places it in time, cycle by cycle, so every
// output of the RTL (uart_tx, the LEDs and, in debug builds, every core port) can be compared on every cycle.
import {
  CMD,
  crc8Update,
  deviceInfo,
  encodeInfo,
  INFO_BYTES,
  itemByteBits,
  maxSteps,
  padMasks,
  payloadLayout,
  STATUS,
  SYNC_REQUEST,
  SYNC_RESPONSE,
  baudDivisor,
  type CoreLayout,
  type LinkParams,
  type PayloadLayout,
} from '../spec/fpga-link.js';
import { quietInputs, type CycleCore, type ResetWritesSpec } from './fpga-link.js';
import { UartRxModel, UartTxModel } from './uart.js';

const S = { hunt: 0, cmd: 1, len0: 2, len1: 3, payload: 4, crc: 5, load: 6, issue: 7, offer: 8, capture: 9, rSync: 10, rStatus: 11, rLen0: 12, rLen1: 13, rFetch: 14, rPay: 15, rCrc: 16, clear: 17, clearFinal: 18 } as const;
const KIND = { none: 0, info: 1, counters: 2, records: 3 } as const;
const RECEIVING: readonly number[] = [S.cmd, S.len0, S.len1, S.payload, S.crc];
const SENDING: readonly number[] = [S.rSync, S.rStatus, S.rLen0, S.rLen1, S.rPay, S.rCrc];

const bitsFor = (v: number) => Math.max(1, Math.ceil(Math.log2(v + 1)));
const log2ceil = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));
const maskN = (w: number) => (1n << BigInt(w)) - 1n;

interface Regs {
  state: number;
  cmd: number;
  lenLo: number;
  len: number;
  crc: number;
  idx: number;
  inItem: number;
  items: number;
  badPad: number;
  since: number;
  rdPtr: number;
  ld: number;
  done: number;
  lanes: number[];
  wrPtr: number;
  overflow: number;
  clrIdx: number;
  rCode: number;
  rOverflow: number;
  rDropped: number;
  dropped: number;
  lastErr: number;
  rLen: number;
  rKind: number;
  rIdx: number;
  rByte: number;
  rRec: number;
  crcOut: number;
}

export class FpgaLinkCycleModel {
  readonly pl: PayloadLayout;
  readonly divisor: number;
  private readonly rx: UartRxModel;
  private readonly tx: UartTxModel;
  private r!: Regs;
  private readonly buffer: Uint8Array;
  private readonly records: bigint[];
  private bufData = 0;
  private recData = 0n;
  // widths of the RTL's registers (their counters wrap there)
  private readonly w: { bufW: number; idx: number; rdPtr: number; recAddr: number; iw: number; since: number; rIdx: number; recW: number; clr: number };
  private readonly laneWidths: number[];
  private readonly padTables: { write: number[]; step: number[] };
  private readonly info: number[];

  constructor(
    readonly layout: CoreLayout,
    readonly params: LinkParams,
    readonly core: CycleCore,
    readonly resetWrites?: ResetWritesSpec,
  ) {
    this.pl = payloadLayout(layout);
    this.divisor = baudDivisor(params);
    this.rx = new UartRxModel(this.divisor);
    this.tx = new UartTxModel(this.divisor);
    const pl = this.pl;
    const itemMax = Math.max(pl.pairBytes, pl.inBytes);
    const iw = Math.max(1, log2ceil(itemMax));
    const maxLen = Math.max(INFO_BYTES, pl.countersPayloadBytes, params.fifoRecords * pl.recordBytes);
    this.w = {
      bufW: bitsFor(params.bufferBytes),
      idx: log2ceil(params.bufferBytes),
      rdPtr: Math.max(1, log2ceil(params.bufferBytes)),
      recAddr: Math.max(1, log2ceil(params.fifoRecords)),
      iw,
      since: bitsFor(params.timeoutCycles - 1),
      rIdx: bitsFor(maxLen),
      recW: Math.max(1, log2ceil(pl.recordBytes)),
      clr: resetWrites ? bitsFor(resetWrites.count) : 1,
    };
    const wb = itemByteBits(layout, 'write');
    const sb = itemByteBits(layout, 'step');
    this.laneWidths = Array.from({ length: itemMax }, (_, k) => Math.max(wb[k] ?? 0, sb[k] ?? 0));
    const pad = (m: number[]) => m.concat(new Array(2 ** iw - m.length).fill(0));
    this.padTables = { write: pad(padMasks(layout, 'write')), step: pad(padMasks(layout, 'step')) };
    this.info = encodeInfo(deviceInfo(layout, params));
    this.buffer = new Uint8Array(params.bufferBytes);
    this.records = new Array<bigint>(params.fifoRecords).fill(0n);
    this.resetRegs();
  }

  private resetRegs(): void {
    this.r = {
      state: this.resetWrites ? S.clear : S.hunt,
      cmd: 0,
      lenLo: 0,
      len: 0,
      crc: 0,
      idx: 0,
      inItem: 0,
      items: 0,
      badPad: 0,
      since: 0,
      rdPtr: 0,
      ld: 0,
      done: 0,
      lanes: this.laneWidths.map(() => 0),
      wrPtr: 0,
      overflow: 0,
      clrIdx: 0,
      rCode: 0,
      rOverflow: 0,
      rDropped: 0,
      dropped: 0,
      lastErr: 0,
      rLen: 0,
      rKind: 0,
      rIdx: 0,
      rByte: 0,
      rRec: 0,
      crcOut: 0,
    };
  }

  /** The item's bits as one value (lane k at bit 8k). */
  private itemValue(): bigint {
    let v = 0n;
    this.r.lanes.forEach((l, k) => (v |= BigInt(l) << BigInt(8 * k)));
    return v;
  }

  /** The core's inputs during the current cycle. */
  private coreInputs(): Record<string, bigint> {
    const r = this.r;
    const c = this.layout;
    const x = quietInputs(c);
    const item = this.itemValue();
    const field = (lo: number, w: number) => (item >> BigInt(lo)) & maskN(w);
    const rw = this.resetWrites;
    x.cfg_we = r.state === S.issue || (!!rw && (r.state === S.clear || r.state === S.clearFinal)) ? 1n : 0n;
    if (rw && r.state === S.clear) {
      x.cfg_addr = BigInt(rw.base + r.clrIdx) & maskN(c.addrBits);
      x.cfg_data = 0n;
    } else if (rw && r.state === S.clearFinal) {
      x.cfg_addr = BigInt(rw.final?.addr ?? 0);
      x.cfg_data = rw.final?.data ?? 0n;
    } else {
      x.cfg_addr = field(0, c.addrBits);
      x.cfg_data = field(8 * this.pl.addrBytes, c.dataBits);
    }
    x.in_valid = r.state === S.offer ? 1n : 0n;
    let at = 0;
    for (const f of c.stepInputs) {
      x[f.name] = field(at, f.width);
      at += f.width;
    }
    return x;
  }

  private coreFlag(o: Record<string, bigint>): number {
    return this.layout.flags.some((f) => o[f] === 1n) ? 1 : 0;
  }

  private txByte(o: Record<string, bigint>): number {
    const r = this.r;
    switch (r.state) {
      case S.rSync:
        return SYNC_RESPONSE;
      case S.rStatus:
        return (this.coreFlag(o) << 7) | (r.rDropped << 5) | (r.rOverflow << 4) | r.rCode;
      case S.rLen0:
        return r.rLen & 0xff;
      case S.rLen1:
        return (r.rLen >> 8) & 0xff;
      case S.rPay:
        return this.payByte(o);
      default:
        return r.crcOut;
    }
  }

  private payByte(o: Record<string, bigint>): number {
    const r = this.r;
    if (r.rKind === KIND.records) return Number((this.recData >> BigInt(8 * r.rByte)) & 0xffn);
    if (r.rKind === KIND.counters) {
      if (r.rIdx === 0) {
        let f = 0;
        this.layout.flags.forEach((name, i) => (f |= Number(o[name]!) << i));
        return f;
      }
      let k = r.rIdx - 1;
      for (let i = 0; i < this.layout.counters.length; i++) {
        const n = this.pl.counterBytes[i]!;
        if (k < n) return Number((o[this.layout.counters[i]!.name]! >> BigInt(8 * k)) & 0xffn);
        k -= n;
      }
      throw new Error(`counters answer has no byte ${r.rIdx}`);
    }
    const b = this.info[r.rIdx];
    if (b === undefined) throw new Error(`device description has no byte ${r.rIdx}`);
    return b;
  }

  /** Every output during the current cycle (debug ports included). */
  outputs(): Record<string, bigint> {
    const r = this.r;
    const o = this.core.outputs();
    const out: Record<string, bigint> = { uart_tx: BigInt(this.tx.line), led_busy: r.state !== S.hunt ? 1n : 0n, led_error: BigInt(r.lastErr | this.coreFlag(o)) };
    const ci = this.coreInputs();
    for (const [k, v] of Object.entries(ci)) out[`dbg_${k}`] = v;
    for (const [k, v] of Object.entries(o)) out[`dbg_${k}`] = v;
    out.dbg_rx_valid = BigInt(this.rx.valid);
    out.dbg_rx_data = BigInt(this.rx.data);
    const sending = SENDING.includes(r.state);
    out.dbg_tx_valid = sending ? 1n : 0n;
    out.dbg_tx_data = BigInt(this.txByte(o));
    out.dbg_tx_ready = BigInt(this.tx.ready);
    return out;
  }

  /** One rising edge with these inputs. */
  edge(x: { rst: number; uart_rx: number }): void {
    if (x.rst) {
      this.resetRegs();
      this.rx.reset();
      this.tx.reset();
      this.core.edge(quietInputs(this.layout), true);
      return;
    }
    const r = this.r;
    const n: Regs = { ...r, lanes: [...r.lanes] };
    const pl = this.pl;
    const P = this.params;
    const o = this.core.outputs();
    const coreIn = this.coreInputs();
    const coreReady = o.ready === 1n;
    const outValid = o.out_valid === 1n;
    const rxValid = this.rx.valid === 1;
    const rxData = this.rx.data;
    const txValid = SENDING.includes(r.state);
    const txData = this.txByte(o);
    const sent = txValid && this.tx.ready === 1;
    const receiving = RECEIVING.includes(r.state);
    const listening = receiving || r.state === S.hunt;
    const isWrite = r.cmd === CMD.write;
    const isStep = r.cmd === CMD.step;
    const itemLast = isWrite ? pl.pairBytes - 1 : isStep ? pl.inBytes - 1 : 0;
    const padMask = isWrite ? this.padTables.write[r.inItem]! : isStep ? this.padTables.step[r.inItem]! : 0;
    const crcNext = crc8Update(r.crc, rxData);
    const lenIn = (rxData << 8) | r.lenLo;
    const itemBytes = isStep ? pl.inBytes : pl.pairBytes;
    const readEn = r.state === S.load && r.ld < itemBytes;
    const fifoFull = r.wrPtr === P.fifoRecords;
    const capturing = r.state === S.capture;
    const capture = capturing && outValid && !fifoFull;
    const wrPtrNext = capture ? r.wrPtr + 1 : r.wrPtr;
    const lastItem = ((r.done + 1) & Number(maskN(this.w.bufW))) === r.items;
    const crcTxNext = crc8Update(r.crcOut, txData);
    const wrap = (v: number, w: number) => v & (2 ** w - 1);
    let respStart = false;
    const respond = (code: number, kind: number, length: number) => {
      respStart = true;
      n.state = S.rSync;
      n.rCode = code;
      n.rKind = kind;
      n.rLen = length;
      n.rDropped = r.dropped;
      n.lastErr = code === STATUS.ok ? 0 : 1;
    };

    switch (r.state) {
      case S.hunt:
        if (rxValid && rxData === SYNC_REQUEST) {
          n.state = S.cmd;
          n.crc = 0;
        }
        break;
      case S.cmd:
        if (rxValid) {
          n.cmd = rxData;
          n.crc = crcNext;
          n.state = S.len0;
        }
        break;
      case S.len0:
        if (rxValid) {
          n.lenLo = rxData;
          n.crc = crcNext;
          n.state = S.len1;
        }
        break;
      case S.len1:
        if (rxValid) {
          n.crc = crcNext;
          n.idx = 0;
          n.inItem = 0;
          n.items = 0;
          n.badPad = 0;
          n.len = wrap(lenIn, this.w.bufW);
          if (lenIn > P.bufferBytes) respond(STATUS.len, KIND.none, 0);
          else n.state = lenIn === 0 ? S.crc : S.payload;
        }
        break;
      case S.payload:
        if (rxValid) {
          n.crc = crcNext;
          n.idx = wrap(r.idx + 1, this.w.idx);
          if (r.inItem === itemLast) {
            n.inItem = 0;
            n.items = wrap(r.items + 1, this.w.bufW);
          } else n.inItem = wrap(r.inItem + 1, this.w.iw);
          if ((rxData & padMask) !== 0) n.badPad = 1;
          if (r.idx + 1 === r.len) n.state = S.crc;
        }
        break;
      case S.crc:
        if (rxValid) {
          const known = ([CMD.ping, CMD.write, CMD.step, CMD.counters] as number[]).includes(r.cmd);
          const whole = r.inItem === 0 && r.len !== 0;
          const lenOk = isWrite ? whole : isStep ? whole && r.items <= maxSteps(this.layout, P) : r.len === 0;
          if (rxData !== r.crc) respond(STATUS.crc, KIND.none, 0);
          else if (!known) respond(STATUS.cmd, KIND.none, 0);
          else if (!lenOk) respond(STATUS.len, KIND.none, 0);
          else if (r.badPad) respond(STATUS.field, KIND.none, 0);
          else if (r.cmd === CMD.ping) respond(STATUS.ok, KIND.info, INFO_BYTES);
          else if (r.cmd === CMD.counters) respond(STATUS.ok, KIND.counters, pl.countersPayloadBytes);
          else {
            n.state = S.load;
            n.rdPtr = 0;
            n.ld = 0;
            n.done = 0;
            n.wrPtr = 0;
          }
        }
        break;
      case S.load:
        if (readEn) n.rdPtr = wrap(r.rdPtr + 1, this.w.rdPtr);
        if (!readEn) {
          n.ld = 0;
          n.state = isStep ? S.offer : S.issue;
        } else n.ld = r.ld + 1;
        break;
      case S.issue:
        if (coreReady) {
          n.done = wrap(r.done + 1, this.w.bufW);
          if (lastItem) respond(STATUS.ok, KIND.none, 0);
          else n.state = S.load;
        }
        break;
      case S.offer:
        if (coreReady) n.state = S.capture;
        break;
      case S.capture:
        if (capture) n.wrPtr = wrPtrNext;
        if (capturing && outValid && fifoFull) n.overflow = 1;
        if (coreReady) {
          n.done = wrap(r.done + 1, this.w.bufW);
          if (lastItem) respond(STATUS.ok, KIND.records, wrPtrNext * pl.recordBytes);
          else n.state = S.load;
        }
        break;
      case S.rSync:
        if (sent) {
          n.crcOut = 0;
          n.state = S.rStatus;
        }
        break;
      case S.rStatus:
      case S.rLen0:
        if (sent) {
          n.crcOut = crcTxNext;
          n.state = r.state + 1;
        }
        break;
      case S.rLen1:
        if (sent) {
          n.crcOut = crcTxNext;
          n.rIdx = 0;
          n.rByte = 0;
          n.rRec = 0;
          n.state = r.rLen === 0 ? S.rCrc : r.rKind === KIND.records ? S.rFetch : S.rPay;
        }
        break;
      case S.rFetch:
        n.state = S.rPay;
        break;
      case S.rPay:
        if (sent) {
          n.crcOut = crcTxNext;
          n.rIdx = wrap(r.rIdx + 1, this.w.rIdx);
          const lastByte = wrap(r.rIdx + 1, this.w.rIdx) === r.rLen;
          if (r.rKind === KIND.records && r.rByte === pl.recordBytes - 1) {
            n.rByte = 0;
            n.rRec = wrap(r.rRec + 1, this.w.recAddr);
            n.state = lastByte ? S.rCrc : S.rFetch;
          } else {
            if (r.rKind === KIND.records) n.rByte = wrap(r.rByte + 1, this.w.recW);
            if (lastByte) n.state = S.rCrc;
          }
        }
        break;
      case S.rCrc:
        if (sent) n.state = S.hunt;
        break;
      case S.clear: {
        const rw = this.resetWrites;
        if (!rw) n.state = S.hunt;
        else if (coreReady) {
          n.clrIdx = wrap(r.clrIdx + 1, this.w.clr);
          if (r.clrIdx === rw.count - 1) n.state = rw.final ? S.clearFinal : S.hunt;
        }
        break;
      }
      case S.clearFinal:
        if (coreReady) n.state = S.hunt;
        break;
      default:
        n.state = S.hunt;
    }
    if (receiving && !rxValid && r.since === P.timeoutCycles - 1) respond(STATUS.timeout, KIND.none, 0);
    n.since = rxValid || !receiving ? 0 : wrap(r.since + 1, this.w.since);
    if (respStart) n.overflow = 0;
    if (respStart) n.dropped = rxValid && !listening ? 1 : 0;
    else if (rxValid && !listening) n.dropped = 1;
    if (respStart) n.rOverflow = r.overflow || (capturing && outValid && fifoFull) ? 1 : 0;

    // the lanes load the read data of the previous cycle's buffer read; memories are read-first
    if (r.state === S.load) this.laneWidths.forEach((w, k) => {
      if (r.ld === k + 1) n.lanes[k] = this.bufData & (2 ** w - 1);
    });
    if (readEn) this.bufData = this.buffer[r.rdPtr]!;
    if (r.state === S.rFetch) this.recData = this.records[r.rRec]!;
    if (r.state === S.payload && rxValid) this.buffer[r.idx] = rxData & (2 ** Math.max(...this.laneWidths) - 1);
    if (capture) {
      let v = 0n;
      let at = 0;
      for (const f of this.layout.streamOutputs) {
        v |= o[f.name]! << BigInt(at);
        at += f.width;
      }
      this.records[r.wrPtr % 2 ** this.w.recAddr] = v;
    }

    this.rx.edge(x.uart_rx);
    this.tx.edge(txValid ? 1 : 0, txData);
    this.core.edge(coreIn, false);
    this.r = n;
  }
}
