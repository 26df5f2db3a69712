// The link's rules (src/spec/fpga-link.ts) on cases computed by hand, and the errors a user gets for bad link
// parameters or a core that does not follow the port convention: each names the parameter, its range and the line.
import { describe, expect, it } from 'vitest';
import { fpgaChip, fpgaChipRecordsPerStep } from '../../dsl/fpga_chip.js';
import { coreLayoutOf, fpgaTop } from '../../dsl/fpga_top.js';
import { uartRx } from '../../dsl/uart.js';
import { ElaborationError, elaborate, Module, Bool, UInt } from '../../src/hdl/index.js';
import {
  CMD,
  crc8,
  crc8Rows,
  crc8Update,
  decodeInfo,
  deviceInfo,
  encodeInfo,
  encodeRequest,
  INFO_BYTES,
  itemByteBits,
  padMasks,
  payloadLayout,
  type CoreLayout,
  type LinkParams,
} from '../../src/spec/fpga-link.js';
import { LINK_SETS } from '../../testbenches/fpga_link_cosim.js';
import { here } from '../helpers.js';

describe('CRC-8 (0x07, init 0: CRC-8/SMBUS)', () => {
  it('has the catalogue check value and an XOR network equal to the table', () => {
    expect(crc8(Array.from('123456789', (c) => c.charCodeAt(0)))).toBe(0xf4);
    const rows = crc8Rows();
    for (let crc = 0; crc < 256; crc += 17) {
      for (let b = 0; b < 256; b++) {
        const x = crc ^ b;
        const net = rows.reduce((v, row, i) => v | ((popcount(x & row) & 1) << i), 0);
        expect(net).toBe(crc8Update(crc, b));
      }
    }
  });
  it('frames a request: SYNC, command, length LE, payload, CRC of the rest', () => {
    expect(Array.from(encodeRequest(CMD.ping))).toEqual([0xa5, 0x01, 0x00, 0x00, crc8([1, 0, 0])]);
    expect(Array.from(encodeRequest(CMD.write, [0x34, 0x12]))).toEqual([0xa5, 0x02, 0x02, 0x00, 0x34, 0x12, crc8([2, 2, 0, 0x34, 0x12])]);
  });
});

const popcount = (x: number) => x.toString(2).replace(/0/g, '').length;

function layoutOf(name: string): CoreLayout {
  const s = LINK_SETS[name]!;
  let l: CoreLayout | undefined;
  elaborate(() => {
    const c = fpgaChip(s.tile);
    l = coreLayoutOf(c, fpgaChipRecordsPerStep(s.tile));
    return c;
  });
  return l!;
}

describe('payload layout of the default FPGA tile (64 x 32, 4 x 4 per cycle, binary in and out, 10-bit membranes)', () => {
  it('has the sizes docs/fpga.md gives', () => {
    const l = layoutOf('default8');
    // index bits: 16 x 8 = 128 weight words -> 7, plus 2 region bits; data: 4 x 4 cells x 2 x 2 bits = 64
    expect([l.addrBits, l.dataBits]).toEqual([9, 64]);
    expect(l.stepInputs).toEqual([{ name: 'in_spikes', width: 64 }, { name: 'in_restart', width: 1 }]);
    expect(l.streamOutputs).toEqual([{ name: 'out_group', width: 3 }, { name: 'out_spikes', width: 4 }, { name: 'out_v', width: 40 }]);
    expect(l.flags).toEqual(['cfg_error']);
    expect(l.counters.map((c) => c.width)).toEqual(new Array(9).fill(24));
    const pl = payloadLayout(l);
    expect(pl).toMatchObject({ addrBytes: 2, dataBytes: 8, pairBytes: 10, inBits: 65, inBytes: 9, recordBits: 47, recordBytes: 6, countersPayloadBytes: 1 + 9 * 3 });
    expect(itemByteBits(l, 'write')).toEqual([8, 1, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(padMasks(l, 'write')).toEqual([0, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(padMasks(l, 'step')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0xfe]);
  });
  it('encodes the device description in 20 bytes and back', () => {
    const l = layoutOf('default8');
    const d = deviceInfo(l, LINK_SETS.default8!.link);
    expect(INFO_BYTES).toBe(20);
    const bytes = encodeInfo(d);
    expect(bytes.slice(0, 4)).toEqual([1, 9, 64, 0]);
    expect(decodeInfo(bytes)).toEqual(d);
    expect(() => decodeInfo(bytes.slice(1))).toThrow(/19 bytes, expected 20/);
  });
});

describe('bad link parameters and cores: clear errors with the parameter, its range and the TS line', () => {
  const s = LINK_SETS.small!;
  const build = (link: Partial<LinkParams>, line: { n: number }) => {
    try {
      line.n = here() + 1;
      elaborate(() => fpgaTop(fpgaChip(s.tile), { link: { ...s.link, ...link }, recordsPerStep: 2 }));
    } catch (e) {
      expect(e).toBeInstanceOf(ElaborationError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('link parameters', () => {
    const line = { n: 0 };
    expect(build({ baud: 2_800_000 }, line)).toMatch(new RegExp(`baud = 2800000 is 7\\.1% off at clockHz = 12000000 .*allowed: within 2%[\\s\\S]*link-spec\\.test\\.ts:${line.n}`));
    expect(build({ baud: 4_000_000 }, line)).toMatch(/baud = 4000000 leaves 3 cycle\(s\) per bit .*allowed: at least 4 \(baud <= 3000000\)/);
    expect(build({ bufferBytes: 48 }, line)).toMatch(/bufferBytes = 48 must be a power of two/);
    expect(build({ bufferBytes: 4 }, line)).toMatch(/parameter bufferBytes = 4 is outside 16\.\.4096/);
    expect(build({ fifoRecords: 1 }, line)).toMatch(/fifoRecords = 1 cannot hold one timestep's records \(2\); allowed: 2\.\.4096/);
    expect(build({ timeoutCycles: 100 }, line)).toMatch(/timeoutCycles = 100 is shorter than 3 bytes on the line .*allowed: 240\.\./);
  });
  it('a core without the port convention', () => {
    const line = here() + 5;
    const bad = () => {
      const m = new Module('bad_core', {});
      m.input('cfg_addr', UInt(4));
      m.output('weird', UInt(3)).assign(0);
      return fpgaTop(m, { link: s.link, recordsPerStep: 1 });
    };
    try {
      elaborate(bad);
      throw new Error('no error');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/core bad_core: needs an input port 'cfg_we'/);
      expect(msg).toMatch(/needs an output port 'ready'/);
      expect(msg).toMatch(/output 'weird' \(3 bits\) is neither a stream field \(out_\*\), a counter \(cnt_\*\) nor a 1-bit flag/);
      expect(msg).toMatch(new RegExp(`link-spec\\.test\\.ts:${line}`));
    }
    expect(Bool.width).toBe(1);
  });
  it('a UART divisor out of range', () => {
    const line = here() + 1;
    expect(() => elaborate(() => uartRx({ divisor: 3 }))).toThrow(new RegExp(`uartRx: parameter divisor = 3 is outside 4\\.\\.65535[\\s\\S]*link-spec\\.test\\.ts:${line}`));
  });
});
