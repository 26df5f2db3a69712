// The byte-level golden model of the link (src/golden/fpga-link.ts) on cases worked out from docs/fpga.md: each
// answer is written out byte for byte with encodeResponse, and each refusal is shown to change nothing.
import { describe, expect, it } from 'vitest';
import { fpgaChipResetWrites } from '../../dsl/fpga_chip.js';
import { FpgaChipCycleModel } from '../../src/golden/fpga-chip.js';
import { LinkDevice } from '../../src/golden/fpga-link.js';
import { clearCountersWrite } from '../../src/fpga/tile-core.js';
import { cfgAddress, crossbarMap, REGION, TILE_REG } from '../../src/spec/crossbar.js';
import { CMD, crc8, deviceInfo, encodeInfo, encodeRequest, encodeResponse, payloadLayout, STATUS, STATUS_FLAG, writeLE } from '../../src/spec/fpga-link.js';
import { LINK_SETS, linkLayout } from '../../testbenches/fpga_link_cosim.js';

const s = LINK_SETS.small!;
const layout = linkLayout(s);
const pl = payloadLayout(layout);
const device = () => new LinkDevice(layout, s.link, new FpgaChipCycleModel(s.tile), fpgaChipResetWrites(s.tile));
const bytes = (f: Uint8Array[]) => f.map((x) => Array.from(x));
const pair = (addr: number, data: bigint) => [...writeLE(BigInt(addr), pl.addrBytes), ...writeLE(data, pl.dataBytes)];

describe('byte-level link model', () => {
  it('PING answers OK with the device description; COUNTERS with flags and counters, all 0 after reset', () => {
    const d = device();
    expect(bytes(d.receive(encodeRequest(CMD.ping)))).toEqual(bytes([encodeResponse(STATUS.ok, encodeInfo(deviceInfo(layout, s.link)))]));
    // 9 counters of 16 bits after the flags byte; the reset writes ended with clear_counters
    expect(bytes(d.receive(encodeRequest(CMD.counters)))).toEqual(bytes([encodeResponse(STATUS.ok, new Array(1 + 9 * 2).fill(0))]));
  });

  it('a WRITE is performed; a refused one sets the core flag, in the status and the flags byte, until clear_counters', () => {
    const d = device();
    const map = crossbarMap(s.tile);
    const threshold = cfgAddress(map, REGION.registers, TILE_REG.threshold);
    expect(bytes(d.receive(encodeRequest(CMD.write, pair(threshold, 5n))))).toEqual(bytes([encodeResponse(STATUS.ok)]));
    expect(d.driver.core.outputs().cnt_weight_writes).toBe(0n);
    // region 3 is not mapped: the tile refuses, cfg_error
    const bad = 3 * 2 ** map.indexBits;
    expect(bytes(d.receive(encodeRequest(CMD.write, pair(bad, 1n))))).toEqual(bytes([encodeResponse(STATUS.ok | STATUS_FLAG.coreFlag)]));
    const c = d.receive(encodeRequest(CMD.counters))[0]!;
    expect(c[1]).toBe(STATUS_FLAG.coreFlag);
    expect(c[4]).toBe(1); // flags byte: cfg_error
    expect(d.ledError).toBe(true);
    const clr = clearCountersWrite(s.tile);
    expect(bytes(d.receive(encodeRequest(CMD.write, pair(clr.addr, 0n))))).toEqual(bytes([encodeResponse(STATUS.ok)]));
  });

  it('refusals: CRC, unknown command, lengths, padding; nothing is performed', () => {
    const d = device();
    const map = crossbarMap(s.tile);
    const w = pair(cfgAddress(map, REGION.weights, 0), 0x1n);
    const f = Array.from(encodeRequest(CMD.write, w));
    f[f.length - 1]! ^= 0x40;
    expect(bytes(d.receive(f))).toEqual(bytes([encodeResponse(STATUS.crc)]));
    expect(bytes(d.receive(encodeRequest(0x07)))).toEqual(bytes([encodeResponse(STATUS.cmd)]));
    expect(bytes(d.receive(encodeRequest(CMD.write, w.slice(1))))).toEqual(bytes([encodeResponse(STATUS.len)]));
    expect(bytes(d.receive(encodeRequest(CMD.ping, [0])))).toEqual(bytes([encodeResponse(STATUS.len)]));
    // small set: 4 timesteps per request at most (8 records, 2 per timestep)
    expect(bytes(d.receive(encodeRequest(CMD.step, new Array(5 * pl.inBytes).fill(0))))).toEqual(bytes([encodeResponse(STATUS.len)]));
    // the address has 5 bits in its byte: bit 7 is padding
    expect(bytes(d.receive(encodeRequest(CMD.write, [0x80, ...w.slice(1)])))).toEqual(bytes([encodeResponse(STATUS.field)]));
    // longer than the 64-byte buffer: refused as soon as the length arrives
    expect(bytes(d.receive([0xa5, CMD.write, 65, 0]))).toEqual(bytes([encodeResponse(STATUS.len)]));
    expect(d.driver.core.outputs().cnt_weight_writes).toBe(0n);
    expect(d.ledError).toBe(true);
  });

  it('a request cut short is dropped by the timeout; bytes outside a frame are ignored', () => {
    const d = device();
    expect(d.receive([0x00, 0x17, 0xa5, CMD.ping])).toEqual([]);
    expect(bytes([d.timeout()!])).toEqual(bytes([encodeResponse(STATUS.timeout)]));
    expect(d.timeout()).toBeUndefined();
    expect(bytes(d.receive(encodeRequest(CMD.ping))).length).toBe(1);
  });

  it('a STEP answers one record per column group per timestep, packed LSB first', () => {
    const d = device();
    // threshold 5 (after reset it is 0, and a graded neuron at threshold 0 fires its largest count)
    d.receive(encodeRequest(CMD.write, pair(cfgAddress(crossbarMap(s.tile), REGION.registers, TILE_REG.threshold), 5n)));
    const r = d.receive(encodeRequest(CMD.step, new Array(2 * pl.inBytes).fill(0)))[0]!;
    // zero weights, zero inputs: membranes 0, no spikes; records carry only the column group in bit 0
    const rec = (g: number) => [g, 0, 0, 0, 0, 0];
    expect(Array.from(r)).toEqual(Array.from(encodeResponse(STATUS.ok, [...rec(0), ...rec(1), ...rec(0), ...rec(1)])));
    expect(r[r.length - 1]).toBe(crc8(Array.from(r.slice(1, -1))));
  });
});
