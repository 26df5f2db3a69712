// Golden crossbar tile, device mode (docs/crossbar.md, "Device mode"): the exact timestep model (crossbar.ts) with
// the cells' levels replaced by the conductances of noisy devices, for accuracy studies. Not a hardware model: the
// RTL and the exact model are the noise-free device, and with zero noise this model equals the exact one bit for bit.
//
// The model. Every cell of every differential pair (g+ and g- of each slice) is a separate device. L = cellLevels,
// g_max the conductance of level L-1, g_step = g_max / (L-1); all conductances below are relative (in units of g_max
// or of g_step), so g_max's absolute value never enters.
//   - Target: a device at level l has target conductance g_t = l / (L-1) * g_max, u = g_t / g_max = l / (L-1).
//   - Stuck devices: each device is stuck-at-off (g = 0) with probability pStuckOff, stuck-at-on (g = g_max) with
//     probability pStuckOn, independently, else healthy. The stuck map is drawn once per tile, at construction
//     (a stuck cell is a fault of the physical device: it stays stuck through every later program()); one uniform
//     v per device: v < pStuckOff -> off, else v < pStuckOff + pStuckOn -> on. A stuck device ignores programming.
//   - Programming noise, drawn at each program() (and setCells()) for each device it writes:
//       g_p = max(0, g_t + sigmaProg(u) * g_max * n),  n ~ N(0, 1),
//       sigmaProg(u) = sum_i progCoeff[i] * u^i   (a fraction of g_max).
//     Clamped at 0 only (a conductance is not negative), as aihwkit does; not clamped at g_max: g_max is the top of
//     the programming range, not a physical ceiling, so a cell programmed to L-1 may read above it.
//     Before the first program() the devices hold level 0 exactly (g = 0; stuck devices their stuck value).
//   - Read noise, drawn per device per read, i.e. in every timestep in which the device's row is active (input != 0,
//     mask 1; masked and silent rows are not read and add nothing):
//       g_read = g_p + readSigma * g_max * m,  m ~ N(0, 1), fresh for each device and read, not clamped (an additive
//     fluctuation of the read current, zero-mean, so column sums stay unbiased). It applies to stuck devices too.
//     The input scales the read current: a row input x contributes x * g_read (one read per timestep at amplitude
//     x, not |x| separate reads), so the read noise of a row grows as |x|.
//   - Column currents, in level units (a real number per slice and column):
//       I[s][c] = sum over active rows r of x_r * (g+_read - g-_read) / g_step.
//     They go through the exact model's steps 3-6 unchanged: adcConvert (floor(I / 2^sh) or floor(I / 2^sh + 1/2),
//     clipped to A bits), recombination, the saturating psum add, the neurons and the counters.
//   With progCoeff all 0, readSigma 0 and no stuck devices, g_read = l exactly (no rounding anywhere: conductances
//   are kept in level units, g / g_step, and the sums are of integers), so every output equals the exact model's.
//
// Defaults and their sources (DEFAULT_DEVICE):
//   - progCoeff: the PCM programming-noise fit of S. R. Nandakumar et al., "Phase-change memory models for deep
//     learning training and inference", ICECS 2019 (https://ieeexplore.ieee.org/abstract/document/8964852), as used by
//     IBM aihwkit's PCMLikeNoiseModel (aihwkit/inference/noise/pcm.py, prog_coeff = [0.26348, 1.9650, -1.1731] in uS
//     at a reference g_max of 25 uS): sigma_prog(u) = (0.26348 + 1.9650 u - 1.1731 u^2) / 25 of g_max, about 1.05 %
//     at u = 0 and 4.22 % at u = 1.
//   - readSigma = 0.01: the short-term read noise aihwkit's inference noise models recommend adding ("to account for
//     short-term read noise (about 1%) one should additionally set forward.w_noise to about 0.01", with
//     WeightNoiseType.ADDITIVE_CONSTANT; aihwkit/inference/noise/reram.py and custom.py). Note aihwkit adds it per
//     weight (to the pair's difference); here it is per device, so a pair's difference sees sqrt(2) * 1 %.
//   - pStuckOff = pStuckOn = 0 (no published default fits every technology: set them for a study).
//   - seed = 0. Three independent streams are derived from it (stuck map, programming, reads), so e.g. changing
//     readSigma or the number of steps does not change the programmed conductances. Same seed and same sequence of
//     calls -> the same numbers. Every device draws its programming sample whether or not it is stuck or sigma is 0,
//     so tiles that differ only in the noise scale use the same normal samples (common random numbers).
import { captureLoc } from '../hdl/srcloc.js';
import { Gaussian } from '../util/gaussian.js';
import { Rng } from '../util/random.js';
import { adcConvert, checkCrossbarSpec, colGroups, inputRange, TILE_COUNTERS, type CellPair, type CrossbarSpec } from '../spec/crossbar.js';
import { CrossbarTile, TileInputError, zeroCounters, type TileCounters, type TileStep } from './crossbar.js';
import type { LifNeurons } from './lif.js';

export interface DeviceParams {
  /** programming noise: sigma_prog(u) / g_max = sum_i progCoeff[i] * u^i, u = g_t / g_max (non-negative at every level) */
  progCoeff: readonly number[];
  /** read noise sigma / g_max, additive, per device per read */
  readSigma: number;
  /** probability that a device is stuck at g = 0 */
  pStuckOff: number;
  /** probability that a device is stuck at g = g_max */
  pStuckOn: number;
  /** seed of every random draw, an integer 0..2^32-1 */
  seed: number;
}

/** Reference g_max of the Nandakumar et al. (ICECS 2019) / aihwkit PCM fit, uS. */
export const PCM_G_MAX_US = 25;
/** The fit's coefficients in uS at g_max = 25 uS (aihwkit PCMLikeNoiseModel prog_coeff). */
export const PCM_PROG_COEFF_US = [0.26348, 1.965, -1.1731] as const;

/** Defaults: PCM programming noise (Nandakumar et al. 2019 via aihwkit), 1 % read noise, no stuck devices. */
export const DEFAULT_DEVICE: Readonly<DeviceParams> = Object.freeze({
  progCoeff: Object.freeze(PCM_PROG_COEFF_US.map((c) => c / PCM_G_MAX_US)),
  readSigma: 0.01,
  pStuckOff: 0,
  pStuckOn: 0,
  seed: 0,
});

/** The noise-free device: equals the exact model. */
export const IDEAL_DEVICE: Readonly<DeviceParams> = Object.freeze({ progCoeff: Object.freeze([0]), readSigma: 0, pStuckOff: 0, pStuckOn: 0, seed: 0 });

/** sigma_prog(u) / g_max of the programming noise at u = g_t / g_max. */
export function progSigma(u: number, d: Pick<DeviceParams, 'progCoeff'>): number {
  let s = 0;
  for (let i = d.progCoeff.length - 1; i >= 0; i--) s = s * u + d.progCoeff[i]!;
  return s;
}

/** Device states of the stuck map. */
export const STUCK = { none: 0, off: 1, on: 2 } as const;

/** A timestep of the device model: TileStep with real-valued column sums. */
export type DeviceTileStep = Omit<TileStep, 'sums'> & { sums: Float64Array };

function checkDeviceParams(d: DeviceParams, spec: CrossbarSpec): DeviceParams {
  const bad = (m: string) => {
    throw new TileInputError(`device parameters: ${m}`);
  };
  const prob = (name: string, v: number) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) bad(`${name} = ${v} is outside 0..1`);
  };
  if (!Array.isArray(d.progCoeff) || d.progCoeff.length === 0 || d.progCoeff.some((c) => typeof c !== 'number' || !Number.isFinite(c))) bad(`progCoeff = ${JSON.stringify(d.progCoeff)} must be a non-empty list of finite numbers`);
  const L = spec.cellLevels;
  for (let l = 0; l < L; l++) {
    const s = progSigma(l / (L - 1), d);
    if (s < 0) bad(`progCoeff gives sigma_prog = ${s} < 0 at level ${l} (u = ${l}/${L - 1}); sigma must be non-negative`);
  }
  if (typeof d.readSigma !== 'number' || !(d.readSigma >= 0 && Number.isFinite(d.readSigma))) bad(`readSigma = ${d.readSigma} must be a finite number >= 0`);
  prob('pStuckOff', d.pStuckOff);
  prob('pStuckOn', d.pStuckOn);
  if (d.pStuckOff + d.pStuckOn > 1) bad(`pStuckOff + pStuckOn = ${d.pStuckOff + d.pStuckOn} exceeds 1`);
  if (!Number.isInteger(d.seed) || d.seed < 0 || d.seed > 0xffffffff) bad(`seed = ${d.seed} must be an integer 0..2^32-1`);
  return Object.freeze({ ...d, progCoeff: Object.freeze([...d.progCoeff]) });
}

/** Seed of an independent stream `stream` derived from the user's seed (a 32-bit hash, so seeds s and s+1 differ everywhere). */
function streamSeed(seed: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---- steps shared by the exact and the device model (docs/crossbar.md, "One timestep") ----
// CrossbarTile.step does the same inline; it could call these two (with Int32Array sums) so the rules live once.

/** Step 1: the rows of a timestep, with the exact model's input checks and messages. */
export interface RowScan {
  /** active rows (input != 0, mask 1), ascending */
  active: number[];
  /** row groups with at least one active row, ascending */
  activeGroups: number[];
  /** counter increments known before the conversion: timesteps, active_rows, masked_rows, cell_reads, adc_conversions, weight_reads */
  events: TileCounters;
}

export function scanRows(spec: CrossbarSpec, mask: ArrayLike<number>, x: ArrayLike<number>, psumIn?: ArrayLike<number>): RowScan {
  const { rows: R, cols: C, slices: S, rowsPerCycle: Pr } = spec;
  if (x.length !== R) throw new TileInputError(`row inputs: ${x.length} values, the tile has ${R} rows`);
  if (psumIn && psumIn.length !== C) throw new TileInputError(`psum_in: ${psumIn.length} values, the tile has ${C} columns`);
  const [lo, hi] = inputRange(spec);
  const events = zeroCounters();
  events.timesteps = 1;
  const active: number[] = [];
  const activeGroups: number[] = [];
  let lastGroup = -1;
  for (let r = 0; r < R; r++) {
    const xr = x[r]!;
    if (!Number.isInteger(xr) || xr < lo || xr > hi) throw new TileInputError(`row input x[${r}] = ${xr} is outside the ${spec.inSpikes} alphabet ${lo}..${hi}`);
    if (xr === 0) continue;
    if (!mask[r]) {
      events.masked_rows++;
      continue;
    }
    events.active_rows++;
    active.push(r);
    const g = Math.floor(r / Pr);
    if (g !== lastGroup) {
      activeGroups.push(g);
      lastGroup = g;
    }
  }
  events.cell_reads = events.active_rows * C * S * 2;
  events.adc_conversions = events.active_rows > 0 ? C * S : 0;
  events.weight_reads = activeGroups.length * colGroups(spec);
  return { active, activeGroups, events };
}

/**
 * Steps 3-6 on the column sums [s * C + c] (exact integers, or device-mode reals): ADC (adcConvert, only when a row
 * was active), recombination, the saturating psum add, the neurons (tile.neurons, with the tile's threshold and
 * leak); adds the timestep's events to tile.counters.
 */
export function finishStep<T extends Int32Array | Float64Array>(tile: CrossbarTile, scan: RowScan, sums: T, psumIn: ArrayLike<number> | undefined, restart: boolean): Omit<TileStep, 'sums'> & { sums: T } {
  const spec = tile.spec;
  const { cols: C, slices: S, colsPerCycle: Pc } = spec;
  const pMin = -(2 ** (spec.psumBits - 1));
  const pMax = 2 ** (spec.psumBits - 1) - 1;
  const events = { ...scan.events };
  const any = events.active_rows > 0;
  const G = colGroups(spec);
  const clippedPerGroup = new Int32Array(G);
  const saturatedPerGroup = new Int32Array(G);
  const q = new Int32Array(S * C);
  const y = new Int32Array(C);
  const z = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    const g = Math.floor(c / Pc);
    let yc = 0;
    for (let s = S - 1; s >= 0; s--) {
      let qs = 0;
      if (any) {
        const r = adcConvert(sums[s * C + c]!, tile.adcShift, spec);
        qs = r.q;
        if (r.clip) clippedPerGroup[g]!++;
      }
      q[s * C + c] = qs;
      yc = yc * spec.cellLevels + qs;
    }
    y[c] = yc;
    const t = (psumIn ? psumIn[c]! : 0) + yc;
    const zc = Math.min(pMax, Math.max(pMin, t));
    if (zc !== t) saturatedPerGroup[g]!++;
    z[c] = zc;
  }
  for (let g = 0; g < G; g++) {
    events.adc_clipped += clippedPerGroup[g]!;
    events.psum_saturated += saturatedPerGroup[g]!;
  }
  let spikes: Int32Array | undefined;
  let v: Int32Array | undefined;
  if (tile.neurons) {
    spikes = new Int32Array(C);
    tile.neurons.stepAll(z, tile.threshold, tile.leak, spikes, restart);
    v = Int32Array.from(tile.neurons.v);
  }
  for (const k of TILE_COUNTERS) tile.counters[k] += events[k];
  return { activeGroups: scan.activeGroups, sums, q, y, z, spikes, v, clippedPerGroup, saturatedPerGroup, events };
}

// ---- the device tile ----

export class DeviceCrossbarTile {
  /** the exact tile: target levels (pos/neg), row mask, registers, neurons and counters live here */
  readonly tile: CrossbarTile;
  readonly device: Readonly<DeviceParams>;
  /** programmed conductances in level units (g / g_step, g_step = g_max / (L-1)), [(r * C + c) * S + s] */
  readonly gPos: Float64Array;
  readonly gNeg: Float64Array;
  /** stuck map per device (STUCK.none / off / on), same indexing */
  readonly stuckPos: Uint8Array;
  readonly stuckNeg: Uint8Array;
  private readonly progNoise: Gaussian;
  private readonly readNoise: Gaussian;
  /** sigma_prog per level, in level units */
  private readonly progSigmaLevels: Float64Array;

  constructor(readonly spec: CrossbarSpec, device: Partial<DeviceParams> = {}) {
    checkCrossbarSpec(spec, captureLoc(), 'DeviceCrossbarTile');
    this.tile = new CrossbarTile(spec);
    this.device = checkDeviceParams({ ...DEFAULT_DEVICE, ...device }, spec);
    const L = spec.cellLevels;
    const n = spec.rows * spec.cols * spec.slices;
    this.gPos = new Float64Array(n);
    this.gNeg = new Float64Array(n);
    this.stuckPos = new Uint8Array(n);
    this.stuckNeg = new Uint8Array(n);
    this.progSigmaLevels = Float64Array.from({ length: L }, (_, l) => progSigma(l / (L - 1), this.device) * (L - 1));
    const { seed, pStuckOff: pOff, pStuckOn: pOn } = this.device;
    const stuckRng = new Rng(streamSeed(seed, 0));
    this.progNoise = new Gaussian(new Rng(streamSeed(seed, 1)));
    this.readNoise = new Gaussian(new Rng(streamSeed(seed, 2)));
    const draw = () => {
      const v = stuckRng.next();
      return v < pOff ? STUCK.off : v < pOff + pOn ? STUCK.on : STUCK.none;
    };
    for (let k = 0; k < n; k++) {
      this.stuckPos[k] = draw();
      this.stuckNeg[k] = draw();
      this.gPos[k] = this.stuckPos[k] === STUCK.on ? L - 1 : 0;
      this.gNeg[k] = this.stuckNeg[k] === STUCK.on ? L - 1 : 0;
    }
  }

  // registers, mask, neurons and counters: the exact tile's
  get adcShift(): number {
    return this.tile.adcShift;
  }
  set adcShift(v: number) {
    this.tile.adcShift = v;
  }
  get threshold(): number {
    return this.tile.threshold;
  }
  set threshold(v: number) {
    this.tile.threshold = v;
  }
  get leak(): number {
    return this.tile.leak;
  }
  set leak(v: number) {
    this.tile.leak = v;
  }
  get mask(): Uint8Array {
    return this.tile.mask;
  }
  get counters(): TileCounters {
    return this.tile.counters;
  }
  get neurons(): LifNeurons | undefined {
    return this.tile.neurons;
  }
  setMask(mask: ArrayLike<number>): void {
    this.tile.setMask(mask);
  }
  clearCounters(): void {
    this.tile.clearCounters();
  }
  resetNeurons(): void {
    this.tile.resetNeurons();
  }

  /** Programs every cell from a weight matrix [rows][cols] (canonical cells, the exact model's checks), then draws each device's programmed conductance. */
  program(weights: ArrayLike<number>): void {
    this.tile.program(weights);
    const n = this.gPos.length;
    for (let k = 0; k < n; k++) this.programDevices(k);
  }

  /** Sets the levels of one pair (any levels 0..L-1, canonical or not) and programs its devices. */
  setCells(r: number, c: number, cells: CellPair): void {
    const { rows: R, cols: C, slices: S, cellLevels: L } = this.spec;
    if (!Number.isInteger(r) || r < 0 || r >= R || !Number.isInteger(c) || c < 0 || c >= C) throw new TileInputError(`cell (${r}, ${c}) is outside the ${R} x ${C} tile`);
    for (const side of ['pos', 'neg'] as const) {
      const a = cells[side];
      if (a.length !== S) throw new TileInputError(`cells ${side} of (${r}, ${c}): ${a.length} levels, the tile has ${S} slice(s)`);
      a.forEach((l, s) => {
        if (!Number.isInteger(l) || l < 0 || l > L - 1) throw new TileInputError(`cells ${side}[${s}] of (${r}, ${c}) = ${l} is outside 0..${L - 1}`);
      });
    }
    this.tile.setCells(r, c, cells);
    const at = (r * C + c) * S;
    for (let s = 0; s < S; s++) this.programDevices(at + s);
  }

  /** Target levels of a pair, and the target weight (the exact model's). */
  cells(r: number, c: number): CellPair {
    return this.tile.cells(r, c);
  }
  weight(r: number, c: number): number {
    return this.tile.weight(r, c);
  }

  /** Programmed conductances of a pair in level units (g / g_step), per slice. */
  conductances(r: number, c: number): CellPair {
    const S = this.spec.slices;
    const at = (r * this.spec.cols + c) * S;
    return { pos: Array.from(this.gPos.subarray(at, at + S)), neg: Array.from(this.gNeg.subarray(at, at + S)) };
  }

  /** The weight the programmed devices represent (no read noise): sum_s (g+_s - g-_s) / g_step * L^s, a real number. */
  effectiveWeight(r: number, c: number): number {
    const { pos, neg } = this.conductances(r, c);
    let w = 0;
    for (let s = pos.length - 1; s >= 0; s--) w = w * this.spec.cellLevels + (pos[s]! - neg[s]!);
    return w;
  }

  /** One timestep (as CrossbarTile.step) with device conductances and read noise: real column sums, same ADC and after. */
  step(x: ArrayLike<number>, psumIn?: ArrayLike<number>, restart = false): DeviceTileStep {
    const { cols: C, slices: S, cellLevels: L } = this.spec;
    const scan = scanRows(this.spec, this.tile.mask, x, psumIn);
    const sums = new Float64Array(S * C);
    const sigma = this.device.readSigma * (L - 1);
    const gp = this.gPos;
    const gn = this.gNeg;
    const noise = this.readNoise;
    for (const r of scan.active) {
      const xr = x[r]!;
      const base = r * C * S;
      for (let c = 0; c < C; c++) {
        for (let s = 0; s < S; s++) {
          const k = base + c * S + s;
          let d = gp[k]! - gn[k]!;
          if (sigma > 0) {
            const np = noise.next();
            const nn = noise.next();
            d += sigma * (np - nn);
          }
          sums[s * C + c]! += xr * d;
        }
      }
    }
    return finishStep(this.tile, scan, sums, psumIn, restart);
  }

  /** Draws the programmed conductances of both devices of pair-slice k from the target levels. */
  private programDevices(k: number): void {
    this.gPos[k] = this.sample(this.tile.pos[k]!, this.stuckPos[k]!);
    this.gNeg[k] = this.sample(this.tile.neg[k]!, this.stuckNeg[k]!);
  }

  private sample(level: number, stuck: number): number {
    const n = this.progNoise.next(); // drawn for every device, stuck or not (common random numbers)
    if (stuck === STUCK.off) return 0;
    if (stuck === STUCK.on) return this.spec.cellLevels - 1;
    return Math.max(0, level + this.progSigmaLevels[level]! * n);
  }
}
