// Pruning controller: RTL co-simulated against the golden cycle model (docs/pruning.md), every output on every cycle,
// over random and directed stimulus and several parameter sets; the directed cases also check the spec's values.
import { describe, expect, it } from 'vitest';
import { keepRows, maskLatency, type PruningSpec } from '../src/spec/pruning.js';
import { Rng, testSeed } from '../src/util/random.js';
import { PRUNE_SETS, cosimPruning, planVectors, randomVectors, startPruning, tokenOps, type PruneOp } from './pruning_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.PRUNE_CYCLES ?? 100_000);
const dutFor = dutPool(PRUNE_SETS, startPruning);

describe.each(Object.keys(PRUNE_SETS))('pruning controller %s', (name) => {
  const p = PRUNE_SETS[name]!;
  it(`matches the golden model over at least ${CYCLES} random cycles`, async () => {
    const seed = testSeed(0x9a0e + name.length * 977);
    console.log(`pruning ${name}: seed ${seed} (replay with SEED=${seed})`);
    const vectors = randomVectors(p, CYCLES, new Rng(seed));
    const r = await cosimPruning(await dutFor(name), p, vectors, `pruning ${name} seed ${seed}`);
    console.log(r.scoreboard.report(), `| ${r.windows} windows, ${r.flips} row flips, ${r.ignored} ignored offers`);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
    // the stimulus really exercises the policy: many windows, masks that move, offers held through busy cycles
    expect(r.windows).toBeGreaterThan(CYCLES / 200);
    if (!(p.policy.kind === 'top-k' && keepRows(p.policy, p.rows) === p.rows)) expect(r.flips).toBeGreaterThan(r.windows / 10);
    expect(r.ignored).toBeGreaterThan(r.windows / 4);
  });
});

/** Runs ops on RTL and golden (compared every cycle) and returns the RTL's outputs per cycle. */
async function directed(name: string, ops: PruneOp[]): Promise<Record<string, bigint>[]> {
  const p = PRUNE_SETS[name]!;
  const vectors = planVectors(p, [{ kind: 'reset' }, ...ops]);
  const dut = await dutFor(name);
  const r = await cosimPruning(dut, p, vectors, `directed ${name}`);
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  // the same vectors again, this time keeping the RTL's outputs (the co-simulation above proved them equal to the
  // model), from the cycle after the reset on
  return (await dut.stream(vectors)).slice(1);
}

const zeros = (n: number) => new Array<number>(n).fill(0);
const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(i)) & 1n));
const last = (outs: Record<string, bigint>[], sig: string) => outs[outs.length - 1]![sig]!;
/** A token of `steps` timesteps in which exactly the rows (and columns) listed are active. */
function token(p: PruningSpec, activeRows: readonly number[], steps: number, activeCols: readonly number[] = []): PruneOp[] {
  const rows = Array.from({ length: p.rows }, (_, r) => (activeRows.includes(r) ? 1 : 0));
  const cols = Array.from({ length: p.cols }, (_, c) => (activeCols.includes(c) ? 1 : 0));
  return tokenOps(p, Array.from({ length: steps }, () => ({ rows, cols })));
}
const masks = (outs: Record<string, bigint>[], p: PruningSpec) => outs.filter((o) => o.mask_valid).map((o) => bitsOf(o.row_mask!, p.rows));

describe('pruning directed cases', () => {
  it('threshold: a silent window prunes every row (allowed: no floor), and rows come back when active while masked', async () => {
    const p = PRUNE_SETS.threshold!; // W = 3, on at 5, off below 2
    const quietWindow = [...token(p, [], 2), ...token(p, [], 2), ...token(p, [], 2)];
    const back = [...token(p, [1, 6], 2), ...token(p, [1, 6], 2), ...token(p, [1], 1)];
    const outs = await directed('threshold', [...quietWindow, ...back]);
    const ms = masks(outs, p);
    expect(ms[0]).toEqual(zeros(p.rows));
    // rows 1 (5 active timesteps >= 5) and 6 (4: inside the band, stays off) after the second window
    expect(ms[1]).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(last(outs, 'enabled_rows')).toBe(1n);
    expect(last(outs, 'cnt_windows')).toBe(2n);
    expect(last(outs, 'cnt_rows_off')).toBe(8n);
    expect(last(outs, 'cnt_rows_on')).toBe(1n);
    expect(last(outs, 'cnt_mask_updates')).toBe(2n);
  });

  it('no activity at all: counts stay zero, no increments, top-k keeps k rows (the lowest enabled indices)', async () => {
    const p = PRUNE_SETS.topkFraction!; // k = ceil(5/8 * 12) = 8, W = 2
    const outs = await directed('topkFraction', [...token(p, [], 3), ...token(p, [], 1), ...token(p, [], 2), ...token(p, [], 2)]);
    const ms = masks(outs, p);
    expect(ms).toHaveLength(2);
    // all scores tie at the bonus: rows 0..7 kept; then the bonus keeps exactly those
    expect(ms[0]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(ms[1]).toEqual(ms[0]);
    expect(last(outs, 'cnt_increments')).toBe(0n);
    expect(last(outs, 'cnt_mask_updates')).toBe(1n);
    expect(last(outs, 'active_cols')).toBe(6n); // thetaOff = 0: silent columns keep their state
  });

  it('hysteresis prevents a flip: threshold band and top-k bonus', async () => {
    const p = PRUNE_SETS.threshold!;
    // row 0: 3 active timesteps per window (inside 2..4: keeps its state); row 1 goes off, then 3 does not bring it back
    const w1 = [...token(p, [0], 1), ...token(p, [0], 1), ...token(p, [0], 1)];
    const w2 = [...token(p, [0, 1], 1), ...token(p, [0, 1], 1), ...token(p, [0, 1], 1)];
    const ms = masks(await directed('threshold', [...w1, ...w2]), p);
    expect(ms[0]!.slice(0, 2)).toEqual([1, 0]);
    expect(ms[1]!.slice(0, 2)).toEqual([1, 0]);

    const q = PRUNE_SETS.topkWide!; // k = 10, bonus 3, W = 4
    const first = Array.from({ length: 10 }, (_, r) => r);
    const warm = Array.from({ length: 4 }, () => token(q, first, 1)).flat();
    // then rows 0..9 are active twice, rows 10..12 three times: +1 is less than the bonus, no flip
    const next = [...token(q, [...first, 10, 11, 12], 2), ...token(q, [10, 11, 12], 1), ...token(q, [], 1), ...token(q, [], 1)];
    const tk = masks(await directed('topkWide', [...warm, ...next]), q);
    expect(tk[0]).toEqual(tk[1]);
    expect(tk[1]!.slice(0, 13)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('an update never lands mid-token: the next token, offered while busy, is held until the mask is in force', async () => {
    const p = PRUNE_SETS.topkWide!;
    const B = maskLatency(p);
    const active = [3, 4, 5];
    // window ends with a token end merged into the last column group; the next token's rows are offered at once
    const ops = [...Array.from({ length: 4 }, () => token(p, active, 2)).flat(), ...token(p, [7], 3)];
    const outs = await directed('topkWide', ops);
    const endAt = outs.findIndex((o, i) => i > 0 && outs[i - 1]!.ready && !o.ready);
    const appliedAt = outs.findIndex((o) => o.mask_valid === 1n);
    expect(appliedAt - endAt).toBe(B); // ready low for exactly maskLatency cycles
    for (let i = endAt; i < appliedAt; i++) expect(outs[i]!.ready).toBe(0n);
    // the mask changes in exactly one cycle, the one mask_valid marks
    const changes = outs.map((o, i) => (i > 0 && o.row_mask !== outs[i - 1]!.row_mask ? i : -1)).filter((i) => i > 0);
    expect(changes).toEqual([appliedAt]);
    // the held offer counted for nothing while busy, and into the next window once taken
    expect(outs[appliedAt]!.cnt_ignored).toBe(BigInt(B));
    expect(outs[appliedAt]!.cnt_increments).toBe(BigInt(4 * 2 * active.length));
    expect(last(outs, 'cnt_increments')).toBe(BigInt(4 * 2 * active.length + 3));
  });

  it('column groups past G are ignored and counted', async () => {
    // topkFraction: G = 3, col_group has 2 bits
    const outs = await directed('topkFraction', [{ kind: 'cycle', col: { group: 3, outs: [1, 1] } }, { kind: 'cycle', col: { group: 2, outs: [1, 0] } }, { kind: 'idle', cycles: 2 }]);
    expect(last(outs, 'cnt_ignored')).toBe(1n);
    expect(last(outs, 'cnt_increments')).toBe(1n);
  });
});
