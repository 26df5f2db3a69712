// Width and sign inference of every operator, constant adaptation and construction-time errors.
import { describe, expect, it } from 'vitest';
import { ElaborationError, Module, SInt, UInt, cat, lit, mux, rep, saturate, satAdd, satSub, typeName } from '../../src/hdl/index.js';
import { diagnosticsOf } from '../helpers.js';

const t = (e: { type: { signed: boolean; width: number } }) => typeName(e.type);

describe('expression types', () => {
  const m = new Module('exprs');
  const a = m.input('a', UInt(8));
  const b = m.input('b', UInt(5));
  const s = m.input('s', SInt(8));
  const s2 = m.input('s2', SInt(4));

  it('arithmetic grows exactly', () => {
    expect(t(a.add(b))).toBe('UInt(9)');
    expect(t(s.add(s2))).toBe('SInt(9)');
    expect(t(a.sub(b))).toBe('SInt(9)'); // exact difference of unsigned values is signed
    expect(t(a.mul(b))).toBe('UInt(13)');
    expect(t(s.mul(s2))).toBe('SInt(12)');
    expect(t(s.neg())).toBe('SInt(9)');
    expect(t(a.neg())).toBe('SInt(10)');
    expect(t(a.addWrap(3))).toBe('UInt(8)');
  });
  it('constants adapt to the other operand', () => {
    expect(t(a.add(1))).toBe('UInt(9)');
    expect(t(a.add(1000))).toBe('UInt(11)');
    expect(t(s.add(-3))).toBe('SInt(9)');
    expect(t(a.eq(255))).toBe('UInt(1)');
    expect(t(lit(-1))).toBe('SInt(1)');
    expect(t(lit(5, UInt(4)))).toBe('UInt(4)');
  });
  it('bit operations', () => {
    expect(t(a.slice(6, 2))).toBe('UInt(5)');
    expect(t(s.bit(7))).toBe('UInt(1)');
    expect(t(a.slice(7, 0))).toBe('UInt(8)');
    expect(t(cat(a, b, a.bit(0)))).toBe('UInt(14)');
    expect(t(rep(b, 3))).toBe('UInt(15)');
    expect(t(a.shl(3))).toBe('UInt(11)');
    expect(t(s.shr(3))).toBe('SInt(5)');
    expect(t(a.shrVar(b.slice(2, 0)))).toBe('UInt(8)');
    expect(t(a.resize(4))).toBe('UInt(4)');
    expect(t(s.resize(12))).toBe('SInt(12)');
    expect(t(a.asSigned())).toBe('SInt(8)');
    expect(t(a.toSigned())).toBe('SInt(9)');
    expect(t(a.orReduce())).toBe('UInt(1)');
    expect(t(mux(a.eq(0), b, 3))).toBe('UInt(5)');
  });
  it('saturating helpers keep the operand type', () => {
    expect(t(saturate(s.add(s), SInt(8)))).toBe('SInt(8)');
    expect(t(satAdd(a, b))).toBe('UInt(8)');
    expect(t(satSub(a, 3))).toBe('UInt(8)');
    expect(t(satSub(s, s2))).toBe('SInt(8)');
  });
  it('outside an elaboration, a type error throws at once with its code', () => {
    expect(() => a.add(s)).toThrow(ElaborationError);
    expect(() => a.add(s)).toThrow(/E0102/);
    expect(() => a.and(b)).toThrow(/E0101/);
    expect(() => a.slice(8, 0)).toThrow(/E0104/);
    expect(() => lit(300, UInt(8))).toThrow(/E0103/);
    expect(() => mux(a, a, a)).toThrow(/E0101/);
  });
});

describe('construction errors inside elaboration are collected, not thrown one by one', () => {
  it('reports every error of a generator in one elaboration', () => {
    const ds = diagnosticsOf(() => {
      const m = new Module('many');
      const a = m.input('a', UInt(4));
      const s = m.input('s', SInt(4));
      const o = m.output('o', UInt(5));
      o.assign(a.add(s).asUnsigned());
      m.output('p', UInt(4)).assign(a.and(a.resize(3)));
      return m;
    });
    const codes = ds.map((d) => d.code);
    expect(codes).toContain('E0102');
    expect(codes).toContain('E0101');
  });
});
