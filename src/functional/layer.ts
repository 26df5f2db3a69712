// Chip functional model of a spiking linear layer (architecture.md, the third model): a (dIn x dOut) integer weight
// matrix on a grid of crossbar tiles (docs/crossbar.md), at timestep level, for a block of positions at once. Per
// position-step it computes exactly what the golden tiles chained by hand compute: per-tile column sums of the
// active rows, each tile's ADC (its own adc_shift), slice recombination, the saturating P-bit partial-sum chain in
// row-tile order starting from the bias, then one LIF neuron per output (the last tile of each chain is a neurons
// tile) or the partial sums out; with the tiles' event counters.
import { captureLoc } from '../hdl/srcloc.js';
import { TileInputError, type TileCounters } from '../golden/crossbar.js';
import { checkCrossbarSpec, colGroups, rowGroups, shiftWidth, TILE_COUNTERS, tileNeuronSpec, type CrossbarSpec } from '../spec/crossbar.js';
import { leakWidth, thresholdWidth } from '../spec/lif.js';
import { ReferenceEngine } from './reference.js';
import { CI, NC, type LayerEngine, type LayerSetup } from './setup.js';
import { badWeight, chainBounds, exactChains, sliceWeights, tileGrid, type TileGrid } from './tiling.js';
import { WasmEngine, wasmUnsupported } from './wasm-engine.js';

export type EngineChoice = 'auto' | 'wasm' | 'ts';

export interface SpikingLinearConfig {
  /** the parameters of every tile (for a chain, the tiles before the last are the same tile with output 'psum') */
  tile: CrossbarSpec;
  dIn: number;
  dOut: number;
  /** [dIn][dOut] row-major integers, |w| <= cellLevels^slices - 1 */
  weights: ArrayLike<number>;
  /** positions in a block, each with its own neuron state (default 1) */
  positions?: number;
  /** adc_shift: one for all tiles, or per tile [rt * colTiles + ct] (default 0) */
  adcShift?: number | ArrayLike<number>;
  /** neurons: threshold and leak, one for all, or per column tile (default 0) */
  threshold?: number | ArrayLike<number>;
  leak?: number | ArrayLike<number>;
  /** [dOut]: psum_in of each chain's first tile (default 0), P-bit signed */
  bias?: ArrayLike<number>;
  /** 'auto' (default): the SIMD engine where it can run the layer, else the plain TS engine */
  engine?: EngineChoice;
}

/** What one call computed, for every position-step m = position * T + step. */
export interface LayerOutput {
  /** neurons: spikes [M][dOut] */
  spikes?: Int8Array;
  /** output 'psum': the chains' partial sums z [M][dOut] */
  psum?: Int32Array;
  /** this call's events, summed over the tiles */
  events: TileCounters;
}

const WHO = 'SpikingLinear';

function fail(msg: string): never {
  throw new TileInputError(`${WHO}: ${msg}`);
}

/** A scalar or per-entry register setting, checked against [0, max]. */
function registers(name: string, v: number | ArrayLike<number> | undefined, n: number, max: number, what: string): Int32Array {
  const out = new Int32Array(n);
  if (v === undefined) return out;
  if (typeof v === 'number') out.fill(checkRegister(name, v, max));
  else {
    if (v.length !== n) fail(`${name}: ${v.length} values, expected one per ${what} (${n})`);
    for (let i = 0; i < n; i++) out[i] = checkRegister(`${name}[${i}]`, v[i]!, max);
  }
  return out;
}

function checkRegister(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) fail(`${name} = ${v} is outside 0..${max}`);
  return v;
}

export class SpikingLinear {
  readonly grid: TileGrid;
  readonly positions: number;
  readonly engine: 'wasm' | 'ts';
  private readonly setup: LayerSetup;
  private readonly impl: LayerEngine;
  /** events per tile [rt * CT + ct][counter], exact totals (the chip's counters wrap at counterBits) */
  private readonly events: Float64Array;

  constructor(cfg: SpikingLinearConfig) {
    const { tile } = cfg;
    checkCrossbarSpec(tile, captureLoc(), WHO);
    const positions = cfg.positions ?? 1;
    for (const [k, v] of [['dIn', cfg.dIn], ['dOut', cfg.dOut], ['positions', positions]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 2 ** 20) fail(`${k} = ${v} is outside 1..${2 ** 20}`);
    }
    const g = tileGrid(tile, cfg.dIn, cfg.dOut);
    if (cfg.weights.length !== g.dIn * g.dOut) fail(`weights: ${cfg.weights.length} values, expected dIn x dOut = ${g.dIn} x ${g.dOut} = ${g.dIn * g.dOut}`);
    const bw = badWeight(cfg.weights, g.dOut, tile);
    if (bw) fail(`weights[${bw[0]}][${bw[1]}] = ${bw[2]} is outside -${tile.cellLevels ** tile.slices - 1}..${tile.cellLevels ** tile.slices - 1} (cellLevels ${tile.cellLevels}, slices ${tile.slices})`);
    let bias: Int32Array | undefined;
    if (cfg.bias) {
      if (cfg.bias.length !== g.dOut) fail(`bias: ${cfg.bias.length} values, expected dOut = ${g.dOut}`);
      const lim = 2 ** (tile.psumBits - 1);
      bias = new Int32Array(g.dOut);
      for (let j = 0; j < g.dOut; j++) {
        const b = cfg.bias[j]!;
        if (!Number.isInteger(b) || b < -lim || b > lim - 1) fail(`bias[${j}] = ${b} is outside the ${tile.psumBits}-bit psum range ${-lim}..${lim - 1}`);
        bias[j] = b;
      }
    }
    const neuron = tile.output === 'neurons' ? tileNeuronSpec(tile) : undefined;
    const weights = Int32Array.from(cfg.weights);
    const slices = sliceWeights(weights, tile);
    this.setup = {
      tile,
      grid: g,
      positions,
      weights,
      slices,
      bias,
      shifts: registers('adcShift', cfg.adcShift, g.RT * g.CT, 2 ** shiftWidth(tile) - 1, 'tile'),
      thetas: registers('threshold', cfg.threshold, g.CT, neuron ? 2 ** thresholdWidth(neuron) - 1 : 0, 'column tile'),
      leaks: registers('leak', cfg.leak, g.CT, neuron ? 2 ** leakWidth(neuron) - 1 : 0, 'column tile'),
      masks: Array.from({ length: g.RT * g.CT }, () => new Uint8Array(g.R).fill(1)),
      maskVersion: 0,
      bounds: chainBounds(g, tile, weights, slices, bias),
      neuron,
    };
    const choice = cfg.engine ?? 'auto';
    if (choice !== 'auto' && choice !== 'wasm' && choice !== 'ts') fail(`engine = '${String(choice)}' is not one of auto, wasm, ts`);
    const why = choice === 'ts' ? 'ts requested' : wasmUnsupported(this.setup);
    if (choice === 'wasm' && why) fail(`engine 'wasm' cannot run this layer: ${why}`);
    this.impl = why ? new ReferenceEngine(this.setup) : new WasmEngine(this.setup);
    this.engine = this.impl.name;
    this.grid = g;
    this.positions = positions;
    this.events = new Float64Array(g.RT * g.CT * NC);
    // programming the tiles (the constructor's weights) writes every weight word once, as the golden program() counts
    for (let t = 0; t < g.RT * g.CT; t++) this.events[t * NC + CI.weight_writes] = rowGroups(tile) * colGroups(tile);
  }

  get tile(): CrossbarSpec {
    return this.setup.tile;
  }

  private tileIndex(rt: number, ct: number): number {
    const g = this.grid;
    if (!Number.isInteger(rt) || rt < 0 || rt >= g.RT) fail(`row tile ${rt} is outside 0..${g.RT - 1}`);
    if (!Number.isInteger(ct) || ct < 0 || ct >= g.CT) fail(`column tile ${ct} is outside 0..${g.CT - 1}`);
    return rt * g.CT + ct;
  }

  /** Row mask of tile (rt, ct): R bits, 1 = enabled (rows past dIn of the last row tile carry no input). */
  setMask(rt: number, ct: number, mask: ArrayLike<number>): void {
    const t = this.tileIndex(rt, ct);
    if (mask.length !== this.grid.R) fail(`row mask of tile (${rt}, ${ct}): ${mask.length} bits, the tile has ${this.grid.R} rows`);
    for (let r = 0; r < mask.length; r++) if (mask[r] !== 0 && mask[r] !== 1) fail(`row mask of tile (${rt}, ${ct})[${r}] = ${mask[r]}; each mask bit is 0 or 1`);
    this.setup.masks[t]!.set(mask);
    this.setup.maskVersion++;
  }

  setAdcShift(rt: number, ct: number, shift: number): void {
    const t = this.tileIndex(rt, ct);
    this.setup.shifts[t] = checkRegister(`adcShift of tile (${rt}, ${ct})`, shift, 2 ** shiftWidth(this.tile) - 1);
  }

  setThreshold(ct: number, theta: number): void {
    this.tileIndex(0, ct);
    const n = this.setup.neuron;
    this.setup.thetas[ct] = checkRegister(`threshold of column tile ${ct}`, theta, n ? 2 ** thresholdWidth(n) - 1 : 0);
  }

  setLeak(ct: number, leak: number): void {
    this.tileIndex(0, ct);
    const n = this.setup.neuron;
    this.setup.leaks[ct] = checkRegister(`leak of column tile ${ct}`, leak, n ? 2 ** leakWidth(n) - 1 : 0);
  }

  /**
   * One timestep for every position: x [positions][dIn]; restart (neurons): the step starts a token, for all
   * positions or per position.
   */
  step(x: ArrayLike<number>, opts: { restart?: boolean | ArrayLike<number> } = {}): LayerOutput {
    const P = this.positions;
    if (x.length !== P * this.grid.dIn) fail(`x: ${x.length} values, expected positions x dIn = ${P} x ${this.grid.dIn}`);
    const restart = new Uint8Array(P);
    const r = opts.restart ?? false;
    if (typeof r === 'boolean') restart.fill(r ? 1 : 0);
    else {
      if (r.length !== P) fail(`restart: ${r.length} flags, expected one per position (${P})`);
      for (let i = 0; i < P; i++) {
        if (r[i] !== 0 && r[i] !== 1) fail(`restart[${i}] = ${r[i]}; a restart flag is 0 or 1`);
        restart[i] = r[i]!;
      }
    }
    return this.compute(x, 1, restart, true);
  }

  /**
   * T timesteps for every position: x [positions][T][dIn], step t of a position after its step t - 1 (the layer's
   * inputs for all steps are known: as in a prefill, or a network run layer by layer). restart (default true): the
   * neurons start from rest at each position's step 0.
   */
  run(x: ArrayLike<number>, T: number, opts: { restart?: boolean } = {}): LayerOutput {
    const P = this.positions;
    if (!Number.isInteger(T) || T < 1 || T > 2 ** 16) fail(`T = ${T} is outside 1..${2 ** 16}`);
    if (x.length !== P * T * this.grid.dIn) fail(`x: ${x.length} values, expected positions x T x dIn = ${P} x ${T} x ${this.grid.dIn}`);
    const restart = new Uint8Array(P * T);
    if (opts.restart ?? true) for (let p = 0; p < P; p++) restart[p * T] = 1;
    return this.compute(x, T, restart, false);
  }

  /**
   * A network's next layer (runNetwork): T steps of every position whose inputs are the spikes `below` fired in its
   * last run, one step later (none at step 0), with a restart at step 0, read where the SIMD engine left them.
   * Undefined where that does not apply (an engine not SIMD, layouts apart): then run() on the delayed spikes.
   */
  runOnSpikesOf(below: SpikingLinear, T: number): LayerOutput | undefined {
    if (!(this.impl instanceof WasmEngine && below.impl instanceof WasmEngine) || below.positions !== this.positions || !below.impl.canFeed(T, this.grid.dIn)) return undefined;
    const restart = new Uint8Array(this.positions * T);
    for (let p = 0; p < this.positions; p++) restart[p * T] = 1;
    return this.compute(new Int8Array(0), T, restart, false, below.impl);
  }

  private compute(x: ArrayLike<number>, T: number, restart: Uint8Array, perStep: boolean, below?: WasmEngine): LayerOutput {
    const ev = new Float64Array(this.events.length);
    const r = below ? (this.impl as WasmEngine).run({ x, T, restart, perStep }, ev, below) : this.impl.run({ x, T, restart, perStep }, ev);
    for (let i = 0; i < ev.length; i++) this.events[i]! += ev[i]!;
    return { spikes: r.spikes, psum: r.z, events: sumTiles(ev) };
  }

  /**
   * Per column tile: whether its chain provably equals one dot product (every tile with shift 0 and unable to clip,
   * no partial sum able to saturate), which the SIMD engine computes in one pass over all row tiles.
   */
  exactColumnTiles(): boolean[] {
    return exactChains(this.grid, this.setup.bounds, this.setup.shifts);
  }

  /** Membranes [positions][dOut] (zeros for a psum layer). */
  membranes(): Int32Array {
    return this.impl.membranes();
  }

  /** Events since construction or clearCounters, summed over the tiles. */
  get counters(): TileCounters {
    return sumTiles(this.events);
  }

  /** Events of one tile. */
  tileCounters(rt: number, ct: number): TileCounters {
    const t = this.tileIndex(rt, ct);
    return Object.fromEntries(TILE_COUNTERS.map((c) => [c, this.events[t * NC + CI[c]]!])) as TileCounters;
  }

  clearCounters(): void {
    this.events.fill(0);
  }

  resetNeurons(): void {
    this.impl.resetNeurons();
  }

  /** For the bench: the SIMD engine re-reads the weight bytes of its last call without arithmetic (wasm only). */
  replayReads(): void {
    if (!(this.impl instanceof WasmEngine)) throw new Error('replayReads: the layer runs on the TS engine');
    this.impl.replayReads();
  }

  /** Frees the layer's wasm memory; the layer is unusable afterwards. */
  dispose(): void {
    this.impl.dispose();
  }
}

function sumTiles(ev: Float64Array): TileCounters {
  const out = Object.fromEntries(TILE_COUNTERS.map((c) => [c, 0])) as TileCounters;
  for (let i = 0; i < ev.length; i++) out[TILE_COUNTERS[i % NC]!] += ev[i]!;
  return out;
}
