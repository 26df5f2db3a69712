// Parameter sets of the attention unit used by the co-simulation, the lint test and the bench.
import type { AttentionParams } from '../dsl/attention.js';

/** MHA with 'error' (power-of-two LUT index f = 2); GQA with 'sliding' on a ring of 6; MQA (one KV head), power-of-two
 *  softmax (f = 0), one chunk; a one-lane set with a 16-entry LUT and a tiny cache. */
export const ATT_SETS: Record<string, AttentionParams> = {
  mha: { context: 8, qHeads: 2, kvHeads: 2, headSize: 4, lanes: 2, qBits: 6, kBits: 6, vBits: 6, scoreBits: 10, expLutBits: 2, expFracBits: 8, recipBits: 18, outBits: 6, encVBits: 10, spikeLevels: 2, maxSteps: 4, positionBits: 4, counterBits: 24, policy: 'error' },
  gqa: { context: 6, qHeads: 4, kvHeads: 2, headSize: 6, lanes: 3, qBits: 5, kBits: 4, vBits: 7, scoreBits: 8, expLutBits: 1, expFracBits: 6, recipBits: 14, outBits: 5, encVBits: 9, spikeLevels: 3, maxSteps: 3, positionBits: 5, counterBits: 20, policy: 'sliding' },
  mqa: { context: 16, qHeads: 3, kvHeads: 1, headSize: 8, lanes: 8, qBits: 8, kBits: 8, vBits: 8, scoreBits: 12, expLutBits: 0, expFracBits: 10, recipBits: 20, outBits: 8, encVBits: 12, spikeLevels: 1, maxSteps: 2, positionBits: 8, counterBits: 16, policy: 'sliding' },
  lut16: { context: 3, qHeads: 1, kvHeads: 1, headSize: 2, lanes: 1, qBits: 4, kBits: 5, vBits: 5, scoreBits: 9, expLutBits: 4, expFracBits: 12, recipBits: 16, outBits: 4, encVBits: 8, spikeLevels: 4, maxSteps: 5, positionBits: 2, counterBits: 12, policy: 'error' },
};
