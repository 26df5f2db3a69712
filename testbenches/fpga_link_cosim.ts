// Co-simulation driver for the FPGA top (dsl/fpga_top.ts around dsl/fpga_chip.ts): host actions (requests, pauses,
// resets, deliberately broken frames) become per-cycle uart_rx levels; a planner runs the golden cycle model alongside
// so a request waits for the previous response (stop-and-wait); the vectors then go through the RTL and a fresh
// golden model and every output (uart_tx, the LEDs, every debug port) is compared on every cycle.
import { fpgaChip, fpgaChipRecordsPerStep, fpgaChipResetWrites } from '../dsl/fpga_chip.js';
import { coreLayoutOf, fpgaTop } from '../dsl/fpga_top.js';
import { FpgaChipCycleModel } from '../src/golden/fpga-chip.js';
import { FpgaLinkCycleModel } from '../src/golden/fpga-link-cycle.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { elaborate, type Design } from '../src/hdl/index.js';
import { ResponseParser, type ResponseFrame } from '../src/fpga/host/frames.js';
import { uartLevels, UartLineDecoder } from '../src/fpga/host/uart-line.js';
import type { CrossbarSpec } from '../src/spec/crossbar.js';
import { baudDivisor, CMD, encodeRequest, maxSteps, payloadLayout, type CoreLayout, type LinkParams } from '../src/spec/fpga-link.js';
import type { Rng } from '../src/util/random.js';

export interface LinkSet {
  tile: CrossbarSpec;
  link: LinkParams;
  /** records per timestep the link is told to expect (default: the tile's column groups) */
  recordsPerStep?: number;
}

const neuron = (o: Partial<NonNullable<CrossbarSpec['neuron']>> = {}): NonNullable<CrossbarSpec['neuron']> => ({ vWidth: 8, leak: 'subtract', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1, ...o });

const DEFAULT_TILE: CrossbarSpec = { rows: 64, cols: 32, cellLevels: 4, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 6, adcRounding: 'floor', rowsPerCycle: 4, colsPerCycle: 4, output: 'neurons', psumBits: 8, counterBits: 24, neuron: neuron({ vWidth: 10 }) };

/**
 * small: a tile with two column groups and signed inputs at a test-speed divisor of 8 (1.5 Mbaud at 12 MHz) with a
 * small buffer and record buffer, so refusals are reached quickly.
 */
export const LINK_SETS: Record<string, LinkSet> = {
  small: {
    tile: { rows: 8, cols: 8, cellLevels: 4, slices: 1, inSpikes: 'signed', inLevels: 1, adcBits: 5, adcRounding: 'floor', rowsPerCycle: 2, colsPerCycle: 4, output: 'neurons', psumBits: 8, counterBits: 16, neuron: neuron({ reset: 'zero', refractory: 1, spikes: 'graded', levels: 2 }) },
    link: { clockHz: 12_000_000, baud: 1_500_000, bufferBytes: 64, fifoRecords: 8, timeoutCycles: 400 },
  },
  // the link is told to expect one record per timestep while the tile gives two: STEP answers overflow
  overflow: {
    tile: { rows: 4, cols: 4, cellLevels: 2, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 4, adcRounding: 'floor', rowsPerCycle: 2, colsPerCycle: 2, output: 'neurons', psumBits: 6, counterBits: 8, neuron: neuron({ vWidth: 6 }) },
    link: { clockHz: 12_000_000, baud: 3_000_000, bufferBytes: 16, fifoRecords: 3, timeoutCycles: 200 },
    recordsPerStep: 1,
  },
  // the default FPGA tile at a test-speed divisor of 8, and at the board's real 115200 baud (104 cycles per bit)
  default8: { tile: DEFAULT_TILE, link: { clockHz: 12_000_000, baud: 1_500_000, bufferBytes: 512, fifoRecords: 256, timeoutCycles: 4000 } },
  uart115200: { tile: DEFAULT_TILE, link: { clockHz: 12_000_000, baud: 115_200, bufferBytes: 512, fifoRecords: 256, timeoutCycles: 600_000 } },
};

const recordsOf = (s: LinkSet) => s.recordsPerStep ?? fpgaChipRecordsPerStep(s.tile);

export function linkDesign(s: LinkSet, debugPorts = true): Design {
  return elaborate(() => fpgaTop(fpgaChip(s.tile), { link: s.link, recordsPerStep: recordsOf(s), resetWrites: fpgaChipResetWrites(s.tile), debugPorts }));
}

export function linkLayout(s: LinkSet): CoreLayout {
  let layout: CoreLayout | undefined;
  elaborate(() => {
    const core = fpgaChip(s.tile);
    layout = coreLayoutOf(core, recordsOf(s));
    return core;
  });
  return layout!;
}

export function linkModel(s: LinkSet, layout = linkLayout(s)): FpgaLinkCycleModel {
  return new FpgaLinkCycleModel(layout, s.link, new FpgaChipCycleModel(s.tile), fpgaChipResetWrites(s.tile));
}

export type Vector = { rst: number; uart_rx: number };

/** Builds the vectors of a session, running the golden cycle model to know when each response has arrived. */
export class LinkPlanner {
  readonly vectors: Vector[] = [];
  readonly model: FpgaLinkCycleModel;
  readonly divisor: number;
  readonly responses: ResponseFrame[] = [];
  private readonly decoder: UartLineDecoder;
  private readonly parser = new ResponseParser();

  constructor(
    readonly set: LinkSet,
    readonly layout = linkLayout(set),
  ) {
    this.model = linkModel(set, layout);
    this.divisor = baudDivisor(set.link);
    this.decoder = new UartLineDecoder(this.divisor);
  }

  private tick(rx: number, rst = 0): void {
    const o = this.model.outputs();
    const before = this.decoder.bytes.length;
    this.decoder.push(Number(o.uart_tx));
    if (this.decoder.bytes.length > before) this.responses.push(...this.parser.push(this.decoder.bytes.slice(before)));
    const v = { rst, uart_rx: rx };
    this.vectors.push(v);
    this.model.edge(v);
  }

  idle(cycles: number): this {
    for (let i = 0; i < cycles; i++) this.tick(1);
    return this;
  }

  /** Reset, then wait until the link listens (the reset writes done). */
  reset(): this {
    this.tick(1, 1);
    for (let n = 0; this.model.outputs().led_busy === 1n; n++) {
      if (n > 1_000_000) throw new Error('the link never finished its reset writes');
      this.tick(1);
    }
    return this;
  }

  /** Puts bytes on the line (gap: idle cycles after each byte). */
  send(bytes: ArrayLike<number>, gap = 0): this {
    for (const level of uartLevels(bytes, this.divisor, gap)) this.tick(level);
    return this;
  }

  /** Idles until `count` more responses have been decoded from the device's line; returns them. */
  await(count = 1, limit = 5_000_000): ResponseFrame[] {
    const want = this.responses.length + count;
    for (let n = 0; this.responses.length < want; n++) {
      if (n > limit) throw new Error(`no response after ${limit} cycles (${this.responses.length} of ${want})`);
      this.tick(1);
    }
    return this.responses.slice(want - count);
  }

  /** A request and its response. */
  request(cmd: number, payload: ArrayLike<number> = [], gap = 0): ResponseFrame {
    this.send(encodeRequest(cmd, payload), gap);
    return this.await(1)[0]!;
  }
}

/** Random well-formed and broken traffic: every case of the protocol, including drops, timeouts and resets. */
export function randomSession(plan: LinkPlanner, rng: Rng, requests: number): void {
  const s = plan.set;
  const pl = payloadLayout(plan.layout);
  const D = plan.divisor;
  const steps = maxSteps(plan.layout, s.link);
  const pairs = Math.floor(s.link.bufferBytes / pl.pairBytes);
  const randomBytes = (n: number) => Array.from({ length: n }, () => rng.int(0, 255));
  const tile = s.tile;
  const xw = tile.inSpikes === 'signed' || tile.inSpikes === 'graded-signed' ? 2 : 1;
  const stepVector = (): number[] => {
    // valid row inputs of the alphabet, restart now and then, padding 0
    let v = 0n;
    for (let r = tile.rows - 1; r >= 0; r--) {
      const x = rng.chance(0.4) ? (xw === 2 ? (rng.chance(0.5) ? 1 : 3) : 1) : 0; // 3 = -1 in two bits
      v = (v << BigInt(xw)) | BigInt(x);
    }
    v |= BigInt(rng.chance(0.1) ? 1 : 0) << BigInt(tile.rows * xw);
    return Array.from({ length: pl.inBytes }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  };
  const writePair = (): number[] => {
    // mostly mapped addresses, data within the word; the core refuses the rest (cfg_error)
    const addr = rng.int(0, 2 ** plan.layout.addrBits - 1);
    const data = rng.chance(0.7) ? BigInt(rng.int(0, 255)) : BigInt(rng.int(0, 2 ** Math.min(30, plan.layout.dataBits) - 1));
    return [...Array.from({ length: pl.addrBytes }, (_, i) => (addr >> (8 * i)) & 0xff), ...Array.from({ length: pl.dataBytes }, (_, i) => Number((data >> BigInt(8 * i)) & 0xffn))];
  };
  for (let k = 0; k < requests; k++) {
    const r = rng.next();
    const gap = rng.chance(0.2) ? rng.int(0, 3 * D) : 0;
    if (r < 0.1) plan.request(CMD.ping, [], gap);
    else if (r < 0.2) plan.request(CMD.counters, [], gap);
    else if (r < 0.45) plan.request(CMD.write, Array.from({ length: rng.int(1, Math.min(pairs, 6)) }, writePair).flat(), gap);
    else if (r < 0.7) plan.request(CMD.step, Array.from({ length: rng.int(1, steps) }, stepVector).flat(), gap);
    else if (r < 0.74) plan.request(rng.chance(0.5) ? 0 : rng.int(5, 255), randomBytes(rng.int(0, 4)));
    else if (r < 0.78) plan.request(rng.chance(0.5) ? CMD.ping : CMD.step, randomBytes(rng.int(1, pl.inBytes + 1)));
    else if (r < 0.81) {
      // a bit flipped somewhere after SYNC: a CRC error, or a length that no longer suits
      const f = Array.from(encodeRequest(CMD.write, writePair()));
      f[rng.int(1, f.length - 1)]! ^= 1 << rng.int(0, 7);
      plan.send(f);
      plan.idle(s.link.timeoutCycles + 40 * D);
    } else if (r < 0.84) {
      // padding bits set in a timestep vector (when it has padding) or a payload longer than the buffer
      const v = stepVector();
      v[v.length - 1]! |= 0x80;
      if (rng.chance(0.5)) plan.request(CMD.step, v);
      else {
        plan.send([0xa5, CMD.write, (s.link.bufferBytes + 1) & 0xff, (s.link.bufferBytes + 1) >> 8]);
        plan.await(1);
      }
    } else if (r < 0.87) {
      // a request that stops in the middle: dropped after the timeout
      const f = encodeRequest(CMD.step, stepVector());
      plan.send(f.slice(0, rng.int(1, f.length - 1)));
      plan.await(1, s.link.timeoutCycles + 100 * D);
    } else if (r < 0.9) {
      // two requests back to back: the second arrives while the first is answered and is dropped (flag in the next)
      plan.send(encodeRequest(CMD.counters));
      plan.send(encodeRequest(CMD.ping));
      plan.await(1);
      plan.idle(s.link.timeoutCycles + 40 * D);
    } else if (r < 0.93) plan.idle(rng.int(1, 20 * D));
    else if (r < 0.95) plan.send(randomBytes(rng.int(1, 3)).map((b) => (b === 0xa5 ? 0 : b))).idle(20 * D);
    else if (r < 0.96) {
      // a reset in the middle of a request
      const f = encodeRequest(CMD.counters);
      plan.send(f.slice(0, 2));
      plan.reset();
    } else plan.request(CMD.step, stepVector());
  }
  plan.idle(20 * D);
}

/**
 * One request of each refused kind, in a fixed order, so that the random traffic's coverage of the status codes does
 * not rest on its length: a CRC error, an unknown command, a payload that does not suit the command, a request that
 * stops in the middle (timeout), padding bits set in a timestep vector (when the vector has padding), and a request
 * sent while the previous one is answered (dropped: the flag rides on the next response).
 */
export function refusalSession(plan: LinkPlanner): void {
  const s = plan.set;
  const pl = payloadLayout(plan.layout);
  const D = plan.divisor;
  const crc = Array.from(encodeRequest(CMD.ping));
  crc[crc.length - 1]! ^= 0x01;
  plan.send(crc);
  plan.await(1);
  plan.request(0, []);
  plan.request(CMD.ping, [0]);
  const f = encodeRequest(CMD.step, new Array<number>(pl.inBytes).fill(0));
  plan.send(f.slice(0, 3));
  plan.await(1, s.link.timeoutCycles + 100 * D);
  const xw = s.tile.inSpikes === 'signed' || s.tile.inSpikes === 'graded-signed' ? 2 : 1;
  if (8 * pl.inBytes > s.tile.rows * xw + 1) {
    const v = new Array<number>(pl.inBytes).fill(0);
    v[v.length - 1] = 0x80;
    plan.request(CMD.step, v);
  }
  plan.send(encodeRequest(CMD.counters));
  plan.send(encodeRequest(CMD.ping));
  plan.await(1);
  plan.idle(s.link.timeoutCycles + 40 * D);
  plan.request(CMD.ping);
  plan.idle(20 * D);
}

export interface LinkCosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  simMs: number;
  goldenMs: number;
}

/** Runs the vectors through the RTL and a fresh golden model; every output compared on every cycle after the first reset. */
export async function cosimLink(dut: Dut, s: LinkSet, vectors: readonly Vector[], name: string, chunk = 50_000): Promise<LinkCosimResult> {
  return lockstep(dut, vectors, name, linkModel(s), (v) => v, { chunk });
}

export async function startLink(s: LinkSet): Promise<Dut> {
  return Dut.start(linkDesign(s));
}
