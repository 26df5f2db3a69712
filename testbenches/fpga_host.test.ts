// The host driver against the co-simulated RTL (no golden model in the loop): the bytes it writes become uart_rx
// levels, uart_tx is decoded back; the network it loads and runs gives the golden tile's spikes and counters.
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbarTile } from '../src/golden/crossbar.js';
import { FpgaLink } from '../src/fpga/host/driver.js';
import { TileOnFpga } from '../src/fpga/host/tile.js';
import { tileConfigWrites } from '../src/fpga/tile-core.js';
import type { Dut } from '../src/harness/cocotb.js';
import { crossbarMap } from '../src/spec/crossbar.js';
import { baudDivisor } from '../src/spec/fpga-link.js';
import { Rng } from '../src/util/random.js';
import { HarnessTransport } from './fpga_harness_transport.js';
import { LINK_SETS, linkLayout, startLink } from './fpga_link_cosim.js';

const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});

describe.each(['small', 'uart115200'])('host driver on the RTL, %s', (name) => {
  it('pings, loads a network, runs timesteps and reads counters equal to the golden tile', async () => {
    const s = LINK_SETS[name]!;
    const dut = await startLink(s);
    duts.push(dut);
    const t = new HarnessTransport(dut, baudDivisor(s.link));
    await t.reset(crossbarMap(s.tile).weightWords + 200);
    const link = new FpgaLink(t, linkLayout(s), s.link, 600_000);
    await link.ping();
    const tile = new TileOnFpga(link, s.tile);
    const rng = new Rng(9);
    const max = s.tile.cellLevels - 1;
    // at the real divisor only the first row group's weights differ from 0, to keep the load short
    const rows = name === 'small' ? s.tile.rows : s.tile.rowsPerCycle;
    const weights = Array.from({ length: s.tile.rows * s.tile.cols }, (_, i) => (Math.floor(i / s.tile.cols) < rows ? rng.int(-max, max) : 0));
    const net = { weights, threshold: 1, leak: 1, adcShift: 0 };
    if (name === 'small') await tile.load(net);
    else {
      // the real divisor: only the words that differ from the reset writes' zeros (first row group, registers)
      const map = crossbarMap(s.tile);
      const G = s.tile.cols / s.tile.colsPerCycle;
      await link.write(tileConfigWrites(s.tile, net).filter((w) => w.addr >= map.weightWords || w.addr < G));
    }
    const lo = s.tile.inSpikes === 'signed' ? -1 : 0;
    const inputs = Array.from({ length: name === 'small' ? 10 : 2 }, () => Array.from({ length: s.tile.rows }, () => (rng.chance(0.5) ? rng.int(lo, 1) : 0)));
    const got = await tile.run(inputs);
    const golden = new CrossbarTile(s.tile);
    golden.program(weights);
    Object.assign(golden, { threshold: 1, leak: 1, adcShift: 0 });
    golden.clearCounters();
    inputs.forEach((x, k) => {
      const w = golden.step(x, undefined, k === 0);
      expect(got[k]!.spikes).toEqual(Array.from(w.spikes!));
      expect(got[k]!.v).toEqual(Array.from(w.v!));
    });
    expect(got.some((r) => r.spikes.some((v) => v !== 0))).toBe(true);
    const c = await tile.counters();
    expect(c.cfg_error).toBe(false);
    expect(c.timesteps).toBe(BigInt(inputs.length));
    expect(c.cell_reads).toBe(BigInt(golden.counters.cell_reads));
    console.log(`host driver on the RTL (${name}): ${t.cycles} cycles simulated`);
  });
});
