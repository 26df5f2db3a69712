// The default chip (dsl/params.ts) end to end: configuration over the cfg bus with the cocotb-style API, then
// random neuron updates through the top, compared cycle by cycle with the golden time-multiplexed LIF model.
import { afterAll, describe, expect, it } from 'vitest';
import { CFG, defaultChip } from '../dsl/chip.js';
import { chipParams } from '../dsl/params.js';
import type { Ports } from '../generated/ports.js';
import { Scoreboard } from '../src/harness/assert.js';
import { Clock, ClockCycles, Dut, RisingEdge, startSoon } from '../src/harness/cocotb.js';
import { LifTimemuxModel, type LifSpec } from '../src/golden/lif.js';
import { SInt, elaborate } from '../src/hdl/index.js';
import { fromBits } from '../src/hdl/types.js';
import { resolveParams } from '../src/params/define.js';
import { Rng, testSeed } from '../src/util/random.js';

let dut: Awaited<ReturnType<typeof Dut.start<Ports['chip_top']>>> | undefined;
afterAll(async () => dut?.close());

describe('chip_top (default parameters)', () => {
  it('loads threshold and leak over the cfg bus and matches the golden LIF model', async () => {
    const p = resolveParams(chipParams);
    const spec: LifSpec = { ...p.lif };
    dut = await Dut.start<Ports['chip_top']>(elaborate(defaultChip));
    await startSoon(new Clock(dut.clk, 10).start());
    dut.rst.value = 1;
    dut.in_valid.value = 0;
    dut.cfg_we.value = 0;
    await ClockCycles(dut.clk, 2);
    dut.rst.value = 0;
    const threshold = 300;
    const leak = 3;
    for (const [addr, data] of [[CFG.threshold, threshold], [CFG.leak, leak]] as const) {
      dut.cfg_we.value = 1;
      dut.cfg_addr.value = addr;
      dut.cfg_data.value = data;
      await RisingEdge(dut.clk);
    }
    dut.cfg_we.value = 0;
    while (!dut.ready.value.toNumber()) await RisingEdge(dut.clk);

    // from here the golden model runs in lock step: reset it the same way and let it clear
    const model = new LifTimemuxModel(spec);
    model.edge({ rst: 1, in_valid: 0, in_addr: 0, in_current: 0, threshold, leak });
    for (let i = 0; i < spec.neurons; i++) model.edge({ rst: 0, in_valid: 0, in_addr: 0, in_current: 0, threshold, leak });
    const seed = testSeed(77);
    const rng = new Rng(seed);
    const iMax = 2 ** (spec.iWidth - 1) - 1;
    const vectors = Array.from({ length: 20_000 }, () => ({
      rst: 0n, in_valid: rng.chance(0.9) ? 1n : 0n, in_addr: BigInt(rng.int(0, spec.neurons - 1)), in_current: BigInt(rng.int(-iMax - 1, iMax)) & BigInt(2 ** spec.iWidth - 1),
    }));
    // the top's ready flag is already up; align the model (it has finished clearing too)
    expect(model.outputs().ready).toBe(1n);
    const got = await dut.stream(vectors);
    const board = new Scoreboard(`chip_top seed ${seed}`);
    let spikes = 0;
    vectors.forEach((v, i) => {
      const e = model.outputs();
      for (const [k, val] of Object.entries(e)) board.check(i, k, val, got[i]![k]!, dut!.handles[k]!.width, dut!.handles[k]!.signed);
      spikes += Number(e.out_valid && e.out_spike);
      model.edge({ rst: 0, in_valid: Number(v.in_valid), in_addr: Number(v.in_addr), in_current: Number(fromBits(v.in_current, SInt(spec.iWidth))), threshold, leak });
    });
    console.log(board.report());
    expect(board.count, board.report()).toBe(0);
    expect(spikes).toBeGreaterThan(100);
  });
});
