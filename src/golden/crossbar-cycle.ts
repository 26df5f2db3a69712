// Cycle-level golden model of the crossbar tile's ports (docs/crossbar.md, "Ports and timing"): the configuration
// bus, the timestep handshake, the output schedule and when each counter moves. The arithmetic of a timestep is the
// timestep model's (crossbar.ts), computed when the timestep is accepted; this file only places it in time.
import {
  cellBits,
  colGroups,
  crossbarMap,
  inputRange,
  inputWidth,
  outputLatency,
  REGION,
  TILE_COUNTERS,
  TILE_REG,
  timestepCycles,
  type CrossbarMap,
  type CrossbarSpec,
} from '../spec/crossbar.js';
import { CrossbarTile, type TileStep } from './crossbar.js';
import { spikeWidth } from './lif.js';

export interface TilePortsIn {
  rst: number;
  cfg_we: number;
  cfg_addr: number;
  cfg_data: bigint;
  in_valid: number;
  in_spikes: bigint;
  in_psum: bigint;
  in_restart?: number;
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const field = (packed: bigint, i: number, w: number) => (packed >> BigInt(i * w)) & mask(w);
const signedField = (packed: bigint, i: number, w: number) => {
  const b = field(packed, i, w);
  return Number(b >> BigInt(w - 1) ? b - (1n << BigInt(w)) : b);
};
const bits = (v: number, w: number) => BigInt(v) & mask(w);

export class CrossbarTileCycleModel {
  readonly tile: CrossbarTile;
  readonly map: CrossbarMap;
  private readonly G: number;
  private readonly lat: number;
  private readonly spikeBits: number;
  /** cycles after reset until the column neurons have cleared their state (time-multiplexed neurons) */
  private clearing: number;
  private cfgError = 0;
  /** the timestep in flight and the cycle index after its accepting edge */
  private busy: { step: TileStep; k: number; period: number; scan: number } | undefined;
  private out = { valid: 0, group: 0, spikes: 0n, v: 0n, psum: 0n };
  /** counters as the ports show them (wrapping at counterBits) */
  private cnt: Record<string, bigint> = {};

  constructor(readonly spec: CrossbarSpec) {
    this.tile = new CrossbarTile(spec);
    this.map = crossbarMap(spec);
    this.G = colGroups(spec);
    this.lat = outputLatency(spec);
    this.spikeBits = spec.neuron ? spikeWidth({ ...spec.neuron, iWidth: spec.psumBits, neurons: 1 }) : 0;
    this.clearing = 0;
    this.resetState();
  }

  private get timemuxNeurons(): boolean {
    return this.spec.output === 'neurons' && this.G > 1;
  }

  private resetState(): void {
    this.tile.mask.fill(1);
    this.tile.adcShift = 0;
    this.tile.threshold = 0;
    this.tile.leak = 0;
    this.tile.clearCounters();
    this.tile.resetNeurons();
    this.cfgError = 0;
    this.busy = undefined;
    this.out = { valid: 0, group: 0, spikes: 0n, v: 0n, psum: 0n };
    for (const c of TILE_COUNTERS) this.cnt[c] = 0n;
    this.clearing = this.timemuxNeurons ? this.G : 0;
  }

  get ready(): boolean {
    return this.busy === undefined && this.clearing === 0;
  }

  outputs(): Record<string, bigint> {
    const o: Record<string, bigint> = { ready: this.ready ? 1n : 0n, out_valid: BigInt(this.out.valid), cfg_error: BigInt(this.cfgError) };
    if (this.G > 1) o.out_group = BigInt(this.out.group);
    if (this.spec.output === 'neurons') {
      o.out_spikes = this.out.spikes;
      o.out_v = this.out.v;
    } else o.out_psum = this.out.psum;
    for (const c of TILE_COUNTERS) o[`cnt_${c}`] = this.cnt[c]!;
    return o;
  }

  private addCount(name: string, n: number): void {
    this.cnt[name] = (this.cnt[name]! + BigInt(n)) & mask(this.spec.counterBits);
  }

  /** One rising edge with these inputs (outputs() before it is what the ports showed during the cycle it ends). */
  edge(x: TilePortsIn): void {
    if (x.rst) {
      this.resetState();
      return;
    }
    const wasReady = this.ready;
    if (this.clearing > 0) this.clearing--;
    this.out.valid = 0;
    if (this.busy) {
      this.advance(this.busy);
      return;
    }
    if (!wasReady) return;
    // a configuration write takes the cycle; a timestep is accepted only in a cycle without one
    if (x.cfg_we) this.write(x.cfg_addr, x.cfg_data);
    else if (x.in_valid) this.accept(x);
  }

  private accept(x: TilePortsIn): void {
    const s = this.spec;
    const xw = inputWidth(s);
    const signedIn = inputRange(s)[0] < 0;
    const rows = new Int32Array(s.rows);
    for (let r = 0; r < s.rows; r++) rows[r] = signedIn ? signedField(x.in_spikes, r, xw) : Number(field(x.in_spikes, r, xw));
    const psum = new Int32Array(s.cols);
    for (let c = 0; c < s.cols; c++) psum[c] = signedField(x.in_psum, c, s.psumBits);
    // counters of the whole timestep except clipping/saturation move at the accepting edge
    const before = { ...this.tile.counters };
    const step = this.tile.step(rows, psum, (x.in_restart ?? 0) === 1);
    for (const c of ['timesteps', 'active_rows', 'masked_rows', 'cell_reads', 'adc_conversions'] as const) this.addCount(c, this.tile.counters[c] - before[c]);
    const scan = step.activeGroups.length > 0 ? step.activeGroups.length * this.G + 1 : 0;
    this.busy = { step, k: 0, period: timestepCycles(s, step.activeGroups.length), scan };
  }

  /** The edge that ends cycle b.k of the timestep in flight. */
  private advance(b: { step: TileStep; k: number; period: number; scan: number }): void {
    const s = this.spec;
    // the scan reads one weight word per cycle, in cycles 0..n*G-1 (scan = n*G + 1 when n > 0)
    if (b.k < b.scan - 1) this.addCount('weight_reads', 1);
    const cg = b.k - b.scan;
    if (cg >= 0 && cg < this.G) {
      this.addCount('adc_clipped', b.step.clippedPerGroup[cg]!);
      this.addCount('psum_saturated', b.step.saturatedPerGroup[cg]!);
    }
    // group g's result reaches the output registers lat - 1 edges after its conversion edge
    const og = b.k - (this.lat - 1) - b.scan;
    if (og >= 0 && og < this.G) {
      const Pc = s.colsPerCycle;
      let sp = 0n;
      let vv = 0n;
      let ps = 0n;
      for (let j = Pc - 1; j >= 0; j--) {
        const c = og * Pc + j;
        if (s.output === 'neurons') {
          sp = (sp << BigInt(this.spikeBits)) | bits(b.step.spikes![c]!, this.spikeBits);
          vv = (vv << BigInt(s.neuron!.vWidth)) | bits(b.step.v![c]!, s.neuron!.vWidth);
        } else ps = (ps << BigInt(s.psumBits)) | bits(b.step.z[c]!, s.psumBits);
      }
      this.out = { valid: 1, group: og, spikes: s.output === 'neurons' ? sp : this.out.spikes, v: s.output === 'neurons' ? vv : this.out.v, psum: s.output === 'psum' ? ps : this.out.psum };
    }
    b.k++;
    if (b.k >= b.period - 1) this.busy = undefined;
  }

  private write(addr: number, data: bigint): void {
    const m = this.map;
    const region = Math.floor(addr / 2 ** m.indexBits);
    const index = addr % 2 ** m.indexBits;
    const s = this.spec;
    const fitsIn = (w: number) => w > 0 && data >> BigInt(w) === 0n;
    if (region === REGION.weights && index < m.weightWords && data >> BigInt(m.wordBits) === 0n) {
      const cb = cellBits(s);
      const g = Math.floor(index / this.G);
      const cgrp = index % this.G;
      const cells: { r: number; c: number; pos: number[]; neg: number[] }[] = [];
      for (let i = 0; i < s.rowsPerCycle; i++) {
        for (let j = 0; j < s.colsPerCycle; j++) {
          const pos: number[] = [];
          const neg: number[] = [];
          for (let sl = 0; sl < s.slices; sl++) {
            const off = m.cellOffset(i, j, sl);
            pos.push(Number((data >> BigInt(off)) & mask(cb)));
            neg.push(Number((data >> BigInt(off + cb)) & mask(cb)));
          }
          if ([...pos, ...neg].some((l) => l > s.cellLevels - 1)) return this.fail();
          cells.push({ r: g * s.rowsPerCycle + i, c: cgrp * s.colsPerCycle + j, pos, neg });
        }
      }
      for (const c of cells) this.tile.setCells(c.r, c.c, c);
      this.tile.counters.weight_writes++;
      this.addCount('weight_writes', 1);
      return;
    }
    if (region === REGION.mask && index < m.maskWords) {
      const first = index * m.maskChunk;
      const n = Math.min(m.maskChunk, s.rows - first);
      if (data >> BigInt(n) !== 0n) return this.fail();
      for (let i = 0; i < n; i++) this.tile.mask[first + i] = Number((data >> BigInt(i)) & 1n);
      return;
    }
    if (region === REGION.registers) {
      const rb = m.registerBits;
      if (index === TILE_REG.threshold && fitsIn(rb.threshold)) this.tile.threshold = Number(data);
      else if (index === TILE_REG.leak && fitsIn(rb.leak)) this.tile.leak = Number(data);
      else if (index === TILE_REG.adcShift && fitsIn(rb.adcShift)) this.tile.adcShift = Number(data);
      else if (index === TILE_REG.clearCounters) {
        for (const c of TILE_COUNTERS) this.cnt[c] = 0n;
        this.tile.clearCounters();
        this.cfgError = 0;
      } else this.fail();
      return;
    }
    this.fail();
  }

  private fail(): void {
    this.cfgError = 1;
  }
}
