// The SIMD engine: the layer's weights and state live in the kernels' shared wasm memory (wasm/kernels.ts); a call
// copies the inputs in, lists the active rows (scan), and computes the tile sums, ADC, chain and neurons by 64-column
// blocks over every position-step (layer), sliced over threads by columns. Internal columns: column c of column
// tile ct sits at ct * cpad + c, cpad = C rounded up to 64, so a block never straddles two tiles.
import { LifNeurons } from '../golden/lif.js';
import { adcMax, adcMin, colGroups, inputRange, sliceShift } from '../spec/crossbar.js';
import { membraneRange, signedSpikes, spikeLevels } from '../spec/lif.js';
import { badInput, CI, NC, type EngineCall, type EngineResult, type LayerEngine, type LayerSetup } from './setup.js';
import { delayOneStep } from './delay.js';
import { exactChains } from './tiling.js';
import { alignUp, BLOCK_SCRATCH, heap, LAYER, LAYER_WORDS, runKernel, SCAN, SCAN_WORDS, spikingWasmAvailable, wasmAlloc, wasmFree } from './wasm/kernels.js';

const KIND = { binary: 0, signed: 1, graded: 2, 'graded-signed': 3 } as const;

/** The least n >= count such that n elements of `bytes` bytes span an odd number of 64-byte lines. */
function oddLines(count: number, bytes: number): number {
  const perLine = 64 / bytes;
  const lines = Math.ceil(count / perLine);
  return (lines % 2 === 1 ? lines : lines + 1) * perLine;
}

/** Why the SIMD engine cannot run this layer (undefined: it can). */
export function wasmUnsupported(s: LayerSetup): string | undefined {
  if (!spikingWasmAvailable()) return 'WebAssembly SIMD kernels unavailable';
  if (s.tile.psumBits > 31) return 'psumBits = 32 (the kernels add partial sums in i32)';
  for (const sl of s.slices) for (let i = 0; i < sl.length; i++) if (Math.abs(sl[i]!) > 127) return 'a slice value beyond 127 (the kernels hold cells as i8)';
  return undefined;
}

/** Whether the kernels' neuron stage applies (the rest of the LIF rule runs in LifNeurons). */
function wasmNeurons(s: LayerSetup): boolean {
  const n = s.neuron;
  if (!n) return false;
  // u = l + I must not overflow i32, nor K * theta
  return n.refractory === 0 && (n.leak === 'none' || n.leak === 'subtract') && n.vWidth <= 31 && spikeLevels(n) * (2 ** (n.vWidth - 1) - 1) <= 2 ** 31 - 1;
}

interface ListSet {
  /** the mask bytes over dIn (0xff enabled), and this set's lists */
  mask: number;
  scanParams: number;
  entries: number;
  ends: number;
  masked: number;
  groups: number;
  active: number;
}

// An engine no longer reachable gives its wasm regions back (a long run builds many models: the report's ablations
// compile dozens of programs in one process, and without this the shared memory grew past 2 GiB).
const RELEASE = new FinalizationRegistry<Set<number>>((held) => {
  for (const off of held) wasmFree(off);
});

export class WasmEngine implements LayerEngine {
  readonly name = 'wasm' as const;
  private readonly cpad: number;
  private readonly width: number;
  /** pool units: 16-column vectors, the computed columns rounded up to 8 vectors (the pool cuts at multiples of 8) */
  private readonly units: number;
  /** elements per row of the [m][column] and [position][column] buffers; entries per m */
  private readonly ostride: number;
  private readonly cap: number;
  private readonly nb: number;
  /** every wasm region this engine holds (freed by dispose, or when the engine is collected) */
  private readonly held = new Set<number>();
  private readonly params: number;
  private readonly slicesPtr: number;
  private readonly fullPtr: number;
  private readonly fullFits: boolean;
  private readonly countsPtr: number;
  private readonly setsPtr: number;
  private readonly modesPtr: number;
  private readonly shiftsPtr: number;
  private readonly thetasPtr: number;
  private readonly leaksPtr: number;
  private readonly vPtr: number;
  private readonly badPtr: number;
  private readonly neuronsInWasm: boolean;
  private readonly tsNeurons: LifNeurons | undefined;
  private sets: ListSet[] = [];
  private setOf: number[] = [];
  private maskVersion = -1;
  private capM = 0;
  private buf = { x: 0, z: 0, spikes: 0, restart: 0 };
  /** position-steps and steps of the last call whose spikes are in buf.spikes (0: none) */
  private spikesOf = { M: 0, T: 0 };

  constructor(private readonly s: LayerSetup) {
    const why = wasmUnsupported(s);
    if (why) throw new Error(`WasmEngine: ${why}`);
    RELEASE.register(this, this.held, this);
    const { grid: g, tile } = s;
    this.cpad = alignUp(g.C, 64);
    this.width = g.CT * this.cpad;
    this.units = alignUp(this.width, 128) / 16;
    // weights block-major: the dIn rows of each 64-column block lie 64 bytes apart, so a block is one contiguous
    // stretch of memory (rows a whole matrix row apart would each take a page of the TLB, or share a few cache sets);
    // other buffers' rows an odd number of 64-byte lines apart, for the cache sets
    this.ostride = oddLines(this.width, 4);
    this.cap = oddLines(g.dIn, 4);
    const [, K] = inputRange(tile);
    this.nb = tile.inSpikes === 'binary' ? 1 : tile.inSpikes === 'signed' ? 2 : tile.inSpikes === 'graded' ? K : 2 * K;
    const S = tile.slices;
    const msize = this.width * g.dIn; // width / 64 blocks of dIn x 64 bytes
    let fullMax = 0;
    for (let i = 0; i < s.weights.length; i++) fullMax = Math.max(fullMax, Math.abs(s.weights[i]!));
    this.fullFits = fullMax <= 127;
    this.slicesPtr = this.alloc(S * msize + 64);
    this.fullPtr = S === 1 ? this.slicesPtr : this.fullFits ? this.alloc(msize + 64) : 0;
    const maxabs = this.alloc(4 * (S + 1));
    const vals = this.alloc(4 * this.nb);
    const bias = this.alloc(4 * this.width);
    this.params = this.alloc(4 * LAYER_WORDS);
    this.setsPtr = this.alloc(16 * g.CT);
    this.modesPtr = this.alloc(4 * g.CT);
    this.shiftsPtr = this.alloc(4 * g.RT * g.CT);
    this.thetasPtr = this.alloc(4 * g.CT);
    this.leaksPtr = this.alloc(4 * g.CT);
    this.countsPtr = this.alloc(8 * g.RT * (this.width / 64));
    const scratch = this.alloc(BLOCK_SCRATCH * (this.width / 64));
    const zeros = this.alloc(256);
    this.badPtr = this.alloc(4);
    this.neuronsInWasm = wasmNeurons(s);
    this.vPtr = this.neuronsInWasm ? this.alloc(4 * s.positions * this.ostride) : 0;
    this.tsNeurons = s.neuron && !this.neuronsInWasm ? new LifNeurons({ ...s.neuron, neurons: s.positions * g.dOut }) : undefined;

    const { i8, i32 } = heap();
    const inner = (j: number) => Math.floor(j / g.C) * this.cpad + (j % g.C);
    /** byte of (row r, internal column c) in a block-major matrix */
    const at = (r: number, c: number) => (c - (c % 64)) * g.dIn + r * 64 + (c % 64);
    const sliceMax = new Array<number>(S).fill(0);
    for (let sl = 0; sl < S; sl++) {
      const w = s.slices[sl]!;
      const base = this.slicesPtr + sl * msize;
      for (let r = 0; r < g.dIn; r++) {
        for (let j = 0; j < g.dOut; j++) {
          const v = w[r * g.dOut + j]!;
          i8[base + at(r, inner(j))] = v;
          sliceMax[sl] = Math.max(sliceMax[sl]!, Math.abs(v));
        }
      }
    }
    if (S > 1 && this.fullFits) {
      for (let r = 0; r < g.dIn; r++) for (let j = 0; j < g.dOut; j++) i8[this.fullPtr + at(r, inner(j))] = s.weights[r * g.dOut + j]!;
    }
    for (let sl = 0; sl < S; sl++) i32[(maxabs >>> 2) + sl] = sliceMax[sl]!;
    i32[(maxabs >>> 2) + S] = S === 1 ? sliceMax[0]! : fullMax;
    // bucket values, as the scan kernel sorts them: binary [1], signed [1, -1], graded [1..K], graded-signed [1..K, -1..-K]
    for (let b = 0; b < this.nb; b++) i32[(vals >>> 2) + b] = b < K ? b + 1 : -(b - K + 1);
    if (s.bias) for (let j = 0; j < g.dOut; j++) i32[(bias >>> 2) + inner(j)] = s.bias[j]!;

    const P = this.params >>> 2;
    const n = s.neuron;
    const put = (k: keyof typeof LAYER, v: number) => (i32[P + LAYER[k]] = v);
    put('width', this.width);
    put('cpad', this.cpad);
    put('RT', g.RT);
    put('nb', this.nb);
    put('vals', vals);
    put('S', S);
    put('slices', this.slicesPtr);
    put('wstride', this.ostride);
    put('msize', msize);
    put('full', this.fullPtr);
    put('sets', this.setsPtr);
    put('cap', this.cap);
    put('modes', this.modesPtr);
    put('shifts', this.shiftsPtr);
    put('adcMin', adcMin(tile));
    put('adcMax', adcMax(tile));
    put('halfUp', tile.adcRounding === 'half-up' ? 1 : 0);
    put('psumMin', -(2 ** (tile.psumBits - 1)));
    put('psumMax', 2 ** (tile.psumBits - 1) - 1);
    put('sliceShift', S > 1 ? sliceShift(tile) : 0);
    put('maxabs', maxabs);
    put('bias', bias);
    put('neurons', this.neuronsInWasm ? 1 : 0);
    put('v', this.vPtr);
    put('thetas', this.thetasPtr);
    put('leaks', this.leaksPtr);
    put('leakMode', n?.leak === 'subtract' ? 1 : 0);
    put('resetSub', n?.reset === 'subtract' ? 1 : 0);
    put('K', n ? spikeLevels(n) : 1);
    put('signed', n && signedSpikes(n) ? 1 : 0);
    if (n) {
      const { vMin, vMax } = membraneRange(n);
      put('vMin', vMin);
      put('vMax', vMax);
    }
    put('counts', this.countsPtr);
    put('scratch', scratch);
    put('CT', g.CT);
    put('zeros', zeros);
    put('din', g.dIn);
  }

  private alloc(bytes: number): number {
    const off = wasmAlloc(bytes);
    this.held.add(off);
    return off;
  }

  private free(off: number): void {
    wasmFree(off);
    this.held.delete(off);
  }

  /** Column tiles sharing one mask vector over dIn share one list set. */
  private syncMasks(): void {
    if (this.maskVersion === this.s.maskVersion) return;
    const { grid: g, masks } = this.s;
    const keys: string[] = [];
    this.setOf = [];
    const vecs: Uint8Array[] = [];
    for (let ct = 0; ct < g.CT; ct++) {
      const v = new Uint8Array(g.dIn);
      for (let r = 0; r < g.dIn; r++) v[r] = masks[Math.floor(r / g.R) * g.CT + ct]![r % g.R] ? 0xff : 0;
      const key = Buffer.from(v).toString('latin1');
      let k = keys.indexOf(key);
      if (k < 0) {
        k = keys.push(key) - 1;
        vecs.push(v);
      }
      this.setOf.push(k);
    }
    for (const set of this.sets) this.freeSet(set);
    this.sets = vecs.map((v) => {
      const mask = this.alloc(g.dIn + 16);
      heap().u8.set(v, mask);
      return { mask, scanParams: this.alloc(4 * SCAN_WORDS), entries: 0, ends: 0, masked: 0, groups: 0, active: 0 };
    });
    this.capM = 0; // list buffers are made for the new sets
    this.maskVersion = this.s.maskVersion;
  }

  private freeSet(set: ListSet): void {
    for (const off of [set.mask, set.scanParams, set.entries, set.ends, set.masked, set.groups, set.active]) if (off) this.free(off);
  }

  private ensureCapacity(M: number): void {
    if (M <= this.capM) return;
    const { dIn, RT } = this.s.grid;
    for (const set of this.sets) {
      for (const off of [set.entries, set.ends, set.masked, set.groups, set.active]) if (off) this.free(off);
      set.entries = this.alloc(4 * M * this.cap);
      set.ends = this.alloc(4 * M * RT * this.nb);
      set.masked = this.alloc(4 * M * RT);
      set.groups = this.alloc(4 * M * RT);
      set.active = this.alloc(4 * M * RT);
    }
    for (const off of Object.values(this.buf)) if (off) this.free(off);
    this.buf = {
      x: this.alloc(M * dIn + 16), // the scan reads 16 bytes at a time
      z: this.alloc(4 * M * this.ostride),
      spikes: this.alloc(M * this.ostride),
      restart: this.alloc(M),
    };
    this.capM = M;
  }

  /**
   * Whether `run(call, ev, this)` can take its inputs from this engine's spikes of its last call (T steps of every
   * position): they are in wasm memory with output j at internal column j.
   */
  canFeed(T: number, dIn: number): boolean {
    return this.neuronsInWasm && this.spikesOf.T === T && this.spikesOf.M === this.s.positions * T && this.cpad === this.s.grid.C && this.s.grid.dOut === dIn;
  }

  /**
   * One call. `below` (checked with canFeed): the inputs are the spikes `below` fired in its last call, one step
   * later (none at a position's step 0), read where they lie instead of from call.x.
   */
  run(call: EngineCall, ev: Float64Array, below?: WasmEngine): EngineResult {
    const s = this.s;
    const { tile, grid: g } = s;
    const { x, T } = call;
    const M = s.positions * T;
    this.syncMasks();
    // inputs in: bytes as they are (the scan checks them), other arrays checked here first (a value like 1.5 or 300
    // has no int8 image to check)
    if (!below && !(x instanceof Int8Array || x instanceof Uint8Array)) {
      const bad = badInput(s, x, T, call.perStep);
      if (bad) throw bad;
    }
    this.ensureCapacity(M);
    const [lo, hi] = inputRange(tile);
    let h = heap();
    if (below) {
      // nothing to copy
    } else if (x instanceof Int8Array || x instanceof Uint8Array) h.u8.set(x instanceof Uint8Array ? x : new Uint8Array(x.buffer, x.byteOffset, x.length), this.buf.x);
    else for (let i = 0; i < x.length; i++) h.i8[this.buf.x + i] = x[i]!;
    h.i32[this.badPtr >>> 2] = 0;
    for (const set of this.sets) {
      const q = set.scanParams >>> 2;
      const put = (k: keyof typeof SCAN, v: number) => (h.i32[q + SCAN[k]] = v);
      put('M', M);
      put('x', below ? below.buf.spikes : this.buf.x);
      put('xstride', below ? below.ostride : g.dIn);
      put('delay', below ? T : 0);
      put('din', g.dIn);
      put('R', g.R);
      put('RT', g.RT);
      put('mask', set.mask);
      put('lo', lo);
      put('hi', hi);
      put('kind', KIND[tile.inSpikes]);
      put('K', hi);
      put('nb', this.nb);
      put('entries', set.entries);
      put('cap', this.cap);
      put('ends', set.ends);
      put('masked', set.masked);
      put('wstride', 64); // entries: byte offsets of rows within a block-major column block
      put('bad', this.badPtr);
      put('groups', set.groups);
      put('Pr', tile.rowsPerCycle);
      put('active', set.active);
      runKernel('scan', set.scanParams, alignUp(M, 8), M * g.dIn); // about one byte per ns per thread
    }
    h = heap();
    if (h.i32[this.badPtr >>> 2]) throw badInput(s, below ? below.delayedSpikes() : x, T, call.perStep)!;

    // events the lists decide: per list set and row tile, rows read, rows masked, timesteps with a conversion, row
    // groups read (with one row per group, the rows read)
    const exact = exactChains(g, s.bounds, s.shifts);
    const useExact = exact.map((e) => e && this.fullFits);
    let entriesTotal = 0;
    const perSet = this.sets.map((set) => {
      const act = new Float64Array(g.RT);
      const msk = new Float64Array(g.RT);
      const conv = new Float64Array(g.RT);
      const grp = new Float64Array(g.RT);
      const active = set.active >>> 2;
      const masked = set.masked >>> 2;
      const groups = tile.rowsPerCycle > 1 ? set.groups >>> 2 : -1;
      for (let m = 0; m < M; m++) {
        for (let rt = 0; rt < g.RT; rt++) {
          const n = h.i32[active + m * g.RT + rt]!;
          act[rt]! += n;
          if (n > 0) conv[rt]!++;
          msk[rt]! += h.i32[masked + m * g.RT + rt]!;
          grp[rt]! += groups < 0 ? n : h.i32[groups + m * g.RT + rt]!;
          entriesTotal += n;
        }
      }
      return { act, msk, conv, grp };
    });
    const S = tile.slices;
    for (let ct = 0; ct < g.CT; ct++) {
      const p = perSet[this.setOf[ct]!]!;
      for (let rt = 0; rt < g.RT; rt++) {
        const e = (rt * g.CT + ct) * NC;
        ev[e + CI.timesteps]! += M;
        ev[e + CI.active_rows]! += p.act[rt]!;
        ev[e + CI.masked_rows]! += p.msk[rt]!;
        ev[e + CI.cell_reads]! += p.act[rt]! * g.C * S * 2;
        ev[e + CI.adc_conversions]! += p.conv[rt]! * g.C * S;
        ev[e + CI.weight_reads]! += p.grp[rt]! * colGroups(tile);
      }
      const set = this.sets[this.setOf[ct]!]!;
      h.i32[(this.setsPtr >>> 2) + 4 * ct] = set.entries;
      h.i32[(this.setsPtr >>> 2) + 4 * ct + 1] = set.ends;
      h.i32[(this.setsPtr >>> 2) + 4 * ct + 2] = set.active;
      h.i32[(this.modesPtr >>> 2) + ct] = useExact[ct] ? 1 : 0;
      h.i32[(this.thetasPtr >>> 2) + ct] = s.thetas[ct]!;
      h.i32[(this.leaksPtr >>> 2) + ct] = s.leaks[ct]!;
    }
    h.i32.set(s.shifts, this.shiftsPtr >>> 2);
    h.i32.fill(0, this.countsPtr >>> 2, (this.countsPtr >>> 2) + 2 * g.RT * (this.width / 64));
    h.u8.set(call.restart, this.buf.restart);
    const P = this.params >>> 2;
    const needZ = !this.neuronsInWasm;
    h.i32[P + LAYER.M] = M;
    h.i32[P + LAYER.T] = T;
    h.i32[P + LAYER.zout] = needZ ? this.buf.z : 0;
    h.i32[P + LAYER.spikes] = this.buf.spikes;
    h.i32[P + LAYER.restart] = this.buf.restart;
    const sweeps = useExact.every(Boolean) ? 1 : S;
    runKernel('layer', this.params, this.units, (entriesTotal * sweeps + 16 * M) * (this.width / 16));
    h = heap();

    // clipped and saturated conversions, per row tile and 64-column block
    const blocks = this.width / 64;
    for (let rt = 0; rt < g.RT; rt++) {
      for (let cb = 0; cb < blocks; cb++) {
        const ct = Math.floor((cb * 64) / this.cpad);
        const c = (this.countsPtr >>> 2) + 2 * (rt * blocks + cb);
        ev[(rt * g.CT + ct) * NC + CI.adc_clipped]! += h.i32[c]!;
        ev[(rt * g.CT + ct) * NC + CI.psum_saturated]! += h.i32[c + 1]!;
      }
    }
    if (this.neuronsInWasm) {
      this.spikesOf = { M, T };
      return { spikes: this.gather(new Int8Array(M * g.dOut), h.i8, this.buf.spikes, M) };
    }
    const z = this.gather(new Int32Array(M * g.dOut), h.i32, this.buf.z >>> 2, M);
    if (!this.tsNeurons) return { z };
    const spikes = new Int8Array(M * g.dOut);
    for (let m = 0; m < M; m++) {
      const pos = Math.floor(m / T);
      for (let j = 0; j < g.dOut; j++) {
        spikes[m * g.dOut + j] = this.tsNeurons.update(pos * g.dOut + j, z[m * g.dOut + j]!, s.thetas[Math.floor(j / g.C)]!, s.leaks[Math.floor(j / g.C)]!, call.restart[m] === 1);
      }
    }
    return { spikes };
  }

  /**
   * Reads the weight bytes the last call's one-sum column tiles summed, in the same order, without arithmetic: the
   * memory-bound reference the bench compares the layer kernel with.
   */
  replayReads(): void {
    const M = heap().i32[(this.params >>> 2) + LAYER.M]!;
    runKernel('touch', this.params, this.units, M * this.s.grid.dIn * (this.width / 16));
  }

  /** The spikes of the last call as the next layer's inputs: [positions][T][dOut], one step later. */
  private delayedSpikes(): Int8Array {
    const { M, T } = this.spikesOf;
    return delayOneStep(this.gather(new Int8Array(M * this.s.grid.dOut), heap().i8, this.buf.spikes, M), this.s.positions, T, this.s.grid.dOut);
  }

  /** Rows [M][ostride] of internal columns (at element `from` of `src`) -> [M][dOut]. */
  private gather<A extends Int8Array | Int32Array>(out: A, src: A, from: number, rows: number): A {
    const { dOut, C, CT } = this.s.grid;
    for (let m = 0; m < rows; m++) {
      const row = from + m * this.ostride;
      if (this.cpad === C) out.set(src.subarray(row, row + dOut), m * dOut);
      else for (let ct = 0; ct < CT; ct++) {
        const cw = Math.min(C, dOut - ct * C);
        out.set(src.subarray(row + ct * this.cpad, row + ct * this.cpad + cw), m * dOut + ct * C);
      }
    }
    return out;
  }

  membranes(): Int32Array {
    const { dOut } = this.s.grid;
    if (this.tsNeurons) return Int32Array.from(this.tsNeurons.v);
    if (!this.neuronsInWasm) return new Int32Array(this.s.positions * dOut);
    return this.gather(new Int32Array(this.s.positions * dOut), heap().i32, this.vPtr >>> 2, this.s.positions);
  }

  resetNeurons(): void {
    this.tsNeurons?.reset();
    if (this.neuronsInWasm) heap().i32.fill(0, this.vPtr >>> 2, (this.vPtr >>> 2) + this.s.positions * this.ostride);
  }

  dispose(): void {
    RELEASE.unregister(this);
    for (const off of this.held) wasmFree(off);
    this.held.clear();
    this.sets = [];
  }
}
