// The memory hierarchy's functional counterpart (src/functional/memory.ts) on cases computed by hand from
// docs/memory.md; its agreement with the RTL counters is co-simulated in testbenches/ (weight_stream, streamed_tile,
// lif_array).
import { describe, expect, it } from 'vitest';
import { lifStateAccesses, lifStateTraffic, loaderCounts, streamTraffic, tileNeuronStateTraffic, tileWeightReads, weightMemoryTraffic, wrapCount } from '../../src/functional/memory.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import { tileTarget, type WeightStreamSpec } from '../../src/spec/memory.js';
import { here } from '../helpers.js';

// 16 rows in 4 row groups of 4, 8 columns in 4 groups of 2, L = 3 (2-bit cells): 4 x 2 x 2 x 2 = 32-bit weight words
const tile: CrossbarSpec = { rows: 16, cols: 8, cellLevels: 3, slices: 1, inSpikes: 'signed', inLevels: 1, adcBits: 4, adcRounding: 'floor', rowsPerCycle: 4, colsPerCycle: 2, output: 'neurons', psumBits: 8, counterBits: 16, neuron: { vWidth: 9, leak: 'shift', reset: 'zero', refractory: 1, spikes: 'graded', levels: 2 } };

describe('tile memories', () => {
  it('weight reads: row groups with an active (nonzero, enabled) row x G', () => {
    const x = new Array(16).fill(0);
    expect(tileWeightReads(tile, x)).toBe(0);
    x[1] = 1; // group 0
    x[9] = -1; // group 2
    x[10] = 1;
    expect(tileWeightReads(tile, x)).toBe(2 * 4);
    const mask = new Array(16).fill(1);
    mask[9] = 0;
    mask[10] = 0; // group 2 now has only masked rows
    expect(tileWeightReads(tile, x, mask)).toBe(1 * 4);
    const line = here() + 1;
    expect(() => tileWeightReads(tile, [...x.slice(1), 2])).toThrow(new RegExp(`x\\[15\\] = 2 is outside the signed alphabet -1\\.\\.1.*memory\\.test\\.ts:${line}`));
  });
  it('weight-memory bits: words x 32', () => {
    expect(weightMemoryTraffic(tile, { weight_reads: 10, weight_writes: 16 })).toEqual({ wordBits: 32, reads: 10, writes: 16, readBits: 320, writeBits: 512 });
  });
  it('neuron-state memory of a tile with G = 4 groups of 2 neurons: a word of 2 x (9 + 1) bits per group', () => {
    expect(tileNeuronStateTraffic(tile, 5, 1)).toEqual({ wordBits: 20, reads: 20, writes: 24, readBits: 400, writeBits: 480 });
    expect(tileNeuronStateTraffic({ ...tile, colsPerCycle: 8 }, 5)).toBeUndefined(); // G = 1: registers
  });
});

describe('LIF state memory', () => {
  it('reads per request; writes per request plus N / lanes clearing writes per reset', () => {
    expect(lifStateAccesses({ neurons: 12, lanes: 3 }, 7, 2)).toEqual({ state_reads: 7, state_writes: 7 + 8 });
    expect(lifStateTraffic({ vWidth: 8, refractory: 0, lanes: 3 }, { state_reads: 7, state_writes: 15 })).toEqual({ wordBits: 24, reads: 7, writes: 15, readBits: 168, writeBits: 360 });
  });
});

describe('off-chip stream', () => {
  const spec: WeightStreamSpec = { beatBits: 8, addrBits: 10, maxBurst: 3, maxOutstanding: 2, timeoutCycles: 0, counterBits: 8, target: tileTarget({ ...tile, neuron: undefined, output: 'psum' }) };
  it('commands -> bursts, beats, bits, words; a refused one is a fault with no traffic', () => {
    // 32-bit words = 4 beats; 5 words = 20 beats = 7 bursts of 3, 3, 3, 3, 3, 3, 2
    const c = loaderCounts(spec, [
      { src: 0, count: 5, region: 0, base: 0, first: true },
      { src: 0, count: 0, region: 0, base: 0, first: false },
      { src: 100, count: 1, region: 1, base: 0, first: false },
    ]);
    expect(c).toEqual({ commands: 3, bursts: 7 + 2, beats: 24, bits: 192, words: 6, faults: 1 });
    expect(streamTraffic(spec, c)).toEqual({ offchip: { wordBits: 8, reads: 24, writes: 0, readBits: 192, writeBits: 0 }, configWrites: { wordBits: 32, reads: 0, writes: 6, readBits: 0, writeBits: 192 } });
    expect(wrapCount(c.bits, spec.counterBits)).toBe(192);
    expect(wrapCount(300, 8)).toBe(44);
  });
});
