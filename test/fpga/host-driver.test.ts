// The host driver (src/fpga/host/) against the byte-level device model: a network loaded, run and read back equals
// the golden tile; bad values are refused before anything is sent, naming the value, its range and the caller's line;
// a device with another layout, a silent device and error answers are reported.
import { describe, expect, it } from 'vitest';
import { fpgaChipResetWrites } from '../../dsl/fpga_chip.js';
import { CrossbarTile } from '../../src/golden/crossbar.js';
import { FpgaChipCycleModel } from '../../src/golden/fpga-chip.js';
import { LinkDevice } from '../../src/golden/fpga-link.js';
import { FpgaLink, LinkError } from '../../src/fpga/host/driver.js';
import { TileOnFpga } from '../../src/fpga/host/tile.js';
import { ModelTransport, type Transport } from '../../src/fpga/host/transport.js';
import { colGroups } from '../../src/spec/crossbar.js';
import { CMD } from '../../src/spec/fpga-link.js';
import { Rng } from '../../src/util/random.js';
import { LINK_SETS, linkLayout } from '../../testbenches/fpga_link_cosim.js';
import { here } from '../helpers.js';

const s = LINK_SETS.small!;
const layout = linkLayout(s);

class CountingTransport extends ModelTransport {
  writes = 0;
  override async write(bytes: Uint8Array): Promise<void> {
    this.writes++;
    return super.write(bytes);
  }
}
const setup = () => {
  const t = new CountingTransport(new LinkDevice(layout, s.link, new FpgaChipCycleModel(s.tile), fpgaChipResetWrites(s.tile)));
  const link = new FpgaLink(t, layout, s.link);
  return { t, link, tile: new TileOnFpga(link, s.tile) };
};

describe('host driver against the byte-level model', () => {
  it('loads a network, runs 20 timesteps (5 STEP requests), reads spikes and counters equal to the golden tile', async () => {
    const { link, tile } = setup();
    const info = await link.ping();
    expect(info.fifoRecords).toBe(8);
    const rng = new Rng(5);
    const weights = Array.from({ length: s.tile.rows * s.tile.cols }, () => rng.int(-3, 3));
    const net = { weights, threshold: 2, leak: 1, adcShift: 0 };
    await tile.load(net);
    const inputs = Array.from({ length: 20 }, () => Array.from({ length: s.tile.rows }, () => rng.int(-1, 1)));
    const got = await tile.run(inputs);
    const golden = new CrossbarTile(s.tile);
    golden.program(weights);
    Object.assign(golden, { threshold: 2, leak: 1, adcShift: 0 });
    golden.clearCounters();
    inputs.forEach((x, t) => {
      const w = golden.step(x, undefined, t === 0);
      expect(got[t]!.spikes).toEqual(Array.from(w.spikes!));
      expect(got[t]!.v).toEqual(Array.from(w.v!));
    });
    expect(got.flat().some((r) => r.spikes.some((v) => v !== 0))).toBe(true);
    const c = await tile.counters();
    expect(c.cfg_error).toBe(false);
    expect(c.timesteps).toBe(20n);
    expect(c.active_rows).toBe(BigInt(golden.counters.active_rows));
    expect(c.weight_reads).toBe(BigInt(golden.counters.weight_reads));
    expect(colGroups(s.tile)).toBe(2);
  });

  it('refuses bad values before sending anything, naming the value, its range and the line', async () => {
    const { t, tile } = setup();
    const weights = new Array(s.tile.rows * s.tile.cols).fill(0);
    weights[9] = 4;
    const line = here() + 1;
    await expect(tile.load({ weights, threshold: 1, adcShift: 0 })).rejects.toThrow(new RegExp(`weights\\[1\\]\\[1\\] = 4 is outside -3\\.\\.3 \\(at test/fpga/host-driver\\.test\\.ts:${line}`));
    await expect(tile.load({ weights: new Array(64).fill(0), threshold: 200, adcShift: 0 })).rejects.toThrow(/threshold = 200 is outside 0\.\.127/);
    await expect(tile.run([[2, 0, 0, 0, 0, 0, 0, 0]])).rejects.toThrow(/row input x\[0\] = 2 is outside the signed alphabet -1\.\.1/);
    expect(t.writes).toBe(0);
  });

  it('refuses a device that runs another bitstream, and reports a silent device and error answers', async () => {
    const other = LINK_SETS.overflow!;
    const wrong = new FpgaLink(new ModelTransport(new LinkDevice(linkLayout(other), other.link, new FpgaChipCycleModel(other.tile))), layout, s.link);
    await expect(wrong.ping()).rejects.toThrow(/core layout hash is 0x[0-9a-f]+, expected 0x[0-9a-f]+: it runs another bitstream/);
    const silent: Transport = { write: async () => {}, receive: async (ms) => (await new Promise((r) => setTimeout(r, Math.min(ms, 20))), new Uint8Array()), close: async () => {} };
    await expect(new FpgaLink(silent, layout, s.link, 60).ping()).rejects.toThrow(LinkError);
    const { link } = setup();
    await expect(link.request(0x09)).rejects.toThrow(/the device answered cmd: unknown command byte/);
    await expect(link.request(CMD.ping, [1])).rejects.toThrow(/the device answered len/);
  });
});
