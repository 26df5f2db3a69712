// Chip parameter sets for the chip tests, lint and benches: the default chip of dsl/params.ts; `mesh3` (3 x 2
// positions, 8 x 8 tiles, one signed column: a small multi-layer network with chains of two); `wide` (2 x 3, 16 x 16
// tiles, G = 1 and two row groups, busBits 48, no pruning hook); `loop` (one column of four 128 x 128 tiles above
// the host port, and the attention unit of sotu-relu: the smallest chip a block of sotu-relu runs on — the down
// projection's chain of four — in many loads; the chip of the RTL-in-the-loop test and bench, whose Verilator build
// cost grows with the number of tile instances) and `block` (4 x 4: a whole transformer block in one load, tile to
// tile; too slow to build for the suite).
import { chipSpecOf } from '../dsl/chip.js';
import { chipParams } from '../dsl/params.js';
import { resolveParams } from '../src/params/define.js';
import type { ChipSpec } from '../src/spec/chip.js';

export const defaultSpec = (): ChipSpec => chipSpecOf(resolveParams(chipParams));

const base = defaultSpec();

/** What the chips that run sotu-relu share: the compiler's default tile array and sotu-relu's attention unit. */
const sotuRelu: Partial<ChipSpec> = {
  timesteps: 4,
  tile: { rows: 128, cols: 128, cellLevels: 16, slices: 2, inLevels: 15, adcBits: 12, adcRounding: 'half-up', rowsPerCycle: 8, colsPerCycle: 16, psumBits: 24, counterBits: 32 },
  neuronVWidth: 24,
  spikeLevels: 15,
  routerFifoDepth: 4,
  busBits: 256,
  attention: { context: 128, lanes: 8, heads: 4, kvHeads: 4, headSize: 32, inBits: 7, scoreBits: 24, expLutBits: 3, expFracBits: 12, recipBits: 32, policy: 'error' },
  pruning: { ...base.pruning, enabled: false },
  stream: { beatBits: 256, addrBits: 20, maxBurst: 8, maxOutstanding: 2, timeoutCycles: 0 },
};

export const CHIP_SETS: Record<string, ChipSpec> = {
  default: base,
  mesh3: {
    ...base,
    meshX: 3,
    meshY: 2,
    signedTiles: 2,
    timesteps: 3,
    tile: { ...base.tile, rows: 8, cols: 8, cellLevels: 4, slices: 2, inLevels: 3, adcBits: 6, rowsPerCycle: 2, colsPerCycle: 4, psumBits: 14, counterBits: 24 },
    neuronVWidth: 16,
    spikeLevels: 3,
    attention: { ...base.attention, context: 6, lanes: 2, heads: 2, kvHeads: 1, headSize: 4, inBits: 6, expLutBits: 2, expFracBits: 8, recipBits: 20 },
    pruning: { enabled: true, window: 2, countBits: 3, thetaOn: 2, thetaOff: 1 },
    stream: { beatBits: 32, addrBits: 12, maxBurst: 4, maxOutstanding: 2, timeoutCycles: 0 },
  },
  wide: {
    ...base,
    meshX: 2,
    meshY: 3,
    signedTiles: 3,
    timesteps: 2,
    tile: { ...base.tile, rows: 16, cols: 16, cellLevels: 8, slices: 1, inLevels: 2, adcBits: 5, adcRounding: 'floor', rowsPerCycle: 8, colsPerCycle: 16, psumBits: 12, counterBits: 16 },
    neuronVWidth: 14,
    spikeLevels: 2,
    routerFifoDepth: 1,
    busBits: 48,
    attention: { ...base.attention, context: 4, lanes: 4, heads: 1, kvHeads: 1, headSize: 4, inBits: 5, expLutBits: 0, expFracBits: 6, recipBits: 16, policy: 'sliding' },
    pruning: { ...base.pruning, enabled: false },
    stream: { beatBits: 40, addrBits: 10, maxBurst: 2, maxOutstanding: 1, timeoutCycles: 0 },
  },
  loop: {
    ...base,
    meshX: 1,
    meshY: 5,
    signedTiles: 1,
    ...sotuRelu,
  },
  /** a whole transformer block at once (4 x 4: 15 slots); its Verilator build takes over 8 minutes here, so neither the suite nor the bench uses it */
  block: {
    ...base,
    meshX: 4,
    meshY: 4,
    signedTiles: 5,
    ...sotuRelu,
  },
};
