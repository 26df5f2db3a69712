// Events of a model known only by its config (GPT-2 124M, OPT-125M/1.3B/13B), extrapolated from a reference model
// measured on the functional model (docs/energy.md, "Extrapolation"). The rule, stated once: the reference program's
// layer structure (which ops, which tiles, which readouts) is kept, every shape is the config's, and each linear op
// role (q, k, v, o, up, gate, down, head) keeps the reference's measured activity per element: the input spike rate
// (nonzero values per value sent), the mean |spike|, the output spike rate, the fraction of tile-steps with an active
// row (ADC conversions happen only then) and the mean active row groups per tile-step (the scan's length). So the
// extrapolation assumes the large model's activations are as sparse as the small one's — the number it rests on.
import type { ChipConfig } from '../compiler/chip-config.js';
import { tileSpec } from '../compiler/chip-config.js';
import { attentionSpecOf } from '../compiler/attention-spec.js';
import type { LmConfig } from '../lm/model.js';
import { tokenEvents } from '../spec/attention.js';
import { routesOf } from './routing.js';
import { colGroups, type CrossbarSpec } from '../spec/crossbar.js';
import { roleOf, type AttentionEvents, type DigitalEvents, type EncoderEvents, type LinearEvents, type TokenEvents } from './events.js';

export interface RoleStats {
  role: string;
  inRate: number;
  meanMagnitude: number;
  outRate?: number;
  /** tile-steps with at least one active row, per tile-step */
  activeStepFraction: number;
  /** row groups with an active row, per tile-step */
  activeGroups: number;
  spikeBits: number;
  outBits?: number;
}

/** Activity per role, pooled over the reference model's layers (sums of events over sums of opportunities). */
export function roleStats(ref: TokenEvents): Map<string, RoleStats> {
  const acc = new Map<string, { ev: number; mag: number; el: number; oev: number; oel: number; conv: number; convMax: number; wr: number; wrMax: number; bits: number; obits?: number }>();
  for (const l of ref.linears) {
    const a = acc.get(l.role) ?? { ev: 0, mag: 0, el: 0, oev: 0, oel: 0, conv: 0, convMax: 0, wr: 0, wrMax: 0, bits: l.input.spikeBits, obits: l.output?.spikeBits };
    const tileSteps = l.counters.timesteps;
    a.ev += l.input.events;
    a.mag += l.input.magnitude;
    a.el += l.input.elements;
    if (l.output) {
      a.oev += l.output.events;
      a.oel += l.output.elements;
    }
    a.conv += l.counters.adc_conversions;
    a.convMax += tileSteps * l.tile.cols * l.tile.slices;
    a.wr += l.counters.weight_reads / colGroups(l.tile);
    a.wrMax += tileSteps;
    acc.set(l.role, a);
  }
  return new Map([...acc].map(([role, a]) => [role, {
    role, inRate: a.ev / a.el, meanMagnitude: a.ev ? a.mag / a.ev : 0, outRate: a.oel ? a.oev / a.oel : undefined,
    activeStepFraction: a.conv / a.convMax, activeGroups: a.wr / a.wrMax, spikeBits: a.bits, outBits: a.obits,
  }]));
}

/** A linear op's per-token events from its shape and its role's activity. */
export function linearFromStats(name: string, s: RoleStats, tile: CrossbarSpec, dIn: number, dOut: number, T: number, readout: 'spikes' | 'membrane', inTensor: string, outTensor: string): LinearEvents {
  const RT = Math.ceil(dIn / tile.rows);
  const CT = Math.ceil(dOut / tile.cols);
  const events = s.inRate * T * dIn;
  const activeRows = events * CT;
  const tileSteps = RT * CT * T;
  return {
    name, role: s.role, tile, rowTiles: RT, colTiles: CT, dIn, dOut, readout,
    counters: {
      timesteps: tileSteps, active_rows: activeRows, masked_rows: 0, cell_reads: activeRows * tile.cols * tile.slices * 2,
      adc_conversions: s.activeStepFraction * tileSteps * tile.cols * tile.slices, adc_clipped: 0, psum_saturated: 0,
      weight_reads: s.activeGroups * colGroups(tile) * tileSteps, weight_writes: 0,
    },
    input: { tensor: inTensor, events, magnitude: events * s.meanMagnitude, elements: T * dIn, spikeBits: s.spikeBits },
    output: readout === 'spikes' && s.outRate !== undefined ? { tensor: outTensor, events: s.outRate * T * dOut, magnitude: 0, elements: T * dOut, spikeBits: s.outBits ?? 1 } : undefined,
  };
}

/** dIn and dOut of a role in a config, with the reference's output multiple (pair mapping doubles Q/K/V). */
function shapeOf(role: string, c: LmConfig, refOutMultiple: number): [number, number] {
  const kv = c.nKvHeads * (c.dModel / c.nHeads);
  switch (role) {
    case 'q': return [c.dModel, refOutMultiple * c.dModel];
    case 'k':
    case 'v': return [c.dModel, refOutMultiple * kv];
    case 'o': return [c.dModel, c.dModel];
    case 'up':
    case 'gate': return [c.dModel, c.dFF];
    case 'down': return [c.dFF, c.dModel];
    case 'head': return [c.dModel, c.vocabSize];
    default: throw new Error(`scaledEvents: no shape rule for a linear op of role '${role}'`);
  }
}

/** Width in the scaled model of a width of the reference: d, d_ff, kv or vocab map across; anything else is an error. */
function widthMap(ref: LmConfig, c: LmConfig): (w: number) => number {
  const rkv = ref.nKvHeads * (ref.dModel / ref.nHeads);
  const kv = c.nKvHeads * (c.dModel / c.nHeads);
  return (w) => {
    if (w === ref.dModel) return c.dModel;
    if (w === ref.dFF) return c.dFF;
    if (w === rkv) return kv;
    if (w === ref.vocabSize) return c.vocabSize;
    throw new Error(`scaledEvents: width ${w} of the reference is none of d, d_ff, kv, vocab`);
  };
}

export interface ScaleTarget {
  name: string;
  config: LmConfig;
  chip: ChipConfig;
  /** mean cached positions per decoded token (the attention unit's n) */
  meanPositions: number;
}

/** Layer-major instances of a template list: what comes before layer 0, layer 0's items for every layer, the rest. */
function instances<X extends { name: string }>(items: readonly X[], layers: number): [X, number][] {
  const inLayer = (n: string) => /^L\d+\./.test(n);
  const first = items.findIndex((x) => inLayer(x.name));
  if (first < 0) return items.map((x) => [x, -1]);
  const layer0 = items.filter((x) => x.name.startsWith('L0.'));
  return [
    ...items.slice(0, first).map((x): [X, number] => [x, -1]),
    ...Array.from({ length: layers }, (_, l) => layer0.map((x): [X, number] => [x, l])).flat(),
    ...items.slice(first).filter((x) => !inLayer(x.name)).map((x): [X, number] => [x, -1]),
  ];
}

/** The reference's layer 0 and its head, instantiated for every layer of `t.config` with the reference's activity. */
export function scaledEvents(ref: TokenEvents, refConfig: LmConfig, t: ScaleTarget): TokenEvents {
  const stats = roleStats(ref);
  const T = t.chip.T;
  const rename = (name: string, l: number) => name.replace(/^L0\./, `L${l}.`);
  const w = widthMap(refConfig, t.config);
  const linears: LinearEvents[] = [];
  for (const [r, l] of instances(ref.linears, t.config.nLayers)) {
    const refBase = shapeOf(r.role, refConfig, 1)[1];
    const [dIn, dOut] = shapeOf(r.role, t.config, r.dOut / refBase);
    const tile = tileSpec(t.chip, r.tile.neuron?.spikes === 'graded-signed' || r.tile.neuron?.spikes === 'signed' ? 'signed' : 'unsigned');
    const nm = (x: string) => (l < 0 ? x : rename(x, l));
    linears.push(linearFromStats(nm(r.name), stats.get(r.role)!, tile, dIn, dOut, T, r.readout, nm(r.input.tensor), r.output ? nm(r.output.tensor) : nm(`${r.name}.out`)));
  }
  const encoders: EncoderEvents[] = [];
  for (const [x, l] of instances(ref.encoders, t.config.nLayers)) {
    const name = l < 0 ? x.name : rename(x.name, l);
    const out = l < 0 ? x.output.tensor : rename(x.output.tensor, l);
    const consumer = linears.find((y) => y.input.tensor === out);
    const width = w(x.width);
    const rate = x.output.events / x.output.elements;
    const events = consumer ? consumer.input.events : rate * T * width;
    encoders.push({ ...x, name, width, updates: width * T, output: { ...x.output, tensor: out, events, magnitude: events * (x.output.events ? x.output.magnitude / x.output.events : 0), elements: width * T } });
  }
  const digital: DigitalEvents[] = [];
  for (const [d, l] of instances(ref.digital, t.config.nLayers)) digital.push({ ...d, name: l < 0 ? d.name : rename(d.name, l), elements: w(d.elements) });
  const attentions: AttentionEvents[] = [];
  const a0 = ref.attentions[0];
  if (a0) {
    const hd = t.config.dModel / t.config.nHeads;
    const op = { kind: 'attention' as const, name: 'x', q: '', k: '', v: '', out: '', heads: t.config.nHeads, kvHeads: t.config.nKvHeads, headDim: hd, scoreShift: 0, softmax: 'approx' as const, inRange: 2 ** (a0.spec.qBits - 1) - 1 };
    const spec = attentionSpecOf(t.chip, op, op.inRange);
    const c = tokenEvents(spec, t.meanPositions, T);
    c.spikes_out = (a0.counters.spikes_out / a0.counters.encoder_updates) * c.encoder_updates;
    for (let l = 0; l < t.config.nLayers; l++) attentions.push({ name: `L${l}.attn`, spec, counters: c });
  }
  const tilesUsed = linears.reduce((s, l) => s + l.rowTiles * l.colTiles, 0);
  const capacity = t.chip.tiles.signed + t.chip.tiles.unsigned;
  const need = { signed: 0, unsigned: 0 };
  for (const l of linears) need[l.tile.neuron?.spikes === 'graded-signed' || l.tile.neuron?.spikes === 'signed' ? 'signed' : 'unsigned'] += l.rowTiles * l.colTiles;
  const streaming = need.signed > t.chip.tiles.signed || need.unsigned > t.chip.tiles.unsigned;
  return {
    provenance: 'extrapolated', model: t.name, chip: t.chip, tokens: ref.tokens, linears, attentions, encoders, digital,
    routes: routesOf(linears, t.chip.T, t.chip.neuronVWidth, streaming ? capacity : undefined),
    tilesUsed: streaming ? capacity : tilesUsed,
    weightStreaming: streaming,
  };
}

/** The chip sized to fit a model: as many tiles of each kind as its linear ops need (no weight streaming). */
export function chipSizedFor(ref: TokenEvents, refConfig: LmConfig, c: LmConfig, chip: ChipConfig): ChipConfig {
  const probe = scaledEvents(ref, refConfig, { name: 'probe', config: c, chip: { ...chip, tiles: { signed: 1 << 30, unsigned: 1 << 30 } }, meanPositions: 1 });
  const need = { signed: 0, unsigned: 0 };
  for (const l of probe.linears) need[l.tile.neuron?.spikes === 'graded-signed' || l.tile.neuron?.spikes === 'signed' ? 'signed' : 'unsigned'] += l.rowTiles * l.colTiles;
  return { ...chip, name: `${chip.name}-sized`, tiles: need };
}

export { roleOf };
