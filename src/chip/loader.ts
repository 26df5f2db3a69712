// The chip program loader (docs/chip.md, "Loading a program"): checks that a compiled chip program was compiled
// for this chip (naming every field that differs), places each linear op's partial-sum chains in the grid, and
// turns the program into bus operations for the chip's configuration interface — weights as cell levels per tile
// word, row masks, ADC shifts, thresholds, biases, slot modes and chains, the attention unit's registers, routing
// tables. Every value is checked against its range (the op, the tile and the allowed range named) before any bus
// operation is produced, so a refused program writes nothing.
import { attentionSpecOf } from '../compiler/attention-spec.js';
import type { ChipConfig } from '../compiler/chip-config.js';
import { blob, type ChipProgram, type ProgOp } from '../compiler/program.js';
import { captureLoc, formatLoc, type SrcLoc } from '../hdl/srcloc.js';
import { ATT_REG } from '../spec/attention.js';
import { attentionSpecOfChip, chipConfigOf, hostTile, routerSpecOf, slotCount, slotKind, slotAt, SLOT_MODE, tileSpecOf, type ChipSpec, type TileKind } from '../spec/chip.js';
import { busMap, SLOT_REG, type BusMap } from '../spec/chip-map.js';
import { maxWeight, shiftWidth, TILE_REG } from '../spec/crossbar.js';
import { thresholdWidth } from '../spec/lif.js';
import { tileMaskWords, tileWeightWords } from '../spec/memory.js';
import { tableWrite, type RouterSpec } from '../spec/router.js';
import { signedBits, writeWord, type BusOp } from './bus.js';

export type LinearOp = ProgOp & { kind: 'linear' };
export type AttentionOp = ProgOp & { kind: 'attention' };

/** A program the chip cannot run, or a value out of range: names what, the allowed range and the caller's line. */
export class ChipProgramError extends Error {
  constructor(message: string, loc: SrcLoc | undefined = captureLoc()) {
    super(`${message} (at ${formatLoc(loc)})`);
    this.name = 'ChipProgramError';
  }
}

/** The chip-configuration fields the RTL fixes (host-side units — residual, norm, beam, clock — are not compared). */
const CHIP_FIELDS = ['T', 'neuronVWidth', 'spikeLevels', 'tiles.signed', 'tiles.unsigned', ...['rows', 'cols', 'cellLevels', 'slices', 'inSpikes', 'inLevels', 'adcBits', 'adcRounding', 'rowsPerCycle', 'colsPerCycle', 'psumBits', 'counterBits'].map((k) => `tile.${k}`), ...['context', 'lanes', 'expLutBits', 'expFracBits', 'recipBits', 'scoreBits', 'policy'].map((k) => `attention.${k}`)];

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** Every field in which the program's chip differs from this chip, as 'field: program value, chip value'. */
export function chipDifferences(program: ChipConfig, chip: ChipConfig): string[] {
  return CHIP_FIELDS.filter((f) => get(program, f) !== get(chip, f)).map((f) => `${f}: program ${JSON.stringify(get(program, f))}, chip ${JSON.stringify(get(chip, f))}`);
}

/** Refuses a program compiled for a different chip, or one whose attention ops this chip's unit cannot run. */
export function checkProgramForChip(p: ChipProgram, spec: ChipSpec): void {
  const loc = captureLoc();
  const chip = chipConfigOf(spec);
  const diff = chipDifferences(p.chip, chip);
  if (diff.length) throw new ChipProgramError(`the program was compiled for chip '${p.chip.name}', not for this chip '${chip.name}': ${diff.join('; ')}`, loc);
  const unit = attentionSpecOfChip(spec);
  for (const op of p.ops) {
    if (op.kind !== 'attention') continue;
    if (op.softmax !== 'approx') throw new ChipProgramError(`${op.name}: softmax '${op.softmax}' is a host-side ablation; the chip's attention unit computes 'approx'`, loc);
    const need = attentionSpecOf(p.chip, op, op.inRange);
    const d = (Object.keys(unit) as (keyof typeof unit)[]).filter((k) => need[k] !== unit[k]).map((k) => `${k}: op needs ${JSON.stringify(need[k])}, chip has ${JSON.stringify(unit[k])}`);
    if (d.length) throw new ChipProgramError(`${op.name}: the chip's attention unit does not fit the op: ${d.join('; ')}`, loc);
  }
}

// ---- placement ----

/** A linear op, or some of its column tiles (an op wider than the chip runs in parts; each column tile is one chain). */
export interface LinearPart {
  op: LinearOp;
  /** column tiles, ascending */
  cts: number[];
}

export const wholeOp = (op: LinearOp): LinearPart => ({ op, cts: Array.from({ length: op.tiles.colTiles }, (_, ct) => ct) });
const asPart = (x: LinearOp | LinearPart): LinearPart => ('op' in x ? x : wholeOp(x));

/** Where a linear op's tiles (or a part's) sit: chains[i][rt] is the slot of tile (rt, cts[i]); a chain runs down one grid column. */
export interface Placement {
  op: string;
  kind: TileKind;
  cts: number[];
  chains: number[][];
}

/**
 * Places linear ops or parts (in order) on free slots: each column tile's chain of rowTiles slots in one grid
 * column, top to bottom in row-tile order, its last slot (the chain end, whose neurons fire or keep membranes) of
 * the op's kind.
 */
export function placeOps(spec: ChipSpec, items: readonly (LinearOp | LinearPart)[], taken: Set<number> = new Set()): Placement[] {
  const loc = captureLoc();
  const used = new Set(taken);
  const H = hostTile(spec);
  return items.map((item) => {
    const { op, cts } = asPart(item);
    const { rowTiles: RT, kind } = op.tiles;
    const chains: number[][] = [];
    for (const ct of cts) {
      let found: number[] | undefined;
      for (let x = 0; x < spec.meshX && !found; x++) {
        for (let y = 0; y + RT <= spec.meshY && !found; y++) {
          const run = Array.from({ length: RT }, (_, k) => slotAt(spec, x, y + k));
          if (run.some((s) => s === H || used.has(s))) continue;
          if (slotKind(spec, run[RT - 1]!) !== kind) continue;
          found = run;
        }
      }
      if (!found) {
        const free = Array.from({ length: slotCount(spec) }, (_, s) => s).filter((s) => !used.has(s));
        throw new ChipProgramError(`${op.name}: column tile ${ct} needs a chain of ${RT} free slots in one grid column, ending in a ${kind} slot; the ${spec.meshX} x ${spec.meshY} grid has no such run (free slots: ${free.join(', ') || 'none'}); ops placed together must fit the chip at once`, loc);
      }
      found.forEach((s) => used.add(s));
      chains.push(found);
    }
    return { op: op.name, kind, cts: [...cts], chains };
  });
}

// ---- loading ----

const pad = (n: number) => new Int32Array(n);

/** The bus writes that load one linear op into its placed slots (weights, masks, registers, bias, modes, chains). */
export function linearLoad(p: ChipProgram, spec: ChipSpec, item: LinearOp | LinearPart, pl: Placement, map: BusMap = busMap(spec)): BusOp[] {
  const op = asPart(item).op;
  const loc = captureLoc();
  const fail = (m: string): never => {
    throw new ChipProgramError(`${op.name}: ${m}`, loc);
  };
  const tile = tileSpecOf(spec, op.tiles.kind);
  const { rows: R, cols: C } = tile;
  const W = blob(p, op.weights);
  if (W.length !== op.dIn * op.dOut) fail(`weights '${op.weights}' has ${W.length} values, expected dIn x dOut = ${op.dIn * op.dOut}`);
  const wMax = maxWeight(tile);
  for (let i = 0; i < W.length; i++) if (!Number.isInteger(W[i]) || Math.abs(W[i]!) > wMax) fail(`weight [${Math.floor(i / op.dOut)}][${i % op.dOut}] = ${W[i]} is outside -${wMax}..${wMax} (cellLevels ${tile.cellLevels}, slices ${tile.slices}); it is never wrapped`);
  const bias = op.bias ? blob(p, op.bias) : undefined;
  if (bias && bias.length !== op.dOut) fail(`bias '${op.bias}' has ${bias.length} values, expected dOut = ${op.dOut}`);
  const { rowTiles: RT, colTiles: CT } = op.tiles;
  if (RT !== Math.ceil(op.dIn / R) || CT !== Math.ceil(op.dOut / C)) fail(`tiles ${RT} x ${CT} do not cover ${op.dIn} x ${op.dOut} with ${R} x ${C} tiles`);
  if (op.tiles.adcShift.length !== RT * CT) fail(`${op.tiles.adcShift.length} ADC shifts, expected one per tile (${RT * CT})`);
  const shiftMax = 2 ** shiftWidth(tile) - 1;
  const thetaMax = 2 ** thresholdWidth(tile.neuron!) - 1;
  if (!Number.isInteger(op.theta) || op.theta < 0 || op.theta > thetaMax) fail(`threshold ${op.theta} is outside 0..${thetaMax} (neuronVWidth ${spec.neuronVWidth})`);
  const ops: BusOp[] = [];
  for (const [i, ct] of pl.cts.entries()) {
    if (ct >= CT) fail(`column tile ${ct} does not exist (${CT} column tiles)`);
    for (let rt = 0; rt < RT; rt++) {
      const s = pl.chains[i]![rt]!;
      const last = rt === RT - 1;
      const shift = op.tiles.adcShift[rt * CT + ct]!;
      if (!Number.isInteger(shift) || shift < 0 || shift > shiftMax) fail(`ADC shift of tile (${rt}, ${ct}) = ${shift} is outside 0..${shiftMax}`);
      const w = pad(R * C);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
        const i = rt * R + r;
        const j = ct * C + c;
        if (i < op.dIn && j < op.dOut) w[r * C + c] = W[i * op.dOut + j]!;
      }
      tileWeightWords(tile, w).forEach((word, k) => ops.push(...writeWord(map, 'slot', 'weights', k, word, s)));
      const maskName = op.tiles.masks?.[rt * CT + ct];
      if (maskName) {
        const mb = blob(p, maskName);
        const bits = Array.from({ length: R }, (_, r) => (r < mb.length ? mb[r]! : 1));
        if (bits.some((b) => b !== 0 && b !== 1)) fail(`row mask '${maskName}' of tile (${rt}, ${ct}) has a value other than 0 or 1`);
        tileMaskWords(tile, bits).forEach((word, k) => ops.push(...writeWord(map, 'slot', 'mask', k, word, s)));
      }
      ops.push(...writeWord(map, 'slot', 'tileRegisters', TILE_REG.adcShift, shift, s));
      // a chain link passes its partial sums as membranes: threshold 0 and a restart every step (docs/chip.md)
      ops.push(...writeWord(map, 'slot', 'tileRegisters', TILE_REG.threshold, last ? op.theta : 0, s));
      if (rt === 0) {
        for (let c = 0; c < C; c++) {
          const j = ct * C + c;
          ops.push(...writeWord(map, 'slot', 'bias', c, signedBits(bias && j < op.dOut ? bias[j]! : 0, tile.psumBits, `${op.name} bias[${j}]`), s));
        }
      }
      ops.push(...writeWord(map, 'slot', 'registers', SLOT_REG.chain, rt === 0 ? 0 : 1, s));
      const mode = !last ? SLOT_MODE.link : op.readout === 'spikes' ? SLOT_MODE.spikes : SLOT_MODE.membrane;
      ops.push(...writeWord(map, 'slot', 'registers', SLOT_REG.mode, mode, s));
    }
  }
  return ops;
}

/** The attention unit's registers for an op: score shift and steps = T (theta stays 0: the output o is membrane step 0). */
export function attentionLoad(p: ChipProgram, spec: ChipSpec, op: AttentionOp, map: BusMap = busMap(spec)): BusOp[] {
  return [...writeWord(map, 'attention', 'registers', ATT_REG.scoreShift, op.scoreShift), ...writeWord(map, 'attention', 'registers', ATT_REG.steps, p.chip.T), ...writeWord(map, 'attention', 'registers', ATT_REG.theta, 0)];
}

// ---- routes ----

export interface Route {
  tile: number;
  group: number;
  dests: number[];
}

/** Table writes for routes (each checked by the router's own rule: no missing tile, no missing group). */
export function routeLoad(spec: ChipSpec, routes: readonly Route[], map: BusMap = busMap(spec)): BusOp[] {
  const rs: RouterSpec = routerSpecOf(spec);
  return routes.flatMap((r) => {
    const w = tableWrite(rs, r.tile, r.group, r.dests);
    return writeWord(map, 'router', 'tables', w.addr, w.data);
  });
}

/** Host routes: input group g (row tile g) of a host tensor goes to row tile g of every op that reads it. */
export function hostRoutes(spec: ChipSpec, readers: readonly Placement[]): Route[] {
  const H = hostTile(spec);
  const rows = Math.max(0, ...readers.map((r) => r.chains[0]!.length));
  return Array.from({ length: rows }, (_, g) => ({ tile: H, group: g, dests: readers.flatMap((r) => (g < r.chains[0]!.length ? r.chains.map((c) => c[g]!) : [])) }));
}

/** A spikes op's chain ends (column tile ct) send to row tile ct of the ops that read its spikes, or to the host when none does. */
export function spikeRoutes(spec: ChipSpec, from: Placement, readers: readonly Placement[]): Route[] {
  return from.chains.map((chain, i) => ({
    tile: chain[chain.length - 1]!,
    group: 0,
    dests: readers.length ? readers.flatMap((r) => (from.cts[i]! < r.chains[0]!.length ? r.chains.map((c) => c[from.cts[i]!]!) : [])) : [hostTile(spec)],
  }));
}

/** The chain ends of a placement with their column tiles (outputs ct*C..). */
export const chainEnds = (pl: Placement) => pl.chains.map((c, i) => ({ slot: c[c.length - 1]!, ct: pl.cts[i]! }));

