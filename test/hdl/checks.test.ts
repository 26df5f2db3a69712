// One failing design per diagnostic: each asserts the stable code and the user's TS line.
import { describe, expect, it } from 'vitest';
import { Bool, CODES, Module, SInt, UInt, mux, type Diagnostic } from '../../src/hdl/index.js';
import { p as param, resolveParams } from '../../src/params/define.js';
import { lifArray } from '../../dsl/lif_array.js';
import { diagnosticsOf, here } from '../helpers.js';

const THIS = 'test/hdl/checks.test.ts';
function only(ds: Diagnostic[], code: string): Diagnostic {
  const found = ds.filter((d) => d.code === code);
  expect(found, ds.map((d) => `${d.code} ${d.message}`).join('\n')).toHaveLength(1);
  expect(found[0]!.loc?.file).toBe(THIS);
  return found[0]!;
}

describe('elaboration checks', () => {
  it('E0101 width mismatch on assignment (never a silent truncation)', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('w');
      const a = m.input('a', UInt(8));
      const o = m.output('o', UInt(8));
      o.assign(a.add(1)); line = here();
      return m;
    }), 'E0101');
    expect(d.loc!.line).toBe(line);
    expect(d.message).toMatch(/'o' is UInt\(8\) \(8 bits\) but the value is UInt\(9\)/);
    expect(d.help).toMatch(/resize/);
  });

  it('E0102 signedness mismatch', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('s');
      const a = m.input('a', UInt(8));
      const o = m.output('o', SInt(8));
      o.assign(a); line = here();
      return m;
    }), 'E0102');
    expect(d.loc!.line).toBe(line);
  });

  it('E0103 constant overflow and E0104 bad slice', () => {
    let l1 = 0;
    let l2 = 0;
    const ds = diagnosticsOf(() => {
      const m = new Module('c');
      const a = m.input('a', UInt(4));
      const o = m.output('o', UInt(4));
      o.assign(20); l1 = here();
      m.output('q', UInt(1)).assign(a.slice(4, 4)); l2 = here();
      return m;
    });
    expect(only(ds, 'E0103').loc!.line).toBe(l1);
    expect(only(ds, 'E0104').loc!.line).toBe(l2);
  });

  it('E0201 undriven output, wire and register', () => {
    const lines: number[] = [];
    const ds = diagnosticsOf(() => {
      const m = new Module('u');
      m.output('o', UInt(4)); lines.push(here());
      const w = m.wire('w', UInt(4)); lines.push(here());
      const r = m.reg('r', UInt(4)); lines.push(here());
      m.output('p', UInt(8)).assign(w.add(r).resize(8));
      return m;
    });
    const und = ds.filter((d) => d.code === 'E0201');
    expect(und.map((d) => d.loc!.line).sort()).toEqual(lines.sort());
  });

  it('E0202 multiple drivers names both locations', () => {
    let l1 = 0;
    let l2 = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('md');
      const a = m.input('a', UInt(4));
      const o = m.output('o', UInt(4));
      o.assign(a); l1 = here();
      o.assign(a.not()); l2 = here();
      return m;
    }), 'E0202');
    expect(d.loc!.line).toBe(l2);
    expect(d.related.map((r) => r.loc?.line)).toContain(l1);
  });

  it('E0202 for a signal driven by an instance output and an assignment', () => {
    const d = only(diagnosticsOf(() => {
      const child = new Module('child');
      child.output('y', UInt(2)).assign(1);
      const m = new Module('parent');
      const w = m.wire('w', UInt(2));
      m.instance('u_child', child, { y: w });
      w.assign(0);
      m.output('o', UInt(2)).assign(w);
      return m;
    }), 'E0202');
    expect(d.related).toHaveLength(2);
  });

  it('E0203 input driven inside its module', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('id');
      const a = m.input('a', UInt(4));
      a.assign(3); line = here();
      m.output('o', UInt(4)).assign(a);
      return m;
    }), 'E0203');
    expect(d.loc!.line).toBe(line);
  });

  it('E0204 unbound instance port', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const child = new Module('child2');
      const x = child.input('x', UInt(2));
      child.output('y', UInt(2)).assign(x);
      const m = new Module('parent2');
      const w = m.wire('w', UInt(2));
      m.instance('u', child, { y: w }); line = here();
      m.output('o', UInt(2)).assign(w);
      return m;
    }), 'E0204');
    expect(d.loc!.line).toBe(line);
    expect(d.message).toMatch(/'x'/);
  });

  it('E0301 combinational loop names the cycle', () => {
    const d = only(diagnosticsOf(() => {
      const m = new Module('loop');
      const a = m.input('a', UInt(4));
      const x = m.wire('x', UInt(4));
      const y = m.wire('y', UInt(4));
      x.assign(y.xor(a));
      y.assign(x.not());
      m.output('o', UInt(4)).assign(y);
      return m;
    }), 'E0301');
    expect(d.message).toMatch(/x -> y -> x|y -> x -> y/);
  });

  it('E0301 through a child instance, using its input-to-output paths', () => {
    const ds = diagnosticsOf(() => {
      const child = new Module('passthru');
      const i = child.input('i', UInt(4));
      child.output('q', UInt(4)).assign(i);
      const m = new Module('loop_inst');
      const w = m.wire('w', UInt(4));
      m.instance('u', child, { i: w, q: w });
      m.output('o', UInt(4)).assign(w);
      return m;
    });
    expect(ds.map((d) => d.code)).toContain('E0301');
  });

  it('E0302 incomplete combinational assignment (latch)', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('latch');
      const en = m.input('en', Bool);
      const a = m.input('a', UInt(4));
      const o = m.output('o', UInt(4));
      m.when(en, () => {
        o.assign(a); line = here();
      });
      return m;
    }), 'E0302');
    expect(d.loc!.line).toBe(line);
  });

  it('a complete switch or a default assignment is not a latch', () => {
    const ds = diagnosticsOf(() => {
      const m = new Module('nolatch');
      const sel = m.input('sel', UInt(1));
      const a = m.input('a', UInt(4));
      const o = m.output('o', UInt(4));
      const q = m.output('q', UInt(4));
      m.switch(sel).is(0, () => o.assign(a)).is(1, () => o.assign(a.not()));
      q.assign(0);
      m.when(sel.eq(1), () => q.assign(a));
      return m;
    });
    expect(ds.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('W0401 unused signal and unused bits (a warning)', () => {
    let l1 = 0;
    const ds = diagnosticsOf(() => {
      const m = new Module('unused');
      const a = m.input('a', UInt(8));
      m.input('b', UInt(2)); l1 = here();
      m.output('o', UInt(4)).assign(a.slice(3, 0));
      return m;
    });
    const un = ds.filter((d) => d.code === 'W0401');
    expect(un).toHaveLength(2);
    expect(un.every((d) => d.severity === 'warning')).toBe(true);
    expect(un.find((d) => d.message.includes("'b'"))!.loc!.line).toBe(l1);
    expect(un.find((d) => d.message.includes("'a'"))!.message).toMatch(/bits \[7:4\]/);
  });

  it('E0501 clock used as data', () => {
    let line = 0;
    const d = only(diagnosticsOf(() => {
      const m = new Module('clk_data');
      const r = m.reg('r', Bool);
      r.assign(r.not());
      m.output('o', Bool).assign(m.clock.and(r)); line = here();
      return m;
    }), 'E0501');
    expect(d.loc!.line).toBe(line);
  });

  it('E0601 bad and duplicate names, reserved clk/rst', () => {
    const ds = diagnosticsOf(() => {
      const m = new Module('names');
      const a = m.input('a', UInt(2));
      m.input('a', UInt(2));
      m.input('module', UInt(2));
      m.input('clk', Bool);
      m.output('o', UInt(2)).assign(a);
      return m;
    });
    expect(ds.filter((d) => d.code === 'E0601')).toHaveLength(3);
  });

  it('E0602 signal of another module', () => {
    const d = only(diagnosticsOf(() => {
      const other = new Module('other');
      const x = other.input('x', UInt(2));
      other.output('y', UInt(2)).assign(x);
      const m = new Module('thief');
      m.output('o', UInt(2)).assign(x);
      return m;
    }), 'E0602');
    expect(d.message).toMatch(/belongs to module other/);
  });

  it('E0603 two different modules with one name', () => {
    const ds = diagnosticsOf(() => {
      const mk = (w: number) => {
        const c = new Module('same_name');
        c.output('y', UInt(w)).assign(0);
        return c;
      };
      const m = new Module('top_collide');
      const w1 = m.wire('w1', UInt(2));
      const w2 = m.wire('w2', UInt(3));
      m.instance('u1', mk(2), { y: w1 });
      m.instance('u2', mk(3), { y: w2 });
      m.output('o', UInt(5)).assign(w1.resize(5).add(w2.resize(5)).resize(5));
      return m;
    });
    expect(ds.map((d) => d.code)).toContain('E0603');
  });

  it('E0701/E0702 invalid parameters name the parameter, the range and the TS location', () => {
    let l1 = 0;
    const ds = diagnosticsOf(() => {
      const tree = {
        n: param.int(2000, { min: 1, max: 1024 }), ...((l1 = here()), {}),
        mode: param.enum('fast' as never, ['a', 'b']),
        flag: { kind: 'bool', value: 3 as unknown as boolean },
      };
      resolveParams(tree as never);
      return new Module('never');
    });
    const range = ds.filter((d) => d.code === 'E0701');
    expect(range).toHaveLength(2);
    expect(range[0]!.message).toMatch(/parameter n = 2000 .*allowed: an integer in 1\.\.1024/);
    expect(range[0]!.loc).toEqual(expect.objectContaining({ file: THIS, line: l1 }));
    expect(ds.filter((d) => d.code === 'E0702')).toHaveLength(1);
  });

  it('E0701 from a generator points at the generator call', () => {
    let line = 0;
    const ds = diagnosticsOf(() => {
      line = here(); return lifArray({ neurons: 0, vWidth: 12, iWidth: 10, leak: 'shift', reset: 'zero', refractory: 0, spikes: 'binary', levels: 1, arch: 'timemux' });
    });
    const d = only(ds, 'E0701');
    expect(d.loc!.line).toBe(line);
    expect(d.message).toMatch(/neurons = 0 is outside 1\.\.1024/);
  });

  it('E0801 changing a finished module', () => {
    const m = new Module('frozen');
    m.output('o', Bool).assign(0);
    m.done();
    expect(() => m.wire('late', Bool)).toThrow(/E0801/);
  });

  it('every code in the table is exercised above', () => {
    const src = (Object.values(CODES) as { code: string }[]).map((c) => c.code);
    const covered = ['E0101', 'E0102', 'E0103', 'E0104', 'E0201', 'E0202', 'E0203', 'E0204', 'E0301', 'E0302', 'W0401', 'E0501', 'E0601', 'E0602', 'E0603', 'E0701', 'E0702', 'E0801'];
    expect(src.sort()).toEqual(covered.sort());
    void mux;
  });
});
