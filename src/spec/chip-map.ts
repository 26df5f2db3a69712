// The chip's configuration bus and its memory map (docs/chip.md, "Configuration interface"), generated from one
// table of regions: the RTL decoder (dsl/chip.ts), the golden chip model, the loader and docs/chip.md's table are
// all built from `busMap()`. THE write rule (`decodeWrite`: what a write does or why it is refused) and read rule
// (`decodeRead`) live here; every model calls them or implements exactly them.
import { bitsFor } from '../hdl/types.js';
import { ATT_COUNTERS, ATT_REG, attentionMap } from './attention.js';
import { crossbarMap, REGION, TILE_COUNTERS, TILE_REG } from './crossbar.js';
import { countBits as loaderCountBits, FAULT_BITS, LOADER_COUNTERS } from './memory.js';
import { PRUNING_COUNTERS } from './pruning.js';
import { groupBits, ROUTER_COUNTERS, ROUTER_REG, tileBits } from './router.js';
import {
  attentionSpecOfChip,
  BUS_COUNTERS,
  loaderSpecOf,
  northOf,
  positions,
  pruningSpecOf,
  routerSpecOf,
  SLOT_COUNTERS,
  SLOT_MODE,
  slotCount,
  southOf,
  tileSpecOf,
  type ChipSpec,
} from './chip.js';

export type Unit = 'chip' | 'router' | 'attention' | 'pruning' | 'loader' | 'slot';
/** Target field of an address: the units, then slot s at SLOT_TARGET + s. */
export const UNIT_TARGET = { chip: 0, router: 1, attention: 2, pruning: 3, loader: 4 } as const;
export const SLOT_TARGET = 8;
/** Bits of the region field (8 regions per target). */
export const REGION_BITS = 3;

/** One word of a region: its name, width and rule; `action`: a write triggers something and its data is ignored. */
export interface WordDef {
  name: string;
  width: number;
  action?: boolean;
}

export interface RegionDef {
  unit: Unit;
  region: number;
  name: string;
  access: 'w' | 'r';
  /** words by index; null = index not mapped */
  words: (WordDef | null)[];
  doc: string;
  /** writes are passed to this module's own configuration port */
  forward?: 'tile' | 'router' | 'attention';
}

/** Field names of a slot's and the chip's register regions, by index. */
export const SLOT_REG = { mode: 0, chain: 1, clearCounters: 2 } as const;
export const CHIP_REG = { clearCounters: 0 } as const;
export const PRUNE_REG = { watch: 0, copy: 1, tokenEnd: 2 } as const;
export const LOADER_REG = { target: 0, command: 1 } as const;
export const ATT_TOKEN = { token: 0 } as const;
export const CHIP_INFO = { chipId: 0, slots: 1 } as const;
/** Attention status word indices. */
export const ATT_STATUS = { flags: 0, tokPos: 1, cacheLen: 2 } as const;
/** Pruning status: the mask statistics, then the row mask in bus words. */
export const PRUNE_STATUS = { enabledRows: 0, activeCols: 1, lastRowsOff: 2, lastRowsOn: 3, flags: 4, rowMask: 5 } as const;
/** The column mask's first status word: after the row mask's words. */
export const colMaskStatus = (m: BusMap) => PRUNE_STATUS.rowMask + Math.ceil(m.spec.tile.rows / m.dataBits);

/** Bits of a slot's status word (region 7, index 0), low first. */
export const SLOT_STATUS_BITS = ['tile_ready', 'tile_cfg_error', 'link_busy', 'out_busy', 'psum_full'] as const;

export interface BusMap {
  spec: ChipSpec;
  dataBits: number;
  indexBits: number;
  targetBits: number;
  addrBits: number;
  /** staging slots (bus words) that supply the low bits of words wider than the bus */
  stageSlots: number;
  /** regions by unit (slot regions are the same for every slot) */
  regions: RegionDef[];
  /** the loader command's fields, low first: [name, bits] */
  commandFields: [string, number][];
}

const arr = (n: number, width: number, name: string): WordDef[] => Array.from({ length: n }, (_, i) => ({ name: `${name}[${i}]`, width }));
const named = (names: string[], widths: number[], actions: string[] = []): (WordDef | null)[] => names.map((n, i) => (widths[i]! > 0 || actions.includes(n) ? { name: n, width: widths[i]!, action: actions.includes(n) || undefined } : null));
const chunks = (total: number, bus: number, name: string): WordDef[] => Array.from({ length: Math.ceil(total / bus) }, (_, i) => ({ name: `${name}[${i}]`, width: Math.min(bus, total - i * bus) }));

export function busMap(p: ChipSpec): BusMap {
  const B = p.busBits;
  const N = slotCount(p);
  const tile = tileSpecOf(p, 'signed');
  const tm = crossbarMap(tile);
  const rs = routerSpecOf(p);
  const as = attentionSpecOfChip(p);
  const am = attentionMap(as);
  const ls = loaderSpecOf(p);
  const cw = p.tile.counterBits;
  const slotBits = bitsFor(Math.max(1, N - 1));
  const commandFields: [string, number][] = [['src', ls.addrBits], ['count', loaderCountBits(ls)], ['region', 2], ['base', ls.target.indexBits], ['first', 1]];
  const regions: RegionDef[] = [];
  const add = (r: RegionDef) => regions.push(r);
  // ---- the chip itself ----
  add({ unit: 'chip', region: 0, name: 'stage', access: 'w', words: arr(0, B, 'stage'), doc: 'staging words: the low bits of a word wider than the bus (slot k = bits [k·busBits +: busBits])' });
  add({ unit: 'chip', region: 1, name: 'registers', access: 'w', words: named(['clearCounters'], [0], ['clearCounters']), doc: 'clearCounters: zeroes the bus counters and the bus error flag (data ignored)' });
  add({ unit: 'chip', region: 2, name: 'info', access: 'r', words: named(['chipId', 'slots'], [32, bitsFor(N)]), doc: 'chipId: FNV-1a of the chip parameters (chipId()); slots: tile slots' });
  add({ unit: 'chip', region: 3, name: 'counters', access: 'r', words: BUS_COUNTERS.map((c) => ({ name: c, width: cw })), doc: 'bus counters (BUS_COUNTERS)' });
  // ---- router ----
  const T = positions(p);
  add({ unit: 'router', region: 0, name: 'tables', access: 'w', forward: 'router', words: arr(T * 2 ** groupBits(rs), T, 'table'), doc: `routing table entry {tile, group} (index tile·${2 ** groupBits(rs)} + group): destination mask, bit d = router position d (docs/router.md)` });
  add({ unit: 'router', region: 1, name: 'registers', access: 'w', forward: 'router', words: named(Object.keys(ROUTER_REG), [0], ['clearCounters']), doc: 'clearCounters: zeroes the router counters and its cfg_error' });
  add({ unit: 'router', region: 2, name: 'counters', access: 'r', words: ROUTER_COUNTERS.map((c) => ({ name: c, width: cw })), doc: 'router counters (docs/router.md)' });
  add({ unit: 'router', region: 3, name: 'status', access: 'r', words: named(['flags'], [1]), doc: 'flags {bit 0 cfg_error} (the decoder refuses bad entries before they reach the router, so it stays 0)' });
  // ---- attention ----
  const qBits = as.qHeads * as.headSize * as.qBits;
  const kvBits = as.kvHeads * as.headSize * as.kBits;
  add({ unit: 'attention', region: 0, name: 'registers', access: 'w', forward: 'attention', words: named(Object.keys(ATT_REG), [am.registerBits.scoreShift, am.registerBits.theta, am.registerBits.steps, 0], ['clearCounters']), doc: 'the unit\'s registers (docs/attention.md); steps outside 1..maxSteps is refused by the unit (its cfg_error)' });
  add({ unit: 'attention', region: 1, name: 'q', access: 'w', words: chunks(qBits, B, 'q'), doc: 'q of the next token, packed as the unit\'s in_q, in bus words' });
  add({ unit: 'attention', region: 2, name: 'k', access: 'w', words: chunks(kvBits, B, 'k'), doc: 'k of the next token (in_k), in bus words' });
  add({ unit: 'attention', region: 3, name: 'v', access: 'w', words: chunks(kvBits, B, 'v'), doc: 'v of the next token (in_v), in bus words' });
  add({ unit: 'attention', region: 4, name: 'token', access: 'w', words: named(['token'], [1]), doc: 'offers the token (bit 0 = seq_start); q, k, v and token writes wait while a token is offered' });
  add({ unit: 'attention', region: 5, name: 'status', access: 'r', words: named(['flags', 'tokPos', 'cacheLen'], [4, as.positionBits, bitsFor(as.context)]), doc: 'flags {bit 0 token offered, 1 ready, 2 ctx_error, 3 cfg_error}; tok_pos; cache_len' });
  add({ unit: 'attention', region: 6, name: 'counters', access: 'r', words: ATT_COUNTERS.map((c) => ({ name: c, width: as.counterBits })), doc: 'attention counters (docs/attention.md)' });
  // ---- pruning ----
  if (p.pruning.enabled) {
    const ps = pruningSpecOf(p);
    const nw = bitsFor(Math.max(ps.rows, ps.cols));
    add({ unit: 'pruning', region: 0, name: 'registers', access: 'w', words: named(['watch', 'copy', 'tokenEnd'], [slotBits, N, 0], ['tokenEnd']), doc: 'watch: the slot whose rows and spikes are counted; copy: slots (bit s) that take each new row mask; tokenEnd: ends a token (data ignored)' });
    add({ unit: 'pruning', region: 1, name: 'status', access: 'r', words: [...named(['enabledRows', 'activeCols', 'lastRowsOff', 'lastRowsOn', 'flags'], [nw, nw, nw, nw, 2]), ...chunks(ps.rows, B, 'rowMask'), ...chunks(ps.cols, B, 'colMask')], doc: 'mask statistics (docs/pruning.md); flags {bit 0 ready, bit 1 mask writes pending}; the row mask in force, then the column-activity mask, in bus words' });
    add({ unit: 'pruning', region: 2, name: 'counters', access: 'r', words: PRUNING_COUNTERS.map((c) => ({ name: c, width: cw })), doc: 'pruning counters (docs/pruning.md)' });
  }
  // ---- loader ----
  add({ unit: 'loader', region: 0, name: 'registers', access: 'w', words: named(['target', 'command'], [slotBits, commandFields.reduce((s, [, b]) => s + b, 0)]), doc: `target: the slot whose tile the loader writes; command: {${commandFields.map(([n, b]) => `${n} ${b} b`).reverse().join(', ')}} (high to low), taken when the loader is idle` });
  add({ unit: 'loader', region: 1, name: 'status', access: 'r', words: named(['flags'], [2 + FAULT_BITS]), doc: `flags {bit 0 idle (cmd_ready), bit 1 loaded, bits 2..${1 + FAULT_BITS} fault}` });
  add({ unit: 'loader', region: 2, name: 'counters', access: 'r', words: LOADER_COUNTERS.map((c) => ({ name: c, width: cw })), doc: 'loader counters (docs/memory.md)' });
  // ---- slots ----
  const tileRegs = named(Object.keys(TILE_REG), [tm.registerBits.threshold, tm.registerBits.leak, tm.registerBits.adcShift, 0], ['clearCounters']);
  add({ unit: 'slot', region: REGION.weights, name: 'weights', access: 'w', forward: 'tile', words: arr(tm.weightWords, tm.wordBits, 'weights'), doc: 'the tile\'s weight words (docs/crossbar.md region 0: index rowGroup·G + colGroup)' });
  add({ unit: 'slot', region: REGION.mask, name: 'mask', access: 'w', forward: 'tile', words: Array.from({ length: tm.maskWords }, (_, k) => ({ name: `mask[${k}]`, width: Math.min(tm.maskChunk, tile.rows - k * tm.maskChunk) })), doc: 'the tile\'s row mask (docs/crossbar.md region 1)' });
  add({ unit: 'slot', region: REGION.registers, name: 'tileRegisters', access: 'w', forward: 'tile', words: tileRegs, doc: 'the tile\'s registers (docs/crossbar.md region 2): threshold, adcShift, clearCounters' });
  add({ unit: 'slot', region: 3, name: 'registers', access: 'w', words: named(Object.keys(SLOT_REG), [2, 1, 0], ['clearCounters']), doc: `mode (${Object.entries(SLOT_MODE).map(([k, v]) => `${v} ${k}`).join(', ')}; link needs a slot below), chain (1: partial sums from the slot above; needs one), clearCounters (slot counters; data ignored)` });
  add({ unit: 'slot', region: 4, name: 'bias', access: 'w', words: arr(tile.cols, tile.psumBits, 'bias'), doc: 'psum_in of column c when the slot heads a chain (two\'s complement, psumBits)' });
  add({ unit: 'slot', region: 5, name: 'membranes', access: 'r', words: arr(tile.cols, p.neuronVWidth, 'membrane'), doc: 'column c\'s membrane after the last update (two\'s complement)' });
  add({ unit: 'slot', region: 6, name: 'counters', access: 'r', words: [...TILE_COUNTERS, ...SLOT_COUNTERS].map((c) => ({ name: c, width: cw })), doc: 'the tile\'s counters (docs/crossbar.md), then the slot counters (SLOT_COUNTERS)' });
  const lastPacketBits = tileBits(rs) + rs.neuronBits + rs.timestepBits + rs.payloadBits;
  add({ unit: 'slot', region: 7, name: 'status', access: 'r', words: named(['flags', 'have', 'nextStep', 'lastPacket'], [SLOT_STATUS_BITS.length, p.timesteps, bitsFor(p.timesteps - 1), lastPacketBits]), doc: `flags {${SLOT_STATUS_BITS.map((b, i) => `bit ${i} ${b}`).join(', ')}}; have: steps whose marker arrived (bit t); nextStep: the step the slot takes next; lastPacket: the last packet delivered {src, neuron, timestep, payload} (high to low)` });
  // staging covers the widest word
  const widest = Math.max(...regions.flatMap((r) => r.words.map((w) => w?.width ?? 0)));
  const stageSlots = Math.ceil(widest / B) - 1;
  regions[0]!.words = arr(stageSlots, B, 'stage');
  const indexBits = Math.max(1, ...regions.map((r) => bitsFor(Math.max(0, r.words.length - 1))));
  const targetBits = bitsFor(SLOT_TARGET + N - 1);
  return { spec: p, dataBits: B, indexBits, targetBits, addrBits: targetBits + REGION_BITS + indexBits, stageSlots, regions, commandFields };
}

export function regionOf(m: BusMap, unit: Unit, region: number): RegionDef | undefined {
  return m.regions.find((r) => r.unit === unit && r.region === region);
}

export function regionByName(m: BusMap, unit: Unit, name: string): RegionDef {
  const r = m.regions.find((x) => x.unit === unit && x.name === name);
  if (!r) throw new Error(`chip bus map: unit ${unit} has no region '${name}'`);
  return r;
}

/** The bus address of (unit or slot s, region, index). */
export function busAddress(m: BusMap, target: Unit, region: number, index: number, slot = 0): number {
  const t = target === 'slot' ? SLOT_TARGET + slot : UNIT_TARGET[target];
  return (t * 2 ** REGION_BITS + region) * 2 ** m.indexBits + index;
}

/** Address fields of a bus address. */
export function splitAddress(m: BusMap, addr: number): { target: number; region: number; index: number } {
  const index = addr % 2 ** m.indexBits;
  const rest = Math.floor(addr / 2 ** m.indexBits);
  return { target: Math.floor(rest / 2 ** REGION_BITS), region: rest % 2 ** REGION_BITS, index };
}

/** The unit (and slot) a target field names, or undefined when nothing is there. */
export function targetUnit(m: BusMap, target: number): { unit: Unit; slot: number } | undefined {
  if (target >= SLOT_TARGET) return target - SLOT_TARGET < slotCount(m.spec) ? { unit: 'slot', slot: target - SLOT_TARGET } : undefined;
  const e = Object.entries(UNIT_TARGET).find(([, v]) => v === target);
  if (!e) return undefined;
  if (e[0] === 'pruning' && !m.spec.pruning.enabled) return undefined;
  return { unit: e[0] as Unit, slot: 0 };
}

/** Bus words that carry a word of `width` bits: the staging slots hold all but the top one. */
export const wordChunks = (m: BusMap, width: number) => Math.max(1, Math.ceil(width / m.dataBits));

export type WriteEffect =
  | { ok: true; unit: Unit; slot: number; region: RegionDef; index: number; word: WordDef; value: bigint }
  | { ok: false; why: string };

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/**
 * What a bus write does: the word it writes (for a word wider than the bus, its low bits from the staging slots,
 * the top bits from `data`) or why it is refused. THE rule the RTL decoder implements.
 */
export function decodeWrite(m: BusMap, addr: number, data: bigint, stage: readonly bigint[]): WriteEffect {
  const { target, region, index } = splitAddress(m, addr);
  const at = targetUnit(m, target);
  if (!at) return { ok: false, why: `address 0x${addr.toString(16)}: target ${target} is not mapped` };
  const r = regionOf(m, at.unit, region);
  const where = `${at.unit === 'slot' ? `slot ${at.slot}` : at.unit} region ${region}`;
  if (!r) return { ok: false, why: `address 0x${addr.toString(16)}: ${where} is not mapped` };
  if (r.access !== 'w') return { ok: false, why: `address 0x${addr.toString(16)}: ${where} (${r.name}) is read-only` };
  const w = r.words[index];
  if (!w) return { ok: false, why: `address 0x${addr.toString(16)}: ${where} (${r.name}) has no word ${index} (words 0..${r.words.length - 1}${r.words.some((x) => !x) ? ', some unmapped' : ''})` };
  if (w.action) return { ok: true, unit: at.unit, slot: at.slot, region: r, index, word: w, value: 0n };
  const n = wordChunks(m, w.width);
  const top = w.width - (n - 1) * m.dataBits;
  if (data >> BigInt(top) !== 0n) return { ok: false, why: `${where} ${w.name}: data 0x${data.toString(16)} has bits above the word's ${top} ${n > 1 ? 'top bits' : 'bits'}` };
  let value = data;
  for (let k = n - 2; k >= 0; k--) value = (value << BigInt(m.dataBits)) | (stage[k] ?? 0n);
  // rules between words and the chip's shape
  const p = m.spec;
  if (at.unit === 'slot' && r.name === 'registers') {
    if (index === SLOT_REG.mode && value === BigInt(SLOT_MODE.link) && southOf(p, at.slot) === undefined) return { ok: false, why: `slot ${at.slot} mode link: the slot has no slot below it to pass partial sums to` };
    if (index === SLOT_REG.chain && value === 1n && northOf(p, at.slot) === undefined) return { ok: false, why: `slot ${at.slot} chain: the slot has no slot above it` };
  }
  const N = slotCount(p);
  if ((at.unit === 'pruning' && index === PRUNE_REG.watch) || (at.unit === 'loader' && index === LOADER_REG.target)) {
    if (value >= BigInt(N)) return { ok: false, why: `${at.unit} ${w.name} = ${value}: slots are 0..${N - 1}` };
  }
  return { ok: true, unit: at.unit, slot: at.slot, region: r, index, word: w, value: value & mask(w.width) };
}

export type ReadEffect = { ok: true; unit: Unit; slot: number; region: RegionDef; index: number; word: WordDef } | { ok: false; why: string };

/** What a bus read reads, or why it is refused (unmapped or write-only). */
export function decodeRead(m: BusMap, addr: number): ReadEffect {
  const { target, region, index } = splitAddress(m, addr);
  const at = targetUnit(m, target);
  if (!at) return { ok: false, why: `address 0x${addr.toString(16)}: target ${target} is not mapped` };
  const r = regionOf(m, at.unit, region);
  if (!r) return { ok: false, why: `address 0x${addr.toString(16)}: ${at.unit} region ${region} is not mapped` };
  if (r.access !== 'r') return { ok: false, why: `address 0x${addr.toString(16)}: ${at.unit} region ${region} (${r.name}) is write-only` };
  const w = r.words[index];
  if (!w) return { ok: false, why: `address 0x${addr.toString(16)}: ${at.unit} ${r.name} has no word ${index}` };
  return { ok: true, unit: at.unit, slot: at.slot, region: r, index, word: w };
}

/** The loader command word from its fields (low field first: src, count, region, base, first). */
export function packCommand(m: BusMap, c: { src: number; count: number; region: number; base: number; first: boolean }): bigint {
  let v = 0n;
  let at = 0;
  for (const [name, bits] of m.commandFields) {
    const x = BigInt(name === 'first' ? (c.first ? 1 : 0) : c[name as 'src' | 'count' | 'region' | 'base']);
    v |= (x & mask(bits)) << BigInt(at);
    at += bits;
  }
  return v;
}

export function unpackCommand(m: BusMap, v: bigint): { src: number; count: number; region: number; base: number; first: boolean } {
  const out: Record<string, number> = {};
  let at = 0;
  for (const [name, bits] of m.commandFields) {
    out[name] = Number((v >> BigInt(at)) & mask(bits));
    at += bits;
  }
  return { src: out.src!, count: out.count!, region: out.region!, base: out.base!, first: out.first === 1 };
}
