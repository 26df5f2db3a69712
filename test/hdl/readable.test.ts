// Readable Verilog (issue #10): a subexpression used more than once is emitted once, as a named wire; no line
// is longer than LINE_LIMIT; names are deterministic and clash with nothing; the result still means exactly
// what the DSL says (co-simulated against the IR evaluator) and lints clean.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bool, Module, SInt, UInt, cat, elaborate, lit, mux, sumTree, type Expr } from '../../src/hdl/index.js';
import { LINE_LIMIT } from '../../src/hdl/backend/share.js';
import { emitModule } from '../../src/hdl/backend/verilog.js';
import { designFiles, writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { evalExpr, type Env } from '../../src/hdl/sim/eval.js';
import { toBits } from '../../src/hdl/types.js';
import { Dut } from '../../src/harness/cocotb.js';
import { Scoreboard } from '../../src/harness/assert.js';
import { lintDesign } from '../../src/tools/lint.js';
import { Rng } from '../../src/util/random.js';
import { defaultChip } from '../../dsl/chip.js';
import { lifArray, type LifArrayParams } from '../../dsl/lif_array.js';
import { PARAM_SETS, withArch } from '../../testbenches/lif_cosim.js';
import { here } from '../helpers.js';

const longLines = (v: string) => v.split('\n').filter((l) => l.length > LINE_LIMIT);
const count = (v: string, s: string) => v.split(s).length - 1;
const lines = (v: string) => v.split('\n');

/** The LIF array of the default chip (generated/lif_tm_n16_v12_i10_ls_rs_rf0_sb1.v). */
const LIF: LifArrayParams = { neurons: 16, vWidth: 12, iWidth: 10, leak: 'shift', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1, floor: false, arch: 'timemux' };

describe('LIF array Verilog', () => {
  const d = elaborate(() => lifArray(LIF));
  const v = d.emitted[0]!.verilog;

  it('has no line longer than the limit', () => {
    expect(d.top.name).toBe('lif_tm_n16_v12_i10_ls_rs_rf0_sb1');
    expect(longLines(v)).toEqual([]);
  });

  it('writes each repeated subexpression once', () => {
    // |v| = v < 0 ? -v : v appeared four times inside the `leaked` assign, v < 0 five times
    expect(count(v, "(-(13'($signed(state_rd))))")).toBe(1);
    expect(count(v, "$signed(state_rd) < 12'sd0")).toBe(1);
    // integrated repeated leaked + current three times
    expect(count(v, "13'(leaked) + 13'(s1_current)")).toBe(1);
    const leaked = lines(v).find((l) => l.startsWith('  assign leaked = '))!;
    expect(leaked.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(leaked).toMatch(/ \/\/ @\[dsl\/lif_neuron\.ts \d+:\d+\]$/);
  });

  it('declares each backend wire with its type and the locator of the expression it names', () => {
    const derived = d.emitted[0]!.derived;
    expect(derived.length).toBeGreaterThan(0);
    for (const w of derived) {
      const decl = lines(v).filter((l) => new RegExp(`^  wire (signed )?(\\[${w.expr.width - 1}:0\\] )?\\s*${w.name};`).test(l));
      expect(decl, w.name).toHaveLength(1);
      expect(decl[0]).toContain(`// @[${w.loc!.file} ${w.loc!.line}:${w.loc!.col}]`);
      expect(/^ {2}wire signed /.test(decl[0]!)).toBe(w.expr.signed);
      expect(lines(v).filter((l) => l.startsWith(`  assign ${w.name} = `))).toHaveLength(1);
    }
  });

  it('lists the backend wires in names.json as derived nets', () => {
    const nets = d.names[d.top.name]!.nets.filter((n) => n.kind === 'derived');
    expect(nets.map((n) => n.net)).toEqual(d.emitted[0]!.derived.map((w) => w.name));
    for (const n of nets) {
      expect(n.backend?.reason).toMatch(/^(shared|split)$/);
      expect(n.loc).toMatch(/^dsl\/lif_neuron\.ts:\d+:\d+$|^dsl\/lif_array\.ts:\d+:\d+$/);
    }
  });

  it('every module of the default chip and of the co-simulated LIF sets stays within the limit', () => {
    for (const e of elaborate(defaultChip).emitted) expect(longLines(e.verilog), e.name).toEqual([]);
    for (const p of Object.values(PARAM_SETS)) {
      for (const arch of ['timemux', 'parallel'] as const) {
        for (const e of elaborate(() => lifArray(withArch(p, arch))).emitted) expect(longLines(e.verilog), e.name).toEqual([]);
      }
    }
  });
});

describe('common subexpressions', () => {
  let tLine = 0;
  /** One compound expression (a + b) * c used in three places: a continuous assign, an always @(*), a register. */
  const shared3 = (clash = false) => {
    const m = new Module(clash ? 'shared3_clash' : 'shared3');
    const a = m.input('a', UInt(8));
    const b = m.input('b', UInt(8));
    const c = m.input('c', UInt(4));
    const en = m.input('en', Bool);
    const t = a.add(b).mul(c); tLine = here(); // UInt(13)
    const mine = clash ? m.let('o1_mul', a.and(b)) : undefined; // takes the name the backend would pick
    const o1 = m.output('o1', UInt(14));
    o1.assign(t.add(1));
    const o2 = m.output('o2', UInt(13));
    o2.assign(0);
    m.when(en, () => o2.assign(t.xor(lit(0x155, UInt(13)))));
    const r = m.reg('r', UInt(13), { reset: 0 });
    m.when(en, () => r.assign(t));
    m.output('q', UInt(13)).assign(r);
    if (mine) m.output('o3', UInt(8)).assign(mine);
    return m;
  };

  it('emits a compound expression used in three places once, as a wire named after its first user', () => {
    const d = elaborate(() => shared3());
    const v = d.emitted[0]!.verilog;
    expect(count(v, "9'(a) + 9'(b)")).toBe(1);
    expect(count(v, "* 13'(c)")).toBe(1);
    expect(v).toMatch(new RegExp(`^  wire \\[12:0\\] o1_mul; // @\\[test/hdl/readable\\.test\\.ts ${tLine}:\\d+\\]$`, 'm'));
    expect(v).toMatch(new RegExp(`^  assign o1_mul = .*9'\\(a\\) \\+ 9'\\(b\\).* \\* 13'\\(c\\); // @\\[test/hdl/readable\\.test\\.ts ${tLine}:\\d+\\]$`, 'm'));
    expect(v).toMatch(/^ {2}assign o1 = 14'\(o1_mul\) \+ 14'd1;/m);
    expect(v).toMatch(/^ {6}o2 = o1_mul \^ 13'd341;/m);
    expect(v).toMatch(/^ {8}r <= o1_mul;/m);
    const net = d.names.shared3!.nets.find((n) => n.net === 'o1_mul')!;
    expect(net).toEqual(expect.objectContaining({ kind: 'derived', width: 13, signed: false, backend: { reason: 'shared', usedBy: 'o1', op: 'mul' } }));
    expect(net.loc).toMatch(new RegExp(`^test/hdl/readable\\.test\\.ts:${tLine}:\\d+$`));
  });

  it('a derived name never clashes with a name of the module', () => {
    const v = elaborate(() => shared3(true)).emitted[0]!.verilog;
    expect(v).toMatch(/^ {2}wire \[7:0\]\s+o1_mul; /m); // the user's
    expect(v).toMatch(/^ {2}assign o1_mul_2 = .*9'\(a\) \+ 9'\(b\).* \* 13'\(c\);/m);
    expect(v).toMatch(/^ {2}assign o1 = 14'\(o1_mul_2\) \+ 14'd1;/m);
  });

  it('one expression built twice is named once (structural sharing), and a wire of the design is reused', () => {
    const d = elaborate(() => {
      const m = new Module('rebuilt');
      const a = m.input('a', SInt(8));
      const b = m.input('b', SInt(8));
      const prod = () => a.mul(b).add(a); // built afresh at each call
      m.output('x', SInt(10)).assign(prod().resize(10));
      m.output('y', UInt(5)).assign(prod().slice(12, 8));
      const p = m.let('p', a.sub(b).mul(3)); // a continuous wire: its value is written as `p` elsewhere
      m.output('z', UInt(4)).assign(a.sub(b).mul(3).slice(9, 6));
      m.output('w', SInt(11)).assign(p.resize(11));
      return m;
    });
    const v = d.emitted[0]!.verilog;
    expect(count(v, "16'(a) * 16'(b)")).toBe(1);
    expect(v).toMatch(/^ {2}assign y = \$unsigned\(5'\(x_add >> 8\)\);/m); // a backend wire is sliced by shifting
    expect(v).toMatch(/^ {2}assign z = p\[9:6\];/m);
    expect(count(v, "$signed(9'(a)) - $signed(9'(b))") + count(v, "9'(a) - 9'(b)")).toBe(1);
  });

  it('a cast or slice of a named wire is cheap: used twice, it is not named again', () => {
    const d = elaborate(() => {
      const m = new Module('cast_of_name');
      const a = m.input('a', UInt(8));
      const b = m.input('b', UInt(8));
      const t = a.mul(b);
      const t20 = t.resize(20); // used twice, around a shared product
      m.output('x', UInt(21)).assign(t20.add(1));
      m.output('y', UInt(21)).assign(t20.add(2));
      m.output('z', UInt(8)).assign(t.slice(15, 8).xor(t.slice(7, 0)));
      return m;
    });
    expect(d.emitted[0]!.derived.map((w) => w.name)).toEqual(['x_mul']);
    const v = d.emitted[0]!.verilog;
    expect(v).toMatch(/^ {2}assign x = 21'\(20'\(x_mul\)\) \+ 21'd1;/m);
    expect(v).toMatch(/^ {2}assign z = 8'\(x_mul >> 8\) \^ 8'\(x_mul\);/m);
  });

  it('is deterministic: identical input gives byte-identical files', () => {
    const a = designFiles(elaborate(() => shared3()));
    const b = designFiles(elaborate(() => shared3()));
    expect([...a.entries()]).toEqual([...b.entries()]);
    const chip = elaborate(defaultChip);
    const again = elaborate(defaultChip);
    expect([...designFiles(again).entries()]).toEqual([...designFiles(chip).entries()]);
    for (const m of chip.modules) expect(emitModule(m, 'v').verilog).toBe(emitModule(m, 'v').verilog);
  });
});

describe('long lines and shared conditions, co-simulated', () => {
  const duts: Dut[] = [];
  afterAll(async () => {
    await Promise.all(duts.map((x) => x.close()));
  });

  it('splits long expressions exactly: Verilator agrees with the IR evaluator, lint is clean', async () => {
    const outs: { name: string; expr: Expr }[] = [];
    let ins: Record<string, Expr> = {};
    const build = () => {
      const m = new Module('t_readable');
      const a = m.input('a', UInt(8));
      const b = m.input('b', UInt(8));
      const c = m.input('c', UInt(4));
      const s = m.input('s', SInt(8));
      const t = m.input('t', SInt(6));
      const w = m.input('w', UInt(48));
      ins = { a, b, c, s, t, w };
      const out = (name: string, e: Expr) => {
        m.output(name, e.type).assign(e);
        outs.push({ name, expr: e });
      };
      const st = s.mul(t); // SInt(14), shared and sliced
      const terms = Array.from({ length: 24 }, (_, i) => w.slice(2 * i + 1, 2 * i).mul(c).add(a.bit(i % 8)));
      out('tree', sumTree(terms)); // a 24-term adder tree: far over the limit on one line
      out('anyeq', Array.from({ length: 40 }, (_, i) => w.slice(i + 3, i).eq(c)).reduce((x, y) => x.or(y))); // 40-term or chain
      out('wide', cat(...Array.from({ length: 16 }, (_, i) => mux(w.bit(i).and(b.bit(i % 8)), a.slice(3, 0).add(c).slice(3, 0), c.xor(b.slice(7, 4)))))); // 16 compound parts
      let chain: Expr = lit(0, UInt(5));
      for (let i = 0; i < 20; i++) chain = mux(w.bit(47 - i), lit(i, UInt(5)), chain); // 20-deep priority mux
      out('prio', chain);
      out('signed_long', st.add(s.mul(s)).sub(t.mul(t).resize(14)).mul(t).add(st.shr(3)).resize(20).addWrap(st.resize(20)));
      out('st_bits', st.slice(11, 4));
      out('st_inc', st.add(1));
      out('wpar', w.xorReduce());
      // procedurally driven outputs: both always @(*) blocks test the same compound conditions
      const cA = a.add(b).gt(c.mul(17));
      const cB = s.resize(9).sub(t.resize(9)).lt(0);
      const x1 = a.xor(b);
      const y1 = a.and(b.not());
      const z2 = a.add(b).slice(8, 1);
      const p1 = m.output('p1', UInt(8));
      const p2 = m.output('p2', UInt(8));
      p1.assign(0);
      p2.assign(b);
      m.when(cA, () => {
        p1.assign(x1);
        p2.assign(y1);
      }).elseWhen(cB, () => p1.assign(y1)).otherwise(() => p2.assign(z2));
      outs.push({ name: 'p1', expr: mux(cA, x1, mux(cB, y1, lit(0, UInt(8)))) });
      outs.push({ name: 'p2', expr: mux(cA, y1, mux(cB, b, z2)) });
      // a case on a compound selector, in two always blocks
      const sel = a.add(c).slice(2, 1);
      const q1 = m.output('q1', UInt(4));
      const q2 = m.output('q2', UInt(4));
      q1.assign(c);
      q2.assign(0);
      m.switch(sel).is(0, () => q1.assign(a.slice(3, 0))).is([1, 2], () => q2.assign(b.slice(7, 4))).default(() => { q1.assign(c.not()); q2.assign(c); });
      outs.push({ name: 'q1', expr: mux(sel.eq(0), a.slice(3, 0), mux(sel.eq(1).or(sel.eq(2)), c, c.not())) });
      outs.push({ name: 'q2', expr: mux(sel.eq(0), lit(0, UInt(4)), mux(sel.eq(1).or(sel.eq(2)), b.slice(7, 4), c)) });
      return m;
    };
    const design = elaborate(build);
    const v = design.emitted[0]!.verilog;
    expect(longLines(v)).toEqual([]);
    expect(design.emitted[0]!.derived.some((x) => x.reason === 'split')).toBe(true);
    // the conditions are written once and tested by name in both always blocks
    const cond = design.emitted[0]!.derived.find((x) => x.op === 'gt')!;
    expect(count(v, `if (${cond.name}) begin`)).toBe(2);
    const selName = design.emitted[0]!.derived.find((x) => x.op === 'bits' && x.usedBy === 'q1')!;
    expect(count(v, `case (${selName.name})`)).toBe(2);

    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-readable-')), 'gen');
    await writeDesignAtomically(design, dir);
    expect((await lintDesign(dir)).flatMap((r) => r.findings)).toEqual([]);

    const dut = await Dut.start(design);
    duts.push(dut);
    const rng = new Rng(1010);
    const pick = (wd: number, signed: boolean) => {
      const lo = signed ? -(2n ** BigInt(wd - 1)) : 0n;
      const hi = signed ? 2n ** BigInt(wd - 1) - 1n : 2n ** BigInt(wd) - 1n;
      const r = rng.next();
      if (r < 0.1) return lo;
      if (r < 0.2) return hi;
      if (r < 0.25) return 0n;
      let x = 0n;
      for (let i = 0; i < wd; i += 16) x = (x << 16n) | BigInt(rng.int(0, 0xffff));
      return lo + (x % (hi - lo + 1n));
    };
    const vectors = Array.from({ length: 2000 }, () => ({ a: pick(8, false), b: pick(8, false), c: pick(4, false), s: pick(8, true), t: pick(6, true), w: pick(48, false) }));
    const got = await dut.stream(vectors);
    const board = new Scoreboard('readable');
    vectors.forEach((vec, i) => {
      const env: Env = new Map(Object.entries(vec).map(([k, x]) => [ins[k] as never, x]));
      for (const o of outs) board.check(i, o.name, toBits(evalExpr(o.expr, env), o.expr.width), got[i]![o.name]!, o.expr.width, o.expr.signed);
    });
    expect(board.count, board.report()).toBe(0);
    expect(board.checks).toBe(2000 * outs.length);
  });

  it('registers with a shared enable, write-first memory ports and instance bindings lint clean', async () => {
    const design = elaborate(() => {
      const child = new Module('t_child');
      const ci = child.input('i', UInt(9));
      child.output('o', UInt(9)).assign(ci.not());
      const m = new Module('t_seq');
      const a = m.input('a', UInt(8));
      const b = m.input('b', UInt(8));
      const go = a.add(b).gt(200).and(a.msb()); // one enable for three registers
      const r1 = m.reg('r1', UInt(8), { reset: 0, enable: go });
      const r2 = m.reg('r2', UInt(8), { reset: 0, enable: go });
      const r3 = m.reg('r3', UInt(9), { reset: null, enable: go });
      r1.assign(a.xor(b));
      r2.assign(a.and(b));
      r3.assign(a.add(b));
      const mem = m.memory('mem', { type: UInt(9), depth: 8, readUnderWrite: 'write-first' });
      const addr = a.slice(2, 0).addWrap(b.slice(2, 0));
      mem.write(addr, a.add(b), go);
      const rd = mem.read('mem_rd', b.slice(2, 0).subWrap(a.slice(2, 0)), go.not());
      const co = m.wire('co', UInt(9));
      m.instance('u_child', child, { i: a.add(b).xor(rd), o: co });
      m.output('y', UInt(9)).assign(co.xor(r3).xor(cat(r1.xor(r2), a.msb())));
      return m;
    });
    const v = design.emitted.find((e) => e.name === 't_seq')!.verilog;
    expect(longLines(v)).toEqual([]);
    const en = design.emitted.find((e) => e.name === 't_seq')!.derived.find((x) => x.op === 'and' && x.reason === 'shared')!;
    expect(count(v, `if (${en.name}) begin`)).toBe(3);
    expect(count(v, "9'(a) + 9'(b)")).toBe(1);
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-readable-')), 'gen');
    await writeDesignAtomically(design, dir);
    expect((await lintDesign(dir)).flatMap((r) => r.findings)).toEqual([]);
  });
});
