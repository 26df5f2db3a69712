// Co-simulation driver for the crossbar tile: operations (configuration writes, timesteps, idle cycles) are turned
// into per-cycle port vectors by a planner that holds each operation on the ports until the golden model says the
// tile takes it; the vectors are then run through the RTL (Verilator) and a fresh golden cycle model and every
// output is compared on every cycle.
import { crossbarTile, type CrossbarParams } from '../dsl/crossbar.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { CrossbarTileCycleModel, type TilePortsIn } from '../src/golden/crossbar-cycle.js';
import { elaborate } from '../src/hdl/index.js';
import { cellBits, cfgAddress, crossbarMap, inputRange, inputWidth, REGION, shiftWidth, TILE_REG, type CrossbarMap } from '../src/spec/crossbar.js';
import type { Rng } from '../src/util/random.js';

const neuron = (o: Partial<NonNullable<CrossbarParams['neuron']>> = {}): NonNullable<CrossbarParams['neuron']> => ({ vWidth: 10, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'binary', levels: 1, ...o });

/** Parameter sets: one row/column group; bit slicing with graded-signed inputs; several groups of each with neurons. */
export const XBAR_SETS: Record<string, CrossbarParams> = {
  basic: { rows: 8, cols: 4, cellLevels: 4, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 4, adcRounding: 'floor', rowsPerCycle: 1, colsPerCycle: 4, output: 'neurons', psumBits: 10, counterBits: 16, neuron: neuron() },
  sliced: { rows: 12, cols: 6, cellLevels: 4, slices: 2, inSpikes: 'graded-signed', inLevels: 3, adcBits: 6, adcRounding: 'half-up', rowsPerCycle: 3, colsPerCycle: 2, output: 'psum', psumBits: 12, counterBits: 20 },
  grouped: { rows: 16, cols: 8, cellLevels: 3, slices: 1, inSpikes: 'signed', inLevels: 1, adcBits: 4, adcRounding: 'floor', rowsPerCycle: 4, colsPerCycle: 2, output: 'neurons', psumBits: 8, counterBits: 16, neuron: neuron({ vWidth: 9, leak: 'shift', reset: 'zero', refractory: 1, spikes: 'graded', levels: 2 }) },
  wide: { rows: 32, cols: 16, cellLevels: 8, slices: 3, inSpikes: 'graded', inLevels: 2, adcBits: 7, adcRounding: 'half-up', rowsPerCycle: 8, colsPerCycle: 8, output: 'neurons', psumBits: 16, counterBits: 24, neuron: neuron({ vWidth: 14, leak: 'subtract', spikes: 'graded-signed', levels: 3 }) },
};

export type TileOp =
  | { kind: 'write'; addr: number; data: bigint }
  | { kind: 'step'; spikes: number[]; psum: number[]; restart?: boolean }
  | { kind: 'idle'; cycles: number }
  | { kind: 'reset' };

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** Packs row inputs / partial sums into the port bit vectors. */
export function packFields(values: readonly number[], width: number): bigint {
  let v = 0n;
  for (let i = values.length - 1; i >= 0; i--) v = (v << BigInt(width)) | (BigInt(values[i]!) & mask(width));
  return v;
}

/** The weight word of (row group g, column group cg) from a weight matrix, canonical cells. */
export function weightWord(p: CrossbarParams, map: CrossbarMap, levels: (r: number, c: number, s: number) => [number, number], g: number, cg: number): bigint {
  const cb = cellBits(p);
  let w = 0n;
  for (let i = 0; i < p.rowsPerCycle; i++) {
    for (let j = 0; j < p.colsPerCycle; j++) {
      for (let s = 0; s < p.slices; s++) {
        const [gp, gn] = levels(g * p.rowsPerCycle + i, cg * p.colsPerCycle + j, s);
        const off = map.cellOffset(i, j, s);
        w |= (BigInt(gp) << BigInt(off)) | (BigInt(gn) << BigInt(off + cb));
      }
    }
  }
  return w;
}

/** Writes that load every weight word from `levels`. */
export function loadWeights(p: CrossbarParams, levels: (r: number, c: number, s: number) => [number, number]): TileOp[] {
  const map = crossbarMap(p);
  const G = p.cols / p.colsPerCycle;
  const ops: TileOp[] = [];
  for (let i = 0; i < map.weightWords; i++) ops.push({ kind: 'write', addr: cfgAddress(map, REGION.weights, i), data: weightWord(p, map, levels, Math.floor(i / G), i % G) });
  return ops;
}

export function writeMask(p: CrossbarParams, bits: readonly number[]): TileOp[] {
  const map = crossbarMap(p);
  return Array.from({ length: map.maskWords }, (_, k) => ({ kind: 'write' as const, addr: cfgAddress(map, REGION.mask, k), data: packFields(bits.slice(k * map.maskChunk, (k + 1) * map.maskChunk), 1) }));
}

export const writeReg = (p: CrossbarParams, reg: keyof typeof TILE_REG, data: number | bigint): TileOp => ({ kind: 'write', addr: cfgAddress(crossbarMap(p), REGION.registers, TILE_REG[reg]), data: BigInt(data) });

/** Random operations: weights (now and then a refused write), masks, registers, timesteps of varied density. */
export function randomOps(p: CrossbarParams, rng: Rng, steps: number): TileOp[] {
  const map = crossbarMap(p);
  const L = p.cellLevels;
  const [xLo, xHi] = inputRange(p);
  const pMax = 2 ** (p.psumBits - 1) - 1;
  // each load gives every column a leaning (mixed, mostly positive, mostly negative), so column sums reach the ADC's
  // limits on both sides; a few pairs are non-canonical (both cells set)
  const randomLevels = () => {
    const lean = Array.from({ length: p.cols }, () => rng.int(0, 2));
    return (_r: number, c: number): [number, number] => {
      const d = rng.chance(0.25) ? L - 1 : rng.int(0, L - 1);
      const positive = lean[c] === 0 ? rng.chance(0.5) : lean[c] === 1 ? rng.chance(0.9) : rng.chance(0.1);
      if (rng.chance(0.05)) return [rng.int(0, L - 1), rng.int(0, L - 1)];
      return positive ? [d, 0] : [0, d];
    };
  };
  const ops: TileOp[] = [{ kind: 'reset' }, ...loadWeights(p, randomLevels())];
  const configure = () => {
    if (p.output === 'neurons') {
      ops.push(writeReg(p, 'threshold', rng.chance(0.1) ? 0 : rng.int(1, 2 ** Math.min(map.registerBits.threshold, p.psumBits - 1) - 1)));
      if (map.registerBits.leak) ops.push(writeReg(p, 'leak', rng.int(0, 2 ** map.registerBits.leak - 1)));
    }
    // shifts around the range where sums meet the ADC's, so both clipping and exact conversions happen
    ops.push(writeReg(p, 'adcShift', rng.chance(0.1) ? 2 ** shiftWidth(p) - 1 : rng.int(0, Math.min(2 ** shiftWidth(p) - 1, 4))));
  };
  configure();
  let density = 0.3;
  for (let k = 0; k < steps; k++) {
    const r = rng.next();
    if (r < 0.03) ops.push(...loadWeights(p, randomLevels()).filter(() => rng.chance(0.3)));
    else if (r < 0.06) ops.push(...writeMask(p, Array.from({ length: p.rows }, () => (rng.chance(0.75) ? 1 : 0))));
    else if (r < 0.08) configure();
    else if (r < 0.085) ops.push(writeReg(p, 'clearCounters', 0));
    else if (r < 0.095) {
      // refused writes: unmapped index, data too wide for a register, a level above L - 1, mask bits past the last row
      const bad = rng.int(0, 3);
      if (bad === 0) ops.push({ kind: 'write', addr: cfgAddress(map, 3, rng.int(0, 2 ** map.indexBits - 1)), data: 1n });
      else if (bad === 1) ops.push(writeReg(p, 'adcShift', 1n << BigInt(map.registerBits.adcShift)));
      else if (bad === 2 && 2 ** cellBits(p) > L) ops.push({ kind: 'write', addr: cfgAddress(map, REGION.weights, 0), data: BigInt(L) });
      else ops.push({ kind: 'write', addr: cfgAddress(map, REGION.mask, map.maskWords - 1), data: 1n << BigInt(p.rows - (map.maskWords - 1) * map.maskChunk) });
    } else if (r < 0.1) ops.push({ kind: 'idle', cycles: rng.int(1, 4) });
    else if (r < 0.1005) ops.push({ kind: 'reset' }, ...loadWeights(p, randomLevels()));
    else {
      if (rng.chance(0.05)) density = [0, 0.05, 0.3, 0.7, 1][rng.int(0, 4)]!;
      const spikes = Array.from({ length: p.rows }, () => (rng.chance(density) ? (rng.chance(0.3) ? (rng.chance(0.5) ? xHi : xLo) : rng.int(xLo, xHi)) : 0));
      const psum = Array.from({ length: p.cols }, () => (rng.chance(0.7) ? 0 : rng.chance(0.2) ? (rng.chance(0.5) ? pMax : -pMax - 1) : rng.int(-(2 ** (p.psumBits - 3)), 2 ** (p.psumBits - 3))));
      ops.push({ kind: 'step', spikes, psum, restart: rng.chance(0.1) });
    }
  }
  return ops;
}

export type Vector = Record<string, number | bigint>;

/** The port vector of the tile's inputs x (in_restart only where the tile has neurons). */
export function tileVector(p: Pick<CrossbarParams, 'output'>, x: TilePortsIn): Vector {
  const v: Vector = { rst: x.rst, cfg_we: x.cfg_we, cfg_addr: x.cfg_addr, cfg_data: x.cfg_data, in_valid: x.in_valid, in_spikes: x.in_spikes, in_psum: x.in_psum };
  if (p.output === 'neurons') v.in_restart = x.in_restart ?? 0;
  return v;
}

/** Per-cycle port vectors that perform `ops` in order: each held until the golden model takes it. */
export function planVectors(p: CrossbarParams, ops: readonly TileOp[]): Vector[] {
  const model = new CrossbarTileCycleModel(p);
  const xw = inputWidth(p);
  const out: Vector[] = [];
  const quiet: TilePortsIn = { rst: 0, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0, in_spikes: 0n, in_psum: 0n, in_restart: 0 };
  const push = (x: TilePortsIn) => {
    out.push(tileVector(p, x));
    model.edge(x);
  };
  for (const op of ops) {
    if (op.kind === 'reset') {
      push({ ...quiet, rst: 1 });
      continue;
    }
    if (op.kind === 'idle') {
      for (let i = 0; i < op.cycles; i++) push(quiet);
      continue;
    }
    const x: TilePortsIn =
      op.kind === 'write'
        ? { ...quiet, cfg_we: 1, cfg_addr: op.addr, cfg_data: op.data }
        : { ...quiet, in_valid: 1, in_spikes: packFields(op.spikes, xw), in_psum: packFields(op.psum, p.psumBits), in_restart: op.restart ? 1 : 0 };
    for (let guard = 0; ; guard++) {
      if (guard > 100_000) throw new Error('the tile never became ready');
      const taken = model.ready;
      push(x);
      if (taken) break;
    }
  }
  for (let i = 0; i < 40; i++) push(quiet); // let the last timestep finish
  return out;
}

export interface CosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  /** timesteps accepted and output groups seen */
  timesteps: number;
  outputs: number;
  simMs: number;
  goldenMs: number;
}

/** Runs the vectors through RTL and a fresh golden model, comparing every output on every cycle after the first reset. */
export async function cosimTile(dut: Dut, p: CrossbarParams, vectors: Vector[], name: string, chunk = 20_000): Promise<CosimResult> {
  let timesteps = 0;
  let outputs = 0;
  const r = await lockstep(dut, vectors, name, new CrossbarTileCycleModel(p), (v) => ({ rst: Number(v.rst), cfg_we: Number(v.cfg_we), cfg_addr: Number(v.cfg_addr), cfg_data: BigInt(v.cfg_data!), in_valid: Number(v.in_valid), in_spikes: BigInt(v.in_spikes!), in_psum: BigInt(v.in_psum!), in_restart: Number(v.in_restart ?? 0) }), {
    chunk,
    onCycle: (e, v) => {
      if (e.out_valid) outputs++;
      if (e.ready && v.in_valid && !v.cfg_we) timesteps++;
    },
  });
  return { ...r, timesteps, outputs };
}

export async function startTile(p: CrossbarParams): Promise<Dut> {
  return Dut.start(elaborate(() => crossbarTile(p)));
}
