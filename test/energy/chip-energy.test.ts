// The energy model's tiers by hand on one crossbar op, the dense baselines by hand, the break-even solver, and the
// rate scaling it rests on.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, tileSpec } from '../../src/compiler/chip-config.js';
import { breakEven, eventsAtScale, meanSpikeRate } from '../../src/energy/breakeven.js';
import { crossbarChip, memoryInclusive, opsOnly, streamedBitsPerToken } from '../../src/energy/chip-energy.js';
import { adcPj, hopPjPerBit, intAddPj, pj, sramPjPerBit } from '../../src/energy/constants.js';
import { chipWeightCapacity, denseEnergy, denseShapes } from '../../src/energy/dense.js';
import type { LinearEvents, TokenEvents } from '../../src/energy/events.js';
import { routesOf } from '../../src/energy/routing.js';
import type { LmConfig } from '../../src/lm/model.js';

const tile = tileSpec(DEFAULT_CHIP, 'unsigned');

/** One 64 x 64 tile (one row tile, one column tile), 4 steps, 100 input events of mean magnitude 3. */
function oneOp(o: Partial<LinearEvents> = {}): TokenEvents {
  const l: LinearEvents = {
    name: 'L0.up', role: 'up', tile, rowTiles: 1, colTiles: 1, dIn: 64, dOut: 64, readout: 'spikes',
    counters: { timesteps: 4, active_rows: 100, masked_rows: 0, cell_reads: 100 * 64 * 2 * 2, adc_conversions: 4 * 64 * 2, adc_clipped: 0, psum_saturated: 0, weight_reads: 4 * 8 * 4, weight_writes: 0 },
    input: { tensor: 'x', events: 100, magnitude: 300, elements: 256, spikeBits: 5 },
    output: { tensor: 'y', events: 50, magnitude: 100, elements: 256, spikeBits: 4 },
    ...o,
  };
  return { provenance: 'measured', model: 'one', chip: DEFAULT_CHIP, tokens: 1, linears: [l], attentions: [], encoders: [], digital: [], routes: routesOf([l], DEFAULT_CHIP.T, 24), tilesUsed: 1, weightStreaming: false };
}

describe('chip tiers on one crossbar op, by hand', () => {
  it('ops-only: E_AC per unit of spike magnitude per output', () => {
    expect(opsOnly(oneOp()).totalPj).toBeCloseTo(300 * 64 * 0.9, 9);
  });

  it('crossbar: cells and drivers per unit pulse, ADC by resolution, neurons and their state memory', () => {
    const r = crossbarChip(oneOp());
    expect(r.parts['cells: reads (x unit pulses per row)']).toBeCloseTo(25600 * 3 * pj('xbar_cell_read'), 9);
    expect(r.parts['row drivers (1-bit DAC pulses)']).toBeCloseTo(100 * 3 * pj('xbar_dac_1b'), 9);
    expect(r.parts['ADC conversions (12 b)']).toBeCloseTo(512 * adcPj(12).pj, 9);
    expect(r.parts['shift-and-add, partial-sum chain']).toBeCloseTo(512 * pj('xbar_shift_add'), 9);
    expect(r.parts['tile neurons (integrate, compare, reset)']).toBeCloseTo(4 * 64 * 3 * intAddPj(24), 9);
    // G = 4 column groups: each step reads and writes 4 state words of 16 neurons x 24 bits
    expect(r.parts['tile neuron state memory']).toBeCloseTo(2 * 4 * 4 * 16 * 24 * sramPjPerBit(4 * 16 * 24 / 8), 9);
    // one tile: no links; 100 input packets of 1 + 6 + 2 + 5 bits (tile, neuron, timestep, value) and 50 output
    // packets of 1 + 6 + 2 + 4 bits to the count unit, each through one router (its delivery)
    expect(r.parts['routing (spike and value packets on the mesh)']).toBeCloseTo((100 * 14 + 50 * 13) * hopPjPerBit(), 9);
    expect(r.notes.join(' ')).toMatch(/ADC above 10 b: extrapolated/);
    expect(r.totalPj).toBeCloseTo(Object.values(r.parts).reduce((a, b) => a + b, 0), 9);
  });

  it('memory-inclusive: a weight row per input event, state read + write per neuron update', () => {
    const r = memoryInclusive(oneOp());
    const wb = 9; // 16 levels, 2 slices: |w| <= 255, plus sign
    expect(r.parts['SRAM: weight reads per synaptic event']).toBeCloseTo(100 * 64 * wb * sramPjPerBit((64 * 64 * wb) / 8), 9);
    expect(r.parts['SRAM: neuron state read + write per update']).toBeCloseTo(4 * 64 * 2 * 24 * sramPjPerBit(0), 9);
  });

  it('weight streaming: every tile image from DRAM once per token, and a note that cell programming is not counted', () => {
    const e = { ...oneOp(), weightStreaming: true };
    expect(streamedBitsPerToken(e)).toBe((32 + 2) * 2048);
    const r = crossbarChip(e);
    expect(r.parts['DRAM: tile images streamed per token']).toBeCloseTo(34 * 2048 * (1300 / 64), 6);
    expect(r.notes.join(' ')).toMatch(/programming energy .* NOT included/);
    expect(crossbarChip(oneOp()).parts['DRAM: tile images streamed per token']).toBeUndefined();
  });
});

describe('rate scaling and the break-even solver', () => {
  it('scale 1 is the identity; doubling the rate doubles what is proportional to spikes, not the neurons', () => {
    const e = oneOp();
    expect(crossbarChip(eventsAtScale(e, 1)).totalPj).toBeCloseTo(crossbarChip(e).totalPj, 6);
    const a = crossbarChip(e).parts;
    const b = crossbarChip(eventsAtScale(e, 2)).parts;
    expect(b['cells: reads (x unit pulses per row)']! / a['cells: reads (x unit pulses per row)']!).toBeCloseTo(2, 9);
    expect(b['row drivers (1-bit DAC pulses)']! / a['row drivers (1-bit DAC pulses)']!).toBeCloseTo(2, 9);
    expect(b['tile neurons (integrate, compare, reset)']).toBe(a['tile neurons (integrate, compare, reset)']);
    // conversions follow the chance a tile-step has an active row: 1 - (1 - r)^64, almost 1 at these rates
    expect(b['ADC conversions (12 b)']! / a['ADC conversions (12 b)']!).toBeCloseTo((1 - (1 - 200 / 256) ** 64) / (1 - (1 - 100 / 256) ** 64), 9);
    expect(meanSpikeRate(eventsAtScale(e, 0.5))).toBeCloseTo(50 / 256, 12);
  });

  it('solves E(rate) = target, and says when there is no break-even', () => {
    const e = oneOp();
    const at = (s: number) => crossbarChip(eventsAtScale(e, s)).totalPj;
    const target = (at(0) + at(1)) / 2;
    const b = breakEven(e, 'crossbar', target);
    expect(b.kind).toBe('below');
    expect(b.rate!).toBeLessThan(b.measuredRate);
    expect(crossbarChip(eventsAtScale(e, b.rate! / b.measuredRate)).totalPj / target).toBeCloseTo(1, 6);
    expect(breakEven(e, 'crossbar', at(0) * 0.9).kind).toBe('never');
    expect(breakEven(e, 'crossbar', at(10) * 1.1).kind).toBe('always');
  });
});

describe('dense baselines by hand', () => {
  const relu: LmConfig = { family: 'gpt2', vocabSize: 256, dModel: 128, nLayers: 4, nHeads: 4, nKvHeads: 4, dFF: 512, maxSeq: 128, norm: 'layernorm', normEps: 1e-5, activation: 'relu', gated: false, positions: 'learned', posOffset: 0, ropeTheta: 10000, tiedHead: true };
  it('sotu-relu-shaped: 819,200 linear MACs per token; INT8 at 0.23 pJ, FP32 at 4.6 pJ', () => {
    const s = denseShapes(relu, 10);
    expect(s.linearMacs).toBe(4 * (128 * 384 + 128 * 128 + 2 * 128 * 512) + 128 * 256);
    expect(s.attentionMacs).toBe(2 * 4 * 4 * 10 * 32);
    const i8 = denseEnergy('int8', s, DEFAULT_CHIP, 128);
    const f32 = denseEnergy('fp32', s, DEFAULT_CHIP, 128);
    expect(i8.ops.parts['linear MACs']).toBeCloseTo(819200 * 0.23, 6);
    expect(f32.ops.parts['linear MACs']).toBeCloseTo(819200 * 4.6, 6);
    expect(i8.memory.parts['SRAM: weights (each read once per token)']).toBeCloseTo(819200 * 8 * sramPjPerBit((64 * 64 * 8) / 8), 6);
    expect(i8.memory.parts['DRAM: weights streamed per token']).toBeUndefined();
  });

  it('a model larger than the chip\'s crossbar capacity streams every weight from DRAM per token', () => {
    const tiny = { ...DEFAULT_CHIP, tiles: { signed: 8, unsigned: 8 } };
    expect(chipWeightCapacity(tiny)).toBe(16 * 4096);
    const i8 = denseEnergy('int8', denseShapes(relu, 10), tiny, 128);
    expect(i8.memory.parts['DRAM: weights streamed per token']).toBeCloseTo(819200 * 8 * (1300 / 64), 6);
    expect(i8.memory.notes.join(' ')).toMatch(/do not fit on chip/);
  });
});
