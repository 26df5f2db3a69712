// The emitted Verilog means what the DSL says: an adder, a counter and a memory simulated by Verilator.
import { afterAll, describe, expect, it } from 'vitest';
import { Bool, Module, SInt, UInt, elaborate } from '../../src/hdl/index.js';
import { ClockCycles, Clock, Dut, ReadOnly, RisingEdge, startSoon } from '../../src/harness/cocotb.js';

const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});

function adder() {
  const m = new Module('t_adder');
  const a = m.input('a', SInt(8));
  const b = m.input('b', SInt(8));
  const u = m.input('u', UInt(8));
  m.output('sum', SInt(9)).assign(a.add(b));
  m.output('diff', SInt(9)).assign(u.sub(u.slice(3, 0).resize(8)));
  m.output('prod', SInt(16)).assign(a.mul(b));
  m.output('wrap', SInt(8)).assign(a.addWrap(b));
  m.output('lt', Bool).assign(a.lt(b));
  return m;
}

describe('Verilator agrees with the DSL semantics', () => {
  it('adder: exact sums, differences, products; wrapping add; signed compare (exhaustive over a grid)', async () => {
    const dut = await Dut.start(elaborate(adder));
    duts.push(dut);
    const vals = [-128, -127, -100, -1, 0, 1, 2, 63, 100, 127];
    const vectors = vals.flatMap((a) => vals.map((b) => ({ a: BigInt(a), b: BigInt(b), u: BigInt((a * 7 + b * 3) & 0xff) })));
    const outs = await dut.stream(vectors);
    vectors.forEach((v, i) => {
      const o = outs[i]!;
      const a = Number(v.a);
      const b = Number(v.b);
      const u = Number(v.u);
      expect(o.sum).toBe(BigInt((a + b) & 0x1ff));
      expect(o.diff).toBe(BigInt((u - (u & 15)) & 0x1ff));
      expect(o.prod).toBe(BigInt((a * b) & 0xffff));
      expect(o.wrap).toBe(BigInt((a + b) & 0xff));
      expect(o.lt).toBe(a < b ? 1n : 0n);
    });
  });

  it('counter with enable and synchronous reset, via the cocotb-style API', async () => {
    const d = elaborate(() => {
      const m = new Module('t_counter');
      const en = m.input('en', Bool);
      const c = m.reg('count', UInt(4), { reset: 0, enable: en });
      c.assign(c.addWrap(1));
      m.output('q', UInt(4)).assign(c);
      return m;
    });
    const dut = await Dut.start<'clk' | 'rst' | 'en' | 'q'>(d);
    duts.push(dut);
    await startSoon(new Clock(dut.clk, 10).start());
    dut.rst.value = 1;
    await RisingEdge(dut.clk);
    dut.rst.value = 0;
    dut.en.value = 1;
    await ClockCycles(dut.clk, 5);
    expect(dut.q.value.toNumber()).toBe(5);
    dut.en.value = 0;
    await ClockCycles(dut.clk, 3);
    expect(dut.q.value.toNumber()).toBe(5);
    dut.en.value = 1;
    await ClockCycles(dut.clk, 12);
    expect(dut.q.value.toNumber()).toBe(1); // 17 mod 16
    dut.rst.value = 1;
    await RisingEdge(dut.clk);
    await ReadOnly();
    expect(dut.q.value.toNumber()).toBe(0);
  });

  it('memory: $readmemh initial contents, read-first vs write-first', async () => {
    for (const rw of ['read-first', 'write-first'] as const) {
      const d = elaborate(() => {
        const m = new Module(`t_mem_${rw.replace('-', '_')}`);
        const addr = m.input('addr', UInt(3));
        const we = m.input('we', Bool);
        const data = m.input('data', UInt(8));
        const mem = m.memory('mem', { type: UInt(8), depth: 8, readUnderWrite: rw, init: [10, 11, 12, 13, 14, 15, 16, 17] });
        const q = mem.read('rd', addr);
        mem.write(addr, data, we);
        m.output('q', UInt(8)).assign(q);
        return m;
      });
      const dut = await Dut.start(d);
      duts.push(dut);
      // cycle i applies inputs, samples before the edge; a read shows one cycle after its address
      const outs = await dut.stream([
        { addr: 3, we: 0, data: 0 },
        { addr: 3, we: 1, data: 99 },
        { addr: 3, we: 0, data: 0 },
        { addr: 7, we: 0, data: 0 },
        { addr: 0, we: 0, data: 0 },
      ]);
      expect(outs[1]!.q).toBe(13n); // read of init[3]
      expect(outs[2]!.q).toBe(rw === 'read-first' ? 13n : 99n); // same-cycle read of the written word
      expect(outs[3]!.q).toBe(99n);
      expect(outs[4]!.q).toBe(17n);
    }
  });
});
