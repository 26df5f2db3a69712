// Mapping: assigns every linear op's tiles from the chip's pools (signed / unsigned neuron tiles), plans weight
// streaming when the model needs more tiles than the chip has (layer groups reprogrammed in turn), rejects a model
// whose largest layer alone does not fit, and estimates cycles per token (docs/compiler.md, "Mapping").
import { colGroups, rowGroups, type CrossbarSpec } from '../spec/crossbar.js';
import { tileSpec } from './chip-config.js';
import { CompileError } from './lower.js';
import type { ChipProgram, ProgOp } from './program.js';

type LinearProg = ProgOp & { kind: 'linear' };

const layerOf = (name: string) => (/^L(\d+)\./.exec(name) ? Number(/^L(\d+)\./.exec(name)![1]) : -1);

/** Cycles of one timestep of a tile with every row group active (the worst case; docs/crossbar.md timing). */
export function tileStepCycles(t: CrossbarSpec): number {
  const G = colGroups(t);
  return rowGroups(t) * G + 1 + G + (G > 1 ? 2 : 1);
}

export function mapTiles(p: ChipProgram): void {
  const chip = p.chip;
  const lins = p.ops.filter((o): o is LinearProg => o.kind === 'linear');
  const need = { signed: 0, unsigned: 0 };
  for (const l of lins) need[l.tiles.kind] += l.tiles.rowTiles * l.tiles.colTiles;
  const cap = chip.tiles;
  const fits = need.signed <= cap.signed && need.unsigned <= cap.unsigned;
  const notes: string[] = [];
  if (fits) {
    const next = { signed: 0, unsigned: 0 };
    for (const l of lins) {
      l.tiles.firstTile = next[l.tiles.kind];
      next[l.tiles.kind] += l.tiles.rowTiles * l.tiles.colTiles;
    }
  } else {
    // weight streaming: groups of consecutive layers that fit together, reprogrammed for each token in turn
    const groups = new Map<number, { signed: number; unsigned: number }>();
    for (const l of lins) {
      const g = groups.get(layerOf(l.name)) ?? { signed: 0, unsigned: 0 };
      g[l.tiles.kind] += l.tiles.rowTiles * l.tiles.colTiles;
      groups.set(layerOf(l.name), g);
    }
    for (const [layer, g] of groups) {
      if (g.signed > cap.signed || g.unsigned > cap.unsigned) {
        throw new CompileError(`the chip is too small: ${layer < 0 ? 'the LM head' : `layer ${layer}`} alone needs ${g.signed} signed and ${g.unsigned} unsigned ${chip.tile.rows}x${chip.tile.cols} tiles, the chip has ${cap.signed} and ${cap.unsigned} (the whole model needs ${need.signed} and ${need.unsigned})`);
      }
    }
    for (const l of lins) l.tiles.firstTile = -1;
    notes.push(`weight streaming: the model needs ${need.signed} signed + ${need.unsigned} unsigned tiles, the chip has ${cap.signed} + ${cap.unsigned}; layer groups are reprogrammed in turn`);
  }
  const cells = (need.signed + need.unsigned) * chip.tile.rows * chip.tile.cols;
  const weights = lins.reduce((s, l) => s + l.dIn * l.dOut, 0);
  // a decode step, ops one after another (no overlap between layers): T timesteps per linear op, whose tiles run in
  // parallel, plus the attention unit's score and weighting passes (one multiply-accumulate per cycle per head lane)
  const stepCycles = tileStepCycles(tileSpec(chip, 'signed'));
  let cycles = 0;
  for (const op of p.ops) {
    if (op.kind === 'linear') cycles += chip.T * stepCycles;
    if (op.kind === 'attention') cycles += 2 * op.headDim + 3 * Math.min(chip.attention.context, p.model.maxSeq);
  }
  p.summary = {
    tiles: need,
    tileCapacity: { ...cap },
    utilization: weights / cells,
    weightStreaming: !fits,
    cyclesPerToken: cycles,
    notes: [
      ...notes,
      `cycles per token: estimated for decode at the model's full context (${Math.min(chip.attention.context, p.model.maxSeq)} positions), every row group active, ops not overlapped; at ${(chip.clockHz / 1e6).toFixed(0)} MHz (assumed) that is ${((chip.clockHz / cycles) | 0)} tokens/s`,
    ],
  };
}
