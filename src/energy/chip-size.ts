// An area proxy of the chip a model runs on: crossbar cells, ADCs and on-chip SRAM (no mm^2: there is no layout),
// counted from the tiles the model uses and the memories docs/memory.md lists.
import { kvWords } from '../spec/attention.js';
import { colGroups } from '../spec/crossbar.js';
import type { TokenEvents } from './events.js';

export interface ChipSize {
  tiles: number;
  cells: number;
  /** one ADC per converted column and slice of a column group (Pc x S per tile) */
  adcs: number;
  /** KV caches and score buffers of the attention units, tile neuron states (G > 1), in bytes */
  sramBytes: number;
  kvBytes: number;
}

export function chipSize(e: TokenEvents): ChipSize {
  const t = e.linears[0]!.tile;
  const tiles = e.tilesUsed;
  let kv = 0;
  let score = 0;
  for (const a of e.attentions) {
    kv += (kvWords(a.spec) * a.spec.lanes * (a.spec.kBits + a.spec.vBits)) / 8;
    score += (a.spec.context * a.spec.scoreBits) / 8;
  }
  const neuronState = colGroups(t) > 1 ? (tiles * t.cols * (t.neuron?.vWidth ?? 0)) / 8 : 0;
  return { tiles, cells: tiles * t.rows * t.cols * t.slices * 2, adcs: tiles * t.colsPerCycle * t.slices, sramBytes: kv + score + neuronState, kvBytes: kv };
}
