// The latency model by hand: a two-tile chain pipelined by timestep, the attention unit's documented example, the
// encoder schedule, streaming time.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, tileSpec } from '../../src/compiler/chip-config.js';
import { stepCyclesOf, streamingCycles, tokenCycles, type LatOp } from '../../src/energy/latency.js';
import { timestepCycles } from '../../src/spec/crossbar.js';
import { ATT_SETS } from '../../testbenches/attention_sets.js';

const chip = { ...DEFAULT_CHIP, T: 2 };
const tile = tileSpec(chip, 'unsigned');

describe('latency model by hand', () => {
  it('a 2-row-tile chain: psum tile then neurons tile, each step as soon as its input and the tile allow', () => {
    // encoder: 32 values at 16 lanes = 2 words per step; step t ready at edge 0 + 2(t + 1) + 2
    const plan: LatOp[] = [
      { kind: 'host', name: 'h', out: 'x' },
      { kind: 'encode', name: 'e', input: 'x', out: 's', width: 32 },
      { kind: 'linear', name: 'l', input: 's', out: 'y', tile, rowTiles: 2, readout: 'membrane' },
    ];
    const groups = [[2, 0], [1, 8]]; // [rt][t]
    const act = (_: string, rt: number, t: number) => ({ groups: groups[rt]![t]!, active: groups[rt]![t]! > 0 ? 1 : 0 });
    // G = 4; psum tile: n*4 + 1 + 4 + 1; neurons tile (time-multiplexed): n*4 + 1 + 4 + 2
    // rt 0: step 0 accepted at 4, done 4 + 14 = 18; step 1 (input at 6) accepted at 18, n = 0: 18 + 5 = 23
    // rt 1: step 0 accepted at 19, done 19 + 11 = 30; step 1 accepted at max(24, 30) = 30, done 30 + 39 = 69
    const r = tokenCycles(plan, chip, act, 1);
    expect(r.cycles).toBe(70);
    expect(timestepCycles(tile, 1)).toBe(11);
    expect(stepCyclesOf(tile, 8, 1)).toBe(39);
    expect(r.byKind.linear! + r.byKind.encode!).toBe(70);
  });

  it('fractional mean activity: the expected cycles of a timestep', () => {
    expect(stepCyclesOf(tile, 2.5, 0.75)).toBeCloseTo(2.5 * 4 + 0.75 + 4 + 2, 12);
  });

  it('the attention unit\'s documented example: the 8th token of set mha takes 117 cycles', () => {
    const spec = ATT_SETS.mha!;
    const plan: LatOp[] = [
      { kind: 'host', name: 'h', out: 'qkv' },
      { kind: 'attention', name: 'a', inputs: ['qkv'], out: 'o', spec },
      { kind: 'encode', name: 'e', input: 'o', out: 's', width: spec.qHeads * spec.headSize, attention: spec },
    ];
    expect(tokenCycles(plan, { ...chip, T: 4 }, () => ({ groups: 0, active: 0 }), 8).cycles).toBe(117);
  });

  it('a tensor read before it is made is an error, naming it', () => {
    expect(() => tokenCycles([{ kind: 'digital', name: 'd', inputs: ['nope'], out: 'o', width: 4 }], chip, () => ({ groups: 0, active: 0 }), 1)).toThrow(/tensor 'nope' is read before/);
  });

  it('weight streaming: bytes over the assumed bandwidth, in cycles of the clock', () => {
    expect(streamingCycles(8e9, chip)).toBe(Math.ceil((1e9 / 100e9) * 200e6));
    expect(streamingCycles(0, chip)).toBe(0);
  });
});
