// Golden LIF model, written from docs/lif.md (not from the RTL). The neuron rule is vectorized over typed
// arrays (the fast path the compiler and evaluator use); the cycle models below compose it with each
// architecture's pipeline for bit-exact co-simulation.

import { membraneRange, signedSpikes, spikeLevels as levelsOf, type LifSpec } from '../spec/lif.js';

export type { LifSpec } from '../spec/lif.js';
/** Bits of one spike output. */
export function spikeWidth(s: LifSpec): number {
  const w = Math.max(1, Math.ceil(Math.log2(levelsOf(s) + 1)));
  return signedSpikes(s) ? w + 1 : w;
}

/** Timestep-level model of N neurons (vectorized). */
export class LifNeurons {
  readonly v: Int32Array;
  readonly r: Uint16Array;
  private readonly vMin: number;
  private readonly vMax: number;
  private readonly k: number;
  private readonly signedOut: boolean;
  constructor(readonly spec: LifSpec) {
    this.v = new Int32Array(spec.neurons);
    this.r = new Uint16Array(spec.neurons);
    ({ vMin: this.vMin, vMax: this.vMax } = membraneRange(spec));
    this.k = levelsOf(spec);
    this.signedOut = signedSpikes(spec);
  }

  reset(): void {
    this.v.fill(0);
    this.r.fill(0);
  }

  /** Updates neuron i (rule of docs/lif.md); returns its spike. `restart`: the update starts from rest. */
  update(i: number, current: number, theta: number, leak: number, restart = false): number {
    const s = this.spec;
    if (restart) {
      this.v[i] = 0;
      this.r[i] = 0;
    }
    const v = this.v[i]!;
    if (s.refractory > 0 && this.r[i]! > 0) {
      this.r[i]!--;
      return 0;
    }
    let l = v;
    if (s.leak === 'shift') {
      const d = Math.ceil(Math.abs(v) / 2 ** leak); // toward zero, so a silent neuron reaches rest
      l = v >= 0 ? v - d : v + d;
    }
    else if (s.leak === 'subtract') l = v > leak ? v - leak : v < -leak ? v + leak : 0;
    const u = Math.min(this.vMax, Math.max(this.vMin, l + current));
    let k = 0;
    for (let j = this.k; j >= 1; j--) {
      if (u >= j * theta) {
        k = j;
        break;
      }
    }
    if (k === 0 && this.signedOut) {
      for (let j = this.k; j >= 1; j--) {
        if (u <= -j * theta) {
          k = -j;
          break;
        }
      }
    }
    this.v[i] = s.reset === 'zero' ? (k !== 0 ? 0 : u) : u - k * theta;
    if (s.refractory > 0) this.r[i] = k !== 0 ? s.refractory : 0;
    return k;
  }

  /** Updates every neuron with its current; spikes written to `out`. */
  stepAll(currents: Int32Array, theta: number, leak: number, out: Int32Array, restart = false): void {
    for (let i = 0; i < this.spec.neurons; i++) out[i] = this.update(i, currents[i]!, theta, leak, restart);
  }
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const toBits = (v: number, w: number) => BigInt(v) & mask(w);
function signedField(packed: bigint, i: number, w: number): number {
  const b = (packed >> BigInt(i * w)) & mask(w);
  return Number(b >> BigInt(w - 1) ? b - (1n << BigInt(w)) : b);
}

export interface LifParallelInputs {
  rst: number;
  in_valid: number;
  in_current: bigint;
  threshold: number;
  leak?: number;
  in_restart?: number;
}

/** Cycle model of the parallel array: outputs() is what the ports show before the next rising edge. */
export class LifParallelModel {
  readonly neurons: LifNeurons;
  private spikes: Int32Array;
  private valid = 0;
  constructor(readonly spec: LifSpec) {
    this.neurons = new LifNeurons(spec);
    this.spikes = new Int32Array(spec.neurons);
  }
  outputs(): { out_valid: bigint; out_spikes: bigint; out_v: bigint } {
    const sw = spikeWidth(this.spec);
    let sp = 0n;
    let vv = 0n;
    for (let i = this.spec.neurons - 1; i >= 0; i--) {
      sp = (sp << BigInt(sw)) | toBits(this.spikes[i]!, sw);
      vv = (vv << BigInt(this.spec.vWidth)) | toBits(this.neurons.v[i]!, this.spec.vWidth);
    }
    return { out_valid: BigInt(this.valid), out_spikes: sp, out_v: vv };
  }
  /** One rising edge. */
  edge(x: LifParallelInputs): void {
    if (x.rst) {
      this.neurons.reset();
      this.spikes.fill(0);
      this.valid = 0;
      return;
    }
    this.valid = x.in_valid & 1;
    if (!(x.in_valid & 1)) return;
    for (let i = 0; i < this.spec.neurons; i++) {
      this.spikes[i] = this.neurons.update(i, signedField(x.in_current, i, this.spec.iWidth), x.threshold, x.leak ?? 0, (x.in_restart ?? 0) === 1);
    }
  }
}

export interface LifTimemuxInputs {
  rst: number;
  in_valid: number;
  in_addr: number;
  /** one lane: the signed current; several lanes: the packed port value */
  in_current: number | bigint;
  threshold: number;
  leak?: number;
  in_restart?: number;
}

/** Cycle model of the time-multiplexed array (docs/lif.md): clear sequencer, 2-stage pipeline. */
export class LifTimemuxModel {
  /** state: membrane and refractory counter per neuron; a state word holds `lanes` neurons */
  private memV: Int32Array;
  private memR: Uint16Array;
  private clearing = 1;
  private clearAddr = 0;
  /** the word read at the last accepted request */
  private rdV: Int32Array;
  private rdR: Uint16Array;
  /** the accepted request, with the configuration sampled at its edge */
  private s1 = { valid: 0, addr: 0, currents: [0], threshold: 0, leak: 0, restart: false };
  private o = { valid: 0, addr: 0, spikes: [0], v: [0] };
  private one: LifNeurons;
  private addrMask: number;
  readonly lanes: number;
  private readonly words: number;
  /** state-memory access counters (docs/memory.md), when the array has them (spec.counters = their width) */
  private cnt = { state_reads: 0n, state_writes: 0n };
  constructor(readonly spec: LifSpec & { lanes?: number; counters?: number }) {
    this.lanes = spec.lanes ?? 1;
    this.words = spec.neurons / this.lanes;
    this.memV = new Int32Array(spec.neurons);
    this.memR = new Uint16Array(spec.neurons);
    this.rdV = new Int32Array(this.lanes);
    this.rdR = new Uint16Array(this.lanes);
    this.one = new LifNeurons({ ...spec, neurons: this.lanes });
    this.addrMask = 2 ** Math.max(1, Math.ceil(Math.log2(this.words))) - 1;
    this.o = { valid: 0, addr: 0, spikes: new Array(this.lanes).fill(0), v: new Array(this.lanes).fill(0) };
  }
  outputs(): { ready: bigint; out_valid: bigint; out_addr: bigint; out_spike: bigint; out_v: bigint; cnt_state_reads?: bigint; cnt_state_writes?: bigint } {
    const sw = spikeWidth(this.spec);
    let sp = 0n;
    let vv = 0n;
    for (let j = this.lanes - 1; j >= 0; j--) {
      sp = (sp << BigInt(sw)) | toBits(this.o.spikes[j]!, sw);
      vv = (vv << BigInt(this.spec.vWidth)) | toBits(this.o.v[j]!, this.spec.vWidth);
    }
    const o = { ready: BigInt(1 - this.clearing), out_valid: BigInt(this.o.valid), out_addr: BigInt(this.o.addr), out_spike: sp, out_v: vv };
    return this.spec.counters ? { ...o, cnt_state_reads: this.cnt.state_reads, cnt_state_writes: this.cnt.state_writes } : o;
  }
  /** The request's currents: a number for one lane, the packed port value for several. */
  private currents(c: number | bigint): number[] {
    if (this.lanes === 1) return [Number(c)];
    return Array.from({ length: this.lanes }, (_, j) => signedField(BigInt(c), j, this.spec.iWidth));
  }
  edge(x: LifTimemuxInputs): void {
    const L = this.lanes;
    // stage 1 result from the word read last cycle
    const spikes: number[] = [];
    for (let j = 0; j < L; j++) {
      this.one.v[j] = this.rdV[j]!;
      this.one.r[j] = this.rdR[j]!;
      spikes.push(this.one.update(j, this.s1.currents[j]!, this.s1.threshold, this.s1.leak, this.s1.restart));
    }
    const addr = x.in_addr & this.addrMask;
    const accept = (x.in_valid & 1) === 1 && this.clearing === 0 && addr < this.words;
    const wen = this.clearing === 1 || this.s1.valid === 1;
    const waddr = this.clearing ? this.clearAddr : this.s1.addr;
    const wV = (j: number) => (this.clearing ? 0 : this.one.v[j]!);
    const wR = (j: number) => (this.clearing ? 0 : this.one.r[j]!);
    if (accept) {
      // write-first: a read of the word being written sees the new data
      for (let j = 0; j < L; j++) {
        const hit = wen && waddr === addr;
        this.rdV[j] = hit ? wV(j) : this.memV[addr * L + j]!;
        this.rdR[j] = hit ? wR(j) : this.memR[addr * L + j]!;
      }
    }
    if (wen && waddr < this.words) {
      for (let j = 0; j < L; j++) {
        this.memV[waddr * L + j] = wV(j);
        this.memR[waddr * L + j] = wR(j);
      }
    }
    const s1Valid = this.s1.valid;
    const s1Addr = this.s1.addr;
    const nextV = Array.from(this.one.v);
    this.s1 = { valid: x.rst ? 0 : accept ? 1 : 0, addr, currents: this.currents(x.in_current), threshold: x.threshold, leak: x.leak ?? 0, restart: (x.in_restart ?? 0) === 1 };
    if (x.rst) {
      this.o = { valid: 0, addr: 0, spikes: new Array(L).fill(0), v: new Array(L).fill(0) };
      this.clearing = 1;
      this.clearAddr = 0;
      this.cnt = { state_reads: 0n, state_writes: 0n };
      return;
    }
    if (this.spec.counters) {
      const wrap = mask(this.spec.counters);
      if (accept) this.cnt.state_reads = (this.cnt.state_reads + 1n) & wrap;
      if (wen) this.cnt.state_writes = (this.cnt.state_writes + 1n) & wrap;
    }
    this.o.valid = s1Valid;
    if (s1Valid) this.o = { valid: 1, addr: s1Addr, spikes, v: nextV };
    if (this.clearing) {
      if (this.clearAddr === this.words - 1) this.clearing = 0;
      this.clearAddr = (this.clearAddr + 1) & this.addrMask;
    }
  }
}
