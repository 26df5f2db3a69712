// Energy per token of the chip from its events (events.ts), in three tiers reported side by side (docs/energy.md):
//  ops      — ops-only at 45 nm, the spiking-network literature's convention: E_AC per synaptic accumulate (a graded
//             spike of magnitude k counts k), E_MAC per multiply of the digital parts;
//  memory   — ops + SRAM traffic of a digital realisation of the same events (weights read per synaptic event,
//             neuron state read and written per update, KV cache, score buffer, digital operands), after Lemaire et al.;
//  crossbar — the memristive chip itself: cell reads, row drivers, ADC conversions by resolution, shift-and-add,
//             tile neurons and their state memory, encoders, routing, the attention unit's SRAM and arithmetic,
//             digital units, the pruning controller and off-chip weight streaming.
// Every figure is an estimate; each part names what it counts. Constants: constants.ts.
import { tileNeuronStateTraffic } from '../functional/memory.js';
import { accWidth, denWidth, divideCycles, dotWidth, kvWords, recipWidth, type AttentionSpec } from '../spec/attention.js';
import { colGroups, maxWeight, type CrossbarSpec } from '../spec/crossbar.js';
import { comparisonsPerWindow, type PruningSpec } from '../spec/pruning.js';
import { bitsFor } from '../hdl/types.js';
import { adcPj, dramPjPerBit, hopPjPerBit, intAddPj, intMultPj, pj, sramPjPerBit } from './constants.js';
import { digitalOps } from './digital-ops.js';
import { tileImageWords, type LinearEvents, type TokenEvents } from './events.js';

export type Tier = 'ops' | 'memory' | 'crossbar';

export const TIER_LABEL: Record<Tier, string> = {
  ops: 'ops-only (45 nm: E_AC 0.9 pJ, E_MAC 4.6 pJ)',
  memory: 'memory-inclusive (ops + SRAM: weights, neuron state, KV)',
  crossbar: 'crossbar chip (cells, ADC, drivers, routing, attention, digital, DRAM)',
};

export interface EnergyResult {
  tier: Tier;
  /** pJ per token by part */
  parts: Record<string, number>;
  totalPj: number;
  notes: string[];
}

export interface ChipEnergyOptions {
  /** the pruning controller watching every tile (its overhead), or none */
  pruning?: Pick<PruningSpec, 'window' | 'countBits' | 'policy' | 'columns'>;
  /** DRAM at the high end of Horowitz's range */
  dramHigh?: boolean;
}

const total = (parts: Record<string, number>) => Object.values(parts).reduce((s, x) => s + x, 0);
const result = (tier: Tier, parts: Record<string, number>, notes: string[]): EnergyResult => ({ tier, parts, totalPj: total(parts), notes });

/** Fraction of a linear op's nonzero inputs the row masks let through. */
const enabled = (l: LinearEvents) => (l.counters.active_rows + l.counters.masked_rows > 0 ? l.counters.active_rows / (l.counters.active_rows + l.counters.masked_rows) : 1);
/** Unit pulses per active row: the mean |spike| of the input (a graded spike of magnitude k drives k unit pulses). */
const pulses = (l: LinearEvents) => (l.input.events > 0 ? l.input.magnitude / l.input.events : 0);
/** Column neurons updated per token: every column of the chain's last tile, every step. */
const neuronUpdates = (l: LinearEvents) => (l.counters.timesteps / l.rowTiles) * l.tile.cols;
const weightBits = (t: CrossbarSpec) => bitsFor(maxWeight(t)) + 1;

/** FP32 operations of the digital-softmax ablation's float steps: an exp by range reduction and a degree-5
 *  polynomial (6 multiply-adds), a reciprocal by Newton iterations from a table seed (4 multiply-adds). Stated
 *  assumptions, priced with the cited FP32 MAC. */
export const FP32_EXP_MACS = 6;
export const FP32_RECIP_MACS = 4;

function attentionOps(a: AttentionSpec, c: Record<string, number>, softmax?: 'approx' | 'exact'): { macs: number; adds: number; mults: number } {
  const normalizations = c.encoder_updates! / Math.max(1, a.maxSteps);
  if (softmax === 'exact') return { macs: c.score_macs! + c.value_macs! + c.exp_evals! * FP32_EXP_MACS + c.divisions! * FP32_RECIP_MACS, adds: 0, mults: normalizations };
  return { macs: c.score_macs! + c.value_macs!, adds: c.exp_evals! + c.divisions! * divideCycles(a), mults: normalizations };
}

export function opsOnly(e: TokenEvents): EnergyResult {
  const ac = pj('fp32_add');
  const mac = pj('fp32_mac');
  let sops = 0;
  for (const l of e.linears) sops += l.input.magnitude * enabled(l) * l.dOut;
  const enc = e.encoders.filter((x) => !x.ofAttention).reduce((s, x) => s + x.updates, 0);
  let attMac = 0;
  let attAdd = 0;
  for (const a of e.attentions) {
    const o = attentionOps(a.spec, a.counters, a.softmax);
    attMac += o.macs + o.mults;
    attAdd += o.adds + a.counters.encoder_updates!;
  }
  let dMult = 0;
  let dAdd = 0;
  for (const d of e.digital) {
    const o = digitalOps(d);
    dMult += o.mult * d.elements;
    dAdd += o.add * d.elements;
  }
  return result('ops', {
    'synaptic accumulates (E_AC x |spike| x fan-out)': sops * ac,
    'encoder integrations (E_AC)': enc * ac,
    'attention MACs and normalisation (E_MAC), exp/divider (E_AC)': attMac * mac + attAdd * ac,
    'digital units (E_MAC per multiply, E_AC per add)': dMult * mac + dAdd * ac,
  }, ['neuron updates of the tiles are not counted (the literature convention); a graded spike of magnitude k counts k accumulates']);
}

/** Per-bit SRAM energy of a neuron/encoder state memory or small operand buffer (8 kB or less). */
const smallSram = () => sramPjPerBit(0);

function kvParts(a: AttentionSpec, c: Record<string, number>): { kv: number; score: number } {
  const kBytes = (kvWords(a) * a.lanes * a.kBits) / 8;
  const vBytes = (kvWords(a) * a.lanes * a.vBits) / 8;
  const kvBitsRead = c.kv_read_bits!;
  const kvBitsWritten = c.kv_write_bits!;
  const frac = a.kBits / (a.kBits + a.vBits);
  const kv = kvBitsRead * (frac * sramPjPerBit(kBytes) + (1 - frac) * sramPjPerBit(vBytes)) + kvBitsWritten * (frac * sramPjPerBit(kBytes) + (1 - frac) * sramPjPerBit(vBytes));
  const score = c.score_buffer_accesses! * a.scoreBits * sramPjPerBit((a.context * a.scoreBits) / 8);
  return { kv, score };
}

/** Bits streamed from DRAM per token when the model needs more tiles than the chip has: every tile image once. */
export function streamedBitsPerToken(e: TokenEvents): number {
  if (!e.weightStreaming) return 0;
  return e.linears.reduce((s, l) => {
    const img = tileImageWords(l.tile);
    return s + l.rowTiles * l.colTiles * img.words * img.dataBits;
  }, 0);
}

export function memoryInclusive(e: TokenEvents): EnergyResult {
  const ops = opsOnly(e);
  let weights = 0;
  let state = 0;
  let dram = 0;
  for (const l of e.linears) {
    const wb = weightBits(l.tile);
    const bank = (l.tile.rows * l.tile.cols * wb) / 8;
    // a digital SNN reads the weight row of every input event: active rows x the tile's columns, per tile
    weights += l.counters.active_rows * l.tile.cols * wb * sramPjPerBit(bank);
    state += neuronUpdates(l) * 2 * (l.tile.neuron?.vWidth ?? 0) * smallSram();
    if (e.weightStreaming) dram += l.dIn * l.dOut * wb * dramPjPerBit();
  }
  for (const x of e.encoders) if (!x.ofAttention) state += x.updates * 2 * x.vBits * smallSram();
  let kv = 0;
  for (const a of e.attentions) {
    const k = kvParts(a.spec, a.counters);
    kv += k.kv + k.score;
    state += a.counters.encoder_updates! * 2 * a.spec.encVBits * smallSram();
  }
  const operands = e.digital.reduce((s, d) => s + 2 * d.elements * d.bits, 0) * smallSram();
  const parts: Record<string, number> = { ...Object.fromEntries(Object.entries(ops.parts).map(([k, v]) => [`ops: ${k}`, v])) };
  parts['SRAM: weight reads per synaptic event'] = weights;
  parts['SRAM: neuron state read + write per update'] = state;
  parts['SRAM: KV cache and score buffer'] = kv;
  parts['SRAM: digital units\' operands'] = operands;
  if (dram) parts['DRAM: weights streamed per token'] = dram;
  return result('memory', parts, [...ops.notes, 'SRAM energy per bit from the memory\'s size (Horowitz 8 kB / 32 kB / 1 MB points); weights in banks of one tile\'s size']);
}

export function crossbarChip(e: TokenEvents, o: ChipEnergyOptions = {}): EnergyResult {
  const parts: Record<string, number> = {};
  const add = (k: string, v: number) => (parts[k] = (parts[k] ?? 0) + v);
  const notes: string[] = [];
  let adcExtrapolated = false;
  for (const l of e.linears) {
    const t = l.tile;
    const k = pulses(l);
    add('cells: reads (x unit pulses per row)', l.counters.cell_reads * k * pj('xbar_cell_read'));
    add('row drivers (1-bit DAC pulses)', l.counters.active_rows * k * pj('xbar_dac_1b'));
    const adc = adcPj(t.adcBits);
    adcExtrapolated ||= adc.extrapolated;
    add(`ADC conversions (${t.adcBits} b)`, l.counters.adc_conversions * adc.pj);
    add('shift-and-add, partial-sum chain', l.counters.adc_conversions * pj('xbar_shift_add'));
    const vw = t.neuron?.vWidth ?? 0;
    add('tile neurons (integrate, compare, reset)', neuronUpdates(l) * 3 * intAddPj(vw));
    const st = tileNeuronStateTraffic(t, l.counters.timesteps / l.rowTiles, 0);
    if (st) add('tile neuron state memory', (st.readBits + st.writeBits) * sramPjPerBit((colGroups(t) * st.wordBits) / 8));
  }
  for (const x of e.encoders) {
    if (x.ofAttention) continue;
    add('encoders (LIF arrays: integrate, compare, reset; state)', x.updates * (3 * intAddPj(x.vBits) + 2 * x.vBits * smallSram()));
  }
  for (const a of e.attentions) {
    const s = a.spec;
    const c = a.counters;
    const k = kvParts(s, c);
    add('attention: KV cache SRAM', k.kv);
    add('attention: score buffer SRAM', k.score);
    if (a.softmax === 'exact') {
      // the digital softmax unit: integer q.k as the unit's, then float exp, e.v, reciprocal and normalisation
      add('attention: q.k and e.v MACs', c.score_macs! * (intMultPj(s.qBits, s.kBits) + intAddPj(dotWidth(s))) + c.value_macs! * pj('fp32_mac'));
      add('attention: float exp, reciprocal, normalisation (digital softmax)', (c.exp_evals! * FP32_EXP_MACS + c.divisions! * FP32_RECIP_MACS) * pj('fp32_mac') + (c.encoder_updates! / s.maxSteps) * (pj('fp32_mac') - pj('fp32_add')));
      add('attention: output encoder', c.encoder_updates! * (3 * intAddPj(s.encVBits) + 2 * s.encVBits * smallSram()));
      continue;
    }
    add('attention: q.k and e.v MACs', c.score_macs! * (intMultPj(s.qBits, s.kBits) + intAddPj(dotWidth(s))) + c.value_macs! * (intMultPj(s.expFracBits + 1, s.vBits) + intAddPj(accWidth(s))));
    add('attention: exp LUT, divider, normalisation', c.exp_evals! * intAddPj(s.expFracBits + 1) + c.divisions! * divideCycles(s) * intAddPj(denWidth(s)) + (c.encoder_updates! / s.maxSteps) * intMultPj(accWidth(s), recipWidth(s)));
    add('attention: output encoder', c.encoder_updates! * (3 * intAddPj(s.encVBits) + 2 * s.encVBits * smallSram()));
  }
  for (const d of e.digital) {
    const ops = digitalOps(d);
    add('digital units (norm, residual, activation, rope, counts)', d.elements * (ops.mult * intMultPj(d.bits) + ops.add * intAddPj(d.bits) + 2 * d.bits * smallSram()));
  }
  let packets = 0;
  let traversals = 0;
  for (const r of e.routes) {
    // a packet copy passes one router per link and one at each delivery (the destination's local output)
    add('routing (spike and value packets on the mesh)', (r.hops + r.delivered) * r.bitsPerPacket * hopPjPerBit());
    packets += r.packets;
    traversals += r.hops + r.delivered;
  }
  notes.push(`routing: ${packets.toFixed(0)} packets per token, ${(traversals / Math.max(1, packets)).toFixed(2)} router traversals each (XY-tree multicast as docs/router.md, on the tile grid in program order; ISAAC's router energy per bit)`);
  if (o.pruning) {
    const cb = o.pruning.countBits;
    let incr = 0;
    let cmp = 0;
    for (const l of e.linears) {
      const tiles = l.rowTiles * l.colTiles;
      // every nonzero input row and every nonzero output column is an increment: the chain's psum tiles and a
      // membrane readout count every column (an upper bound), a spike readout its output spikes
      const steps = l.counters.timesteps / tiles;
      const psumCols = (l.rowTiles - 1) * l.colTiles * l.tile.cols * steps;
      incr += l.counters.active_rows + l.counters.masked_rows + psumCols + (l.output ? l.output.events : l.colTiles * l.tile.cols * steps);
      cmp += (tiles * comparisonsPerWindow({ rows: l.tile.rows, cols: l.tile.cols, countBits: cb, policy: o.pruning.policy })) / o.pruning.window;
    }
    add('pruning controllers (activity counts, policy comparisons)', (incr + cmp) * intAddPj(cb));
  } else notes.push('pruning controller: off in this program (no overhead counted)');
  const streamed = streamedBitsPerToken(e);
  if (streamed) {
    add('DRAM: tile images streamed per token', streamed * dramPjPerBit(o.dramHigh));
    add('tile configuration writes of the streamed images', streamed * smallSram());
    notes.push('weight streaming: every tile image read from DRAM once per token; the memristor programming energy of reloading cells is NOT included (and per-token reprogramming exceeds RRAM write endurance)');
  }
  if (e.attentions.some((a) => a.softmax === 'exact')) notes.push(`digital softmax: exp ${FP32_EXP_MACS} and reciprocal ${FP32_RECIP_MACS} FP32 multiply-adds each (assumed op counts, priced with Horowitz's FP32 MAC)`);
  if (adcExtrapolated) notes.push('ADC above 10 b: extrapolated from the 10-bit figure at constant Walden figure of merit (x2 per bit)');
  notes.push('32 nm crossbar periphery (ISAAC) beside 45 nm digital (Horowitz), not rescaled; static/leakage power not modelled');
  return result('crossbar', parts, notes);
}

export function chipTiers(e: TokenEvents, o: ChipEnergyOptions = {}): Record<Tier, EnergyResult> {
  return { ops: opsOnly(e), memory: memoryInclusive(e), crossbar: crossbarChip(e, o) };
}
