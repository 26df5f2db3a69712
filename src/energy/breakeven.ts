// The break-even spike rate against the INT8 dense design (docs/energy.md, "Break-even"): the mean input spike rate
// of the crossbar ops at which the chip's energy per token equals the INT8 design's, in each tier. Every op's input
// rate is scaled by one factor s; what is proportional to spikes (synaptic accumulates, active rows, cell reads, row
// pulses, spike packets) scales by s, ADC conversions and scan cycles by the chance that a tile-step (a row group)
// still has an active row, assuming independent rows: 1 - (1 - r)^R (resp. ^Pr), relative to the measured rate.
// Neuron updates, attention, the digital units and streaming do not depend on the rate; spike packets scale with
// their tensor's spikes.
import { crossbarChip, memoryInclusive, opsOnly, type Tier } from './chip-energy.js';
import type { TokenEvents } from './events.js';

const activeChance = (r: number, rows: number) => 1 - (1 - r) ** rows;

/** The events with every crossbar op's input spike rate multiplied by `s` (capped at 1). */
export function eventsAtScale(e: TokenEvents, s: number): TokenEvents {
  const linears = e.linears.map((l) => {
    const r = l.input.elements ? l.input.events / l.input.elements : 0;
    const r2 = Math.min(1, r * s);
    const f = r > 0 ? r2 / r : 0;
    const conv = r > 0 ? activeChance(r2, l.tile.rows) / activeChance(r, l.tile.rows) : 0;
    const groups = r > 0 ? activeChance(r2, l.tile.rowsPerCycle) / activeChance(r, l.tile.rowsPerCycle) : 0;
    const c = l.counters;
    return {
      ...l,
      counters: { ...c, active_rows: c.active_rows * f, masked_rows: c.masked_rows * f, cell_reads: c.cell_reads * f, adc_conversions: c.adc_conversions * conv, weight_reads: c.weight_reads * groups },
      input: { ...l.input, events: l.input.events * f, magnitude: l.input.magnitude * f },
      output: l.output && { ...l.output, events: l.output.events * f, magnitude: l.output.magnitude * f },
    };
  });
  const encoders = e.encoders.map((x) => {
    const consumer = linears.find((l) => l.input.tensor === x.output.tensor);
    return consumer ? { ...x, output: { ...x.output, events: consumer.input.events, magnitude: consumer.input.magnitude } } : x;
  });
  // a route's packets, links and deliveries are proportional to its tensor's spikes (membrane readouts: fixed)
  const factor = new Map<string, number>();
  e.linears.forEach((l, i) => {
    const f = l.input.events > 0 ? linears[i]!.input.events / l.input.events : 0;
    factor.set(l.input.tensor, f);
    if (l.output) factor.set(l.output.tensor, f);
  });
  const routes = e.routes.map((r) => {
    const f = factor.get(r.from) ?? 1;
    return { ...r, packets: r.packets * f, hops: r.hops * f, delivered: r.delivered * f };
  });
  return { ...e, linears, encoders, routes };
}

/** Mean input spike rate of the crossbar ops: nonzero values over values sent, each input tensor counted once. */
export function meanSpikeRate(e: TokenEvents): number {
  const seen = new Map<string, { events: number; elements: number }>();
  for (const l of e.linears) seen.set(l.input.tensor, l.input);
  let ev = 0;
  let el = 0;
  for (const x of seen.values()) {
    ev += x.events;
    el += x.elements;
  }
  return el ? ev / el : 0;
}

export interface BreakEven {
  tier: Tier;
  measuredRate: number;
  /** the mean rate at which the chip's energy equals the target; undefined when there is none */
  rate?: number;
  /** 'below': the chip is cheaper only below `rate`; 'never': more expensive even without spikes; 'always': cheaper even at the highest rate */
  kind: 'below' | 'never' | 'always';
  chipAtZeroPj: number;
  chipMeasuredPj: number;
  targetPj: number;
}

const ENERGY: Record<Tier, (e: TokenEvents) => number> = {
  ops: (e) => opsOnly(e).totalPj,
  memory: (e) => memoryInclusive(e).totalPj,
  crossbar: (e) => crossbarChip(e).totalPj,
};

/** Solves E_chip(rate) = targetPj by bisection on the scale factor (E_chip grows with the rate). */
export function breakEven(e: TokenEvents, tier: Tier, targetPj: number): BreakEven {
  const energy = (s: number) => ENERGY[tier](eventsAtScale(e, s));
  const r0 = meanSpikeRate(e);
  const maxRate = Math.max(...e.linears.map((l) => (l.input.elements ? l.input.events / l.input.elements : 0)));
  const sMax = maxRate > 0 ? 1 / maxRate : 1;
  const base = { tier, measuredRate: r0, chipAtZeroPj: energy(0), chipMeasuredPj: energy(1), targetPj };
  if (base.chipAtZeroPj >= targetPj) return { ...base, kind: 'never' };
  if (energy(sMax) <= targetPj) return { ...base, kind: 'always' };
  let lo = 0;
  let hi = sMax;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (energy(mid) < targetPj) lo = mid;
    else hi = mid;
  }
  return { ...base, kind: 'below', rate: meanSpikeRate(eventsAtScale(e, (lo + hi) / 2)) };
}
