// Port-level golden model of the weight-streaming loader, written from docs/memory.md (not from the RTL): a command
// becomes its burst plan; bursts in flight are a queue of lengths, so a beat's expected `last` comes from the plan.
// outputs(x) is what the ports show during a cycle with inputs x (data_ready is the one output that depends on an
// input of the same cycle: tgt_ready); edge(x) is the rising edge that ends it.
import { captureLoc } from '../hdl/srcloc.js';
import {
  beatsPerWord,
  burstPlan,
  checkWeightStreamSpec,
  commandRefusal,
  countBits,
  FAULT,
  LOADER_COUNTERS,
  padBits,
  type LoaderCounter,
  type WeightStreamSpec,
} from '../spec/memory.js';

export interface LoaderPortsIn {
  rst: number;
  cmd_valid: number;
  cmd_src: number;
  cmd_count: number;
  cmd_region: number;
  cmd_base: number;
  cmd_first: number;
  req_ready: number;
  data_valid: number;
  data: bigint;
  data_last: number;
  tgt_ready: number;
}

export const quietLoaderInputs = (): LoaderPortsIn => ({ rst: 0, cmd_valid: 0, cmd_src: 0, cmd_count: 0, cmd_region: 0, cmd_base: 0, cmd_first: 0, req_ready: 0, data_valid: 0, data: 0n, data_last: 0, tgt_ready: 0 });

type Mode = 'idle' | 'run' | 'drain';

/** Why the last command ended (for testbenches; not a port). */
export type CommandEnd = 'done' | 'refused' | 'earlyLast' | 'missingLast' | 'padBits' | 'timeout';

export class WeightStreamModel {
  private readonly B: number;
  private readonly pad: number;
  private mode: Mode = 'idle';
  /** the current (or last) command: its plan, bursts requested, beats requested */
  private plan: { addr: number; len: number }[] = [];
  private src = 0;
  private requested = 0;
  private beatsRequested = 0;
  private total = 0;
  /** bursts in flight: lengths from the plan; in a drain only their number matters (the memory ends them by last) */
  private inFlight: number[] = [];
  private rxInBurst = 0;
  private rxTotal = 0;
  private hold = false;
  /** word buffer: slot j = beat j of a word as last received; `full` when a complete word waits */
  private slots: bigint[];
  /** the slots as one word (cfg_data), cached until a slot changes */
  private word: bigint | undefined;
  private wordBeat = 0;
  private full = false;
  private region = 0;
  private index = 0;
  private imageOk = false;
  private fault: number = FAULT.none;
  private timer = 0;
  private cnt: Record<LoaderCounter, bigint> = {} as Record<LoaderCounter, bigint>;
  /** how the last command ended, and how many have ended, for testbenches */
  lastEnd: CommandEnd | undefined;
  ended = 0;

  constructor(readonly spec: WeightStreamSpec) {
    checkWeightStreamSpec(spec, captureLoc(), 'WeightStreamModel');
    this.B = beatsPerWord(spec);
    this.pad = padBits(spec);
    this.slots = new Array<bigint>(this.B).fill(0n);
    this.reset();
  }

  private reset(): void {
    this.mode = 'idle';
    this.plan = [];
    this.src = 0;
    this.requested = 0;
    this.beatsRequested = 0;
    this.total = 0;
    this.inFlight = [];
    this.rxInBurst = 0;
    this.rxTotal = 0;
    this.hold = false;
    this.slots.fill(0n);
    this.word = undefined;
    this.wordBeat = 0;
    this.full = false;
    this.region = 0;
    this.index = 0;
    this.imageOk = false;
    this.fault = FAULT.none;
    this.timer = 0;
    for (const c of LOADER_COUNTERS) this.cnt[c] = 0n;
  }

  get idle(): boolean {
    return this.mode === 'idle';
  }

  private get reqValid(): boolean {
    return this.hold || (this.mode === 'run' && this.requested < this.plan.length && this.inFlight.length < this.spec.maxOutstanding);
  }

  private dataReady(tgtReady: number): boolean {
    if (this.inFlight.length === 0) return false;
    return this.mode === 'drain' || (this.mode === 'run' && (!this.full || tgtReady === 1));
  }

  outputs(x: Pick<LoaderPortsIn, 'tgt_ready'>): Record<string, bigint> {
    const s = this.spec;
    const left = this.total - this.beatsRequested;
    if (this.word === undefined) {
      this.word = 0n;
      for (let j = this.B - 1; j >= 0; j--) this.word = (this.word << BigInt(s.beatBits)) | this.slots[j]!;
    }
    const word = this.word;
    const o: Record<string, bigint> = {
      cmd_ready: this.idle ? 1n : 0n,
      req_valid: this.reqValid ? 1n : 0n,
      req_addr: BigInt((this.src + this.beatsRequested) % 2 ** s.addrBits),
      req_len: BigInt(Math.min(s.maxBurst, left)),
      data_ready: this.dataReady(x.tgt_ready) ? 1n : 0n,
      cfg_we: this.full ? 1n : 0n,
      cfg_addr: BigInt(this.region * 2 ** s.target.indexBits + (this.index % 2 ** s.target.indexBits)),
      cfg_data: word,
      loaded: this.imageOk && this.idle ? 1n : 0n,
      fault: BigInt(this.fault),
    };
    for (const c of LOADER_COUNTERS) o[`cnt_${c}`] = this.cnt[c];
    return o;
  }

  private count(c: LoaderCounter, by: number | bigint = 1): void {
    this.cnt[c] = (this.cnt[c] + BigInt(by)) & ((1n << BigInt(this.spec.counterBits)) - 1n);
  }

  /** A fault ends the command; the image keeps its first fault. */
  private failed(code: number, end: CommandEnd): void {
    this.imageOk = false;
    if (this.fault === FAULT.none) this.fault = code;
    this.count('faults');
    this.lastEnd = end;
    this.ended++;
  }

  edge(x: LoaderPortsIn): void {
    if (x.rst) {
      this.reset();
      return;
    }
    const s = this.spec;
    const reqValid = this.reqValid;
    const dataReady = this.dataReady(x.tgt_ready);
    const reqFire = reqValid && x.req_ready === 1;
    const beatFire = dataReady && x.data_valid === 1;
    const writeFire = this.full && x.tgt_ready === 1;
    const cmdFire = this.idle && x.cmd_valid === 1;

    if (cmdFire) this.count('commands');
    if (reqFire) this.count('bursts');
    if (beatFire) {
      this.count('beats');
      this.count('bits', s.beatBits);
    }
    if (reqValid && !x.req_ready) this.count('req_stalls');
    if (dataReady && !x.data_valid) this.count('data_stalls');
    if (this.full && !x.tgt_ready) this.count('target_stalls');
    if (writeFire) {
      this.count('words');
      this.index++;
    }

    // timeout: T consecutive cycles waiting on the memory with no handshake on either of its channels
    const stalled = !this.idle && ((reqValid && !x.req_ready) || (dataReady && !x.data_valid)) && !reqFire && !beatFire;
    const timedOut = s.timeoutCycles > 0 && stalled && this.timer === s.timeoutCycles - 1;
    this.timer = stalled && !timedOut ? this.timer + 1 : 0;

    if (this.mode === 'idle') {
      if (cmdFire) this.accept(x);
      return;
    }
    if (timedOut) {
      // the command is abandoned: nothing is outstanding any more (the memory channel must be reset)
      if (this.mode === 'run') this.failed(FAULT.timeout, 'timeout');
      this.mode = 'idle';
      this.inFlight = [];
      this.hold = false;
      this.full = false;
      return;
    }
    this.hold = reqValid && !x.req_ready;
    if (this.mode === 'drain') {
      if (this.inFlight.length === 0 && !reqValid) {
        this.mode = 'idle';
        return;
      }
      if (reqFire) this.issue();
      if (beatFire && x.data_last) this.inFlight.shift();
      return;
    }
    // run
    if (reqFire) this.issue();
    if (beatFire) {
      const len = this.inFlight[0]!;
      const expectLast = this.rxInBurst === len - 1;
      let bad: 'earlyLast' | 'missingLast' | 'padBits' | undefined;
      if (x.data_last && !expectLast) bad = 'earlyLast';
      else if (!x.data_last && expectLast) bad = 'missingLast';
      else if (this.pad > 0 && this.wordBeat === this.B - 1 && x.data >> BigInt(s.beatBits - this.pad) !== 0n) bad = 'padBits';
      if (x.data_last) this.inFlight.shift();
      if (bad) {
        this.failed(FAULT[bad], bad);
        this.mode = 'drain';
        this.full = false;
        return;
      }
      this.rxInBurst = expectLast ? 0 : this.rxInBurst + 1;
      this.rxTotal++;
      this.slots[this.wordBeat] = x.data;
      this.word = undefined;
      if (this.wordBeat === this.B - 1) {
        this.wordBeat = 0;
        this.full = true;
        return; // a word completed at this edge; the one it replaces (if any) was written at this edge
      }
      this.wordBeat++;
    }
    if (writeFire) {
      this.full = false;
      if (this.rxTotal === this.total) {
        this.mode = 'idle';
        this.lastEnd = 'done';
        this.ended++;
      }
    }
  }

  private issue(): void {
    const b = this.plan[this.requested]!;
    this.inFlight.push(b.len);
    this.requested++;
    this.beatsRequested += b.len;
  }

  private accept(x: LoaderPortsIn): void {
    // the fields as the ports carry them (their widths)
    const t = this.spec.target;
    const c = { src: x.cmd_src % 2 ** this.spec.addrBits, count: x.cmd_count % 2 ** countBits(this.spec), region: x.cmd_region & 3, base: x.cmd_base % 2 ** t.indexBits, first: (x.cmd_first & 1) === 1 };
    const refused = commandRefusal(this.spec, c) !== undefined;
    if (c.first) {
      this.imageOk = true;
      this.fault = FAULT.none;
    }
    if (refused) {
      this.failed(FAULT.refused, 'refused');
      return;
    }
    this.mode = 'run';
    this.plan = burstPlan(this.spec, c);
    this.src = c.src;
    this.total = c.count * this.B;
    this.requested = 0;
    this.beatsRequested = 0;
    this.inFlight = [];
    this.rxInBurst = 0;
    this.rxTotal = 0;
    this.hold = false;
    this.wordBeat = 0;
    this.full = false;
    this.region = c.region;
    this.index = c.base;
  }
}
