// The crossbar tile's definition (docs/crossbar.md), shared by the RTL generator (dsl/crossbar.ts), the golden
// model (src/golden/crossbar.ts), the chip functional model and the compiler: parameters and their ranges, derived
// widths, the weight <-> cell mapping, the ADC transfer function and the configuration address map. Behaviour that
// is a rule of the tile lives here once; each model implements the datapath itself.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import type { SrcLoc } from '../hdl/srcloc.js';
import { bitsFor, log2ceil } from '../hdl/types.js';
import { requireChoice, requireRange } from '../params/define.js';
import { leakWidth, signedSpikes, spikeLevels, thresholdWidth, type LeakMode, type NeuronSpec, type ResetMode, type SpikeMode } from './lif.js';

export type AdcRounding = 'floor' | 'half-up';
export type TileOutput = 'neurons' | 'psum';

/** Neurons of a tile (one per column); their input current width is the tile's psumBits. */
export interface TileNeuronSpec {
  vWidth: number;
  leak: LeakMode;
  reset: ResetMode;
  refractory: number;
  spikes: SpikeMode;
  levels: number;
  floor?: boolean;
}

export interface CrossbarSpec {
  /** R: crossbar rows (inputs) */
  rows: number;
  /** C: crossbar columns (outputs) */
  cols: number;
  /** L: conductance levels per cell, 0..L-1 */
  cellLevels: number;
  /** S: cell pairs per weight (bit slicing); S > 1 needs L a power of two */
  slices: number;
  /** row input alphabet and its largest magnitude K */
  inSpikes: SpikeMode;
  inLevels: number;
  /** A: ADC output bits (signed two's complement) */
  adcBits: number;
  adcRounding: AdcRounding;
  /** Pr: rows read per cycle (a row group); divides rows */
  rowsPerCycle: number;
  /** Pc: columns per cycle (a column group); divides cols */
  colsPerCycle: number;
  output: TileOutput;
  /** P: width of the partial sums (psum_in, out_psum) and of the neurons' input current */
  psumBits: number;
  counterBits: number;
  /** required when output = 'neurons' */
  neuron?: TileNeuronSpec;
}

/** Ranges of the integer parameters (documented in docs/crossbar.md from this table). */
export const CROSSBAR_LIMITS = {
  rows: [1, 1024],
  cols: [1, 1024],
  cellLevels: [2, 256],
  slices: [1, 8],
  inLevels: [1, 15],
  adcBits: [1, 24],
  rowsPerCycle: [1, 1024],
  colsPerCycle: [1, 1024],
  psumBits: [2, 32],
  counterBits: [8, 48],
} as const;

export const CROSSBAR_DOC: Record<keyof typeof CROSSBAR_LIMITS | 'inSpikes' | 'adcRounding' | 'output' | 'neuron', string> = {
  rows: 'R, crossbar rows (one input each)',
  cols: 'C, crossbar columns (one output each)',
  cellLevels: 'L, conductance levels per cell (0..L-1)',
  slices: 'S, cell pairs per weight (bit slicing, base L; S > 1 needs L a power of two)',
  inSpikes: 'row input alphabet: binary {0,1}, signed {-1,0,1}, graded {0..K}, graded-signed {-K..K}',
  inLevels: 'K, largest input magnitude for graded alphabets (1 otherwise)',
  adcBits: 'A, ADC output bits, signed two\'s complement',
  adcRounding: "ADC rounding of the right shift: 'floor' or 'half-up'",
  rowsPerCycle: 'Pr, rows read per cycle (a row group); divides R',
  colsPerCycle: 'Pc, columns per cycle (a column group); divides C',
  output: "'neurons' (one LIF neuron per column) or 'psum' (partial sums leave the tile)",
  psumBits: 'P, partial-sum width (psum_in, out_psum, the neurons\' input current); at least the tile\'s own output width',
  counterBits: 'event counter width (counters wrap modulo 2^counterBits)',
  neuron: "LIF parameters of the column neurons (docs/lif.md) when output = 'neurons'",
};

const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * Checks every parameter; all problems are reported at once, each at the parameter's own location when `locs` has it
 * (the line in dsl/params.ts, see paramLocations) and at `loc` (the generator's call site) otherwise.
 */
export function checkCrossbarSpec(p: CrossbarSpec, loc: SrcLoc | undefined, who = 'crossbarTile', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(CROSSBAR_LIMITS)) requireRange(who, k, p[k as keyof typeof CROSSBAR_LIMITS], lo, hi, at(k));
    requireChoice(who, 'inSpikes', p.inSpikes, ['binary', 'signed', 'graded', 'graded-signed'], at('inSpikes'));
    requireChoice(who, 'adcRounding', p.adcRounding, ['floor', 'half-up'], at('adcRounding'));
    requireChoice(who, 'output', p.output, ['neurons', 'psum'], at('output'));
    const bad = (name: string, msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, at(name)));
    if (p.slices > 1 && !pow2(p.cellLevels)) bad('cellLevels', `slices = ${p.slices} needs cellLevels a power of two (shift-and-add recombination), got ${p.cellLevels}`);
    if (Number.isInteger(p.rows) && Number.isInteger(p.rowsPerCycle) && p.rows % p.rowsPerCycle !== 0) bad('rowsPerCycle', `rowsPerCycle = ${p.rowsPerCycle} must divide rows = ${p.rows}`);
    if (Number.isInteger(p.cols) && Number.isInteger(p.colsPerCycle) && p.cols % p.colsPerCycle !== 0) bad('colsPerCycle', `colsPerCycle = ${p.colsPerCycle} must divide cols = ${p.cols}`);
    if (p.output === 'neurons' && !p.neuron) bad('output', "output = 'neurons' needs the neuron parameters (neuron: {...})");
    if (p.output === 'psum' && p.neuron) bad('output', "output = 'psum' has no neurons; remove neuron: {...}");
    if (p.rows >= 1 && p.cellLevels >= 2 && p.inLevels >= 1 && p.adcBits >= 1 && p.slices >= 1) {
      const need = tileOutputWidth(p);
      if (p.psumBits < need && p.psumBits >= CROSSBAR_LIMITS.psumBits[0]) bad('psumBits', `psumBits = ${p.psumBits} cannot hold the tile's own output (${need} bits for ADC ${p.adcBits} b x ${p.slices} slice(s) of base ${p.cellLevels}); allowed: ${need}..${CROSSBAR_LIMITS.psumBits[1]}`);
      if (maxWeight(p) > 2 ** 31 - 1) bad('slices', `cellLevels^slices = ${p.cellLevels}^${p.slices} exceeds 32-bit weights`);
    }
    if (p.neuron) {
      const n = p.neuron;
      requireRange(who, 'neuron.vWidth', n.vWidth, 4, 32, at('neuron.vWidth'));
      requireRange(who, 'neuron.refractory', n.refractory, 0, 255, at('neuron.refractory'));
      requireRange(who, 'neuron.levels', n.levels, 1, 15, at('neuron.levels'));
      requireChoice(who, 'neuron.leak', n.leak, ['none', 'shift', 'subtract'], at('neuron.leak'));
      requireChoice(who, 'neuron.reset', n.reset, ['zero', 'subtract'], at('neuron.reset'));
      requireChoice(who, 'neuron.spikes', n.spikes, ['binary', 'signed', 'graded', 'graded-signed'], at('neuron.spikes'));
      if (n.floor && (n.spikes === 'signed' || n.spikes === 'graded-signed')) bad('neuron.floor', `neuron.floor = true needs an unsigned spike alphabet, got '${n.spikes}'`);
    }
  });
}

// ---- derived quantities ----

/** Largest weight magnitude: L^S - 1 (S = 1: L - 1). */
export const maxWeight = (p: Pick<CrossbarSpec, 'cellLevels' | 'slices'>) => p.cellLevels ** p.slices - 1;
/** Bits of one conductance level. */
export const cellBits = (p: Pick<CrossbarSpec, 'cellLevels'>) => bitsFor(p.cellLevels - 1);
/** log2 L: the shift between slices (S > 1). */
export const sliceShift = (p: Pick<CrossbarSpec, 'cellLevels'>) => Math.round(Math.log2(p.cellLevels));
/** Row input range [lo, hi] of the alphabet. */
export function inputRange(p: Pick<CrossbarSpec, 'inSpikes' | 'inLevels'>): [number, number] {
  const k = spikeLevels({ spikes: p.inSpikes, levels: p.inLevels } as NeuronSpec);
  return [signedSpikes({ spikes: p.inSpikes } as NeuronSpec) ? -k : 0, k];
}
/** Bits of one row input (same encoding as a LIF spike output). */
export function inputWidth(p: Pick<CrossbarSpec, 'inSpikes' | 'inLevels'>): number {
  const [lo, hi] = inputRange(p);
  return lo < 0 ? bitsFor(hi) + 1 : bitsFor(hi);
}
/** Largest |column sum| of one slice: R * K * (L - 1). */
export const maxColumnSum = (p: CrossbarSpec) => p.rows * inputRange(p)[1] * (p.cellLevels - 1);
/** Signed width of an exact column sum of one slice. */
export const sumWidth = (p: CrossbarSpec) => bitsFor(maxColumnSum(p)) + 1;
/** Width of the adc_shift register: shifts 0..sumWidth are meaningful. */
export const shiftWidth = (p: CrossbarSpec) => bitsFor(sumWidth(p));
export const adcMin = (p: Pick<CrossbarSpec, 'adcBits'>) => -(2 ** (p.adcBits - 1));
export const adcMax = (p: Pick<CrossbarSpec, 'adcBits'>) => 2 ** (p.adcBits - 1) - 1;
/** Largest |y| of the recombined slices: 2^(A-1) * (L^S - 1) / (L - 1). */
export function maxTileOutput(p: Pick<CrossbarSpec, 'adcBits' | 'cellLevels' | 'slices'>): number {
  let m = 0;
  for (let s = 0; s < p.slices; s++) m += 2 ** (p.adcBits - 1) * p.cellLevels ** s;
  return m;
}
/** Signed width that holds every recombined tile output y. */
export const tileOutputWidth = (p: Pick<CrossbarSpec, 'adcBits' | 'cellLevels' | 'slices'>) => bitsFor(maxTileOutput(p)) + 1;
export const rowGroups = (p: CrossbarSpec) => p.rows / p.rowsPerCycle;
export const colGroups = (p: CrossbarSpec) => p.cols / p.colsPerCycle;

// ---- weights <-> cells ----

export interface CellPair {
  /** g+ per slice, least significant slice first */
  pos: number[];
  /** g- per slice */
  neg: number[];
}

/** The canonical cells of weight w: |w| in base L, digits on the side of w's sign, the other side 0. */
export function encodeWeight(w: number, p: Pick<CrossbarSpec, 'cellLevels' | 'slices'>): CellPair {
  const max = maxWeight(p);
  if (!Number.isInteger(w) || Math.abs(w) > max) throw new RangeError(`weight ${w} is outside -${max}..${max} (cellLevels ${p.cellLevels}, slices ${p.slices})`);
  const pos: number[] = [];
  const neg: number[] = [];
  let m = Math.abs(w);
  for (let s = 0; s < p.slices; s++) {
    const d = m % p.cellLevels;
    m = Math.floor(m / p.cellLevels);
    pos.push(w > 0 ? d : 0);
    neg.push(w < 0 ? d : 0);
  }
  return { pos, neg };
}

/** The weight a pair of cell images represents: sum over slices of (g+ - g-) * L^s (any levels, canonical or not). */
export function decodeWeight(c: CellPair, p: Pick<CrossbarSpec, 'cellLevels'>): number {
  let w = 0;
  for (let s = c.pos.length - 1; s >= 0; s--) w = w * p.cellLevels + (c.pos[s]! - c.neg[s]!);
  return w;
}

// ---- ADC ----

/**
 * The ADC transfer function on an exact column sum (or, in device mode, a real-valued one): a right shift by
 * `shift` with the tile's rounding, then clipping to A signed bits. floor: floor(I / 2^shift); half-up:
 * floor(I / 2^shift + 1/2). clip: -1 below the range, +1 above, 0 inside.
 */
export function adcConvert(sum: number, shift: number, p: Pick<CrossbarSpec, 'adcBits' | 'adcRounding'>): { q: number; clip: -1 | 0 | 1 } {
  const scaled = sum / 2 ** shift;
  const t = Math.floor(p.adcRounding === 'half-up' ? scaled + 0.5 : scaled);
  if (t < adcMin(p)) return { q: adcMin(p), clip: -1 };
  if (t > adcMax(p)) return { q: adcMax(p), clip: 1 };
  return { q: t, clip: 0 };
}

// ---- configuration address map ----

export const REGION = { weights: 0, mask: 1, registers: 2 } as const;
/** Register indices in region 2. */
export const TILE_REG = { threshold: 0, leak: 1, adcShift: 2, clearCounters: 3 } as const;

export interface CrossbarMap {
  /** cfg_data width: one weight word, or the widest register when that is wider */
  dataBits: number;
  /** bits of one weight word */
  wordBits: number;
  /** widths of the registers (0 when the tile does not have it) */
  registerBits: { threshold: number; leak: number; adcShift: number };
  /** width of the index within a region */
  indexBits: number;
  /** cfg_addr width: 2 region bits above the index */
  addrBits: number;
  weightWords: number;
  /** rows per mask word, and mask words */
  maskChunk: number;
  maskWords: number;
  /** bit offset of g+ of (row i, column j, slice s) of a weight word; g- is cellBits above it */
  cellOffset(i: number, j: number, s: number): number;
}

export function crossbarMap(p: CrossbarSpec): CrossbarMap {
  const cb = cellBits(p);
  const wordBits = p.rowsPerCycle * p.colsPerCycle * p.slices * 2 * cb;
  const n = p.output === 'neurons' ? p.neuron : undefined;
  const registerBits = {
    threshold: n ? thresholdWidth(n) : 0,
    leak: n ? leakWidth(n) : 0,
    adcShift: shiftWidth(p),
  };
  const dataBits = Math.max(wordBits, registerBits.threshold, registerBits.leak, registerBits.adcShift);
  const weightWords = rowGroups(p) * colGroups(p);
  const maskChunk = Math.min(p.rows, dataBits);
  const maskWords = Math.ceil(p.rows / maskChunk);
  const indexBits = Math.max(2, log2ceil(Math.max(weightWords, maskWords, 4)));
  return {
    dataBits,
    wordBits,
    registerBits,
    indexBits,
    addrBits: indexBits + 2,
    weightWords,
    maskChunk,
    maskWords,
    cellOffset: (i, j, s) => ((i * p.colsPerCycle + j) * p.slices + s) * 2 * cb,
  };
}

/** cfg_addr of an entry: region in the top two bits. */
export const cfgAddress = (m: CrossbarMap, region: number, index: number) => region * 2 ** m.indexBits + index;

/** The counters a tile keeps, in port order (out ports cnt_<name>). */
export const TILE_COUNTERS = ['timesteps', 'active_rows', 'masked_rows', 'cell_reads', 'adc_conversions', 'adc_clipped', 'psum_saturated', 'weight_reads', 'weight_writes'] as const;
export type TileCounter = (typeof TILE_COUNTERS)[number];

export const TILE_COUNTER_DOC: Record<TileCounter, string> = {
  timesteps: 'timesteps accepted',
  active_rows: 'rows read: input != 0 and enabled by the row mask',
  masked_rows: 'rows skipped by the mask: input != 0, mask bit 0',
  cell_reads: 'devices read: active_rows x C x S x 2 (both cells of each pair)',
  adc_conversions: 'ADC conversions: C x S in each timestep with at least one active row (none otherwise)',
  adc_clipped: 'conversions whose shifted sum fell outside the A-bit range (either way)',
  psum_saturated: 'columns whose psum_in + y left the P-bit range (saturated)',
  weight_reads: 'weight-memory words read by the scan: n x G per timestep (n = row groups with an active row), one per scan cycle',
  weight_writes: 'weight-memory words written: configuration writes to region 0 that were performed (refused writes excluded)',
};

/** Cycles from the accepting edge until the tile is ready again, for `activeGroups` row groups with an active row. */
export function timestepCycles(p: CrossbarSpec, activeGroups: number): number {
  const G = colGroups(p);
  const scan = activeGroups > 0 ? activeGroups * G + 1 : 0;
  return scan + G + outputLatency(p);
}

/** Cycles from a column group's conversion edge to its output on the ports. */
export function outputLatency(p: CrossbarSpec): number {
  return p.output === 'neurons' && colGroups(p) > 1 ? 2 : 1;
}

/** LIF spec of the tile's column neurons (docs/lif.md), iWidth = psumBits. */
export function tileNeuronSpec(p: CrossbarSpec): NeuronSpec {
  return { ...p.neuron!, iWidth: p.psumBits };
}
