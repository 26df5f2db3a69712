// Cycle-level golden model of the attention unit's ports (docs/attention.md, "Ports and timing"): the configuration
// bus, the token handshake, the output schedule and when each counter moves. The arithmetic of a token is the token
// model's (attention.ts), computed at the accepting edge; this file only places it in time.
import {
  ATT_COUNTERS,
  outputCycle,
  outWords,
  scoreCycle,
  spikeWidth,
  tokenSchedule,
  type AttentionCounter,
  type AttentionSpec,
} from '../spec/attention.js';
import { AttentionUnit } from './attention.js';

export interface AttentionPortsIn {
  rst: number;
  cfg_we: number;
  cfg_addr: number;
  cfg_data: bigint;
  in_valid: number;
  in_seq_start: number;
  in_q: bigint;
  in_k: bigint;
  in_v: bigint;
}

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const bits = (v: number, w: number) => BigInt(v) & mask(w);
/** Signed fields of `width` bits, field i at [i*width +: width]. */
export function unpackSigned(packed: bigint, count: number, width: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const b = (packed >> BigInt(i * width)) & mask(width);
    return Number(b >> BigInt(width - 1) ? b - (1n << BigInt(width)) : b);
  });
}
export function packSigned(values: ArrayLike<number>, width: number, from = 0, count = values.length - from): bigint {
  let v = 0n;
  for (let i = from + count - 1; i >= from; i--) v = (v << BigInt(width)) | bits(values[i]!, width);
  return v;
}

/** Something that happens at the edge ending a given absolute cycle. */
type Event = { at: number } & ({ kind: 'count'; counter: AttentionCounter; by: number } | { kind: 'out'; word: number; step: number; spikes: bigint; v: bigint });

export class AttentionCycleModel {
  readonly unit: AttentionUnit;
  private readonly words: number;
  private readonly spikeBits: number;
  /** absolute cycle: the edge that ends cycle `now` is the next one */
  private now = 0;
  private clearing = 0;
  private busyUntil = 0;
  private events: Event[] = [];
  private cfgError = 0;
  private out = { valid: 0, word: 0, step: 0, spikes: 0n, v: 0n };
  private cnt: Record<string, bigint> = {};
  /** tokens processed and refused since construction (resets included), for test statistics */
  tokensSeen = 0;
  refusedSeen = 0;

  constructor(readonly spec: AttentionSpec) {
    this.unit = new AttentionUnit(spec);
    this.words = outWords(spec);
    this.spikeBits = spikeWidth(spec);
    this.resetState();
  }

  private resetState(): void {
    this.unit.reset();
    this.clearing = this.words;
    this.busyUntil = 0;
    this.events = [];
    this.cfgError = 0;
    this.out = { valid: 0, word: 0, step: 0, spikes: 0n, v: 0n };
    for (const c of ATT_COUNTERS) this.cnt[c] = 0n;
  }

  get ready(): boolean {
    return this.clearing === 0 && this.now >= this.busyUntil;
  }

  outputs(): Record<string, bigint> {
    const u = this.unit;
    const o: Record<string, bigint> = {
      ready: this.ready ? 1n : 0n,
      cfg_error: BigInt(this.cfgError),
      ctx_error: u.ctxError ? 1n : 0n,
      tok_pos: BigInt(u.lastPos),
      cache_len: BigInt(u.len),
      out_valid: BigInt(this.out.valid),
      out_word: BigInt(this.out.word),
      out_step: BigInt(this.out.step),
      out_spikes: this.out.spikes,
      out_v: this.out.v,
    };
    for (const c of ATT_COUNTERS) o[`cnt_${c}`] = this.cnt[c]!;
    return o;
  }

  private addCount(name: AttentionCounter, n: number): void {
    this.cnt[name] = (this.cnt[name]! + BigInt(n)) & mask(this.spec.counterBits);
  }

  /** One rising edge with these inputs. */
  edge(x: AttentionPortsIn): void {
    if (x.rst) {
      this.resetState();
      this.now++;
      return;
    }
    const wasReady = this.ready;
    if (this.clearing > 0) this.clearing--;
    this.out.valid = 0;
    while (this.events.length && this.events[0]!.at === this.now) {
      const e = this.events.shift()!;
      if (e.kind === 'count') this.addCount(e.counter, e.by);
      else this.out = { valid: 1, word: e.word, step: e.step, spikes: e.spikes, v: e.v };
    }
    if (wasReady) {
      // a configuration write takes the cycle; a token is taken only in a cycle without one
      if (x.cfg_we) this.write(x.cfg_addr, x.cfg_data);
      else if (x.in_valid) this.accept(x);
    }
    this.now++;
  }

  private accept(x: AttentionPortsIn): void {
    const s = this.spec;
    const r = this.unit.token({
      q: unpackSigned(x.in_q, s.qHeads * s.headSize, s.qBits),
      k: unpackSigned(x.in_k, s.kvHeads * s.headSize, s.kBits),
      v: unpackSigned(x.in_v, s.kvHeads * s.headSize, s.vBits),
      seqStart: x.in_seq_start === 1,
    });
    // everything known at the accepting edge moves now; scores_saturated and spikes_out when they happen
    for (const c of ATT_COUNTERS) if (c !== 'scores_saturated' && c !== 'spikes_out') this.addCount(c, r.events[c]);
    if (r.refused) {
      this.refusedSeen++;
      return;
    }
    this.tokensSeen++;
    const sch = tokenSchedule(s, r.n, r.steps);
    const base = this.now + 1; // absolute cycle of the token's cycle 0
    this.busyUntil = base + sch.ready;
    const ev: Event[] = [];
    for (let h = 0; h < s.qHeads; h++) {
      for (let j = 0; j < r.n; j++) if (r.saturated[h * r.n + j]) ev.push({ at: base + scoreCycle(s, sch, h, j), kind: 'count', counter: 'scores_saturated', by: 1 });
    }
    const P = s.lanes;
    const HD = s.qHeads * s.headSize;
    for (let i = 0; i < sch.issues; i++) {
      const step = Math.floor(i / this.words);
      const word = i % this.words;
      const from = step * HD + word * P;
      const shown = base + outputCycle(sch, i);
      ev.push({ at: shown - 1, kind: 'out', word, step, spikes: packSigned(r.spikes, this.spikeBits, from, P), v: packSigned(r.membranes, s.encVBits, from, P) });
      let nz = 0;
      for (let l = 0; l < P; l++) if (r.spikes[from + l] !== 0) nz++;
      if (nz) ev.push({ at: shown, kind: 'count', counter: 'spikes_out', by: nz });
    }
    this.events.push(...ev.sort((a, b) => a.at - b.at));
  }

  private write(addr: number, data: bigint): void {
    const w = this.unit.write(addr, data);
    if (w.refused) this.cfgError = 1;
    if (w.cleared) {
      // every counter and both error flags; an increment due at this edge is dropped
      for (const c of ATT_COUNTERS) this.cnt[c] = 0n;
      this.cfgError = 0;
    }
  }
}
