// What both engines of a spiking linear layer read: the tile spec, the grid, the weights and their slice values,
// the per-tile registers (adc_shift, row masks) and per-column-tile neuron registers (threshold, leak), and the
// input-checking rule with its error message. The engines differ only in how they compute.
import { TileInputError } from '../golden/crossbar.js';
import { inputRange, TILE_COUNTERS, type CrossbarSpec } from '../spec/crossbar.js';
import type { NeuronSpec } from '../spec/lif.js';
import type { ChainBounds, TileGrid } from './tiling.js';

export interface LayerSetup {
  tile: CrossbarSpec;
  grid: TileGrid;
  /** positions of a block, each with its own neuron state */
  positions: number;
  /** [dIn * dOut] row-major */
  weights: Int32Array;
  /** slice values [s][dIn * dOut] */
  slices: Int16Array[];
  /** [dOut], the first tile's psum_in, or undefined (0) */
  bias: Int32Array | undefined;
  /** adc_shift per tile [rt * CT + ct] */
  shifts: Int32Array;
  /** threshold and leak of each column tile's neurons [ct] */
  thetas: Int32Array;
  leaks: Int32Array;
  /** row mask per tile [rt * CT + ct], R entries, 1 = enabled */
  masks: Uint8Array[];
  /** bumped by every mask change (engines cache what they derive from the masks) */
  maskVersion: number;
  bounds: ChainBounds;
  /** the column neurons (iWidth = psumBits) when tile.output = 'neurons' */
  neuron: NeuronSpec | undefined;
}

/** Counter slots per tile, in TILE_COUNTERS order. */
export const NC = TILE_COUNTERS.length;
export const CI = Object.fromEntries(TILE_COUNTERS.map((c, i) => [c, i])) as Record<(typeof TILE_COUNTERS)[number], number>;

/** Where x[i] sits, for messages: [pos][i] for one step per position, [pos][t][i] for runs of T steps. */
function indexName(i: number, dIn: number, T: number, perStep: boolean): string {
  const row = Math.floor(i / dIn);
  return perStep ? `x[${row}][${i % dIn}]` : `x[${Math.floor(row / T)}][${row % T}][${i % dIn}]`;
}

/** The first input outside the row alphabet, as an error naming it, its value and the range; undefined when all fit. */
export function badInput(s: LayerSetup, x: ArrayLike<number>, T: number, perStep: boolean): TileInputError | undefined {
  const [lo, hi] = inputRange(s.tile);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) {
      return new TileInputError(`SpikingLinear: row input ${indexName(i, s.grid.dIn, T, perStep)} = ${v} is outside the ${s.tile.inSpikes} alphabet ${lo}..${hi}`);
    }
  }
  return undefined;
}

/** One computation of a block: M = positions * T position-steps, m = position * T + step. */
export interface EngineCall {
  x: ArrayLike<number>;
  T: number;
  /** per m: 1 = the neurons start from rest (the first step of a token) */
  restart: Uint8Array;
  /** for error messages: x is [pos][i] (one step) rather than [pos][t][i] */
  perStep: boolean;
}

export interface EngineResult {
  /** neurons: spikes [M][dOut] */
  spikes?: Int8Array;
  /** psum output: z [M][dOut] */
  z?: Int32Array;
}

export interface LayerEngine {
  readonly name: 'ts' | 'wasm';
  /** Checks x (throws before changing anything), computes, adds this call's per-tile events to `events` [tile][counter]. */
  run(call: EngineCall, events: Float64Array): EngineResult;
  /** [positions][dOut] */
  membranes(): Int32Array;
  resetNeurons(): void;
  dispose(): void;
}
