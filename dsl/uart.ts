// UART receiver and transmitter, 8N1, LSB first, `divisor` clock cycles per bit (spec: docs/fpga.md, "UART").
// The receiver synchronizes its asynchronous input through two flip-flops, waits for a falling edge, samples the start
// bit half a bit later and each following bit one bit period after the previous; a byte whose stop bit is 0 is dropped
// and the receiver waits for the line to go idle (high) again.
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, mux, paramName, validateAll } from '../src/hdl/index.js';
import { requireRange } from '../src/params/define.js';

export interface UartParams {
  /** clock cycles per bit, 4..65535 */
  divisor: number;
}

const checkUart = (who: string, p: UartParams) => validateAll(() => requireRange(who, 'divisor', p.divisor, 4, 65535, captureCallerLoc()));

const RX = { idle: 0, start: 1, data: 2, stop: 3, wait: 4 } as const;

/** `valid` is 1 for one cycle, the cycle after the stop bit's sample, with the byte on `data`. */
export function uartRx(p: UartParams): Module {
  checkUart('uartRx', p);
  const D = p.divisor;
  const half = Math.floor(D / 2);
  const m = new Module(paramName('uart_rx', { d: D }), { ...p }, `UART receiver, 8N1, ${D} cycles per bit (spec: docs/fpga.md)`);
  const rx = m.input('rx', Bool, 'serial input, asynchronous');
  const valid = m.output('valid', Bool, 'a byte arrived: one cycle');
  const data = m.output('data', UInt(8), 'the byte, while valid = 1 (held until the next byte)');

  const meta = m.reg('rx_meta', Bool, { reset: 1 }, 'first synchronizer stage');
  const sync = m.reg('rx_sync', Bool, { reset: 1 }, 'second synchronizer stage: the line as the receiver sees it');
  meta.assign(rx);
  sync.assign(meta);
  const state = m.reg('state', UInt(3), { reset: RX.idle });
  const count = m.reg('count', UInt(bitsFor(D - 1)), { reset: 0 }, 'cycles left to the next sample');
  const bitIndex = m.reg('bit_index', UInt(3), { reset: 0 });
  const shift = m.reg('shift', UInt(8), { reset: 0 }, 'data bits, LSB first, shifted in from the top');
  const got = m.reg('got', Bool, { reset: 0 });
  const sample = m.let('sample', count.eq(0));
  const countDown = () => count.assign(count.subWrap(1));

  m.switch(state)
    .is(RX.idle, () => {
      m.when(sync.not(), () => {
        state.assign(RX.start);
        count.assign(half - 1);
      });
    })
    .is(RX.start, () => {
      m.when(sample, () => {
        // a start bit that is high again by its middle was a glitch
        m.when(sync.not(), () => {
          state.assign(RX.data);
          count.assign(D - 1);
          bitIndex.assign(0);
        }).otherwise(() => state.assign(RX.idle));
      }).otherwise(countDown);
    })
    .is(RX.data, () => {
      m.when(sample, () => {
        shift.assign(cat(sync, shift.slice(7, 1)));
        count.assign(D - 1);
        m.when(bitIndex.eq(7), () => state.assign(RX.stop)).otherwise(() => bitIndex.assign(bitIndex.addWrap(1)));
      }).otherwise(countDown);
    })
    .is(RX.stop, () => {
      // a stop bit of 0 (a framing error or a break) drops the byte; the line must go high before the next one
      m.when(sample, () => state.assign(mux(sync, lit(RX.idle, UInt(3)), lit(RX.wait, UInt(3))))).otherwise(countDown);
    })
    .is(RX.wait, () => {
      m.when(sync, () => state.assign(RX.idle));
    })
    .default(() => state.assign(RX.idle));
  got.assign(state.eq(RX.stop).and(sample).and(sync));
  valid.assign(got);
  data.assign(shift);
  return m;
}

const TX = { idle: 0, start: 1, data: 2, stop: 3 } as const;

/**
 * A byte is taken at an edge where `valid` = 1 and `ready` = 1; `tx` then carries the start bit, the 8 data bits and
 * the stop bit for `divisor` cycles each, and `ready` is 1 again in the cycle after: 10 * divisor + 1 cycles per byte.
 */
export function uartTx(p: UartParams): Module {
  checkUart('uartTx', p);
  const D = p.divisor;
  const m = new Module(paramName('uart_tx', { d: D }), { ...p }, `UART transmitter, 8N1, ${D} cycles per bit (spec: docs/fpga.md)`);
  const valid = m.input('valid', Bool, 'a byte is offered');
  const data = m.input('data', UInt(8));
  const ready = m.output('ready', Bool, 'idle: a byte offered in this cycle is taken at its end');
  const tx = m.output('tx', Bool, 'serial output, high when idle');

  const state = m.reg('state', UInt(2), { reset: TX.idle });
  const count = m.reg('count', UInt(bitsFor(D - 1)), { reset: 0 });
  const bitIndex = m.reg('bit_index', UInt(3), { reset: 0 });
  const shift = m.reg('shift', UInt(8), { reset: 0 }, 'data bits still to send, LSB first');
  const line = m.reg('line', Bool, { reset: 1 }, 'the output, from a register so it never glitches');
  const idle = m.let('idle', state.eq(TX.idle));
  const bitDone = m.let('bit_done', count.eq(0));
  const countDown = () => count.assign(count.subWrap(1));
  const nextBit = () => {
    line.assign(shift.bit(0));
    shift.assign(cat(lit(0, Bool), shift.slice(7, 1)));
    count.assign(D - 1);
  };

  m.switch(state)
    .is(TX.idle, () => {
      m.when(valid, () => {
        state.assign(TX.start);
        count.assign(D - 1);
        shift.assign(data);
        line.assign(0);
      });
    })
    .is(TX.start, () => {
      m.when(bitDone, () => {
        nextBit();
        bitIndex.assign(0);
        state.assign(TX.data);
      }).otherwise(countDown);
    })
    .is(TX.data, () => {
      m.when(bitDone, () => {
        m.when(bitIndex.eq(7), () => {
          line.assign(1);
          count.assign(D - 1);
          state.assign(TX.stop);
        }).otherwise(() => {
          nextBit();
          bitIndex.assign(bitIndex.addWrap(1));
        });
      }).otherwise(countDown);
    })
    .is(TX.stop, () => {
      m.when(bitDone, () => state.assign(TX.idle)).otherwise(countDown);
    });
  ready.assign(idle);
  tx.assign(line);
  return m;
}
