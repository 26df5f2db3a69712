// The on-chip memory hierarchy and the off-chip weight stream (docs/memory.md), shared by the RTL generators
// (dsl/weight_stream.ts, dsl/streamed_tile.ts, the access counters of dsl/lif_array.ts), the golden models
// (src/golden/weight-stream.ts, offchip-memory.ts), the functional counterpart (src/functional/memory.ts) and the
// compiler: parameters and ranges, derived widths, the command rules, the burst plan, the word <-> beat layout,
// fault codes and counters. Each model implements the datapath itself.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import { captureLoc, formatLoc, type SrcLoc } from '../hdl/srcloc.js';
import { bitsFor } from '../hdl/types.js';
import { requireRange } from '../params/define.js';
import { crossbarMap, encodeWeight, TILE_REG, type CrossbarSpec } from './crossbar.js';

// ---- access counters of the LIF array's state memory (opt-in parameter `counters` of dsl/lif_array.ts) ----

/** Counter widths every memory's access counters may have (they wrap modulo 2^bits). */
export const COUNTER_BITS: readonly [number, number] = [8, 48];

export const LIF_STATE_COUNTERS = ['state_reads', 'state_writes'] as const;
export type LifStateCounter = (typeof LIF_STATE_COUNTERS)[number];
export const LIF_STATE_COUNTER_DOC: Record<LifStateCounter, string> = {
  state_reads: 'state-memory words read: one per accepted update request (at its accepting edge)',
  state_writes: 'state-memory words written: one per clear-sequencer cycle after reset and one per write-back (the edge after the accepting one)',
};

/** Bits of one state word of a time-multiplexed LIF array: lanes x (membrane + refractory counter). */
export function lifStateWordBits(p: { vWidth: number; refractory: number; lanes?: number }): number {
  return (p.lanes ?? 1) * (p.vWidth + (p.refractory > 0 ? bitsFor(p.refractory) : 0));
}

// ---- the weight-streaming loader ----

/** The configuration port a loader writes: cfg_addr = {region (2 bits), index}, cfg_data of dataBits. */
export interface LoaderTarget {
  dataBits: number;
  indexBits: number;
  /** words of regions 0..3 a command may write (0: the region may not be written) */
  regionWords: readonly [number, number, number, number];
}

export interface WeightStreamSpec {
  /** width of one data beat of the off-chip read port */
  beatBits: number;
  /** width of a beat address (the off-chip memory is an array of 2^addrBits beats) */
  addrBits: number;
  /** most beats in one burst (a request's req_len is 1..maxBurst) */
  maxBurst: number;
  /** most bursts requested whose last beat has not arrived */
  maxOutstanding: number;
  /** consecutive cycles of waiting on the memory without a handshake that end a command (0: wait forever) */
  timeoutCycles: number;
  counterBits: number;
  target: LoaderTarget;
}

export const WEIGHT_STREAM_LIMITS = {
  beatBits: [8, 1024],
  addrBits: [4, 48],
  maxBurst: [1, 256],
  maxOutstanding: [1, 16],
  timeoutCycles: [0, 65535],
  counterBits: COUNTER_BITS,
} as const;
export const TARGET_LIMITS = { dataBits: [1, 4096], indexBits: [1, 20] } as const;

export const WEIGHT_STREAM_DOC: Record<keyof typeof WEIGHT_STREAM_LIMITS | 'target', string> = {
  beatBits: 'width of one data beat of the off-chip read port',
  addrBits: 'width of a beat address: the off-chip memory is an array of 2^addrBits beats',
  maxBurst: 'most beats per burst; bursts are maxBurst beats except the last of a command',
  maxOutstanding: 'most bursts requested whose last beat has not arrived',
  timeoutCycles: 'T: T consecutive cycles of waiting on the memory without a handshake end the command (0: no timeout)',
  counterBits: 'counter width (counters wrap modulo 2^counterBits)',
  target: 'the configuration port written: dataBits (1..4096), indexBits (1..20), words of each of the 4 regions (0..2^indexBits)',
};

/** Checks every parameter at once; each problem names the parameter and its allowed range, at `loc` (or `locs[name]`). */
export function checkWeightStreamSpec(p: WeightStreamSpec, loc: SrcLoc | undefined, who = 'weightStreamLoader', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(WEIGHT_STREAM_LIMITS)) requireRange(who, k, p[k as keyof typeof WEIGHT_STREAM_LIMITS], lo, hi, at(k));
    const t = p.target;
    if (!t || typeof t !== 'object') {
      report(makeDiagnostic('PARAM_TYPE', `${who}: parameter target is missing (the configuration port the loader writes)`, at('target')));
      return;
    }
    for (const [k, [lo, hi]] of Object.entries(TARGET_LIMITS)) requireRange(who, `target.${k}`, t[k as keyof typeof TARGET_LIMITS], lo, hi, at(`target.${k}`));
    if (!Array.isArray(t.regionWords) || t.regionWords.length !== 4) {
      report(makeDiagnostic('PARAM_TYPE', `${who}: parameter target.regionWords must list the words of the 4 regions, got ${JSON.stringify(t.regionWords)}`, at('target.regionWords')));
      return;
    }
    const maxIndex = Number.isInteger(t.indexBits) ? 2 ** Math.min(t.indexBits, TARGET_LIMITS.indexBits[1]) : 0;
    t.regionWords.forEach((n, r) => requireRange(who, `target.regionWords[${r}]`, n, 0, maxIndex, at('target.regionWords')));
    if (t.regionWords.every((n) => n === 0)) report(makeDiagnostic('PARAM_RANGE', `${who}: parameter target.regionWords has no writable region (all 0); at least one needs 1..${maxIndex} words`, at('target.regionWords')));
  });
}

/** B: beats per configuration word (a word never shares a beat with another word). */
export const beatsPerWord = (p: WeightStreamSpec) => Math.ceil(p.target.dataBits / p.beatBits);
/** Bits above the word in its last beat; they must be 0 (else the beat is a fault, nothing is truncated). */
export const padBits = (p: WeightStreamSpec) => beatsPerWord(p) * p.beatBits - p.target.dataBits;
/** Width of cmd_count: holds the largest region. */
export const countBits = (p: WeightStreamSpec) => bitsFor(Math.max(...p.target.regionWords));
/** Width of a command's beat count (at most the largest region x B). */
export const transferBits = (p: WeightStreamSpec) => bitsFor(Math.max(...p.target.regionWords) * beatsPerWord(p));
/** Width of req_len (1..maxBurst beats). */
export const lenBits = (p: WeightStreamSpec) => bitsFor(p.maxBurst);
export const cfgAddrBits = (p: WeightStreamSpec) => p.target.indexBits + 2;

/** The loader's view of a crossbar tile's configuration port (docs/crossbar.md address map). */
export function tileTarget(spec: CrossbarSpec): LoaderTarget {
  const m = crossbarMap(spec);
  return { dataBits: m.dataBits, indexBits: m.indexBits, regionWords: [m.weightWords, m.maskWords, Object.keys(TILE_REG).length, 0] };
}

/** A crossbar tile programmed by a loader (dsl/streamed_tile.ts): the tile and the loader, whose target is the tile. */
export interface StreamedTileParams {
  tile: CrossbarSpec;
  stream: Omit<WeightStreamSpec, 'target'>;
}

export const streamedLoaderSpec = (p: StreamedTileParams): WeightStreamSpec => ({ ...p.stream, target: tileTarget(p.tile) });

// ---- commands ----

export interface LoadCommand {
  /** beat address of the first word's first beat */
  src: number;
  /** words to load */
  count: number;
  /** target region (0..3) and index of the first word written */
  region: number;
  base: number;
  /** the command starts a new image: clears the image's fault and makes `loaded` possible */
  first: boolean;
}

/** Why the loader refuses a command (docs/memory.md), or undefined when it runs it. Fields as the ports carry them. */
export function commandRefusal(p: WeightStreamSpec, c: LoadCommand): string | undefined {
  const words = p.target.regionWords[c.region] ?? 0;
  if (c.count === 0) return 'count = 0 (a command loads at least one word)';
  if (c.base + c.count > words) return `base + count = ${c.base} + ${c.count} exceeds region ${c.region}'s ${words} words`;
  const beats = c.count * beatsPerWord(p);
  if (c.src + beats > 2 ** p.addrBits) return `src + count x ${beatsPerWord(p)} beats = ${c.src + beats} exceeds the ${2 ** p.addrBits}-beat address space`;
  return undefined;
}

/** Bad input given from TypeScript (a command, a word, an image): the message names the field or tensor, its allowed range and the caller's TS line. */
export class MemoryInputError extends RangeError {
  constructor(message: string, loc = captureLoc()) {
    super(`${message} (at ${formatLoc(loc)})`);
    this.name = 'MemoryInputError';
  }
}

/**
 * Checks a command before it is placed on the ports (compiler, testbenches): every field an integer inside its
 * range, and the command inside its region and the address space. Throws MemoryInputError naming the field.
 */
export function checkLoadCommand(p: WeightStreamSpec, c: LoadCommand, who = 'load command'): void {
  const loc = captureLoc();
  const int = (name: keyof LoadCommand, lo: number, hi: number) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new MemoryInputError(`${who}: ${name} = ${v} is outside ${lo}..${hi}`, loc);
  };
  int('region', 0, 3);
  const words = p.target.regionWords[c.region]!;
  if (words === 0) throw new MemoryInputError(`${who}: region = ${c.region} is not writable (it has 0 words; writable: ${p.target.regionWords.map((n, r) => (n ? r : -1)).filter((r) => r >= 0).join(', ')})`, loc);
  int('base', 0, words - 1);
  if (c.count === 0) throw new MemoryInputError(`${who}: count = 0 is a zero-length transfer; allowed: 1..${words - c.base} (region ${c.region} has ${words} words from base ${c.base})`, loc);
  int('count', 1, words - c.base);
  int('src', 0, 2 ** p.addrBits - c.count * beatsPerWord(p));
  if (typeof c.first !== 'boolean') throw new MemoryInputError(`${who}: first = ${String(c.first)} must be true or false`, loc);
}

/** The bursts of a command, in request order: maxBurst beats each, the last one the remainder. */
export function burstPlan(p: WeightStreamSpec, c: Pick<LoadCommand, 'src' | 'count'>): { addr: number; len: number }[] {
  const total = c.count * beatsPerWord(p);
  const out: { addr: number; len: number }[] = [];
  for (let b = 0; b < total; b += p.maxBurst) out.push({ addr: c.src + b, len: Math.min(p.maxBurst, total - b) });
  return out;
}

/** Cycles a command occupies edge to edge (accepting edge to the next command's) with no stall anywhere, a memory of
 * `latency` cycles, and enough outstanding bursts to hide it (latency <= (maxOutstanding - 1) x maxBurst). */
export function streamCycles(p: WeightStreamSpec, count: number, latency: number): number {
  return latency + count * beatsPerWord(p) + 2;
}

// ---- layout of words in the off-chip memory ----

/** The B beats of a configuration word, beat j = bits [j*beatBits +: beatBits] (pad bits 0). */
export function wordBeats(p: WeightStreamSpec, word: bigint): bigint[] {
  if (word < 0n || word >> BigInt(p.target.dataBits) !== 0n) throw new MemoryInputError(`word 0x${word.toString(16)} does not fit the target's ${p.target.dataBits}-bit configuration data`);
  const mask = (1n << BigInt(p.beatBits)) - 1n;
  return Array.from({ length: beatsPerWord(p) }, (_, j) => (word >> BigInt(j * p.beatBits)) & mask);
}

/** The configuration word of B beats (inverse of wordBeats). */
export function beatsWord(p: WeightStreamSpec, beats: readonly bigint[]): bigint {
  return beats.reduceRight((w, b) => (w << BigInt(p.beatBits)) | b, 0n);
}

/** Faults that end a command (code on the `fault` port: the image's first). */
export const FAULT = { none: 0, refused: 1, earlyLast: 2, missingLast: 3, padBits: 4, timeout: 5 } as const;
export type FaultName = keyof typeof FAULT;
export const FAULT_BITS = 3;
export const FAULT_DOC: Record<FaultName, string> = {
  none: 'no fault since the image started',
  refused: 'a command was refused: count 0, past its region, or past the address space (nothing requested, nothing written)',
  earlyLast: 'a beat came with data_last = 1 before the last beat of its burst (the stream ended early)',
  missingLast: 'the last beat of a burst came with data_last = 0 (the burst runs on)',
  padBits: 'the last beat of a word has a bit set above the word (it would be truncated)',
  timeout: 'T consecutive cycles waiting on the memory without a handshake',
};

export const LOADER_COUNTERS = ['commands', 'bursts', 'beats', 'bits', 'req_stalls', 'data_stalls', 'target_stalls', 'words', 'faults'] as const;
export type LoaderCounter = (typeof LOADER_COUNTERS)[number];
export const LOADER_COUNTER_DOC: Record<LoaderCounter, string> = {
  commands: 'commands accepted (refused ones included)',
  bursts: 'burst requests taken by the memory (req_valid and req_ready)',
  beats: 'data beats taken (data_valid and data_ready), including beats discarded after a fault',
  bits: 'bits read from the memory: beats x beatBits',
  req_stalls: 'cycles with req_valid = 1 and req_ready = 0 (the memory stalls a request)',
  data_stalls: 'cycles with data_ready = 1 and data_valid = 0 (the loader waits for a beat)',
  target_stalls: 'cycles with cfg_we = 1 and tgt_ready = 0 (the target is busy)',
  words: 'configuration words written: edges with cfg_we = 1 and tgt_ready = 1',
  faults: 'commands that ended in a fault (refused ones included), one each',
};

// ---- a crossbar tile's image (what the compiler places in the off-chip memory) ----

/** The weight words of a tile (region 0, index rowGroup x G + colGroup) for a weight matrix [rows][cols], canonical cells. */
export function tileWeightWords(spec: CrossbarSpec, weights: ArrayLike<number>): bigint[] {
  const m = crossbarMap(spec);
  const { rows: R, cols: C, rowsPerCycle: Pr, colsPerCycle: Pc, slices: S } = spec;
  if (weights.length !== R * C) throw new MemoryInputError(`weights: ${weights.length} values, the tile holds ${R} x ${C} = ${R * C}`);
  const cb = BigInt(bitsFor(spec.cellLevels - 1));
  const G = C / Pc;
  const words: bigint[] = [];
  for (let k = 0; k < m.weightWords; k++) {
    const g = Math.floor(k / G);
    const cg = k % G;
    let w = 0n;
    for (let i = 0; i < Pr; i++) {
      for (let j = 0; j < Pc; j++) {
        const r = g * Pr + i;
        const c = cg * Pc + j;
        let cells;
        try {
          cells = encodeWeight(weights[r * C + c]!, spec);
        } catch (e) {
          throw new MemoryInputError(`weights[${r}][${c}]: ${(e as Error).message}`);
        }
        for (let s = 0; s < S; s++) {
          const off = BigInt(m.cellOffset(i, j, s));
          w |= (BigInt(cells.pos[s]!) << off) | (BigInt(cells.neg[s]!) << (off + cb));
        }
      }
    }
    words.push(w);
  }
  return words;
}

/** The row-mask words of a tile (region 1): bit i of word k = mask of row k x M + i. */
export function tileMaskWords(spec: CrossbarSpec, mask: ArrayLike<number>): bigint[] {
  const m = crossbarMap(spec);
  if (mask.length !== spec.rows) throw new MemoryInputError(`row mask: ${mask.length} bits, the tile has ${spec.rows} rows`);
  return Array.from({ length: m.maskWords }, (_, k) => {
    let w = 0n;
    for (let i = Math.min(m.maskChunk, spec.rows - k * m.maskChunk) - 1; i >= 0; i--) {
      const b = mask[k * m.maskChunk + i]!;
      if (b !== 0 && b !== 1) throw new MemoryInputError(`row mask[${k * m.maskChunk + i}] = ${b}; each mask bit is 0 or 1`);
      w = (w << 1n) | BigInt(b);
    }
    return w;
  });
}

export interface TileImage {
  /** weight matrix [rows][cols], row-major */
  weights: ArrayLike<number>;
  /** row mask (1 = enabled); absent: not loaded (all rows stay enabled after reset) */
  mask?: ArrayLike<number>;
  /** register values (neurons tiles: threshold and, with a leak, leak); absent: not loaded */
  threshold?: number;
  leak?: number;
  adcShift?: number;
}

/** The parts of a tile image, one command each, in load order: weights (region 0), mask (1), registers (2). */
export function tileImageParts(spec: CrossbarSpec, img: TileImage): { region: number; base: number; words: bigint[] }[] {
  const m = crossbarMap(spec);
  const parts = [{ region: 0, base: 0, words: tileWeightWords(spec, img.weights) }];
  if (img.mask) parts.push({ region: 1, base: 0, words: tileMaskWords(spec, img.mask) });
  // registers the tile has, in index order; consecutive ones share a command
  let run: { region: number; base: number; words: bigint[] } | undefined;
  for (const [name, index] of [['threshold', TILE_REG.threshold], ['leak', TILE_REG.leak], ['adcShift', TILE_REG.adcShift]] as const) {
    const v = img[name];
    const bits = m.registerBits[name];
    if (v === undefined) {
      run = undefined;
      continue;
    }
    if (bits === 0) throw new MemoryInputError(`${name} = ${v}: this tile has no ${name} register (output '${spec.output}'${name === 'leak' ? `, leak '${spec.neuron?.leak}'` : ''})`);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new MemoryInputError(`${name} = ${v} is outside 0..${2 ** bits - 1} (its register has ${bits} bits)`);
    if (run && run.base + run.words.length === index) run.words.push(BigInt(v));
    else {
      run = { region: 2, base: index, words: [BigInt(v)] };
      parts.push(run);
    }
  }
  return parts;
}

/** Places image parts one after another from beat address `src` and gives their commands (the first one starts the image). */
export function imageCommands(p: WeightStreamSpec, parts: readonly { region: number; base: number; words: readonly bigint[] }[], src: number): { cmd: LoadCommand; beats: bigint[] }[] {
  let at = src;
  return parts.map((part, i) => {
    const cmd = { src: at, count: part.words.length, region: part.region, base: part.base, first: i === 0 };
    checkLoadCommand(p, cmd, `image part ${i} (region ${part.region})`);
    at += part.words.length * beatsPerWord(p);
    return { cmd, beats: part.words.flatMap((w) => wordBeats(p, w)) };
  });
}
