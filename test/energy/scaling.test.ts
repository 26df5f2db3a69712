// The extrapolation to config-only models: applied to the reference model's own config it must give back what was
// measured (the pooled per-role rates reproduce the counters' sums), and on a wider model every count must grow as
// the shapes say. Also the measured run's bookkeeping (events per token times tokens = the functional model's totals).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../../src/compiler/chip-config.js';
import { compileModel } from '../../src/compiler/compile.js';
import { crossbarChip } from '../../src/energy/chip-energy.js';
import { measureProgram } from '../../src/energy/measure.js';
import { meanActivity, scaledPlan } from '../../src/energy/scaled-latency.js';
import { chipSizedFor, roleStats, scaledEvents } from '../../src/energy/scaling.js';
import { tokenCycles } from '../../src/energy/latency.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { loadHf } from '../../src/lm/formats/hf.js';
import { DenseLM } from '../../src/lm/model.js';
import { Rng } from '../../src/util/random.js';

const SMALL: ChipConfig = { ...DEFAULT_CHIP, tile: { ...DEFAULT_CHIP.tile, rows: 16, cols: 16, rowsPerCycle: 4, colsPerCycle: 4 } };
const { config, weights } = loadHf(path.join(PROJECT_ROOT, 'test', 'fixtures', 'hf', 'opt-tiny'));
const lm = new DenseLM(config, weights);
const rng = new Rng(5);
const ids = (n: number) => Array.from({ length: n }, () => rng.int(0, config.vocabSize - 1));
const program = compileModel(lm, 'opt-tiny', SMALL, { calibration: ids(256), adcTokens: 32 });
const run = measureProgram(program, ids(64), 32, 'opt-tiny');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('measured run and extrapolation', () => {
  it('measures every position of every window, with its cached positions', () => {
    expect(run.windows).toBe(2);
    expect(run.latency.tokens).toBe(64);
    expect(run.meanPositions).toBeCloseTo(16.5, 12);
    expect(run.latency.min).toBeLessThanOrEqual(run.latency.mean);
    expect(run.latency.max).toBeGreaterThan(run.latency.min); // attention grows with the position
    expect(run.events.linears.length).toBe(2 * 6 + 1);
  });

  it('the reference\'s own config gives back the measured counts and energy', () => {
    const e = scaledEvents(run.events, config, { name: 'self', config, chip: SMALL, meanPositions: run.meanPositions });
    expect(e.provenance).toBe('extrapolated');
    expect(e.linears.map((l) => l.name)).toEqual(run.events.linears.map((l) => l.name));
    for (const c of ['active_rows', 'cell_reads', 'adc_conversions', 'weight_reads', 'timesteps'] as const) {
      expect(sum(e.linears.map((l) => l.counters[c])) / sum(run.events.linears.map((l) => l.counters[c])), c).toBeCloseTo(1, 9);
    }
    expect(sum(e.attentions.map((a) => a.counters.score_macs)) / sum(run.events.attentions.map((a) => a.counters.score_macs))).toBeCloseTo(1, 9);
    expect(crossbarChip(e).totalPj / crossbarChip(run.events).totalPj).toBeCloseTo(1, 2);
    // and the latency plan made from the template reproduces the measured mean within 10 % (mean activity, mean position)
    const c = tokenCycles(scaledPlan(run.plan, config.nLayers, e, config), SMALL, meanActivity(run.events, e), run.meanPositions).cycles;
    expect(Math.abs(c / run.latency.mean - 1)).toBeLessThan(0.1);
  });

  it('a model twice as wide and deep: counts grow with the shapes, per-role rates kept', () => {
    const big = { ...config, dModel: 64, dFF: 128, nLayers: 4, nHeads: 8, nKvHeads: 8 };
    const chip = chipSizedFor(run.events, config, big, SMALL);
    const e = scaledEvents(run.events, config, { name: 'big', config: big, chip, meanPositions: 16.5 });
    expect(e.weightStreaming).toBe(false);
    expect(e.linears.length).toBe(4 * 6 + 1);
    const up0 = run.events.linears.find((l) => l.name === 'L0.up')!;
    const upB = e.linears.find((l) => l.name === 'L3.up')!;
    expect(upB.rowTiles).toBe(4);
    expect(upB.colTiles).toBe(8);
    expect(upB.input.elements).toBe(2 * up0.input.elements);
    const s = roleStats(run.events).get('up')!;
    expect(upB.input.events / upB.input.elements).toBeCloseTo(s.inRate, 12);
    expect(upB.counters.adc_conversions).toBeCloseTo(s.activeStepFraction * 4 * 8 * SMALL.T * 16 * 2, 6);
    // on the small chip it needs streaming
    const onSmall = scaledEvents(run.events, config, { name: 'big', config: big, chip: { ...SMALL, tiles: { signed: 8, unsigned: 8 } }, meanPositions: 16.5 });
    expect(onSmall.weightStreaming).toBe(true);
    expect(onSmall.tilesUsed).toBe(16);
  });

  it('refuses a width the template cannot map', () => {
    expect(() => scaledEvents(run.events, { ...config, dModel: 48 }, { name: 'x', config, chip: SMALL, meanPositions: 1 })).toThrow(/width \d+ of the reference is none of/);
  });
});
