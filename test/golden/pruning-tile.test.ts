// The pruning controller in the loop with a real crossbar tile (golden models, docs/pruning.md "With a tile"): the
// tile's row inputs and spikes drive the controller, each window's row mask is written into the tile before the
// next token. Token level: rows that fall silent are pruned, come back when active again (masked rows are still
// counted), the tile reads fewer cells; the functional model gives the same masks. Cycle level: the tile's and the
// controller's port models wired as a chip top would, with the ready/mask_valid handshake, compute exactly what the
// token-level loop computes.
import { describe, expect, it } from 'vitest';
import { PruningFunctional } from '../../src/functional/pruning.js';
import { CrossbarTile } from '../../src/golden/crossbar.js';
import { CrossbarTileCycleModel, type TilePortsIn } from '../../src/golden/crossbar-cycle.js';
import { PruningController } from '../../src/golden/pruning.js';
import { PruningCycleModel, type PrunePortsIn } from '../../src/golden/pruning-cycle.js';
import { cfgAddress, crossbarMap, REGION, TILE_REG, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { maskLatency, pruningForTile, type PruningSpec, type RowPolicy } from '../../src/spec/pruning.js';
import { Rng } from '../../src/util/random.js';
import { loadWeights } from '../../testbenches/crossbar_cosim.js';

const tileSpec: CrossbarSpec = {
  rows: 16, cols: 8, cellLevels: 4, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 5, adcRounding: 'floor',
  rowsPerCycle: 4, colsPerCycle: 4, output: 'neurons', psumBits: 10, counterBits: 24,
  neuron: { vWidth: 10, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1 },
};
const T = 4; // timesteps per token
const THRESHOLD = 3;
const spec = (policy: RowPolicy): PruningSpec => pruningForTile(tileSpec, { window: 3, countBits: 5, counterBits: 24, policy, columns: { thetaOn: 2, thetaOff: 1 } });
const POLICIES: Record<string, RowPolicy> = {
  threshold: { kind: 'threshold', thetaOn: 4, thetaOff: 2 },
  'top-k': { kind: 'top-k', keep: { fraction: 1, fractionBits: 1 }, bonus: 2 },
};

/** Row inputs of each token: rows 0..7 busy and 8..15 nearly silent for 12 tokens, then rows 4..11 busy. */
function workload(seed: number, tokens = 30): number[][][] {
  const rng = new Rng(seed);
  return Array.from({ length: tokens }, (_, k) => {
    const hot = (r: number) => (k < 12 ? r < 8 : r >= 4 && r < 12);
    return Array.from({ length: T }, () => Array.from({ length: tileSpec.rows }, (_, r) => (rng.chance(hot(r) ? 0.7 : 0.02) ? 1 : 0)));
  });
}

const weights = (seed: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: tileSpec.rows * tileSpec.cols }, () => rng.int(-1, 3));
};

interface LoopResult {
  /** the tile's mask during each token, its spikes per token, the controller's final counters */
  masks: number[][];
  spikes: number[][];
  tile: CrossbarTile;
  ctl: PruningController;
}

/** Token-level loop: the tile steps T times per token, the controller watches, a window's mask goes into the tile. */
function tokenLoop(policy: RowPolicy, tokens: number[][][], pruning = true): LoopResult {
  const tile = new CrossbarTile(tileSpec);
  tile.program(weights(11));
  tile.threshold = THRESHOLD;
  const ctl = new PruningController(spec(policy));
  const f = new PruningFunctional(spec(policy));
  const masks: number[][] = [];
  const spikes: number[][] = [];
  for (const steps of tokens) {
    masks.push(Array.from(tile.mask));
    const out: number[] = [];
    const fx: number[] = [];
    const fy: number[] = [];
    steps.forEach((x, t) => {
      const s = tile.step(x, undefined, t === 0);
      ctl.timestep(x, s.spikes!);
      out.push(...s.spikes!);
      fx.push(...x);
      fy.push(...s.spikes!);
    });
    spikes.push(out);
    const u = ctl.endToken();
    // the functional model, fed the same token, gives the same update
    expect(f.token(fx, fy, steps.length)?.rowMask).toEqual(u?.rowMask);
    if (u && pruning) tile.setMask(u.rowMask);
  }
  expect(f.counters).toEqual(ctl.counters);
  return { masks, spikes, tile, ctl };
}

describe('pruning controller with a golden crossbar tile in the loop', () => {
  it.each(Object.keys(POLICIES))('%s: silent rows are pruned, come back when active, and the tile reads fewer cells', (name) => {
    const tokens = workload(5);
    const r = tokenLoop(POLICIES[name]!, tokens);
    const plain = tokenLoop(POLICIES[name]!, tokens, false);
    const W = 3;
    // the mask only changes at window boundaries, from the token after a window's last on
    r.masks.forEach((m, k) => {
      if (k % W !== 0) expect(m).toEqual(r.masks[k - 1]);
    });
    const rowsOn = (m: number[]) => m.flatMap((b, i) => (b ? [i] : []));
    // after the first window (tokens 0..2) the busy rows 0..7 remain, the silent ones go
    expect(rowsOn(r.masks[3]!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // the activity moves at token 12: rows 8..11, masked but counted, come back, and rows 0..3 go
    expect(rowsOn(r.masks[15]!)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(r.ctl.counters.windows).toBe(10);
    expect(r.ctl.counters.rows_on).toBeGreaterThanOrEqual(4);
    expect(r.tile.counters.masked_rows).toBeGreaterThan(0);
    expect(r.tile.counters.cell_reads).toBeLessThan(plain.tile.counters.cell_reads);
    // the first window ran unpruned: identical outputs there
    expect(r.spikes.slice(0, W)).toEqual(plain.spikes.slice(0, W));
  });

  it.each(Object.keys(POLICIES))('%s: the cycle-level loop with the handshake computes what the token-level loop does', (name) => {
    const policy = POLICIES[name]!;
    const tokens = workload(6, 18);
    const ref = tokenLoop(policy, tokens);
    const got = cycleLoop(policy, tokens);
    expect(got.masks).toEqual(ref.masks);
    expect(got.spikes).toEqual(ref.spikes);
    expect(got.busyCycles).toBe(got.windows * got.latency);
  });
});

/** Cycle-level loop: the two port models, wired as a chip top would, driven by a simple sequencer. */
function cycleLoop(policy: RowPolicy, tokens: number[][][]) {
  const p = spec(policy);
  const tile = new CrossbarTileCycleModel(tileSpec);
  const ctl = new PruningCycleModel(p);
  const map = crossbarMap(tileSpec);
  const G = tileSpec.cols / tileSpec.colsPerCycle;
  const quietTile: TilePortsIn = { rst: 0, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0, in_spikes: 0n, in_psum: 0n, in_restart: 0 };
  const quietCtl: PrunePortsIn = { rst: 0, row_valid: 0, row_in: 0n, col_valid: 0, col_group: 0, col_out: 0n, token_end: 0 };
  // program the tile: the weights word by word (canonical cells), the neurons' threshold
  const program = new CrossbarTile(tileSpec);
  program.program(weights(11));
  const cells = (r: number, c: number, sl: number): [number, number] => {
    const cp = program.cells(r, c);
    return [cp.pos[sl]!, cp.neg[sl]!];
  };
  const writes = loadWeights(tileSpec, cells).map((o) => o as { addr: number; data: bigint });
  writes.push({ addr: cfgAddress(map, REGION.registers, TILE_REG.threshold), data: BigInt(THRESHOLD) });

  let cycles = 0;
  let busyCycles = 0;
  let windows = 0;
  /** one clock edge of both models; the controller watches what the tile takes and shows */
  const edge = (tx: TilePortsIn, tokenEnd = 0): Record<string, bigint> => {
    const to = tile.outputs();
    const co = ctl.outputs();
    if (!co.ready) busyCycles++;
    if (co.mask_valid) windows++;
    const taken = to.ready && !tx.cfg_we && tx.in_valid;
    ctl.edge({ ...quietCtl, row_valid: taken ? 1 : 0, row_in: tx.in_spikes, col_valid: Number(to.out_valid), col_group: Number(to.out_group ?? 0n), col_out: to.out_spikes!, token_end: tokenEnd });
    tile.edge(tx);
    cycles++;
    if (cycles > 1_000_000) throw new Error('the loop hangs');
    return to;
  };
  const write = (addr: number, data: bigint) => {
    while (!tile.outputs().ready) edge(quietTile);
    edge({ ...quietTile, cfg_we: 1, cfg_addr: addr, cfg_data: data });
  };
  for (const w of writes) write(w.addr, w.data);

  const masks: number[][] = [];
  const spikes: number[][] = [];
  let current = Array.from({ length: tileSpec.rows }, () => 1);
  for (const steps of tokens) {
    masks.push(current);
    const out: number[] = new Array(T * tileSpec.cols).fill(0);
    steps.forEach((x, t) => {
      const tx = { ...quietTile, in_valid: 1, in_spikes: x.reduceRight((v, b) => (v << 1n) | BigInt(b), 0n), in_restart: t === 0 ? 1 : 0 };
      while (!tile.outputs().ready) edge(quietTile);
      edge(tx);
      // collect this timestep's column groups
      for (let seen = 0; seen < G; ) {
        const o = edge(quietTile);
        if (!o.out_valid) continue;
        const g = Number(o.out_group ?? 0n);
        for (let j = 0; j < tileSpec.colsPerCycle; j++) out[t * tileSpec.cols + g * tileSpec.colsPerCycle + j] = Number((o.out_spikes! >> BigInt(j)) & 1n);
        seen++;
      }
    });
    spikes.push(out);
    // the last group has reached the controller at the edge above: end the token, wait for the controller
    edge(quietTile, 1);
    while (!ctl.outputs().ready) edge(quietTile);
    const co = ctl.outputs();
    if (co.mask_valid) {
      current = Array.from({ length: tileSpec.rows }, (_, r) => Number((co.row_mask! >> BigInt(r)) & 1n));
      write(cfgAddress(map, REGION.mask, 0), co.row_mask!);
    }
  }
  return { masks, spikes, busyCycles, windows, latency: maskLatency(p) };
}
