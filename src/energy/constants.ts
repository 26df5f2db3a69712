// The energy constants of the model (docs/energy.md): every number the energy model multiplies an event count by
// lives here once, with the publication it comes from and, where the value is derived, how. Nothing else in
// src/energy/ may carry an energy number: the model reads them through pj(), which refuses an entry without a source.
// All energies are in picojoules (pJ) per the stated unit of work.

export interface EnergyConstant {
  value: number;
  /** what one unit of `value` buys */
  per: string;
  /** technology node (or 'system' for a measured system figure) */
  node: string;
  /** the publication, with venue and year */
  source: string;
  /** how the value follows from the source's numbers, when it is not quoted as is */
  derivation?: string;
}

const HOROWITZ = 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014, energy table (45 nm, 0.9 V)';
const ISAAC = 'A. Shafiee et al., "ISAAC: a convolutional neural network accelerator with in-situ analog arithmetic in crossbars", ISCA 2016, Table of component power';
const ISAAC_LIB = 'as derived in Accelergy-Project/hwcomponents-library, hwcomponents_library/library/isaac.py (2024)';

export const CONSTANTS = {
  fp32_mac: { value: 4.6, per: 'FP32 multiply-accumulate', node: '45 nm', source: HOROWITZ, derivation: 'FP32 multiply 3.7 pJ + FP32 add 0.9 pJ' },
  fp32_add: { value: 0.9, per: 'FP32 add (the accumulate of a spike: E_AC)', node: '45 nm', source: HOROWITZ },
  int8_mult: { value: 0.2, per: '8-bit integer multiply', node: '45 nm', source: HOROWITZ },
  int8_add: { value: 0.03, per: '8-bit integer add', node: '45 nm', source: HOROWITZ },
  int32_mult: { value: 3.1, per: '32-bit integer multiply', node: '45 nm', source: HOROWITZ },
  int32_add: { value: 0.1, per: '32-bit integer add', node: '45 nm', source: HOROWITZ },
  sram_8kB_64b: { value: 10, per: '64-bit read of an 8 kB SRAM', node: '45 nm', source: HOROWITZ },
  sram_32kB_64b: { value: 20, per: '64-bit read of a 32 kB SRAM', node: '45 nm', source: HOROWITZ },
  sram_1MB_64b: { value: 100, per: '64-bit read of a 1 MB SRAM', node: '45 nm', source: HOROWITZ },
  dram_64b_low: { value: 1300, per: '64-bit DRAM access (low end of the range)', node: '45 nm', source: HOROWITZ, derivation: 'the table gives 1.3-2.6 nJ; the low end is used, for the chip and the digital baselines alike' },
  dram_64b_high: { value: 2600, per: '64-bit DRAM access (high end of the range)', node: '45 nm', source: HOROWITZ },
  xbar_cell_read: { value: 0.00183, per: 'memristor cell read (one device, one read pulse)', node: '32 nm', source: ISAAC, derivation: 'the ~1.8 fJ design-references.md section 5 lists for ISAAC; consistent with ISAAC\'s 8 arrays of 128 x 128 per IMA at 2.4 mW and one read per 100 ns (0.3 mW x 100 ns / 16384 cells), a derivation not re-checked against the paper here' },
  xbar_dac_1b: { value: 0.41667, per: 'row driver: one 1-bit DAC pulse', node: '32 nm', source: ISAAC, derivation: `4 mW for 8 x 128 1-bit DACs at 1.2e7 inputs/s each, x 128/100 for ADC-limited utilisation, ${ISAAC_LIB}` },
  xbar_shift_add: { value: 0.021, per: 'shift-and-add of one 16-bit ADC result', node: '32 nm', source: ISAAC, derivation: `0.2 mW per shift-and-add unit over 1.2e9 x 8 results/s, ${ISAAC_LIB}` },
  router_256b: { value: 20.74, per: '256-bit flit through one router', node: '32 nm', source: ISAAC, derivation: `42 mW per router shared by 4 tiles, over the tile's eDRAM traffic, ${ISAAC_LIB}` },
  adc_4b: { value: 0.79, per: '4-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: `ISAAC's 8-bit SAR ADC (Kull et al., ISSCC 2013) scaled by resolution after Saberi et al., TCAS-I 2011, ${ISAAC_LIB}` },
  adc_5b: { value: 0.99, per: '5-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: 'as adc_4b' },
  adc_6b: { value: 1.2, per: '6-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: 'as adc_4b' },
  adc_7b: { value: 1.42, per: '7-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: 'as adc_4b' },
  adc_8b: { value: 1.6667, per: '8-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: `16 mW for 8 ADCs at 1.2 GS/s: 16 mW / 9.6e9 conversions/s, ${ISAAC_LIB}` },
  adc_9b: { value: 1.969, per: '9-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: 'as adc_4b' },
  adc_10b: { value: 2.379, per: '10-bit ADC conversion', node: '32 nm', source: ISAAC, derivation: 'as adc_4b' },
} as const satisfies Record<string, EnergyConstant>;

export type ConstantId = keyof typeof CONSTANTS;

/** Problems of a constants table: entries without a citation (venue and year), or with a value that is not a positive number. */
export function citationProblems(table: Record<string, EnergyConstant>): string[] {
  const out: string[] = [];
  for (const [id, c] of Object.entries(table)) {
    if (!(typeof c.value === 'number' && Number.isFinite(c.value) && c.value > 0)) out.push(`${id}: value ${String(c.value)} is not a positive number`);
    if (typeof c.source !== 'string' || !/\S{3,}/.test(c.source) || !/\b(19|20)\d\d\b/.test(c.source)) out.push(`${id}: no citation (a source naming the publication and its year)`);
    if (!c.per?.trim()) out.push(`${id}: no unit of work ('per')`);
  }
  return out;
}

/** The value of a constant, in pJ; refuses one the table does not cite. */
export function pj(id: ConstantId, table: Record<string, EnergyConstant> = CONSTANTS): number {
  const c = table[id];
  if (!c) throw new Error(`energy constant '${id}' is not in the table`);
  const bad = citationProblems({ [id]: c });
  if (bad.length) throw new Error(`energy constant ${bad[0]}`);
  return c.value;
}

// ---- width and size rules built on the table (each rule stated in docs/energy.md) ----

/** Integer add of `bits` bits: linear in width through Horowitz's 8- and 32-bit points (below 8 bits, proportional). */
export function intAddPj(bits: number): number {
  const a8 = pj('int8_add');
  const a32 = pj('int32_add');
  return bits <= 8 ? (a8 * bits) / 8 : a8 + ((a32 - a8) * (bits - 8)) / 24;
}

/** Integer multiply of an a-bit by a b-bit operand: power law through Horowitz's 8- and 32-bit points, at the
 *  operands' mean width (exponent log(3.1/0.2)/log(4) = 1.98, close to the quadratic array multiplier). */
export function intMultPj(a: number, b = a): number {
  const m8 = pj('int8_mult');
  const m32 = pj('int32_mult');
  const k = Math.log(m32 / m8) / Math.log(4);
  return m8 * ((a + b) / 2 / 8) ** k;
}

/** SRAM energy per bit moved, for a memory of `bytes`: Horowitz's 8 kB / 32 kB / 1 MB points (64-bit accesses),
 *  log-log interpolated between them, the 8 kB figure below 8 kB, extrapolated on the 32 kB-1 MB slope above 1 MB. */
export function sramPjPerBit(bytes: number): number {
  const pts: [number, number][] = [[8 * 1024, pj('sram_8kB_64b')], [32 * 1024, pj('sram_32kB_64b')], [1024 * 1024, pj('sram_1MB_64b')]];
  if (bytes <= pts[0]![0]) return pts[0]![1] / 64;
  const seg = bytes <= pts[1]![0] ? 0 : 1;
  const [[x0, y0], [x1, y1]] = [pts[seg]!, pts[seg + 1]!];
  const slope = Math.log(y1 / y0) / Math.log(x1 / x0);
  return (y0 * (bytes / x0) ** slope) / 64;
}

/** DRAM energy per bit (Horowitz's range, low end unless `high`). */
export const dramPjPerBit = (high = false) => pj(high ? 'dram_64b_high' : 'dram_64b_low') / 64;

/** One ADC conversion at `bits` of resolution: the table for 4..10 bits; below 4 bits the 4-bit figure; above 10 bits
 *  the 10-bit figure doubled per bit (a constant Walden figure of merit, E = FOM x 2^bits): an extrapolation, labelled. */
export function adcPj(bits: number): { pj: number; extrapolated: boolean } {
  if (bits <= 4) return { pj: pj('adc_4b'), extrapolated: bits < 4 };
  if (bits <= 10) return { pj: pj(`adc_${bits}b` as ConstantId), extrapolated: false };
  return { pj: pj('adc_10b') * 2 ** (bits - 10), extrapolated: true };
}

/** Router energy per bit per hop (one flit of 256 bits through one router). */
export const hopPjPerBit = () => pj('router_256b') / 256;
