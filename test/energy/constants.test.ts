// The constants table: every entry cites its source (a test that fails on an uncited entry, shown to fail), the
// width and size rules reproduce the table's own points, and the model refuses a constant without a source.
import { describe, expect, it } from 'vitest';
import { adcPj, CONSTANTS, citationProblems, dramPjPerBit, hopPjPerBit, intAddPj, intMultPj, pj, sramPjPerBit, type EnergyConstant } from '../../src/energy/constants.js';
import { nearestGpuFigures, PUBLISHED_GPU, publishedProblems } from '../../src/energy/published.js';

describe('energy constants', () => {
  it('every constant and every published GPU figure cites a publication with its year', () => {
    expect(citationProblems(CONSTANTS)).toEqual([]);
    expect(publishedProblems()).toEqual([]);
    expect(Object.keys(CONSTANTS).length).toBeGreaterThan(15);
  });

  it('the citation check fails on an entry without a source, with an empty one, or with no year', () => {
    const bad: Record<string, EnergyConstant> = {
      none: { value: 1, per: 'op', node: '45 nm', source: '' },
      noYear: { value: 1, per: 'op', node: '45 nm', source: 'somebody said so' },
      negative: { value: -1, per: 'op', node: '45 nm', source: 'Horowitz, ISSCC 2014' },
    };
    const p = citationProblems(bad);
    expect(p.some((x) => x.startsWith('none: no citation'))).toBe(true);
    expect(p.some((x) => x.startsWith('noYear: no citation'))).toBe(true);
    expect(p.some((x) => x.startsWith('negative: value -1'))).toBe(true);
    expect(() => pj('fp32_mac' as never, bad)).toThrow(/not in the table/);
    expect(() => pj('none' as never, bad)).toThrow(/none: no citation/);
  });

  it('the issue\'s ops-only constants: E_MAC 4.6 pJ, E_AC 0.9 pJ (45 nm)', () => {
    expect(pj('fp32_mac')).toBe(4.6);
    expect(pj('fp32_add')).toBe(0.9);
    expect(CONSTANTS.fp32_mac.node).toBe('45 nm');
  });

  it('width rules pass through Horowitz\'s 8- and 32-bit points', () => {
    expect(intAddPj(8)).toBeCloseTo(0.03, 12);
    expect(intAddPj(32)).toBeCloseTo(0.1, 12);
    expect(intAddPj(4)).toBeCloseTo(0.015, 12);
    expect(intMultPj(8)).toBeCloseTo(0.2, 12);
    expect(intMultPj(32)).toBeCloseTo(3.1, 12);
    expect(intMultPj(16)).toBeGreaterThan(0.2);
    expect(intMultPj(16)).toBeLessThan(3.1);
    expect(intMultPj(8, 24)).toBeCloseTo(intMultPj(16), 12);
  });

  it('SRAM per bit: the 8 kB, 32 kB and 1 MB points over 64 bits, monotone between them', () => {
    expect(sramPjPerBit(1)).toBeCloseTo(10 / 64, 12);
    expect(sramPjPerBit(8 * 1024)).toBeCloseTo(10 / 64, 12);
    expect(sramPjPerBit(32 * 1024)).toBeCloseTo(20 / 64, 12);
    expect(sramPjPerBit(1024 * 1024)).toBeCloseTo(100 / 64, 12);
    const s = [16, 64, 256, 4096].map((k) => sramPjPerBit(k * 1024));
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(dramPjPerBit()).toBeCloseTo(1300 / 64, 12);
    expect(dramPjPerBit(true)).toBeCloseTo(2600 / 64, 12);
    expect(hopPjPerBit()).toBeCloseTo(20.74 / 256, 12);
  });

  it('ADC by resolution: the table for 4..10 b, extrapolation above 10 b labelled', () => {
    expect(adcPj(8)).toEqual({ pj: 1.6667, extrapolated: false });
    expect(adcPj(5).pj).toBe(0.99);
    expect(adcPj(11)).toEqual({ pj: 2 * 2.379, extrapolated: true });
    expect(adcPj(12).pj).toBeCloseTo(4 * 2.379, 12);
    expect(adcPj(2)).toEqual({ pj: 0.79, extrapolated: true });
    for (let b = 5; b <= 12; b++) expect(adcPj(b).pj).toBeGreaterThan(adcPj(b - 1).pj);
  });

  it('published GPU figures name GPU, model and batch; the nearest sizes are found within a factor of 2', () => {
    for (const f of PUBLISHED_GPU) {
      expect(f.gpu).toMatch(/\w/);
      expect(f.batch).toBeGreaterThanOrEqual(1);
    }
    expect(nearestGpuFigures(12.85e9).map((f) => f.model)).toContain('Llama-2-13B');
    expect(nearestGpuFigures(124e6)).toEqual([]);
  });
});
