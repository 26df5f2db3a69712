// The pruning controller's rules (src/spec/pruning.ts), THE policy nextMask() and the golden token-level model on
// cases computed by hand from docs/pruning.md; the functional model equal to the golden cycle model on the same
// stimulus, counters included; and the errors a user gets for bad parameters and bad data.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruningController } from '../../dsl/pruning.js';
import { PruningFunctional } from '../../src/functional/pruning.js';
import { PruningController } from '../../src/golden/pruning.js';
import { PruningCycleModel } from '../../src/golden/pruning-cycle.js';
import { writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { ElaborationError, elaborate } from '../../src/hdl/index.js';
import { colGroups, comparisonsPerWindow, keepRows, maskLatency, nextMask, PRUNING_COUNTERS, scoreBits, type MaskPolicy, type PruningSpec } from '../../src/spec/pruning.js';
import { Rng } from '../../src/util/random.js';
import { PRUNE_SETS, fromVector, planVectors, randomOps, type PruneOp } from '../../testbenches/pruning_cosim.js';
import { here } from '../helpers.js';

const base: PruningSpec = { rows: 6, cols: 3, rowWidth: 2, colWidth: 4, colsPerCycle: 3, window: 2, countBits: 3, counterBits: 16, policy: { kind: 'threshold', thetaOn: 4, thetaOff: 2 }, columns: { thetaOn: 2, thetaOff: 1 } };
const topk = (k: number, bonus: number): MaskPolicy => ({ policy: { kind: 'top-k', keep: { rows: k }, bonus }, columns: { thetaOn: 1, thetaOff: 1 } });
const all = (n: number) => new Array<number>(n).fill(1);

describe('derived quantities', () => {
  it('k from a fixed-point fraction rounds up: ceil(fraction * R / 2^fractionBits)', () => {
    const frac = (fraction: number, fractionBits: number) => ({ kind: 'top-k' as const, keep: { fraction, fractionBits }, bonus: 0 });
    expect(keepRows(frac(5, 3), 12)).toBe(8); // 7.5 -> 8
    expect(keepRows(frac(1, 2), 10)).toBe(3); // 2.5 -> 3
    expect(keepRows(frac(2, 3), 8)).toBe(2); // exact
    expect(keepRows(frac(8, 3), 7)).toBe(7); // fraction 1: every row
    expect(keepRows(frac(1, 16), 1)).toBe(1); // never below one row
    expect(keepRows({ kind: 'top-k', keep: { rows: 4 }, bonus: 0 }, 9)).toBe(4);
  });
  it('latency and comparisons per window', () => {
    expect(maskLatency(base)).toBe(1);
    expect(comparisonsPerWindow(base)).toBe(2 * 6 + 2 * 3);
    const t = { ...base, policy: { kind: 'top-k' as const, keep: { rows: 2 }, bonus: 3 } };
    expect(scoreBits(t)).toBe(4); // counts up to 7, + 3 = 10
    expect(maskLatency(t)).toBe(4 + 3 + 1); // score bits + log2ceil(6) + apply
    expect(comparisonsPerWindow(t)).toBe(6 * 8 + 2 * 3);
    expect(maskLatency({ ...t, rows: 1 })).toBe(4 + 0 + 1);
  });
});

describe('nextMask, by hand', () => {
  it('threshold with hysteresis: on at >= thetaOn, off below thetaOff, the band keeps the state', () => {
    //            counts:  5  4  3  3  2  1,   previous mask 0 0 1 0 1 1
    const u = nextMask([5, 4, 3, 3, 2, 1], [0, 1, 2], { rowMask: [0, 0, 1, 0, 1, 1], colMask: [1, 1, 0] }, base);
    expect(Array.from(u.rowMask)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(Array.from(u.colMask)).toEqual([0, 1, 1]); // columns: on >= 2, off < 1
    expect(u.stats).toEqual({ enabledRows: 4, activeCols: 2, rowsOff: 1, rowsOn: 2, changed: true });
  });
  it('threshold: thetaOff = thetaOn has no band; thetaOn = 0 enables every row; all rows may go off', () => {
    const r = (on: number, off: number, counts: number[], prev: number[]) => Array.from(nextMask(counts, [], { rowMask: prev, colMask: [] }, { ...base, policy: { kind: 'threshold', thetaOn: on, thetaOff: off } }).rowMask);
    expect(r(3, 3, [3, 2, 9, 0], [0, 1, 0, 1])).toEqual([1, 0, 1, 0]);
    expect(r(0, 0, [0, 0], [0, 1])).toEqual([1, 1]);
    expect(r(5, 5, [0, 1, 4], [1, 1, 1])).toEqual([0, 0, 0]);
  });
  it('top-k: highest counts, ties to the lower index; the bonus of enabled rows is the hysteresis', () => {
    const prev = { rowMask: [0, 0, 0, 0, 0, 0], colMask: [] };
    expect(Array.from(nextMask([1, 3, 3, 0, 3, 2], [], prev, topk(3, 0)).rowMask)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(Array.from(nextMask([1, 3, 3, 0, 3, 2], [], prev, topk(2, 0)).rowMask)).toEqual([0, 1, 1, 0, 0, 0]);
    // row 0, enabled, with count 2 + bonus 2 = 4 beats row 1's 3 (and ties row 4's 4)
    const held = nextMask([2, 3, 1, 0, 4, 0], [], { rowMask: [1, 0, 0, 0, 0, 0], colMask: [] }, topk(2, 2));
    expect(Array.from(held.rowMask)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(held.stats).toMatchObject({ enabledRows: 2, rowsOn: 1, rowsOff: 0 });
    // without the bonus the same counts flip row 0 off
    expect(Array.from(nextMask([2, 3, 1, 0, 4, 0], [], { rowMask: [1, 0, 0, 0, 0, 0], colMask: [] }, topk(2, 0)).rowMask)).toEqual([0, 1, 0, 0, 1, 0]);
    // k = R keeps everything; no activity keeps the lowest-index enabled rows
    expect(Array.from(nextMask([0, 0, 0], [], { rowMask: [0, 1, 1], colMask: [] }, topk(3, 1)).rowMask)).toEqual([1, 1, 1]);
    expect(Array.from(nextMask([0, 0, 0, 0], [], { rowMask: [0, 1, 0, 1], colMask: [] }, topk(1, 1)).rowMask)).toEqual([0, 1, 0, 0]);
  });
  it('top-k equals its definition, a sort by (score descending, index ascending), on random cases', () => {
    const rng = new Rng(99);
    for (let n = 0; n < 2000; n++) {
      const R = rng.int(1, 40);
      const k = rng.int(1, R);
      const bonus = rng.int(0, 5);
      const counts = Array.from({ length: R }, () => rng.int(0, rng.chance(0.5) ? 3 : 30));
      const prev = Array.from({ length: R }, () => (rng.chance(0.5) ? 1 : 0));
      const score = (r: number) => counts[r]! + (prev[r] ? bonus : 0);
      const order = Array.from({ length: R }, (_, r) => r).sort((a, b) => score(b) - score(a) || a - b);
      const want = new Array<number>(R).fill(0);
      for (const r of order.slice(0, k)) want[r] = 1;
      expect(Array.from(nextMask(counts, [], { rowMask: prev, colMask: [] }, topk(k, bonus)).rowMask)).toEqual(want);
    }
  });
});

describe('golden token-level model', () => {
  it('counts active-in rows whether masked or not, saturating; columns by group; masks from the next token on', () => {
    const g = new PruningController(base); // W = 2, counts up to 7
    for (let t = 0; t < 9; t++) g.timestep([1, -1, t % 2, 0, 3, 0], [0, t < 2 ? 5 : 0, -8]);
    g.observeCols(1, [1, 0]);
    expect(Array.from(g.rowCounts)).toEqual([7, 7, 4, 0, 7, 0]);
    expect(Array.from(g.colCounts)).toEqual([0, 3, 7]);
    expect(g.counters.increments).toBe(9 * 3 + 4 + 2 + 9 + 1); // rows 0, 1, 4 always, row 2 every other; columns
    expect(g.endToken()).toBeUndefined(); // token 1 of 2
    const u = g.endToken()!;
    expect(Array.from(u.rowMask)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(Array.from(g.rowMask)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(Array.from(g.rowCounts)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(g.counters).toMatchObject({ tokens: 2, windows: 1, mask_updates: 1, rows_off: 2, rows_on: 0, comparisons: comparisonsPerWindow(base) });
    // a masked row's activity still counts: rows 3 and 5 come back after one busy window
    for (let t = 0; t < 4; t++) g.timestep([0, 0, 0, 1, 0, 1], [0, 0, 0]);
    g.endToken();
    expect(Array.from(g.endToken()!.rowMask)).toEqual([0, 0, 0, 1, 0, 1]);
    expect(g.counters.rows_on).toBe(2);
  });
});

/** Token-level activity of the ops (each offer is taken exactly once: the planner holds it until it is). */
function functionalRun(p: PruningSpec, ops: readonly PruneOp[]): { f: PruningFunctional; masks: number[][] } {
  let f = new PruningFunctional(p);
  const masks: number[][] = [];
  const G = colGroups(p);
  let rowHits = new Array<number>(p.rows).fill(0);
  let colHits = new Array<number>(p.cols).fill(0);
  for (const op of ops) {
    if (op.kind === 'reset') {
      f = new PruningFunctional(p);
      rowHits = rowHits.map(() => 0);
      colHits = colHits.map(() => 0);
    }
    if (op.kind !== 'cycle') continue;
    op.rows?.forEach((v, r) => (rowHits[r]! += v !== 0 ? 1 : 0));
    if (op.col && op.col.group < G) op.col.outs.forEach((v, j) => (colHits[op.col!.group * p.colsPerCycle + j]! += v !== 0 ? 1 : 0));
    if (op.tokenEnd) {
      const u = f.hits(rowHits, colHits);
      if (u) masks.push(Array.from(u.rowMask));
      rowHits = rowHits.map(() => 0);
      colHits = colHits.map(() => 0);
    }
  }
  return { f, masks };
}

describe('functional model = golden cycle model, counters included', () => {
  it.each(Object.keys(PRUNE_SETS))('%s', (name) => {
    const p = PRUNE_SETS[name]!;
    const ops = randomOps(p, 400, new Rng(4242 + name.length)).filter((o) => o.kind !== 'reset');
    const cyc = new PruningCycleModel(p);
    const cycleMasks: number[][] = [];
    for (const v of planVectors(p, ops)) {
      const o = cyc.outputs();
      if (o.mask_valid) cycleMasks.push(Array.from({ length: p.rows }, (_, r) => Number((o.row_mask! >> BigInt(r)) & 1n)));
      cyc.edge(fromVector(v));
    }
    const { f, masks } = functionalRun(p, ops);
    expect(masks.length).toBeGreaterThan(20);
    expect(masks).toEqual(cycleMasks);
    const ports = cyc.outputs();
    const wrap = (n: number) => BigInt(n) % (1n << BigInt(p.counterBits));
    for (const c of PRUNING_COUNTERS.filter((c) => c !== 'ignored')) expect([c, wrap(f.counters[c])]).toEqual([c, ports[`cnt_${c}`]]);
    expect(BigInt(f.last.enabledRows)).toBe(ports.enabled_rows);
    expect(Array.from(f.colMask)).toEqual(Array.from({ length: p.cols }, (_, c) => Number((ports.col_mask! >> BigInt(c)) & 1n)));
  });
  it('the functional model takes a whole token of timesteps', () => {
    const f = new PruningFunctional(base);
    const g = new PruningController(base);
    const rng = new Rng(7);
    for (let t = 0; t < 40; t++) {
      const T = rng.int(0, 4);
      const x = Array.from({ length: T * base.rows }, () => (rng.chance(0.4) ? rng.int(-2, 3) : 0));
      const y = Array.from({ length: T * base.cols }, () => (rng.chance(0.4) ? rng.int(-8, 15) : 0));
      for (let s = 0; s < T; s++) g.timestep(x.slice(s * base.rows, (s + 1) * base.rows), y.slice(s * base.cols, (s + 1) * base.cols));
      expect(f.token(x, y, T)?.rowMask).toEqual(g.endToken()?.rowMask);
    }
    expect(f.counters).toEqual(g.counters);
  });
});

describe('bad input: clear errors with the parameter, its range and the TS line', () => {
  it('generator parameters', () => {
    let line = 0;
    const bad = (p: Partial<PruningSpec>) => {
      try {
        line = here() + 1;
        elaborate(() => pruningController({ ...base, ...p }));
      } catch (e) {
        expect(e).toBeInstanceOf(ElaborationError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ window: 0 })).toMatch(new RegExp(`parameter window = 0 is outside 1\\.\\.65535[\\s\\S]*pruning\\.test\\.ts:${line}`));
    expect(bad({ policy: { kind: 'threshold', thetaOn: 2, thetaOff: 3 } })).toMatch(/policy\.thetaOff = 3 must be <= policy\.thetaOn = 2 \(allowed: 0\.\.2/);
    expect(bad({ columns: { thetaOn: 1, thetaOff: 2 } })).toMatch(/columns\.thetaOff = 2 must be <= columns\.thetaOn = 1/);
    expect(bad({ policy: { kind: 'threshold', thetaOn: 8, thetaOff: 0 } })).toMatch(/policy\.thetaOn = 8 is outside 0\.\.7/);
    expect(bad({ policy: { kind: 'top-k', keep: { fraction: 0, fractionBits: 4 }, bonus: 0 } })).toMatch(/policy\.keep\.fraction = 0 is outside 1\.\.16 \(the kept fraction 0\/2\^4 must lie in \(0, 1\]\)/);
    expect(bad({ policy: { kind: 'top-k', keep: { fraction: 9, fractionBits: 3 }, bonus: 0 } })).toMatch(/policy\.keep\.fraction = 9 is outside 1\.\.8/);
    expect(bad({ policy: { kind: 'top-k', keep: { fraction: 1, fractionBits: 17 }, bonus: 0 } })).toMatch(/policy\.keep\.fractionBits = 17 is outside 1\.\.16/);
    expect(bad({ policy: { kind: 'top-k', keep: { rows: 7 }, bonus: 0 } })).toMatch(/policy\.keep\.rows = 7 is outside 1\.\.6/);
    expect(bad({ policy: { kind: 'top-k', keep: { rows: 2 }, bonus: 8 } })).toMatch(/policy\.bonus = 8 is outside 0\.\.7/);
    expect(bad({ countBits: 0 })).toMatch(/parameter countBits = 0 is outside 1\.\.20/);
    expect(bad({ counterBits: 64 })).toMatch(/parameter counterBits = 64 is outside 8\.\.48/);
    expect(bad({ rowWidth: 33 })).toMatch(/parameter rowWidth = 33 is outside 1\.\.32/);
    expect(bad({ colsPerCycle: 2 })).toMatch(/colsPerCycle = 2 must divide cols = 3/);
    // every problem at once
    const both = bad({ window: 0, colWidth: 0 });
    expect(both).toMatch(/window = 0 is outside/);
    expect(both).toMatch(/colWidth = 0 is outside/);
  });
  it('nothing is written when a parameter is refused', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-prune-')), 'gen');
    await expect(async () => writeDesignAtomically(elaborate(() => pruningController({ ...base, window: 0 })), dir)).rejects.toThrow(/window = 0/);
    expect(existsSync(dir)).toBe(false);
  });
  it('model data and policies', () => {
    const g = new PruningController(base);
    const line = here() + 1;
    expect(() => g.timestep([0, 0, 0, 0, 0, 4], [0, 0, 0])).toThrow(new RegExp(`row input x\\[5\\] = 4 does not fit a 2-bit field \\(-2\\.\\.3\\).*pruning\\.test\\.ts:${line}`));
    expect(() => g.timestep([1, 1, 1, 1, 1, 1], [0, 0, 16])).toThrow(/column output y\[2\] = 16 does not fit a 4-bit field/);
    expect(g.counters.increments).toBe(0); // a refused timestep counted nothing
    expect(() => g.observeRows([0, 0])).toThrow(/row inputs: 2 values, the tile has 6 rows/);
    expect(() => g.observeCols(2, [1, 1])).toThrow(/column outputs 2\.\.3: the tile has columns 0\.\.2/);
    expect(() => new PruningController({ ...base, window: 0 })).toThrow(/window = 0 is outside 1\.\.65535/);
    const f = new PruningFunctional(base);
    expect(() => f.token([0], [], 1)).toThrow(/row inputs: 1 values, expected T x R = 1 x 6 = 6/);
    expect(() => f.hits([0, 0, 0, 0, 0, 0], [0, -1, 0])).toThrow(/colHits\[1\] = -1: expected a non-negative integer/);
    const prev = { rowMask: all(3), colMask: [] };
    expect(() => nextMask([1, 2], [], prev, topk(1, 0))).toThrow(/prev\.rowMask: 3 values, expected 2/);
    expect(() => nextMask([1, -2, 0], [], prev, topk(1, 0))).toThrow(/rowCounts\[1\] = -2 is outside 0\.\./);
    expect(() => nextMask([1, 2, 0], [], { rowMask: [1, 2, 1], colMask: [] }, topk(1, 0))).toThrow(/prev\.rowMask\[1\] = 2 is outside 0\.\.1/);
    expect(() => nextMask([1, 2, 0], [], prev, topk(4, 0))).toThrow(/nextMask: parameter policy\.keep\.rows = 4 is outside 1\.\.3/);
    expect(() => nextMask([1, 2, 0], [], prev, { policy: { kind: 'threshold', thetaOn: 1, thetaOff: 2 }, columns: { thetaOn: 0, thetaOff: 0 } })).toThrow(/policy\.thetaOff = 2 must be <= policy\.thetaOn = 1/);
  });
});
