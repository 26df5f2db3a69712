// Dense digital accelerator estimates for the same model and the same token (decode, batch 1): FP32 and INT8
// (W8A8), in the tiers the chip is reported in (docs/energy.md, "Baselines"). The INT8 design is the honest
// competitor: it gets the cheapest MAC Horowitz lists (8-bit multiply + 8-bit add), weights in SRAM banks of the
// chip's tile size while the model fits in as many weights as the chip's crossbars hold, and DRAM streaming of every
// weight per token otherwise, the same rule the chip pays. Estimates, never measurements.
import type { ChipConfig } from '../compiler/chip-config.js';
import type { LmConfig } from '../lm/model.js';
import { dramPjPerBit, intAddPj, intMultPj, pj, sramPjPerBit } from './constants.js';
import type { EnergyResult } from './chip-energy.js';

export interface DenseShapes {
  /** multiply-accumulates of the linear layers and the head per token */
  linearMacs: number;
  /** inputs read and outputs written by the linear layers per token */
  linearIo: number;
  /** weights of the linear layers and the head (what must be on chip or streamed) */
  weights: number;
  /** per token at mean attended positions n: q.k and p.v MACs, softmax exps */
  attentionMacs: number;
  exps: number;
  /** KV values written and read per token */
  kvWrites: number;
  kvReads: number;
  /** K (or V) values of one position of one layer: the KV memory of a layer holds context x this, twice */
  kvPerLayer: number;
  /** elementwise work (norms, residuals, activations): multiplies and adds */
  elementMults: number;
  elementAdds: number;
}

/** Per-token dense work of a GPT-2/OPT/Llama-shaped model attending to `n` positions on average. */
export function denseShapes(c: LmConfig, n: number): DenseShapes {
  const hd = c.dModel / c.nHeads;
  const kv = c.nKvHeads * hd;
  const perLayer = c.dModel * (c.dModel + 2 * kv) + c.dModel * c.dModel + (c.gated ? 3 : 2) * c.dModel * c.dFF;
  const ioPerLayer = 4 * c.dModel + 2 * kv + c.dModel + (c.gated ? 2 : 1) * (c.dModel + c.dFF) + c.dFF + c.dModel;
  const linearMacs = c.nLayers * perLayer + c.dModel * c.vocabSize;
  return {
    linearMacs,
    linearIo: c.nLayers * ioPerLayer + c.dModel + c.vocabSize,
    weights: linearMacs,
    attentionMacs: 2 * c.nLayers * c.nHeads * n * hd,
    exps: c.nLayers * c.nHeads * n,
    kvWrites: 2 * c.nLayers * kv,
    kvReads: 2 * c.nLayers * n * kv,
    kvPerLayer: kv,
    // norms (2 mults, 3 adds per element, 2L + 1 of them), residual adds (2L), the activation (2 mults, 1 add)
    elementMults: (2 * c.nLayers + 1) * 2 * c.dModel + c.nLayers * 2 * c.dFF * (c.gated ? 1.5 : 1),
    elementAdds: (2 * c.nLayers + 1) * 3 * c.dModel + 2 * c.nLayers * c.dModel + c.nLayers * c.dFF,
  };
}

export type DenseKind = 'fp32' | 'int8';

/** Weights the crossbars of `chip` hold (the dense design gets as many on chip). */
export const chipWeightCapacity = (chip: ChipConfig) => (chip.tiles.signed + chip.tiles.unsigned) * chip.tile.rows * chip.tile.cols;

export function denseEnergy(kind: DenseKind, s: DenseShapes, chip: ChipConfig, context: number): Record<'ops' | 'memory', EnergyResult> {
  const mac = kind === 'fp32' ? pj('fp32_mac') : pj('int8_mult') + pj('int8_add');
  const mult = kind === 'fp32' ? pj('fp32_mac') : intMultPj(16);
  const add = kind === 'fp32' ? pj('fp32_add') : intAddPj(16);
  const bits = kind === 'fp32' ? 32 : 8;
  const ops: Record<string, number> = {
    'linear MACs': s.linearMacs * mac,
    'attention MACs and exps': (s.attentionMacs + s.exps) * mac,
    'elementwise (norms, residuals, activation)': s.elementMults * mult + s.elementAdds * add,
  };
  const fits = s.weights <= chipWeightCapacity(chip);
  const bank = chip.tile.rows * chip.tile.cols * bits / 8;
  const kvBytes = (context * s.kvPerLayer * bits) / 8;
  const mem: Record<string, number> = {
    ...Object.fromEntries(Object.entries(ops).map(([k, v]) => [`ops: ${k}`, v])),
    'SRAM: weights (each read once per token)': s.weights * bits * sramPjPerBit(bank),
    'SRAM: layer inputs and outputs': s.linearIo * bits * sramPjPerBit(0),
    'SRAM: KV cache': (s.kvReads + s.kvWrites) * bits * sramPjPerBit(kvBytes),
  };
  if (!fits) mem['DRAM: weights streamed per token'] = s.weights * bits * dramPjPerBit();
  const total = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0);
  const macNote = kind === 'fp32' ? 'FP32 MAC 4.6 pJ' : 'INT8 MAC = 8-bit multiply + 8-bit add, 0.23 pJ (elementwise work at 16 bits)';
  return {
    ops: { tier: 'ops', parts: ops, totalPj: total(ops), notes: [macNote] },
    memory: { tier: 'memory', parts: mem, totalPj: total(mem), notes: [macNote, fits ? `weights fit on chip (${(s.weights / 1e6).toFixed(2)}M <= ${(chipWeightCapacity(chip) / 1e6).toFixed(2)}M, the chip's crossbar capacity)` : `weights do not fit on chip (${(s.weights / 1e6).toFixed(1)}M > ${(chipWeightCapacity(chip) / 1e6).toFixed(2)}M): every weight read from DRAM per token`] },
  };
}
