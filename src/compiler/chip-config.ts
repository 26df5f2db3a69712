// The chip a program is compiled for: the crossbar tiles (array parameters shared by every tile, and how many tiles
// of each neuron alphabet the chip has), the timesteps per token, the digital units' widths and the attention unit.
// `npm run compile -- --chip FILE` reads one from JSON; DEFAULT_CHIP is the chip of dsl/params.ts grown to a grid.
import { readFileSync } from 'node:fs';
import { checkCrossbarSpec, type CrossbarSpec } from '../spec/crossbar.js';
import type { SpikeMode } from '../spec/lif.js';
import { captureLoc } from '../hdl/srcloc.js';
import { FormatError } from '../lm/formats/safetensors.js';

export interface ChipConfig {
  name: string;
  /** timesteps per token */
  T: number;
  /** array parameters every tile shares (the neurons are per tile kind) */
  tile: Omit<CrossbarSpec, 'output' | 'neuron'>;
  /** the tile neurons' membrane width; leak none and soft reset, as rate/integer coding needs */
  neuronVWidth: number;
  /** tiles by the spike alphabet of their neurons: signed for Q/K/V-like outputs, unsigned for ReLU layers */
  tiles: { signed: number; unsigned: number };
  /** largest graded spike magnitude K of the neurons and encoders (1 = binary/ternary spikes) */
  spikeLevels: number;
  /** digital units: residual stream width (signed bits) and the norm unit's output format */
  residualBits: number;
  normBits: number;
  normFracBits: number;
  /** attention unit (docs/attention.md): KV cache depth N, dot-product lanes, the exp LUT (2^expLutBits entries of
   *  expFracBits fractional bits), reciprocal precision, score width, context policy */
  attention: { context: number; lanes: number; expLutBits: number; expFracBits: number; recipBits: number; scoreBits: number; policy: 'error' | 'sliding' };
  /** the spike-based beam search's integer log-probabilities: an exp LUT of 2^lutBits entries of fracBits bits */
  beam: { lutBits: number; fracBits: number };
  /** clock for estimates of tokens/s (an assumption, stated in every estimate) */
  clockHz: number;
}

export const DEFAULT_CHIP: ChipConfig = {
  name: 'default-64x64',
  T: 4,
  tile: { rows: 64, cols: 64, cellLevels: 16, slices: 2, inSpikes: 'graded-signed', inLevels: 15, adcBits: 12, adcRounding: 'half-up', rowsPerCycle: 8, colsPerCycle: 16, psumBits: 24, counterBits: 32 },
  neuronVWidth: 24,
  tiles: { signed: 256, unsigned: 256 },
  spikeLevels: 15,
  residualBits: 24,
  normBits: 16,
  normFracBits: 11,
  attention: { context: 1024, lanes: 8, expLutBits: 3, expFracBits: 12, recipBits: 32, scoreBits: 24, policy: 'error' },
  beam: { lutBits: 6, fracBits: 16 },
  clockHz: 200e6,
};

/** The neuron alphabet of a tile kind at K levels. */
export function neuronAlphabet(kind: 'signed' | 'unsigned', K: number): SpikeMode {
  if (kind === 'signed') return K > 1 ? 'graded-signed' : 'signed';
  return K > 1 ? 'graded' : 'binary';
}

/** The full tile spec of one kind of tile on this chip. */
export function tileSpec(chip: ChipConfig, kind: 'signed' | 'unsigned'): CrossbarSpec {
  return {
    ...chip.tile,
    output: 'neurons',
    neuron: { vWidth: chip.neuronVWidth, leak: 'none', reset: 'subtract', refractory: 0, spikes: neuronAlphabet(kind, chip.spikeLevels), levels: Math.max(1, chip.spikeLevels) },
  };
}

export class ChipConfigError extends Error {}

/** Checks the chip: tile parameters against the crossbar spec, and the chip-level ranges. */
export function checkChip(chip: ChipConfig, file = '<chip>'): void {
  const bad = (m: string) => {
    throw new ChipConfigError(`${file}: ${m}`);
  };
  const int = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) bad(`${name} = ${v} is outside ${lo}..${hi}`);
  };
  int('T', chip.T, 1, 64);
  int('spikeLevels', chip.spikeLevels, 1, 15);
  int('neuronVWidth', chip.neuronVWidth, 8, 32);
  int('tiles.signed', chip.tiles.signed, 0, 1 << 20);
  int('tiles.unsigned', chip.tiles.unsigned, 0, 1 << 20);
  int('residualBits', chip.residualBits, 8, 32);
  int('normBits', chip.normBits, 4, 24);
  int('normFracBits', chip.normFracBits, 0, chip.normBits - 2);
  int('attention.context', chip.attention.context, 1, 1 << 20);
  if (chip.attention.policy !== 'error' && chip.attention.policy !== 'sliding') bad(`attention.policy = '${chip.attention.policy}' is not 'error' or 'sliding'`);
  if (chip.tile.inLevels < chip.spikeLevels) bad(`tile.inLevels = ${chip.tile.inLevels} cannot take the neurons' graded spikes of ${chip.spikeLevels} levels`);
  if (chip.tile.inSpikes !== 'graded-signed' && chip.tile.inSpikes !== 'signed') bad(`tile.inSpikes = '${chip.tile.inSpikes}': tiles must take signed inputs (signed or graded-signed)`);
  int('beam.lutBits', chip.beam.lutBits, 0, 10);
  int('beam.fracBits', chip.beam.fracBits, 1, 24);
  if (!(chip.clockHz > 0)) bad(`clockHz = ${chip.clockHz} must be positive`);
  try {
    checkCrossbarSpec(tileSpec(chip, 'signed'), captureLoc(), `${file}: tile`);
  } catch (e) {
    bad((e as Error).message);
  }
}

export function readChipConfig(file: string): ChipConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FormatError(file, `not a chip configuration: ${(e as Error).message}`);
  }
  const chip = { ...DEFAULT_CHIP, ...(raw as Partial<ChipConfig>) } as ChipConfig;
  chip.tile = { ...DEFAULT_CHIP.tile, ...((raw as Partial<ChipConfig>).tile ?? {}) };
  chip.tiles = { ...DEFAULT_CHIP.tiles, ...((raw as Partial<ChipConfig>).tiles ?? {}) };
  chip.beam = { ...DEFAULT_CHIP.beam, ...((raw as Partial<ChipConfig>).beam ?? {}) };
  chip.attention = { ...DEFAULT_CHIP.attention, ...((raw as Partial<ChipConfig>).attention ?? {}) };
  try {
    checkChip(chip, file);
  } catch (e) {
    throw new FormatError(file, (e as Error).message.replace(`${file}: `, ''));
  }
  return chip;
}
