// Small layer configurations for the functional model's tests, each built to reach particular rules of
// docs/crossbar.md: chains of row tiles, padding (dIn, dOut not multiples of R, C), ADC clipping both ways,
// both roundings, shifts > 0, bit slicing, graded-signed inputs, masked rows, saturating partial sums, neurons
// with restart, psum output, the one-sum path, i16 spills.
import { inputRange, maxWeight, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { Rng } from '../../src/util/random.js';
import { randomMasks, randomWeights, type GridSetup } from './golden-chain.js';

export interface LayerCase {
  name: string;
  setup: GridSetup;
  /** counters this case must drive above zero (else the test would not test what it claims) */
  exercises: ('adc_clipped' | 'psum_saturated' | 'masked_rows')[];
  steps: number;
}

const base = { rowsPerCycle: 1, colsPerCycle: 1, counterBits: 32, adcRounding: 'floor' } as const;

interface Shape {
  dIn: number;
  dOut: number;
  shifts: (rng: Rng, RT: number, CT: number) => number[];
  thetas?: [number, number];
  leaks?: [number, number];
  bias?: number;
  maskedShare?: number;
  /** one mask per row tile, shared by its column tiles */
  masksPerRowTile?: boolean;
  extremeShare?: number;
  positiveShare?: number;
  /**
   * Columns 0 and 1 all +max and -max weights, on column tile 0 with shift 0 (with dense extreme inputs the ADC
   * clips both ways), and bias +-psum limit there when `bias` is set (the chain saturates both ways)
   */
  extremes?: boolean;
}

function build(rng: Rng, tile: CrossbarSpec, s: Shape): GridSetup {
  const RT = Math.ceil(s.dIn / tile.rows);
  const CT = Math.ceil(s.dOut / tile.cols);
  const int = (r: [number, number] | undefined) => (r ? rng.int(r[0], r[1]) : 0);
  let masks = randomMasks(rng, RT * CT, tile.rows, s.maskedShare ?? 0);
  if (s.maskedShare) masks[0]![0] = 0; // at least one masked row
  if (s.masksPerRowTile) masks = masks.map((_, t) => masks[Math.floor(t / CT) * CT]!);
  const max = maxWeight(tile);
  const weights = randomWeights(rng, s.dIn * s.dOut, max, s.extremeShare ?? 0.3, s.positiveShare ?? 0.5);
  const shifts = s.shifts(rng, RT, CT);
  const bias = s.bias ? Int32Array.from({ length: s.dOut }, () => rng.int(-s.bias!, s.bias!)) : undefined;
  if (s.extremes) {
    for (let r = 0; r < s.dIn; r++) {
      weights[r * s.dOut] = max;
      weights[r * s.dOut + 1] = -max;
    }
    for (let rt = 0; rt < RT; rt++) shifts[rt * CT] = 0;
    if (bias) {
      bias[0] = 2 ** (tile.psumBits - 1) - 1;
      bias[1] = -(2 ** (tile.psumBits - 1));
    }
  }
  return { tile, dIn: s.dIn, dOut: s.dOut, weights, shifts, thetas: Array.from({ length: CT }, () => int(s.thetas)), leaks: Array.from({ length: CT }, () => int(s.leaks)), bias, masks };
}

const randomShifts = (hi: number) => (rng: Rng, RT: number, CT: number) => Array.from({ length: RT * CT }, () => rng.int(0, hi));
const zeroShifts = (_: Rng, RT: number, CT: number) => new Array<number>(RT * CT).fill(0);

export function layerCases(seed: number): LayerCase[] {
  const rng = new Rng(seed);
  return [
    {
      name: 'A: 3x3 tiles, padding, S = 2 slices, graded-signed inputs, clipping, shifts, masks, saturation, signed neurons',
      setup: build(rng, { ...base, rows: 4, rowsPerCycle: 2, cols: 3, cellLevels: 4, slices: 2, inSpikes: 'graded-signed', inLevels: 2, adcBits: 4, output: 'neurons', psumBits: 9,
        neuron: { vWidth: 10, leak: 'subtract', reset: 'subtract', refractory: 0, spikes: 'signed', levels: 1 } },
      { dIn: 11, dOut: 7, shifts: randomShifts(1), thetas: [1, 30], leaks: [0, 5], bias: 220, maskedShare: 0.2, extremeShare: 0.5, extremes: true }),
      exercises: ['adc_clipped', 'psum_saturated', 'masked_rows'],
      steps: 150,
    },
    {
      name: 'B: half-up rounding, psum output, binary inputs, heavy clipping',
      setup: build(rng, { ...base, rows: 8, cols: 4, cellLevels: 8, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 4, adcRounding: 'half-up', output: 'psum', psumBits: 8 },
        { dIn: 20, dOut: 10, shifts: randomShifts(3), bias: 127, extremeShare: 0.6, extremes: true }),
      exercises: ['adc_clipped', 'psum_saturated'],
      steps: 150,
    },
    {
      name: 'C: S = 3 slices of L = 2, graded inputs, shift leak, zero reset, refractory, graded spikes (LIF rule in TS)',
      setup: build(rng, { ...base, rows: 3, rowsPerCycle: 3, cols: 2, colsPerCycle: 2, cellLevels: 2, slices: 3, inSpikes: 'graded', inLevels: 3, adcBits: 3, adcRounding: 'half-up', output: 'neurons', psumBits: 10,
        neuron: { vWidth: 12, leak: 'shift', reset: 'zero', refractory: 2, spikes: 'graded', levels: 3 } },
      { dIn: 9, dOut: 5, shifts: randomShifts(1), thetas: [1, 20], leaks: [0, 4], bias: 50, maskedShare: 0.25, extremeShare: 0.6, extremes: true }),
      exercises: ['adc_clipped', 'masked_rows'],
      steps: 150,
    },
    {
      name: 'D: lossless tiles (one-sum path), 5x3 tiles, signed inputs, bias, masks per row tile, C not a multiple of 64',
      setup: build(rng, { ...base, rows: 16, cols: 16, cellLevels: 8, slices: 1, inSpikes: 'signed', inLevels: 1, adcBits: 8, output: 'neurons', psumBits: 16,
        neuron: { vWidth: 16, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1 } },
      { dIn: 70, dOut: 33, shifts: zeroShifts, thetas: [1, 40], bias: 1000, maskedShare: 0.15, masksPerRowTile: true }),
      exercises: ['masked_rows'],
      steps: 120,
    },
    {
      name: 'E: one row tile, graded inputs, membrane floor and saturation (vWidth 8), graded spikes, subtract leak',
      setup: build(rng, { ...base, rows: 17, cols: 9, cellLevels: 16, slices: 1, inSpikes: 'graded', inLevels: 2, adcBits: 7, output: 'neurons', psumBits: 8,
        neuron: { vWidth: 8, leak: 'subtract', reset: 'zero', refractory: 0, spikes: 'graded', levels: 2, floor: true } },
      { dIn: 17, dOut: 9, shifts: randomShifts(2), thetas: [1, 30], leaks: [0, 4], positiveShare: 0.7, extremes: true }),
      exercises: ['adc_clipped'],
      steps: 150,
    },
    {
      name: 'F: graded-signed spikes of 3 levels, graded inputs, 3x3 tiles',
      setup: build(rng, { ...base, rows: 12, cols: 8, cellLevels: 4, slices: 1, inSpikes: 'graded', inLevels: 3, adcBits: 6, output: 'neurons', psumBits: 10,
        neuron: { vWidth: 14, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'graded-signed', levels: 3 } },
      { dIn: 30, dOut: 20, shifts: randomShifts(2), thetas: [1, 20], bias: 300, extremes: true }),
      exercises: ['adc_clipped'],
      steps: 150,
    },
    {
      name: 'G: one column tile on the one-sum path, the other tile by tile (a shift of 1)',
      setup: build(rng, { ...base, rows: 20, cols: 20, cellLevels: 8, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 9, output: 'neurons', psumBits: 12,
        neuron: { vWidth: 12, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1 } },
      { dIn: 40, dOut: 40, shifts: () => [0, 1, 0, 0], thetas: [5, 40] }),
      exercises: [],
      steps: 120,
    },
    {
      name: 'H: 1024 dense rows of inputs up to 15 and weights up to 127 (i16 accumulators spill to i32)',
      setup: build(rng, { ...base, rows: 1024, cols: 40, colsPerCycle: 8, cellLevels: 128, slices: 1, inSpikes: 'graded', inLevels: 15, adcBits: 22, output: 'psum', psumBits: 24 },
        { dIn: 1024, dOut: 40, shifts: zeroShifts, extremeShare: 0.8, positiveShare: 0.9 }),
      exercises: [],
      steps: 12,
    },
  ];
}

/**
 * Inputs of one position-step: a random density per step, so steps range from nearly silent to dense; `extreme`:
 * every input at the alphabet's top (1) or bottom (-1: its lowest nonzero value).
 */
export function stepInputs(rng: Rng, tile: CrossbarSpec, n: number, extreme: 0 | 1 | -1 = 0): Int8Array {
  const [lo, hi] = inputRange(tile);
  if (extreme) return new Int8Array(n).fill(extreme > 0 ? hi : lo < 0 ? lo : 1);
  const density = [0, 0.05, 0.2, 0.5, 0.9][rng.int(0, 4)]!;
  const x = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    if (!rng.chance(density)) continue;
    let v = 0;
    while (v === 0) v = rng.int(lo, hi);
    x[i] = v;
  }
  return x;
}
