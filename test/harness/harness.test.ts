// The harness itself: cocotb-style triggers and concurrency, scoreboard reports, and robust process handling
// (a crashing or hanging simulator is reported clearly and leaves no process behind).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bool, Module, UInt, elaborate } from '../../src/hdl/index.js';
import { Clock, ClockCycles, Dut, FallingEdge, ReadOnly, RisingEdge, SimTimeoutError, Timer, gather, startSoon, withTimeout } from '../../src/harness/cocotb.js';
import { buildSim } from '../../src/harness/build.js';
import { Scoreboard } from '../../src/harness/assert.js';
import { Simulator } from '../../src/harness/sim.js';

const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});

function counter() {
  const m = new Module('h_counter');
  const en = m.input('en', Bool);
  const c = m.reg('count', UInt(8), { reset: 0, enable: en });
  c.assign(c.addWrap(1));
  m.output('q', UInt(8)).assign(c);
  m.output('is_ten', Bool).assign(c.eq(10));
  return m;
}

const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('cocotb-style API', () => {
  it('concurrent driver and monitor coroutines, edges, timers and timeouts', async () => {
    const dut = await Dut.start<'clk' | 'rst' | 'en' | 'q' | 'is_ten'>(elaborate(counter));
    duts.push(dut);
    await startSoon(new Clock(dut.clk, 10, 'ns').start());
    dut.rst.value = 1;
    dut.en.value = 0;
    await ClockCycles(dut.clk, 2);
    dut.rst.value = 0;
    const seen: number[] = [];
    const monitor = startSoon(async () => {
      for (let i = 0; i < 5; i++) {
        await RisingEdge(dut.clk);
        seen.push(dut.q.value.toNumber());
      }
    });
    const driver = startSoon(async () => {
      await FallingEdge(dut.clk);
      dut.en.value = 1;
    });
    await gather(monitor, driver);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const t0 = dut.time;
    await Timer(25, 'ns'); // 5 half-periods
    expect(dut.time - t0).toBe(5);
    await withTimeout((async () => {
      while (!dut.is_ten.value.toNumber()) await RisingEdge(dut.clk);
    })(), dut.clk, 50);
    await ReadOnly();
    expect(dut.q.value.toNumber()).toBe(10);
    dut.en.value = 0;
    await expect(withTimeout((async () => {
      while (dut.q.value.toNumber() !== 99) await RisingEdge(dut.clk);
    })(), dut.clk, 20)).rejects.toThrow(SimTimeoutError);
  });

  it('time cannot advance without a running clock', async () => {
    const dut = await Dut.start(elaborate(counter));
    duts.push(dut);
    await expect(RisingEdge(dut.handles.clk!)).rejects.toThrow(/no clock is running/);
  });

  it('batched stepping runs many cycles per request', async () => {
    const dut = await Dut.start<'clk' | 'rst' | 'en' | 'q' | 'is_ten'>(elaborate(counter));
    duts.push(dut);
    dut.rst.value = 0;
    dut.en.value = 1;
    await dut.step(1000);
    expect(dut.q.value.toNumber()).toBe(1000 % 256);
  });
});

describe('scoreboard', () => {
  it('reports cycle, signal, expected and actual in hex and signed decimal, then a verdict', () => {
    const sb = new Scoreboard('demo', 2);
    sb.check(0, 'v', 5, 5, 8, true);
    sb.check(7, 'v', -3, 253 + 1, 8, true);
    sb.check(9, 'spike', 1, 0, 1);
    sb.check(11, 'spike', 1, 0, 1);
    expect(sb.count).toBe(3);
    const r = sb.report();
    expect(r).toContain('cycle 7: v expected 0xfd (-3) got 0xfe (-2)');
    expect(r).toContain('cycle 9: spike expected 0x1 (1) got 0x0 (0)');
    expect(r).not.toContain('cycle 11');
    expect(r).toMatch(/FAIL demo: 3 mismatches in 4 checks \(first 2 shown\)$/);
    expect(() => sb.assertClean()).toThrow(/FAIL demo/);
  });
});

describe('simulator processes', () => {
  it('a simulator that crashes is reported with its signal and leaves nothing behind', async () => {
    const built = await buildSim(elaborate(counter));
    const sim = new Simulator(built);
    expect(await sim.line('a')).toMatch(/^[0-9a-f ]+$/);
    process.kill(sim.pid!, 'SIGSEGV');
    await expect(sim.line('t 2;a')).rejects.toThrow(/simulator h_counter was killed by SIGSEGV/);
    expect(alive(sim.pid)).toBe(false);
  });

  it('a simulator that hangs is killed after the request timeout, with a clear message', async () => {
    const built = await buildSim(elaborate(counter));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nllm-hang-'));
    const fake = path.join(dir, 'hang.sh');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(fake, 0o755);
    const sim = new Simulator(built, { exe: fake, timeoutMs: 500 });
    const t0 = Date.now();
    await expect(sim.line('a')).rejects.toThrow(/did not answer "a" within 500 ms; the process \(pid \d+\) was killed/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(sim.pid)).toBe(false);
  });

  it('close() ends the process cleanly', async () => {
    const built = await buildSim(elaborate(counter));
    const sim = new Simulator(built);
    await sim.line('a');
    await sim.close();
    expect(sim.running).toBe(false);
    expect(alive(sim.pid)).toBe(false);
  });

  it('builds are cached by digest', async () => {
    const a = await buildSim(elaborate(counter));
    const b = await buildSim(elaborate(counter));
    expect(b.built).toBe(false);
    expect(b.digest).toBe(a.digest);
  });
});

describe('Ctrl-C', () => {
  it('interrupting the Node process kills its simulators', async () => {
    const { execa } = await import('execa');
    const child = execa('npx', ['tsx', path.join(import.meta.dirname, 'fixtures', 'sigint-child.ts')], { reject: false, buffer: false, stdout: 'pipe' });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /SIMPID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      setTimeout(() => reject(new Error(`no SIMPID line: ${out}`)), 60_000);
    });
    expect(alive(pid)).toBe(true);
    // signal the Node process that owns the simulator (npx -> tsx -> node)
    const tree = (await execa('ps', ['-o', 'pid=,ppid=,comm=', '-A'])).stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const parentOf = new Map(tree.map(([p, pp]) => [Number(p), Number(pp)]));
    const nodePid = parentOf.get(pid)!;
    process.kill(nodePid, 'SIGINT');
    await child;
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });
});

describe('waveforms', () => {
  it('a traced build writes a VCD with the port names', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const vcd = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-vcd-')), 'wave.vcd');
    const dut = await Dut.start<'clk' | 'rst' | 'en' | 'q' | 'is_ten'>(elaborate(counter), { trace: true, vcd });
    dut.rst.value = 0;
    dut.en.value = 1;
    await dut.step(20);
    await dut.close();
    const text = readFileSync(vcd, 'utf8');
    expect(text).toMatch(/\$var wire\s+1 \S+ clk \$end/);
    expect(text).toMatch(/\$var wire\s+8 \S+ q \[7:0\] \$end/);
    expect(text).toMatch(/#40\b/); // 20 cycles = 40 half periods
  });
});
