// Functional counterpart of the memory hierarchy (docs/memory.md) for the energy model: accesses and bits of every
// on-chip memory and of the off-chip weight stream, counted exactly as the RTL counters count them, without cycles.
// Totals are exact; the chip's counters wrap at their width (wrapCount gives the value a counter port shows).
// Counters that depend on timing (the loader's stall cycles) are not functional and are not here.
import { colGroups, crossbarMap, inputRange, rowGroups, type CrossbarSpec } from '../spec/crossbar.js';
import { beatsPerWord, burstPlan, commandRefusal, lifStateWordBits, MemoryInputError, type LoadCommand, type LoaderCounter, type WeightStreamSpec } from '../spec/memory.js';

/** One memory's traffic: words read and written, and the bits they move (words x the memory's word width). */
export interface MemoryTraffic {
  wordBits: number;
  reads: number;
  writes: number;
  readBits: number;
  writeBits: number;
}

const traffic = (wordBits: number, reads: number, writes: number): MemoryTraffic => ({ wordBits, reads, writes, readBits: reads * wordBits, writeBits: writes * wordBits });

/** The value a `bits`-wide wrapping counter shows after `n` events. */
export const wrapCount = (n: number, bits: number) => Number(BigInt(n) & ((1n << BigInt(bits)) - 1n));

// ---- the crossbar tile's weight memory ----

/** Weight-memory words the scan reads in one timestep (cnt_weight_reads): row groups with an active row x G. */
export function tileWeightReads(spec: CrossbarSpec, x: ArrayLike<number>, mask?: ArrayLike<number>): number {
  if (x.length !== spec.rows) throw new MemoryInputError(`row inputs: ${x.length} values, the tile has ${spec.rows} rows`);
  const [lo, hi] = inputRange(spec);
  let groups = 0;
  for (let g = 0; g < rowGroups(spec); g++) {
    let active = false;
    for (let i = 0; i < spec.rowsPerCycle; i++) {
      const r = g * spec.rowsPerCycle + i;
      const v = x[r]!;
      if (!Number.isInteger(v) || v < lo || v > hi) throw new MemoryInputError(`row input x[${r}] = ${v} is outside the ${spec.inSpikes} alphabet ${lo}..${hi}`);
      if (v !== 0 && (!mask || mask[r] === 1)) active = true;
    }
    if (active) groups++;
  }
  return groups * colGroups(spec);
}

/** The weight memory's traffic from the tile counters (cnt_weight_reads, cnt_weight_writes; exact totals). */
export function weightMemoryTraffic(spec: CrossbarSpec, counts: { weight_reads: number; weight_writes: number }): MemoryTraffic {
  return traffic(crossbarMap(spec).wordBits, counts.weight_reads, counts.weight_writes);
}

/**
 * The neuron-state memory of a neurons tile with G > 1 column groups (time-multiplexed column neurons, one state word
 * of Pc neurons per group): each timestep reads and writes every group's word once; each reset clears G words.
 * Tiles with G = 1 keep their neurons in registers: no state memory (undefined).
 */
export function tileNeuronStateTraffic(spec: CrossbarSpec, timesteps: number, resets = 1): MemoryTraffic | undefined {
  const G = colGroups(spec);
  if (spec.output !== 'neurons' || G === 1) return undefined;
  const wordBits = lifStateWordBits({ ...spec.neuron!, lanes: spec.colsPerCycle });
  return traffic(wordBits, timesteps * G, timesteps * G + resets * G);
}

// ---- the LIF array's state memory (dsl/lif_array.ts with `counters`) ----

/** cnt_state_reads / cnt_state_writes after `requests` accepted update requests and `resets` resets' clearing. */
export function lifStateAccesses(p: { neurons: number; lanes?: number }, requests: number, resets = 1): { state_reads: number; state_writes: number } {
  return { state_reads: requests, state_writes: requests + resets * (p.neurons / (p.lanes ?? 1)) };
}

export function lifStateTraffic(p: { vWidth: number; refractory: number; lanes?: number }, counts: { state_reads: number; state_writes: number }): MemoryTraffic {
  return traffic(lifStateWordBits(p), counts.state_reads, counts.state_writes);
}

// ---- the off-chip weight stream ----

export type LoaderFunctionalCounter = Exclude<LoaderCounter, 'req_stalls' | 'data_stalls' | 'target_stalls'>;

/**
 * The loader's counters after `cmds`, when the memory delivers every burst correctly: each command counted, a refused
 * one as a fault with nothing requested, the others as their burst plan's bursts and beats and their words written.
 */
export function loaderCounts(p: WeightStreamSpec, cmds: readonly LoadCommand[]): Record<LoaderFunctionalCounter, number> {
  const c = { commands: 0, bursts: 0, beats: 0, bits: 0, words: 0, faults: 0 };
  for (const cmd of cmds) {
    c.commands++;
    if (commandRefusal(p, cmd) !== undefined) {
      c.faults++;
      continue;
    }
    const plan = burstPlan(p, cmd);
    c.bursts += plan.length;
    c.beats += cmd.count * beatsPerWord(p);
    c.words += cmd.count;
  }
  c.bits = c.beats * p.beatBits;
  return c;
}

/** Off-chip reads (beats of beatBits) and configuration-port writes (words of the target's dataBits) of a stream. */
export function streamTraffic(p: WeightStreamSpec, counts: { beats: number; words: number }): { offchip: MemoryTraffic; configWrites: MemoryTraffic } {
  return { offchip: traffic(p.beatBits, counts.beats, 0), configWrites: traffic(p.target.dataBits, 0, counts.words) };
}
