// The chip top's definition (docs/chip.md), shared by the RTL generator (dsl/chip.ts), the golden chip model
// (src/golden/chip-cycle.ts), the chip program loader (src/chip/loader.ts) and the tests: the parameters and their
// ranges, the grid (slots, the host port, the tile pools, the partial-sum chains), the specs of every module the chip
// instantiates (derived here once from the chip's parameters, through the modules' own rules), the chip
// configuration a compiled program must have been compiled for, and the slot rules (modes, counters). The bus
// address map is src/spec/chip-map.ts.
import { attentionSpecOf } from '../compiler/attention-spec.js';
import { tileSpec, type ChipConfig, DEFAULT_CHIP } from '../compiler/chip-config.js';
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import type { SrcLoc } from '../hdl/srcloc.js';
import { bitsFor, log2ceil } from '../hdl/types.js';
import { requireChoice, requireRange } from '../params/define.js';
import type { AttentionSpec } from './attention.js';
import { crossbarMap, inputWidth, tileOutputWidth, type AdcRounding, type CrossbarSpec } from './crossbar.js';
import { tileTarget, type WeightStreamSpec } from './memory.js';
import { pruningForTile, type PruningSpec } from './pruning.js';
import type { RouterSpec } from './router.js';

export type TileKind = 'signed' | 'unsigned';

/** The chip's parameters (dsl/params.ts `chip`, resolved). */
export interface ChipSpec {
  /** X x Y router positions; the last one, (X-1, Y-1), is the host port, every other one a tile slot */
  meshX: number;
  meshY: number;
  /** slots whose neurons fire signed spikes: the first ones from the bottom row up; the others fire unsigned (ReLU) spikes */
  signedTiles: number;
  /** T: timesteps per token (the depth of every slot's input buffer) */
  timesteps: number;
  /** array parameters every tile shares (docs/crossbar.md); rows = cols, a power of two */
  tile: { rows: number; cols: number; cellLevels: number; slices: number; inLevels: number; adcBits: number; adcRounding: AdcRounding; rowsPerCycle: number; colsPerCycle: number; psumBits: number; counterBits: number };
  /** the column neurons' membrane width (at least psumBits: a chain link passes its partial sums as membranes) */
  neuronVWidth: number;
  /** K: largest graded spike of the neurons */
  spikeLevels: number;
  /** packets per input FIFO of every router port */
  routerFifoDepth: number;
  /** width of the configuration bus's data (write data and read data) */
  busBits: number;
  /** the attention unit (docs/attention.md); its widths follow attentionSpecOf (src/compiler/attention-spec.ts) */
  attention: { context: number; lanes: number; heads: number; kvHeads: number; headSize: number; inBits: number; scoreBits: number; expLutBits: number; expFracBits: number; recipBits: number; policy: 'error' | 'sliding' };
  /** the pruning controller hook (docs/pruning.md), threshold policy; absent controller when enabled = false */
  pruning: { enabled: boolean; window: number; countBits: number; thetaOn: number; thetaOff: number };
  /** the weight-streaming loader (docs/memory.md) and its off-chip read port */
  stream: { beatBits: number; addrBits: number; maxBurst: number; maxOutstanding: number; timeoutCycles: number };
}

/** Ranges of the chip-level integer parameters (documented in docs/chip.md from this table). */
export const CHIP_LIMITS = {
  meshX: [1, 16],
  meshY: [1, 16],
  signedTiles: [0, 63],
  timesteps: [1, 16],
  neuronVWidth: [8, 32],
  spikeLevels: [1, 15],
  routerFifoDepth: [1, 16],
  busBits: [32, 256],
} as const;

export const CHIP_DOC: Record<keyof typeof CHIP_LIMITS | 'tile' | 'attention' | 'pruning' | 'stream', string> = {
  meshX: 'X, router positions per row; X x Y - 1 tile slots (2..64 positions)',
  meshY: 'Y, rows of router positions; the host port sits at (X-1, Y-1)',
  signedTiles: 'slots with signed neurons (the first from the bottom row up, west to east); the rest have unsigned (ReLU) neurons',
  timesteps: 'T, timesteps per token: every slot buffers the row inputs of T timesteps',
  neuronVWidth: 'the column neurons\' membrane width; at least tile.psumBits (a chain link passes partial sums as membranes)',
  spikeLevels: 'K, largest graded spike of the neurons (1: binary/ternary)',
  routerFifoDepth: 'D, packets per router input FIFO',
  busBits: 'width of the configuration bus data; every readable word fits, wider words are staged',
  tile: 'the crossbar array parameters every tile shares (docs/crossbar.md); rows = cols, a power of two; inputs graded-signed of tile.inLevels',
  attention: 'the attention unit: context, lanes, heads, kvHeads, headSize, inBits (q/k/v count width) and the softmax settings (docs/attention.md)',
  pruning: 'the pruning controller hook: enabled, window W, countBits, thetaOn/thetaOff of the threshold policy (docs/pruning.md)',
  stream: 'the weight-streaming loader: beatBits, addrBits, maxBurst, maxOutstanding, timeoutCycles (docs/memory.md)',
};

/** Bad data given to a chip model, the loader or a bus helper: names it, its range and the caller's TS line. */
export class ChipInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ChipInputError';
  }
}

const pow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Checks every chip parameter and every rule between them, reporting all problems at once, each at the parameter's
 * own line when `locs` has it (paramLocations of dsl/params.ts) and at `loc` otherwise. The modules the chip
 * instantiates check their own derived specs again when generated.
 */
export function checkChipSpec(p: ChipSpec, loc: SrcLoc | undefined, who = 'chipTop', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(CHIP_LIMITS)) requireRange(who, k, p[k as keyof typeof CHIP_LIMITS], lo, hi, at(k));
    const bad = (name: string, msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, at(name)));
    const positions = p.meshX * p.meshY;
    if (positions < 2 || positions > 64) bad('meshX', `a ${p.meshX} x ${p.meshY} mesh has ${positions} router positions; allowed: 2..64 (one is the host port, the others tile slots)`);
    else if (p.signedTiles > positions - 1) bad('signedTiles', `signedTiles = ${p.signedTiles} is outside 0..${positions - 1} (the mesh has ${positions - 1} tile slots)`);
    const t = p.tile;
    if (t.rows !== t.cols) bad('tile.rows', `tile.rows = ${t.rows} and tile.cols = ${t.cols} must be equal: a tile's outputs are the rows of the next layer's tiles`);
    if (!pow2(t.rows) || t.rows < 2) bad('tile.rows', `tile.rows = ${t.rows} must be a power of two, at least 2: a packet's row is the low log2(rows) bits of its neuron id`);
    if (p.neuronVWidth < t.psumBits) bad('neuronVWidth', `neuronVWidth = ${p.neuronVWidth} must be at least tile.psumBits = ${t.psumBits}: a chain link passes its partial sums as membranes`);
    if (t.inLevels < p.spikeLevels) bad('tile.inLevels', `tile.inLevels = ${t.inLevels} cannot take the neurons' spikes of ${p.spikeLevels} levels; allowed: ${p.spikeLevels}..15`);
    const a = p.attention;
    requireRange(who, 'attention.inBits', a.inBits, 2, 16, at('attention.inBits'));
    requireChoice(who, 'attention.policy', a.policy, ['error', 'sliding'], at('attention.policy'));
    if (p.pruning.enabled) {
      requireRange(who, 'pruning.thetaOn', p.pruning.thetaOn, 0, 2 ** p.pruning.countBits - 1, at('pruning.thetaOn'));
      requireRange(who, 'pruning.thetaOff', p.pruning.thetaOff, 0, p.pruning.thetaOn, at('pruning.thetaOff'));
    }
    if (p.stream.timeoutCycles < 0) bad('stream.timeoutCycles', `stream.timeoutCycles = ${p.stream.timeoutCycles} must be at least 0`);
  });
  // widths every readable word must fit (checked once the basic ranges hold, since they derive from them)
  validateAll(() => {
    const need = readableBits(p);
    if (p.busBits < need.bits) report(makeDiagnostic('PARAM_RANGE', `${who}: busBits = ${p.busBits} cannot read ${need.what} (${need.bits} bits); allowed: ${need.bits}..${CHIP_LIMITS.busBits[1]}`, at('busBits')));
    const m = crossbarMap(tileSpecOf(p, 'signed'));
    if (m.maskWords !== 1) report(makeDiagnostic('PARAM_RANGE', `${who}: a tile's row mask must be one configuration word (rows ${p.tile.rows} > data width ${m.dataBits}): the pruning hook writes it in one write`, at('tile.rows')));
    if (tileOutputWidth(p.tile) > p.tile.psumBits) report(makeDiagnostic('PARAM_RANGE', `${who}: tile.psumBits = ${p.tile.psumBits} cannot hold a tile's output (${tileOutputWidth(p.tile)} bits)`, at('tile.psumBits')));
  });
}

/** The widest word the bus reads (a counter, a membrane, a status word), and what it is. */
function readableBits(p: ChipSpec): { bits: number; what: string } {
  const cands: [number, string][] = [
    [p.tile.counterBits, 'a tile counter'],
    [ATTENTION_COUNTER_BITS, 'an attention counter'],
    [p.neuronVWidth, 'a membrane'],
    [32, 'the chip id'],
  ];
  return cands.reduce((a, [bits, what]) => (bits > a.bits ? { bits, what } : a), { bits: 0, what: '' });
}

/** The attention unit's counters (attentionSpecOf gives them 48 bits). */
export const ATTENTION_COUNTER_BITS = 48;

// ---- the grid ----

/** Router positions (X x Y) and tile slots (all but the host port). */
export const positions = (p: Pick<ChipSpec, 'meshX' | 'meshY'>) => p.meshX * p.meshY;
export const slotCount = (p: Pick<ChipSpec, 'meshX' | 'meshY'>) => positions(p) - 1;
/** The host port's router position: the last one, (X-1, Y-1). Slot s is router tile s (row-major). */
export const hostTile = (p: Pick<ChipSpec, 'meshX' | 'meshY'>) => positions(p) - 1;
export const slotXY = (p: Pick<ChipSpec, 'meshX'>, s: number) => ({ x: s % p.meshX, y: Math.floor(s / p.meshX) });
export const slotAt = (p: Pick<ChipSpec, 'meshX'>, x: number, y: number) => y * p.meshX + x;

/**
 * The neuron alphabet of slot s: signed for the first `signedTiles` slots counted from the bottom row up, west to
 * east in a row (the host port skipped). Chains run down a column, so their ends — the neurons that fire or keep
 * membranes — sit low: long chains (the wide inputs of the down projection) end in signed slots.
 */
export function slotKind(p: Pick<ChipSpec, 'meshX' | 'meshY' | 'signedTiles'>, s: number): TileKind {
  const { x, y } = slotXY(p, s);
  // rank from the bottom row up; the host port is the last position of the bottom row, so it is never counted
  const rank = (p.meshY - 1 - y) * p.meshX + x - (y < p.meshY - 1 ? 1 : 0);
  return rank < p.signedTiles ? 'signed' : 'unsigned';
}

/** The slot above s (y - 1), or undefined (top row). */
export function northOf(p: Pick<ChipSpec, 'meshX' | 'meshY'>, s: number): number | undefined {
  const { x, y } = slotXY(p, s);
  return y > 0 ? slotAt(p, x, y - 1) : undefined;
}

/** The slot below s (y + 1), or undefined (bottom row, or the host port below). */
export function southOf(p: Pick<ChipSpec, 'meshX' | 'meshY'>, s: number): number | undefined {
  const { x, y } = slotXY(p, s);
  if (y + 1 >= p.meshY) return undefined;
  const t = slotAt(p, x, y + 1);
  return t === hostTile(p) ? undefined : t;
}

// ---- the chip a program is compiled for ----

/** The chip configuration (src/compiler/chip-config.ts) of this chip: what a program must have been compiled for. */
export function chipConfigOf(p: ChipSpec): ChipConfig {
  const t = p.tile;
  const slots = slotCount(p);
  return {
    // host-side units (residual, norm, beam) are not on the chip: the compiler's defaults, not compared by the loader
    ...DEFAULT_CHIP,
    name: `rtl-${p.meshX}x${p.meshY}-${t.rows}x${t.cols}`,
    T: p.timesteps,
    tile: { rows: t.rows, cols: t.cols, cellLevels: t.cellLevels, slices: t.slices, inSpikes: t.inLevels > 1 ? 'graded-signed' : 'signed', inLevels: t.inLevels, adcBits: t.adcBits, adcRounding: t.adcRounding, rowsPerCycle: t.rowsPerCycle, colsPerCycle: t.colsPerCycle, psumBits: t.psumBits, counterBits: t.counterBits },
    neuronVWidth: p.neuronVWidth,
    tiles: { signed: Math.min(p.signedTiles, slots), unsigned: slots - Math.min(p.signedTiles, slots) },
    spikeLevels: p.spikeLevels,
    attention: { context: p.attention.context, lanes: p.attention.lanes, expLutBits: p.attention.expLutBits, expFracBits: p.attention.expFracBits, recipBits: p.attention.recipBits, scoreBits: p.attention.scoreBits, policy: p.attention.policy },
  };
}

/** The full spec of a tile of one kind: the compiler's tileSpec of this chip's configuration (one definition). */
export const tileSpecOf = (p: ChipSpec, kind: TileKind): CrossbarSpec => tileSpec(chipConfigOf(p), kind);

/** The attention unit: attentionSpecOf for an op of the chip's heads, with q/k/v counts of attention.inBits bits. */
export function attentionSpecOfChip(p: ChipSpec): AttentionSpec {
  const a = p.attention;
  return attentionSpecOf(chipConfigOf(p), { kind: 'attention', name: 'chip', q: '', k: '', v: '', out: '', heads: a.heads, kvHeads: a.kvHeads, headDim: a.headSize, scoreShift: 0, softmax: 'approx', inRange: 0 }, 2 ** (a.inBits - 1) - 1);
}

/** Fields of a packet: neuron ids cover a tile's columns and the host's inputs to a chain of up to Y tiles. */
export function routerSpecOf(p: ChipSpec): RouterSpec {
  const gs = log2ceil(p.tile.rows);
  return {
    meshX: p.meshX,
    meshY: p.meshY,
    neuronBits: Math.max(1, gs + log2ceil(p.meshY)),
    timestepBits: bitsFor(p.timesteps - 1),
    payloadBits: inputWidth(tileSpecOf(p, 'signed')),
    groupShift: gs,
    fifoDepth: p.routerFifoDepth,
    counterBits: p.tile.counterBits,
  };
}

/** The shared pruning controller: one tile's rows and columns; column fields as wide as the wider spike alphabet. */
export function pruningSpecOf(p: ChipSpec): PruningSpec {
  const rest = { window: p.pruning.window, countBits: p.pruning.countBits, counterBits: p.tile.counterBits, policy: { kind: 'threshold' as const, thetaOn: p.pruning.thetaOn, thetaOff: p.pruning.thetaOff }, columns: { thetaOn: 1, thetaOff: 0 } };
  const s = pruningForTile(tileSpecOf(p, 'signed'), rest);
  const u = pruningForTile(tileSpecOf(p, 'unsigned'), rest);
  return { ...s, colWidth: Math.max(s.colWidth, u.colWidth) };
}

/** The loader, targeting a tile's configuration port (both kinds have the same map). */
export function loaderSpecOf(p: ChipSpec): WeightStreamSpec {
  return { ...p.stream, counterBits: p.tile.counterBits, target: tileTarget(tileSpecOf(p, 'signed')) };
}

// ---- slots ----

/** What a slot's tile does with its outputs (docs/chip.md, "Slots"). */
export const SLOT_MODE = { off: 0, link: 1, spikes: 2, membrane: 3 } as const;
export type SlotMode = keyof typeof SLOT_MODE;
export const SLOT_MODE_DOC: Record<SlotMode, string> = {
  off: 'takes no timestep',
  link: 'a chain link: restart every step, threshold 0, so the membranes are the partial sums; they go to the slot below',
  spikes: 'chain end: the neurons fire; every nonzero spike leaves as a packet, then an end-of-step marker',
  membrane: 'chain end: the membranes after every step are kept for the host to read',
};

/** Slot event counters (beside the tile's own TILE_COUNTERS), in read order. */
export const SLOT_COUNTERS = ['packets_out', 'markers_out', 'packets_in', 'markers_in', 'dropped_in'] as const;
export type SlotCounter = (typeof SLOT_COUNTERS)[number];
export const SLOT_COUNTER_DOC: Record<SlotCounter, string> = {
  packets_out: 'spike packets the router took from this slot (nonzero spikes of spikes-mode steps)',
  markers_out: 'end-of-step markers the router took from this slot (one per spikes-mode step)',
  packets_in: 'packets delivered with a nonzero payload (written into a row of the input buffer)',
  markers_in: 'end-of-step markers delivered (payload 0: the step is complete)',
  dropped_in: 'packets delivered with a timestep >= T (dropped)',
};

/** Bus counters of the chip's configuration interface. */
export const BUS_COUNTERS = ['writes', 'reads', 'refused'] as const;
export type BusCounter = (typeof BUS_COUNTERS)[number];
export const BUS_COUNTER_DOC: Record<BusCounter, string> = {
  writes: 'bus writes performed (refused ones included)',
  reads: 'bus reads performed (refused ones included)',
  refused: 'bus accesses refused: unmapped address, data wider than the word, read-only or write-only word, a mode/chain the slot cannot take',
};

/** A 32-bit identifier of the chip's parameters (FNV-1a of their canonical JSON), readable on the bus. */
export function chipId(p: ChipSpec): number {
  const canon = (v: unknown): string => (v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v));
  let h = 0x811c9dc5;
  for (const ch of canon(p)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
