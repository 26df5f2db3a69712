// Crossbar tile: RTL co-simulated against the golden cycle model (docs/crossbar.md), every output on every cycle,
// over random and directed stimulus and several parameter sets; the directed cases also check the spec's values.
import { describe, expect, it } from 'vitest';
import { CrossbarTile } from '../src/golden/crossbar.js';
import { adcMax, adcMin, cfgAddress, colGroups, crossbarMap, maxWeight, REGION, timestepCycles } from '../src/spec/crossbar.js';
import { Rng, testSeed } from '../src/util/random.js';
import { XBAR_SETS, cosimTile, loadWeights, planVectors, randomOps, startTile, writeMask, writeReg, type TileOp } from './crossbar_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.XBAR_CYCLES ?? 100_000);
const dutFor = dutPool(XBAR_SETS, startTile);

describe.each(Object.keys(XBAR_SETS))('crossbar tile %s', (name) => {
  const p = XBAR_SETS[name]!;
  it(`matches the golden model over at least ${CYCLES} random cycles`, async () => {
    const seed = testSeed(0x7ab1e + name.length * 131);
    console.log(`crossbar ${name}: seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    let ops: TileOp[] = [];
    let vectors = planVectors(p, ops);
    while (vectors.length < CYCLES) {
      ops = ops.concat(randomOps(p, rng, 2000));
      vectors = planVectors(p, ops);
    }
    const r = await cosimTile(await dutFor(name), p, vectors, `crossbar ${name} seed ${seed}`);
    console.log(r.scoreboard.report());
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
    expect(r.timesteps).toBeGreaterThan(CYCLES / 100);
    expect(r.outputs).toBeGreaterThan(r.timesteps / 2); // a reset can cut a timestep short
  });
});

/** Runs ops on RTL and golden (compared every cycle) and returns the RTL's outputs per cycle. */
async function directed(name: string, ops: TileOp[]): Promise<Record<string, bigint>[]> {
  const p = XBAR_SETS[name]!;
  const vectors = planVectors(p, [{ kind: 'reset' }, ...ops]);
  const dut = await dutFor(name);
  const r = await cosimTile(dut, p, vectors, `directed ${name}`);
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  // the same vectors again, this time keeping the RTL's outputs (the co-simulation above proved them equal to the model)
  return dut.stream(vectors);
}

const fieldsOf = (v: bigint, n: number, w: number) => Array.from({ length: n }, (_, i) => {
  const b = (v >> BigInt(i * w)) & ((1n << BigInt(w)) - 1n);
  return Number(b >> BigInt(w - 1) ? b - (1n << BigInt(w)) : b);
});
const last = (outs: Record<string, bigint>[], sig: string) => Number(outs[outs.length - 1]![sig]);
const allRows = (p: (typeof XBAR_SETS)[string], v: number) => Array.from({ length: p.rows }, () => v);
const zeros = (n: number) => new Array<number>(n).fill(0);

describe('crossbar directed cases', () => {
  it('all rows masked: no row read, no conversion, the output is the partial sum alone', async () => {
    const p = XBAR_SETS.sliced!;
    const psum = Array.from({ length: p.cols }, (_, c) => c * 7 - 20);
    const outs = await directed('sliced', [
      ...loadWeights(p, () => [3, 0]),
      ...writeMask(p, zeros(p.rows)),
      { kind: 'step', spikes: allRows(p, 3), psum },
      { kind: 'step', spikes: allRows(p, -3), psum },
    ]);
    expect(last(outs, 'cnt_masked_rows')).toBe(2 * p.rows);
    expect(last(outs, 'cnt_active_rows')).toBe(0);
    expect(last(outs, 'cnt_cell_reads')).toBe(0);
    expect(last(outs, 'cnt_adc_conversions')).toBe(0);
    const got = outs.filter((o) => o.out_valid).flatMap((o) => fieldsOf(o.out_psum!, p.colsPerCycle, p.psumBits));
    expect(got).toEqual([...psum, ...psum]);
  });

  it('zero spikes: a timestep takes G + latency cycles and converts nothing', async () => {
    const p = XBAR_SETS.grouped!;
    const outs = await directed('grouped', [writeReg(p, 'threshold', 5), { kind: 'step', spikes: zeros(p.rows), psum: zeros(p.cols) }, { kind: 'step', spikes: zeros(p.rows), psum: zeros(p.cols) }]);
    expect(last(outs, 'cnt_timesteps')).toBe(2);
    expect(last(outs, 'cnt_adc_conversions')).toBe(0);
    expect(last(outs, 'cnt_active_rows')).toBe(0);
    const valid = outs.map((o, i) => (o.out_valid ? i : -1)).filter((i) => i >= 0);
    expect(valid.length).toBe(2 * colGroups(p));
    // back to back: group 0 of the second timestep comes one timestep period after the first one's
    expect(valid[colGroups(p)]! - valid[0]!).toBe(timestepCycles(p, 0));
  });

  it.each(['basic', 'sliced', 'grouped', 'wide'])('%s: every ADC conversion clips, both ways, with maximum weights', async (name) => {
    const p = XBAR_SETS[name]!;
    const L = p.cellLevels;
    // even columns all +max, odd columns all -max; every row at its largest input
    const ops: TileOp[] = [...loadWeights(p, (_r, c) => (c % 2 ? [0, L - 1] : [L - 1, 0])), writeReg(p, 'adcShift', 0)];
    if (p.output === 'neurons') ops.push(writeReg(p, 'threshold', 1));
    const xHi = p.inSpikes === 'binary' || p.inSpikes === 'signed' ? 1 : p.inLevels;
    ops.push({ kind: 'step', spikes: allRows(p, xHi), psum: zeros(p.cols) });
    const outs = await directed(name, ops);
    const sum = p.rows * xHi * (L - 1);
    expect(sum).toBeGreaterThan(adcMax(p)); // the set really drives the ADC past its range
    expect(last(outs, 'cnt_adc_clipped')).toBe(p.cols * p.slices);
    // the spec's value: every slice reads +max or -max of the ADC, recombined
    const g = new CrossbarTile(p);
    g.program(Array.from({ length: p.rows * p.cols }, (_, i) => ((i % p.cols) % 2 ? -maxWeight(p) : maxWeight(p))));
    const step = g.step(allRows(p, xHi), zeros(p.cols));
    for (let c = 0; c < p.cols; c++) for (let s = 0; s < p.slices; s++) expect(step.q[s * p.cols + c]).toBe(c % 2 ? adcMin(p) : adcMax(p));
    if (p.output === 'psum') {
      const got = outs.filter((o) => o.out_valid).flatMap((o) => fieldsOf(o.out_psum!, p.colsPerCycle, p.psumBits));
      expect(got).toEqual(Array.from(step.z));
    }
  });

  it('back-to-back timesteps on a busy tile: each is taken the cycle ready returns', async () => {
    const p = XBAR_SETS.wide!;
    const rng = new Rng(testSeed(99));
    const steps: TileOp[] = Array.from({ length: 6 }, () => ({ kind: 'step', spikes: Array.from({ length: p.rows }, () => (rng.chance(0.2) ? rng.int(1, 2) : 0)), psum: zeros(p.cols) }));
    const outs = await directed('wide', [...loadWeights(p, () => [1, 0]), writeReg(p, 'threshold', 3), ...steps]);
    expect(last(outs, 'cnt_timesteps')).toBe(6);
    // ready is high for exactly one cycle between timesteps (the one that accepts the next)
    const readyRuns = outs.slice(outs.findIndex((o) => o.out_valid)).map((o) => Number(o.ready));
    const highs = readyRuns.join('').split('0').filter((r) => r.length > 0);
    expect(highs.slice(0, 5).every((r) => r === '1')).toBe(true);
  });

  it('weight-memory counters: one read per scan cycle (n x G per timestep), one write per performed region-0 write', async () => {
    const p = XBAR_SETS.grouped!; // H = 4 row groups of 4 rows, G = 4 column groups, L = 3 (level 3 is refused)
    const map = crossbarMap(p);
    const G = colGroups(p);
    const spikes = zeros(p.rows);
    spikes[1] = 1; // row group 0
    spikes[9] = -1; // row group 2
    spikes[10] = 1;
    const outs = await directed('grouped', [
      ...loadWeights(p, () => [1, 0]),
      { kind: 'write', addr: cfgAddress(map, REGION.weights, 0), data: 3n }, // refused: level 3 > L - 1
      ...writeMask(p, allRows(p, 1)),
      { kind: 'step', spikes, psum: zeros(p.cols) },
      { kind: 'step', spikes: zeros(p.rows), psum: zeros(p.cols) },
    ]);
    expect(last(outs, 'cfg_error')).toBe(1);
    expect(last(outs, 'cnt_weight_writes')).toBe(map.weightWords);
    expect(last(outs, 'cnt_weight_reads')).toBe(2 * G);
    // the reads move one per cycle in consecutive cycles (the scan), starting the cycle after the accepting edge
    // (outs[0] is the reset cycle, with the power-up values)
    const steps = outs.map((o, i) => (i > 1 && o.cnt_weight_reads !== outs[i - 1]!.cnt_weight_reads ? i : -1)).filter((i) => i >= 0);
    expect(steps.length).toBe(2 * G);
    expect(steps[steps.length - 1]! - steps[0]!).toBe(2 * G - 1);
    const accepted = outs.findIndex((o) => o.cnt_timesteps === 1n); // visible in cycle 0
    expect(steps[0]).toBe(accepted + 1);
  });

  it('refused writes set cfg_error and change nothing; clear_counters clears it', async () => {
    const p = XBAR_SETS.grouped!;
    const map = crossbarMap(p);
    const outs = await directed('grouped', [
      writeReg(p, 'adcShift', 1n << BigInt(map.registerBits.adcShift)),
      { kind: 'idle', cycles: 2 },
    ]);
    expect(last(outs, 'cfg_error')).toBe(1);
    const cleared = await directed('grouped', [writeReg(p, 'adcShift', 1n << BigInt(map.registerBits.adcShift)), writeReg(p, 'clearCounters', 0), { kind: 'idle', cycles: 2 }]);
    expect(last(cleared, 'cfg_error')).toBe(0);
  });
});
