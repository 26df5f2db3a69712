// The attention unit a chip program's attention op runs on (docs/attention.md): the chip's unit parameters, the op's
// heads and head size, and input widths that hold the spike counts of the Q/K/V projections.
import { bitsFor } from '../hdl/types.js';
import type { AttentionSpec } from '../spec/attention.js';
import type { ChipConfig } from './chip-config.js';
import type { ProgOp } from './program.js';

export function attentionSpecOf(chip: ChipConfig, op: ProgOp & { kind: 'attention' }, countRange: number): AttentionSpec {
  const inBits = bitsFor(countRange) + 1;
  const a = chip.attention;
  const dot = bitsFor(op.headDim * 2 ** (2 * inBits - 2)) + 1;
  return {
    context: a.context,
    qHeads: op.heads,
    kvHeads: op.kvHeads,
    headSize: op.headDim,
    lanes: op.headDim % a.lanes === 0 ? a.lanes : 1,
    qBits: inBits,
    kBits: inBits,
    vBits: inBits,
    scoreBits: Math.min(a.scoreBits, dot),
    expLutBits: a.expLutBits,
    expFracBits: a.expFracBits,
    recipBits: a.recipBits,
    outBits: inBits,
    encVBits: inBits + 8,
    spikeLevels: Math.max(1, chip.spikeLevels),
    maxSteps: Math.max(1, chip.T),
    positionBits: bitsFor(Math.max(1, a.context - 1)) + 1,
    counterBits: 48,
    policy: a.policy,
  };
}
