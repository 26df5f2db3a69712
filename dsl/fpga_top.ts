// FPGA top: a core reached through a UART link (spec: docs/fpga.md; rules: src/spec/fpga-link.ts). Requests are
// received into a payload buffer and checked (length, CRC-8, padding) before anything happens; a WRITE then performs
// its configuration writes on the core's cfg bus, a STEP offers its timestep vectors one by one and collects the
// output records into the record buffer, PING and COUNTERS answer from constants and the core's ports. Every request
// gets one response. Generic over any core with the port convention of coreLayoutOf().
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, log2ceil, mux, paramName, validateAll, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import { makeDiagnostic, report } from '../src/hdl/diagnostics.js';
import {
  CMD,
  checkLinkParams,
  crc8Rows,
  deviceInfo,
  encodeInfo,
  INFO_BYTES,
  maxSteps,
  itemByteBits,
  padMasks,
  payloadLayout,
  STATUS,
  SYNC_REQUEST,
  SYNC_RESPONSE,
  baudDivisor,
  type CoreLayout,
  type LinkField,
  type LinkParams,
} from '../src/spec/fpga-link.js';
import { uartRx, uartTx } from './uart.js';

/** Configuration writes the link performs after every reset, before it listens: `count` writes of 0 to base, base+1, ...
 *  then `final`. */
export interface ResetWrites {
  base: number;
  count: number;
  final?: { addr: number; data: bigint };
}

export interface FpgaTopParams {
  link: LinkParams;
  /** the most records one timestep of the core produces */
  recordsPerStep: number;
  resetWrites?: ResetWrites;
  /** adds outputs dbg_<port> for every core port and the UART byte handshakes (pure wiring; for co-simulation) */
  debugPorts?: boolean;
}

const REQUIRED_IN = ['cfg_we', 'cfg_addr', 'cfg_data', 'in_valid'];
const REQUIRED_OUT = ['ready', 'out_valid'];

/**
 * The link's view of a core, from its ports: cfg_we/cfg_addr/cfg_data and in_valid (inputs), ready and out_valid
 * (1-bit outputs); the other in_* inputs are the timestep fields, out_* outputs the stream fields, cnt_* outputs the
 * counters, and any other 1-bit output a status flag. Port order is field order.
 */
export function coreLayoutOf(core: Module, recordsPerStep: number, loc: SrcLoc | undefined = captureCallerLoc()): CoreLayout {
  const layout: CoreLayout = { addrBits: 0, dataBits: 0, stepInputs: [], streamOutputs: [], counters: [], flags: [], recordsPerStep };
  validateAll(() => {
    const bad = (msg: string) => report(makeDiagnostic('UNBOUND_PORT', `fpgaTop: core ${core.name}: ${msg}`, loc));
    for (const name of [...REQUIRED_IN, ...REQUIRED_OUT]) {
      const q = core.ports.find((x) => x.name === name);
      const dir = REQUIRED_IN.includes(name) ? 'input' : 'output';
      if (!q || q.kind !== dir) bad(`needs an ${dir} port '${name}' (ports: ${core.ports.map((x) => x.name).join(', ')})`);
      else if ((name === 'cfg_we' || name === 'in_valid' || dir === 'output') && q.width !== 1) bad(`port '${name}' must be 1 bit, got ${q.width}`);
    }
    for (const q of core.ports) {
      const f = { name: q.name, width: q.width };
      if (q.name === 'cfg_addr') layout.addrBits = q.width;
      else if (q.name === 'cfg_data') layout.dataBits = q.width;
      else if (REQUIRED_IN.includes(q.name) || REQUIRED_OUT.includes(q.name)) continue;
      else if (q.kind === 'input') {
        if (q.name.startsWith('in_')) layout.stepInputs.push(f);
        else bad(`input '${q.name}' is neither the cfg bus nor a timestep field (in_*)`);
      } else if (q.name.startsWith('out_')) layout.streamOutputs.push(f);
      else if (q.name.startsWith('cnt_')) layout.counters.push(f);
      else if (q.width === 1) layout.flags.push(q.name);
      else bad(`output '${q.name}' (${q.width} bits) is neither a stream field (out_*), a counter (cnt_*) nor a 1-bit flag`);
    }
  });
  return layout;
}

// link states: receiving, executing, answering
const S = { hunt: 0, cmd: 1, len0: 2, len1: 3, payload: 4, crc: 5, load: 6, issue: 7, offer: 8, capture: 9, rSync: 10, rStatus: 11, rLen0: 12, rLen1: 13, rFetch: 14, rPay: 15, rCrc: 16, clear: 17, clearFinal: 18 } as const;
const SW = 5;
/** what a response's payload is */
const KIND = { none: 0, info: 1, counters: 2, records: 3 } as const;

/** words[idx] as a balanced mux tree on the bits of idx (indices past the end give some word: never asked for). */
function selectWord(words: readonly Expr[], idx: Expr): Expr {
  let level = [...words];
  for (let b = 0; level.length > 1; b++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mux(idx.bit(b), level[i + 1]!, level[i]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** The CRC-8 byte update as an XOR network (src/spec/fpga-link.ts crc8Rows). */
function crcUpdate(crc: Expr, byte: Expr): Expr {
  const x = crc.xor(byte);
  const bits = crc8Rows().map((row) => {
    const taps = Array.from({ length: 8 }, (_, j) => j).filter((j) => (row >> j) & 1);
    return taps.map((j) => x.bit(j)).reduce((a, b) => a.xor(b));
  });
  return cat(...bits.reverse());
}

/** Bytes of a constant, little-endian. */
const constBytes = (bytes: readonly number[]) => bytes.map((b) => lit(b, UInt(8)));

export function fpgaTopName(core: Module, p: FpgaTopParams): string {
  const l = p.link;
  const rw = p.resetWrites ? `rw${p.resetWrites.base}x${p.resetWrites.count}${p.resetWrites.final ? `f${p.resetWrites.final.addr}v${p.resetWrites.final.data}` : ''}` : 'rw0';
  return `${paramName('fpga_top', { d: baudDivisor(l), b: l.bufferBytes, f: l.fifoRecords, t: l.timeoutCycles, r: p.recordsPerStep })}_${rw}${p.debugPorts ? '_dbg' : ''}_${core.name}`;
}

export function fpgaTop(core: Module, p: FpgaTopParams): Module {
  const loc = captureCallerLoc();
  const layout = coreLayoutOf(core, p.recordsPerStep, loc);
  checkLinkParams(p.link, layout, loc);
  const rw = p.resetWrites;
  if (rw) {
    validateAll(() => {
      const top = 2 ** layout.addrBits;
      if (!Number.isInteger(rw.count) || rw.count < 1 || !Number.isInteger(rw.base) || rw.base < 0 || rw.base + rw.count > top) {
        report(makeDiagnostic('PARAM_RANGE', `fpgaTop: resetWrites base ${rw.base} + count ${rw.count} must lie within the core's ${layout.addrBits}-bit addresses (0..${top})`, loc));
      }
      if (rw.final && (rw.final.addr < 0 || rw.final.addr >= top || rw.final.data < 0n || rw.final.data >> BigInt(layout.dataBits) !== 0n)) {
        report(makeDiagnostic('PARAM_RANGE', `fpgaTop: resetWrites.final {addr ${rw.final.addr}, data ${rw.final.data}} does not fit the core's ${layout.addrBits}-bit address / ${layout.dataBits}-bit data`, loc));
      }
    });
  }
  const pl = payloadLayout(layout);
  const L = p.link;
  const D = baudDivisor(L);
  const m = new Module(fpgaTopName(core, p), { core: core.name, divisor: D, bufferBytes: L.bufferBytes, fifoRecords: L.fifoRecords, timeoutCycles: L.timeoutCycles, recordsPerStep: p.recordsPerStep, debugPorts: !!p.debugPorts }, `FPGA top: ${core.name} behind a UART link at ${D} cycles per bit (spec: docs/fpga.md)`);

  // ---- ports ----
  const uartRxIn = m.input('uart_rx', Bool, 'serial input (asynchronous; synchronized by the receiver)');
  const uartTxOut = m.output('uart_tx', Bool, 'serial output');
  const ledBusy = m.output('led_busy', Bool, 'the link is receiving, executing or answering a request');
  const ledError = m.output('led_error', Bool, 'the last response was an error, or a core flag is set');

  // ---- UARTs ----
  const rxValid = m.wire('rx_valid', Bool);
  const rxData = m.wire('rx_data', UInt(8));
  m.instance('u_uart_rx', uartRx({ divisor: D }), { rx: uartRxIn, valid: rxValid, data: rxData });
  const txValid = m.wire('tx_valid', Bool);
  const txData = m.wire('tx_data', UInt(8));
  const txReady = m.wire('tx_ready', Bool);
  m.instance('u_uart_tx', uartTx({ divisor: D }), { valid: txValid, data: txData, ready: txReady, tx: uartTxOut });

  // ---- core ----
  const coreIn = new Map<string, Signal>();
  const coreOut = new Map<string, Signal>();
  const cbind: Record<string, Signal> = {};
  for (const q of core.ports) {
    const w = m.wire(`core_${q.name}`, q.type);
    (q.kind === 'input' ? coreIn : coreOut).set(q.name, w);
    cbind[q.name] = w;
  }
  m.instance('u_core', core, cbind);
  const coreReady = coreOut.get('ready')!;
  const coreOutValid = coreOut.get('out_valid')!;
  const flagBits = layout.flags.map((f) => coreOut.get(f)!);
  const coreFlag = m.let('core_flag', flagBits.length ? flagBits.map((f): Expr => f).reduce((a, b) => a.or(b)) : lit(0, Bool));

  // ---- state ----
  const state = m.reg('state', UInt(SW), { reset: rw ? S.clear : S.hunt });
  const is = (s: number) => state.eq(s);
  const receiving = m.let('receiving', [S.cmd, S.len0, S.len1, S.payload, S.crc].map(is).reduce((a, b) => a.or(b)));
  const listening = m.let('listening', receiving.or(is(S.hunt)));
  const byteIn = m.let('byte_in', rxValid);

  // ---- reception ----
  const itemMax = Math.max(pl.pairBytes, pl.inBytes);
  const iw = Math.max(1, log2ceil(itemMax));
  const bufW = bitsFor(L.bufferBytes);
  const cmd = m.reg('cmd', UInt(8), { reset: 0 });
  const lenLo = m.reg('len_lo', UInt(8), { reset: 0 });
  const len = m.reg('len', UInt(bufW), { reset: 0 }, 'payload bytes of the request (at most bufferBytes)');
  const crc = m.reg('crc', UInt(8), { reset: 0 }, 'CRC-8 of the request so far');
  const idx = m.reg('idx', UInt(log2ceil(L.bufferBytes)), { reset: 0 }, 'payload bytes received');
  const inItem = m.reg('in_item', UInt(iw), { reset: 0 }, 'byte position within the current payload item');
  const items = m.reg('items', UInt(bufW), { reset: 0 }, 'complete payload items received');
  const badPad = m.reg('bad_pad', Bool, { reset: 0 }, 'a padding bit of an item was set');
  const since = m.reg('since', UInt(bitsFor(L.timeoutCycles - 1)), { reset: 0 }, 'cycles since the last byte of the request');
  const isWrite = m.let('is_write', cmd.eq(CMD.write));
  const isStep = m.let('is_step', cmd.eq(CMD.step));
  const itemLast = m.let('item_last', mux(isWrite, lit(pl.pairBytes - 1, UInt(iw)), mux(isStep, lit(pl.inBytes - 1, UInt(iw)), lit(0, UInt(iw)))));
  const padTable = (masks: number[]) => constBytes(masks.concat(new Array(2 ** iw - masks.length).fill(0)));
  const padMask = m.let('pad_mask', mux(isWrite, selectWord(padTable(padMasks(layout, 'write')), inItem), mux(isStep, selectWord(padTable(padMasks(layout, 'step')), inItem), lit(0, UInt(8)))));
  const crcNext = m.let('crc_next', crcUpdate(crc, rxData));
  const lenIn = m.let('len_in', cat(rxData, lenLo));

  // the buffer keeps only the bits some item field uses (the rest are padding, checked to be 0 on arrival)
  const writeBits = itemByteBits(layout, 'write');
  const stepBits = itemByteBits(layout, 'step');
  const laneWidths = Array.from({ length: itemMax }, (_, k) => Math.max(writeBits[k] ?? 0, stepBits[k] ?? 0));
  const laneW = Math.max(...laneWidths);
  const buffer = m.memory('buffer', { type: UInt(laneW), depth: L.bufferBytes, readUnderWrite: 'read-first' });
  const bufAw = buffer.addrWidth;
  buffer.write(idx, rxData.slice(laneW - 1, 0), is(S.payload).and(byteIn));

  // ---- execution ----
  const rdPtr = m.reg('rd_ptr', UInt(bufAw), { reset: 0 }, 'next buffer byte to load');
  const ld = m.reg('ld', UInt(bitsFor(itemMax)), { reset: 0 }, 'buffer reads issued for the current item');
  const done = m.reg('done', UInt(bufW), { reset: 0 }, 'items performed');
  const loading = m.let('loading', is(S.load));
  const itemBytes = m.let('item_bytes', mux(isStep, lit(pl.inBytes, ld.type), lit(pl.pairBytes, ld.type)));
  const readEn = m.let('buf_read', loading.and(ld.lt(itemBytes)));
  const bufData = buffer.read('buf_data', rdPtr, readEn);
  const lanes = laneWidths.map((w, k) => {
    const r = m.reg(`lane_${k}`, UInt(w), { reset: 0, enable: loading.and(ld.eq(k + 1)) }, `byte ${k} of the current item`);
    r.assign(bufData.slice(w - 1, 0));
    return r;
  });
  /** bits [lo, lo + width) of the item, lane k holding item bits 8k.. (lanes may be narrower than 8) */
  const itemBits = (lo: number, width: number): Expr => {
    const parts: Expr[] = [];
    for (let b = lo; b < lo + width; ) {
      const k = Math.floor(b / 8);
      const off = b % 8;
      const n = Math.min(8 - off, lo + width - b, lanes[k]!.width - off);
      parts.push(lanes[k]!.slice(off + n - 1, off));
      b += n;
    }
    return cat(...parts.reverse());
  };

  const wrPtr = m.reg('wr_ptr', UInt(bitsFor(L.fifoRecords)), { reset: 0 }, 'records captured');
  const overflow = m.reg('overflow', Bool, { reset: 0 });
  const capturing = m.let('capturing', is(S.capture));
  const fifoFull = m.let('fifo_full', wrPtr.eq(L.fifoRecords));
  const capture = m.let('capture', capturing.and(coreOutValid).and(fifoFull.not()));
  const records = m.memory('records', { type: UInt(pl.recordBits), depth: L.fifoRecords, readUnderWrite: 'read-first' });
  const record = cat(...layout.streamOutputs.map((f) => coreOut.get(f.name)!).reverse());
  records.write(wrPtr.resize(records.addrWidth), record, capture);

  // ---- cfg bus and timestep inputs ----
  const clrIdx = rw ? m.reg('clear_index', UInt(bitsFor(rw.count)), { reset: 0 }, 'reset writes performed') : undefined;
  const aw = layout.addrBits;
  const dw = layout.dataBits;
  let addr: Expr = itemBits(0, aw);
  let data: Expr = itemBits(8 * pl.addrBytes, dw);
  if (rw && clrIdx) {
    addr = mux(is(S.clear), lit(rw.base, UInt(aw)).addWrap(clrIdx.resize(aw)), mux(is(S.clearFinal), lit(rw.final?.addr ?? 0, UInt(aw)), addr));
    data = mux(is(S.clear), lit(0, UInt(dw)), mux(is(S.clearFinal), lit(rw.final?.data ?? 0n, UInt(dw)), data));
  }
  const cfgWe = m.let('cfg_we', [S.issue, ...(rw ? [S.clear, S.clearFinal] : [])].map(is).reduce((a, b) => a.or(b)));
  coreIn.get('cfg_we')!.assign(cfgWe);
  coreIn.get('cfg_addr')!.assign(addr);
  coreIn.get('cfg_data')!.assign(data);
  coreIn.get('in_valid')!.assign(is(S.offer));
  let at = 0;
  for (const f of layout.stepInputs) {
    coreIn.get(f.name)!.assign(itemBits(at, f.width));
    at += f.width;
  }

  // ---- response ----
  const rCode = m.reg('r_code', UInt(4), { reset: 0 });
  const rOverflow = m.reg('r_overflow', Bool, { reset: 0 });
  const rDropped = m.reg('r_dropped', Bool, { reset: 0 });
  const dropped = m.reg('dropped', Bool, { reset: 0 }, 'bytes arrived while busy since the last response');
  const lastErr = m.reg('last_error', Bool, { reset: 0 });
  const maxLen = Math.max(INFO_BYTES, pl.countersPayloadBytes, L.fifoRecords * pl.recordBytes);
  const rLen = m.reg('r_len', UInt(bitsFor(maxLen)), { reset: 0 }, 'payload bytes of the response');
  const rKind = m.reg('r_kind', UInt(2), { reset: 0 });
  const rIdx = m.reg('r_idx', UInt(bitsFor(maxLen)), { reset: 0 }, 'payload bytes sent');
  const recW = Math.max(1, log2ceil(pl.recordBytes));
  const rByte = m.reg('r_byte', UInt(recW), { reset: 0 }, 'byte within the record being sent');
  const rRec = m.reg('r_rec', UInt(records.addrWidth), { reset: 0 }, 'record being sent');
  const crcOut = m.reg('crc_out', UInt(8), { reset: 0 });
  const recData = records.read('rec_data', rRec, is(S.rFetch));

  const recBytes = Array.from({ length: pl.recordBytes }, (_, k) => recData.slice(Math.min(8 * k + 7, pl.recordBits - 1), 8 * k).resize(8));
  const cntBytes: Expr[] = [flagBits.length ? cat(...flagBits.slice().reverse()).resize(8) : lit(0, UInt(8))];
  layout.counters.forEach((f, i) => {
    const c = coreOut.get(f.name)!;
    for (let k = 0; k < pl.counterBytes[i]!; k++) cntBytes.push(c.slice(Math.min(8 * k + 7, f.width - 1), 8 * k).resize(8));
  });
  const info = constBytes(encodeInfo(deviceInfo(layout, L)));
  const payByte = m.let('pay_byte', mux(rKind.eq(KIND.records), selectWord(recBytes, rByte), mux(rKind.eq(KIND.counters), selectWord(cntBytes, rIdx), selectWord(info, rIdx))));
  const rLen16 = rLen.resize(16);
  const statusByte = m.let('status_byte', cat(coreFlag, lit(0, Bool), rDropped, rOverflow, rCode));
  const sending = [S.rSync, S.rStatus, S.rLen0, S.rLen1, S.rPay, S.rCrc].map(is).reduce((a, b) => a.or(b));
  txValid.assign(sending);
  txData.assign(
    mux(is(S.rSync), lit(SYNC_RESPONSE, UInt(8)), mux(is(S.rStatus), statusByte, mux(is(S.rLen0), rLen16.slice(7, 0), mux(is(S.rLen1), rLen16.slice(15, 8), mux(is(S.rPay), payByte, crcOut))))),
  );
  const sent = m.let('sent', txValid.and(txReady));
  const crcTxNext = m.let('crc_tx_next', crcUpdate(crcOut, txData));

  // ---- the state machine ----
  /** the edge that starts a response: latch what its header says */
  const respond = (code: number, kind: number, length: Expr | number) => {
    state.assign(S.rSync);
    rCode.assign(code);
    rKind.assign(kind);
    // every length fits: maxLen bounds them all
    rLen.assign(typeof length === 'number' ? lit(length, rLen.type) : length.resize(rLen.width));
    rDropped.assign(dropped);
    lastErr.assign(code === STATUS.ok ? 0 : 1);
  };
  const respStart = m.wire('resp_start', Bool);
  const wrPtrNext = m.let('wr_ptr_next', mux(capture, wrPtr.addWrap(1), wrPtr));
  const lastItem = m.let('last_item', done.addWrap(1).eq(items));

  respStart.assign(0);
  m.switch(state)
    .is(S.hunt, () => {
      m.when(byteIn.and(rxData.eq(SYNC_REQUEST)), () => {
        state.assign(S.cmd);
        crc.assign(0);
      });
    })
    .is(S.cmd, () => {
      m.when(byteIn, () => {
        cmd.assign(rxData);
        crc.assign(crcNext);
        state.assign(S.len0);
      });
    })
    .is(S.len0, () => {
      m.when(byteIn, () => {
        lenLo.assign(rxData);
        crc.assign(crcNext);
        state.assign(S.len1);
      });
    })
    .is(S.len1, () => {
      m.when(byteIn, () => {
        crc.assign(crcNext);
        idx.assign(0);
        inItem.assign(0);
        items.assign(0);
        badPad.assign(0);
        len.assign(lenIn.truncate(bufW));
        // a payload longer than the buffer is refused at once: it could not be kept
        m.when(lenIn.gt(L.bufferBytes), () => {
          respStart.assign(1);
          respond(STATUS.len, KIND.none, 0);
        })
          .elseWhen(lenIn.eq(0), () => state.assign(S.crc))
          .otherwise(() => state.assign(S.payload));
      });
    })
    .is(S.payload, () => {
      m.when(byteIn, () => {
        crc.assign(crcNext);
        idx.assign(idx.addWrap(1));
        m.when(inItem.eq(itemLast), () => {
          inItem.assign(0);
          items.assign(items.addWrap(1));
        }).otherwise(() => inItem.assign(inItem.addWrap(1)));
        m.when(rxData.and(padMask).ne(0), () => badPad.assign(1));
        m.when(idx.add(1).eq(len), () => state.assign(S.crc));
      });
    })
    .is(S.crc, () => {
      m.when(byteIn, () => {
        const known = [CMD.ping, CMD.write, CMD.step, CMD.counters].map((c) => cmd.eq(c)).reduce((a, b) => a.or(b));
        const whole = inItem.eq(0).and(len.ne(0));
        const lenOk = mux(isWrite, whole, mux(isStep, whole.and(items.le(maxSteps(layout, L))), len.eq(0)));
        m.when(rxData.ne(crc), () => {
          respStart.assign(1);
          respond(STATUS.crc, KIND.none, 0);
        })
          .elseWhen(known.not(), () => {
            respStart.assign(1);
            respond(STATUS.cmd, KIND.none, 0);
          })
          .elseWhen(lenOk.not(), () => {
            respStart.assign(1);
            respond(STATUS.len, KIND.none, 0);
          })
          .elseWhen(badPad, () => {
            respStart.assign(1);
            respond(STATUS.field, KIND.none, 0);
          })
          .elseWhen(cmd.eq(CMD.ping), () => {
            respStart.assign(1);
            respond(STATUS.ok, KIND.info, INFO_BYTES);
          })
          .elseWhen(cmd.eq(CMD.counters), () => {
            respStart.assign(1);
            respond(STATUS.ok, KIND.counters, pl.countersPayloadBytes);
          })
          .otherwise(() => {
            state.assign(S.load);
            rdPtr.assign(0);
            ld.assign(0);
            done.assign(0);
            wrPtr.assign(0);
          });
      });
    })
    .is(S.load, () => {
      m.when(readEn, () => rdPtr.assign(rdPtr.addWrap(1)));
      m.when(readEn.not(), () => {
        ld.assign(0);
        state.assign(mux(isStep, lit(S.offer, UInt(SW)), lit(S.issue, UInt(SW))));
      }).otherwise(() => ld.assign(ld.addWrap(1)));
    })
    .is(S.issue, () => {
      m.when(coreReady, () => {
        done.assign(done.addWrap(1));
        m.when(lastItem, () => {
          respStart.assign(1);
          respond(STATUS.ok, KIND.none, 0);
        }).otherwise(() => state.assign(S.load));
      });
    })
    .is(S.offer, () => {
      m.when(coreReady, () => state.assign(S.capture));
    })
    .is(S.capture, () => {
      m.when(capture, () => wrPtr.assign(wrPtrNext));
      m.when(capturing.and(coreOutValid).and(fifoFull), () => overflow.assign(1));
      m.when(coreReady, () => {
        done.assign(done.addWrap(1));
        m.when(lastItem, () => {
          respStart.assign(1);
          respond(STATUS.ok, KIND.records, wrPtrNext.mul(pl.recordBytes));
        }).otherwise(() => state.assign(S.load));
      });
    })
    .is(S.rSync, () => {
      m.when(sent, () => {
        crcOut.assign(0);
        state.assign(S.rStatus);
      });
    })
    .is(S.rStatus, () => {
      m.when(sent, () => {
        crcOut.assign(crcTxNext);
        state.assign(S.rLen0);
      });
    })
    .is(S.rLen0, () => {
      m.when(sent, () => {
        crcOut.assign(crcTxNext);
        state.assign(S.rLen1);
      });
    })
    .is(S.rLen1, () => {
      m.when(sent, () => {
        crcOut.assign(crcTxNext);
        rIdx.assign(0);
        rByte.assign(0);
        rRec.assign(0);
        state.assign(mux(rLen.eq(0), lit(S.rCrc, UInt(SW)), mux(rKind.eq(KIND.records), lit(S.rFetch, UInt(SW)), lit(S.rPay, UInt(SW)))));
      });
    })
    .is(S.rFetch, () => state.assign(S.rPay))
    .is(S.rPay, () => {
      m.when(sent, () => {
        crcOut.assign(crcTxNext);
        rIdx.assign(rIdx.addWrap(1));
        const lastByte = rIdx.addWrap(1).eq(rLen);
        m.when(rKind.eq(KIND.records).and(rByte.eq(pl.recordBytes - 1)), () => {
          rByte.assign(0);
          rRec.assign(rRec.addWrap(1));
          state.assign(mux(lastByte, lit(S.rCrc, UInt(SW)), lit(S.rFetch, UInt(SW))));
        }).otherwise(() => {
          m.when(rKind.eq(KIND.records), () => rByte.assign(rByte.addWrap(1)));
          m.when(lastByte, () => state.assign(S.rCrc));
        });
      });
    })
    .is(S.rCrc, () => {
      m.when(sent, () => state.assign(S.hunt));
    })
    .is(S.clear, () => {
      if (rw && clrIdx) {
        m.when(coreReady, () => {
          clrIdx.assign(clrIdx.addWrap(1));
          m.when(clrIdx.eq(rw.count - 1), () => state.assign(rw.final ? S.clearFinal : S.hunt));
        });
      } else state.assign(S.hunt);
    })
    .is(S.clearFinal, () => {
      m.when(coreReady, () => state.assign(S.hunt));
    })
    .default(() => state.assign(S.hunt));

  // a request that stops arriving is dropped after timeoutCycles without a byte
  m.when(receiving.and(byteIn.not()).and(since.eq(L.timeoutCycles - 1)), () => {
    respStart.assign(1);
    respond(STATUS.timeout, KIND.none, 0);
  });
  m.when(byteIn.or(receiving.not()), () => since.assign(0)).otherwise(() => since.assign(since.addWrap(1)));
  m.when(respStart, () => overflow.assign(0));
  m.when(respStart, () => dropped.assign(byteIn.and(listening.not()))).elseWhen(byteIn.and(listening.not()), () => dropped.assign(1));
  m.when(respStart, () => rOverflow.assign(overflow.or(capturing.and(coreOutValid).and(fifoFull))));

  ledBusy.assign(is(S.hunt).not());
  ledError.assign(lastErr.or(coreFlag));

  if (p.debugPorts) {
    for (const q of core.ports) m.output(`dbg_${q.name}`, q.type, `core port ${q.name}`).assign(q.kind === 'input' ? coreIn.get(q.name)! : coreOut.get(q.name)!);
    m.output('dbg_rx_valid', Bool).assign(rxValid);
    m.output('dbg_rx_data', UInt(8)).assign(rxData);
    m.output('dbg_tx_valid', Bool).assign(txValid);
    m.output('dbg_tx_data', UInt(8)).assign(txData);
    m.output('dbg_tx_ready', Bool).assign(txReady);
  }
  return m;
}

export type { LinkField };
