// The events of one token on the chip, per unit (crossbar linear ops, attention units, encoders, digital units,
// spike routes, weight streaming): the input of the energy and latency models. `eventsFromSnn` reads them from a
// chip functional model that has run text (its tile and attention counters, its spike statistics: measured on the
// functional model, which a test shows equal to the RTL's counters); src/energy/scaling.ts builds the same
// structure for a model known only by its config (extrapolated). Every count is per token.
// Adapter note: SnnModel keeps its layers private, so per-tile counters are not read here; the latency model takes
// per-row-tile activity from the tapped input spikes instead (latency.ts).
import type { ChipConfig } from '../compiler/chip-config.js';
import { tileSpec } from '../compiler/chip-config.js';
import { attentionSpecOf } from '../compiler/attention-spec.js';
import type { ProgOp } from '../compiler/program.js';
import type { TileCounters } from '../golden/crossbar.js';
import type { SnnModel } from '../runtime/snn.js';
import type { AttentionCounter, AttentionSpec } from '../spec/attention.js';
import { crossbarMap, TILE_COUNTERS, type CrossbarSpec } from '../spec/crossbar.js';
import { bitsFor } from '../hdl/types.js';
import { routesOf } from './routing.js';

export type Provenance = 'measured' | 'extrapolated';

export interface LinearEvents {
  name: string;
  /** q, k, v, o, up, gate, down or head */
  role: string;
  tile: CrossbarSpec;
  rowTiles: number;
  colTiles: number;
  dIn: number;
  dOut: number;
  readout: 'spikes' | 'membrane';
  /** tile counters per token, summed over the op's tiles (weight_writes: programming, not per token: 0) */
  counters: TileCounters;
  /** the input spike tensor per token: nonzero values, their total magnitude, values sent (T x dIn) */
  input: SpikeTraffic;
  /** spike readout: the output spikes per token */
  output?: SpikeTraffic;
}

export interface SpikeTraffic {
  tensor: string;
  events: number;
  magnitude: number;
  elements: number;
  /** bits of one spike value (magnitude and sign) */
  spikeBits: number;
}

export interface AttentionEvents {
  name: string;
  spec: AttentionSpec;
  /** 'exact': the digital-softmax ablation (float exp, reciprocal and e.v), priced as float arithmetic */
  softmax?: 'approx' | 'exact';
  counters: Record<AttentionCounter, number>;
}

/** An integrate-and-fire encoder (a time-multiplexed LIF array) turning `width` integers into T steps of spikes. */
export interface EncoderEvents {
  name: string;
  width: number;
  vBits: number;
  /** neuron updates per token: width x T */
  updates: number;
  output: SpikeTraffic;
  /** attention output encoders are the attention unit's own (counted there as encoder_updates) */
  ofAttention: boolean;
}

export type DigitalKind = 'norm' | 'residual' | 'rescale' | 'mul' | 'activation' | 'rope' | 'count' | 'embed';

export interface DigitalEvents {
  name: string;
  kind: DigitalKind;
  /** elements processed per token */
  elements: number;
  bits: number;
  /** count: steps summed per element */
  steps?: number;
}

/** Packets sent per token from a producer to the tiles (or unit) that consume it. */
/** A spike route per token (routing.ts): packets injected, router-to-router link traversals, deliveries. */
export interface RouteEvents {
  from: string;
  packets: number;
  hops: number;
  delivered: number;
  bitsPerPacket: number;
}

export interface TokenEvents {
  provenance: Provenance;
  model: string;
  chip: ChipConfig;
  /** tokens the counts were averaged over */
  tokens: number;
  linears: LinearEvents[];
  attentions: AttentionEvents[];
  encoders: EncoderEvents[];
  digital: DigitalEvents[];
  routes: RouteEvents[];
  /** tiles the program occupies, and whether it streams weights (the chip has too few tiles) */
  tilesUsed: number;
  weightStreaming: boolean;
}

export const roleOf = (name: string) => (name === 'head' ? 'head' : (/^L\d+\.(\w+)$/.exec(name)?.[1] ?? name));

const perToken = (c: TileCounters, tokens: number): TileCounters => Object.fromEntries(TILE_COUNTERS.map((k) => [k, k === 'weight_writes' ? 0 : c[k] / tokens])) as TileCounters;

/** The per-token events of a chip program from a functional model that has run `model.stats.tokens` tokens. */
export function eventsFromSnn(m: SnnModel, modelName: string): TokenEvents {
  const p = m.program;
  const tokens = m.stats.tokens;
  if (tokens < 1) throw new Error('eventsFromSnn: the functional model has run no tokens yet');
  const traffic = (t: string): SpikeTraffic | undefined => {
    const s = m.stats.spikes.get(t);
    const c = p.tensors[t]?.coding;
    return s && { tensor: t, events: s.events / tokens, magnitude: s.magnitude / tokens, elements: s.elements / tokens, spikeBits: bitsFor(c?.levels ?? 1) + (c?.signed ? 1 : 0) };
  };
  const tc = m.tileCounters();
  const ac = m.attentionCounters();
  const linears: LinearEvents[] = [];
  const attentions: AttentionEvents[] = [];
  const encoders: EncoderEvents[] = [];
  const digital: DigitalEvents[] = [];
  const attOuts = new Set(p.ops.filter((o) => o.kind === 'attention').map((o) => (o as ProgOp & { kind: 'attention' }).out));
  for (const op of p.ops) {
    const width = (t: string) => p.tensors[t]!.width;
    switch (op.kind) {
      case 'linear':
        linears.push({
          name: op.name, role: roleOf(op.name), tile: tileSpec(p.chip, op.tiles.kind), rowTiles: op.tiles.rowTiles, colTiles: op.tiles.colTiles,
          dIn: op.dIn, dOut: op.dOut, readout: op.readout, counters: perToken(tc.get(op.name)!, tokens),
          input: traffic(op.input)!, output: op.readout === 'spikes' ? traffic(op.out) : undefined,
        });
        break;
      case 'attention': {
        const c = ac.get(op.name);
        if (!c) throw new Error(`eventsFromSnn: attention ${op.name} has no counters (it has run no token)`);
        attentions.push({ name: op.name, spec: attentionSpecOf(p.chip, op, op.inRange), softmax: op.softmax, counters: Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v / tokens])) as Record<AttentionCounter, number> });
        break;
      }
      case 'encode': {
        const w = width(op.out);
        encoders.push({ name: op.name, width: w, vBits: p.chip.neuronVWidth, updates: w * p.chip.T, output: traffic(op.out)!, ofAttention: attOuts.has(op.input) });
        break;
      }
      case 'count':
        digital.push({ name: op.name, kind: 'count', elements: width(op.out), bits: p.chip.residualBits, steps: p.chip.T * (op.pair ? 2 : 1) });
        break;
      case 'norm':
        digital.push({ name: op.name, kind: 'norm', elements: width(op.out), bits: p.chip.residualBits });
        break;
      case 'embed':
      case 'residual':
      case 'rescale':
      case 'mul':
      case 'activation':
      case 'rope':
        digital.push({ name: op.name, kind: op.kind, elements: width(op.out), bits: p.chip.residualBits });
        break;
      case 'logits':
        break;
    }
  }
  return {
    provenance: 'measured', model: modelName, chip: p.chip, tokens, linears, attentions, encoders, digital,
    routes: routesOf(linears, p.chip.T, p.chip.neuronVWidth, p.summary.weightStreaming ? p.chip.tiles.signed + p.chip.tiles.unsigned : undefined),
    tilesUsed: p.summary.tiles.signed + p.summary.tiles.unsigned,
    weightStreaming: p.summary.weightStreaming,
  };
}

/** Words (of the tile's cfg_data width) of one tile's image: weights, registers (threshold, adcShift), no mask. */
export function tileImageWords(t: CrossbarSpec): { words: number; dataBits: number } {
  const m = crossbarMap(t);
  return { words: m.weightWords + 2, dataBits: m.dataBits };
}
