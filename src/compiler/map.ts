// Mapping: assigns every linear op's tiles from the chip's pools (signed / unsigned neuron tiles), plans weight
// streaming when the model needs more tiles than the chip has (layer groups reprogrammed in turn; a layer wider than
// the chip op by op, in column-tile parts), rejects a model one of whose column tiles (a chain) does not fit, and
// estimates cycles per token (docs/compiler.md, "Mapping").
import { colGroups, rowGroups, type CrossbarSpec } from '../spec/crossbar.js';
import { paramCount, type LmConfig } from '../lm/model.js';
import { tileSpec, type ChipConfig } from './chip-config.js';
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
    // weight streaming: layer groups that fit are reprogrammed in turn; a layer wider than the chip runs op by op,
    // and an op wider than the chip in parts of its column tiles (src/chip/host.ts). What cannot be cut is one column
    // tile: a chain of rowTiles tiles ending in a tile of the op's neuron kind (its links may be of either kind).
    for (const l of lins) {
      const { rowTiles: RT, kind } = l.tiles;
      if (RT > cap.signed + cap.unsigned || cap[kind] < 1) {
        throw new CompileError(`the chip is too small: ${l.name} needs, for one column tile, a chain of ${RT} ${chip.tile.rows}x${chip.tile.cols} tiles ending in a ${kind} tile (its ${l.dIn} inputs); the chip has ${cap.signed} signed and ${cap.unsigned} unsigned (the whole model needs ${need.signed} and ${need.unsigned})`);
      }
    }
    const layers = new Map<number, { signed: number; unsigned: number }>();
    for (const l of lins) {
      const g = layers.get(layerOf(l.name)) ?? { signed: 0, unsigned: 0 };
      g[l.tiles.kind] += l.tiles.rowTiles * l.tiles.colTiles;
      layers.set(layerOf(l.name), g);
    }
    const split = [...layers].filter(([, g]) => g.signed > cap.signed || g.unsigned > cap.unsigned).map(([k]) => (k < 0 ? 'the LM head' : `layer ${k}`));
    if (split.length) notes.push(`weight streaming within a layer: ${split.join(', ')} alone need${split.length === 1 ? 's' : ''} more tiles than the chip has; ${split.length === 1 ? 'it runs' : 'they run'} op by op, an op wider than the chip in parts of its column tiles`);
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

export interface ConfigEstimate {
  model: string;
  params: number;
  linears: { name: string; dIn: number; dOut: number; tiles: number }[];
  tiles: { signed: number; unsigned: number };
  fits: boolean;
  /** layers (and the head) whose tiles must be reprogrammed in turn when the model does not fit */
  streamingGroups: number;
  /** weight levels written per token when streaming (every layer group reprogrammed once per token) */
  streamedWeightsPerToken: number;
  cyclesPerToken: number;
  notes: string[];
}

/**
 * Mapping estimates for a model known only by its configuration (e.g. OPT-13B's config.json): the linear ops the
 * compiler would emit (Q, K, V on W/-W pairs, O, the FFN, the head), their tiles, whether they fit the chip, and the
 * cycle estimate mapTiles gives — no weights, so no quantization, calibration or program.
 */
export function estimateFromConfig(cfg: LmConfig, chip: ChipConfig, name: string, signedOutputs: 'signed' | 'pair' = 'pair'): ConfigEstimate {
  const t = chip.tile;
  const hd = cfg.dModel / cfg.nHeads;
  const kv = cfg.nKvHeads * hd;
  const tiles = (dIn: number, dOut: number) => Math.ceil(dIn / t.rows) * Math.ceil(dOut / t.cols);
  const linears: ConfigEstimate['linears'] = [];
  const need = { signed: 0, unsigned: 0 };
  const add = (n: string, dIn: number, dOut: number, kind: 'signed' | 'unsigned') => {
    const k = tiles(dIn, dOut);
    linears.push({ name: n, dIn, dOut, tiles: k });
    need[kind] += k;
  };
  const pairF = signedOutputs === 'pair' ? 2 : 1;
  const qkvKind = signedOutputs === 'pair' ? 'unsigned' : 'signed';
  for (let l = 0; l < cfg.nLayers; l++) {
    add(`L${l}.q`, cfg.dModel, pairF * cfg.dModel, qkvKind);
    add(`L${l}.k`, cfg.dModel, pairF * kv, qkvKind);
    add(`L${l}.v`, cfg.dModel, pairF * kv, qkvKind);
    add(`L${l}.o`, cfg.dModel, cfg.dModel, 'signed');
    add(`L${l}.up`, cfg.dModel, cfg.dFF, cfg.activation === 'relu' && !cfg.gated ? 'unsigned' : 'signed');
    if (cfg.gated) add(`L${l}.gate`, cfg.dModel, cfg.dFF, 'signed');
    add(`L${l}.down`, cfg.dFF, cfg.dModel, 'signed');
  }
  add('head', cfg.dModel, cfg.vocabSize, 'signed');
  const fits = need.signed <= chip.tiles.signed && need.unsigned <= chip.tiles.unsigned;
  const perLayer = linears.filter((x) => x.name.startsWith('L0.')).reduce((s, x) => s + x.tiles, 0);
  const capacity = chip.tiles.signed + chip.tiles.unsigned;
  const weights = linears.reduce((s, x) => s + x.dIn * x.dOut, 0);
  const stepCycles = tileStepCycles(tileSpec(chip, 'signed'));
  const ctx = Math.min(chip.attention.context, cfg.maxSeq);
  const cycles = linears.length * chip.T * stepCycles + cfg.nLayers * (2 * hd + 3 * ctx);
  const notes = [`cycles per token: decode at ${ctx} positions, every row group active, ops not overlapped; at ${(chip.clockHz / 1e6).toFixed(0)} MHz (assumed) ${Math.floor(chip.clockHz / cycles)} tokens/s before weight streaming`];
  if (!fits) notes.push(`does not fit: needs ${need.signed} + ${need.unsigned} tiles (signed + unsigned), the chip has ${chip.tiles.signed} + ${chip.tiles.unsigned}; one layer needs ${perLayer}`);
  return {
    model: name,
    params: paramCount(cfg),
    linears,
    tiles: need,
    fits,
    streamingGroups: fits ? 0 : Math.ceil((need.signed + need.unsigned) / capacity),
    streamedWeightsPerToken: fits ? 0 : weights,
    cyclesPerToken: cycles,
    notes,
  };
}
