// Behavioural off-chip memory for testbenches and benchmarks (docs/memory.md, "Off-chip read port"): an array of
// beats behind a burst read port with valid/ready on both channels. Requests queue up (req_ready is 0 when the
// queue is full or the memory stalls); each burst's first beat comes `latency` cycles after its request at the
// earliest, then beats in order with random gaps; an offered beat is held until taken (AXI's rule). Faults can be
// injected per burst: an early last, a missing last (the burst runs one beat long), a hang (nothing for a while).
// Its outputs depend only on its state (no combinational path from the loader's outputs).
import { Rng } from '../util/random.js';
import { MemoryInputError } from '../spec/memory.js';

export interface MemoryTiming {
  /** cycles from a request's cycle to its first beat, at least 1 */
  latency: number;
  /** requests held at once (req_ready is 0 when full), at least 1 */
  queue: number;
  /** chance per cycle that req_ready is 0 although the queue has room */
  reqStall: number;
  /** chance per cycle that no beat is offered although one is due */
  dataStall: number;
  /** chance per cycle that a long stall starts on the request side / the data side, and its length range */
  longStall: number;
  longStallCycles: [number, number];
}

export const DEFAULT_TIMING: MemoryTiming = { latency: 3, queue: 4, reqStall: 0.1, dataStall: 0.1, longStall: 0, longStallCycles: [20, 60] };

export type BurstFault =
  /** (a burst served normally: a place holder in an inject() list) */
  | { kind: 'none' }
  | { kind: 'earlyLast'; beat: number }
  | { kind: 'missingLast' }
  /** from the burst's first beat on, nothing on either channel for `cycles` cycles */
  | { kind: 'hang'; cycles: number }
  /** the burst's first beat comes `cycles` cycles late (the data side stalls; requests still flow) */
  | { kind: 'dataStall'; cycles: number };

interface Burst {
  addr: number;
  len: number;
  due: number;
  sent: number;
  fault?: BurstFault;
}

export interface MemoryPortsIn {
  req_valid: bigint | number;
  req_addr: bigint | number;
  req_len: bigint | number;
  data_ready: bigint | number;
}

export class OffchipMemory {
  private readonly beats = new Map<number, bigint>();
  private queue: Burst[] = [];
  private cycle = 0;
  private out = { req_ready: 0, data_valid: 0, data: 0n, data_last: 0 };
  private reqStallLeft = 0;
  private dataStallLeft = 0;
  private hangLeft = 0;
  private nextFaults: BurstFault[] = [];
  timing: MemoryTiming;
  /** what it did, for tests */
  readonly stats = { bursts: 0, beats: 0, injected: 0 };

  constructor(
    readonly beatBits: number,
    readonly addrBits: number,
    private readonly rng: Rng,
    timing: Partial<MemoryTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.decide();
  }

  /** Stores beats from `addr` on. */
  write(addr: number, beats: readonly bigint[]): void {
    if (!Number.isInteger(addr) || addr < 0 || addr + beats.length > 2 ** this.addrBits) throw new MemoryInputError(`memory write at ${addr} of ${beats.length} beats is outside 0..${2 ** this.addrBits - 1}`);
    // every beat checked before any is stored: a bad write changes nothing
    beats.forEach((b, i) => {
      if (b < 0n || b >> BigInt(this.beatBits) !== 0n) throw new MemoryInputError(`beat ${addr + i} = 0x${b.toString(16)} is wider than ${this.beatBits} bits`);
    });
    beats.forEach((b, i) => this.beats.set(addr + i, b));
  }

  read(addr: number): bigint {
    return this.beats.get(addr) ?? 0n;
  }

  /** The next bursts the memory accepts get these faults, in order. */
  inject(...faults: BurstFault[]): void {
    this.nextFaults.push(...faults);
  }

  /** Forces a stall of the `cycles` cycles after the current one: req_ready 0 (side 'req'), or no beat offered ('data'). */
  stall(side: 'req' | 'data', cycles: number): void {
    if (side === 'req') this.reqStallLeft = cycles;
    else this.dataStallLeft = cycles;
  }

  /** Requests queued or being served (after a timeout the loader has abandoned them). */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Drops every queued request and any offered beat (a reset of the memory channel). */
  flush(): void {
    this.queue = [];
    this.hangLeft = 0;
    this.out.data_valid = 0;
    this.decide();
  }

  outputs(): { req_ready: number; data_valid: number; data: bigint; data_last: number } {
    return { ...this.out };
  }

  edge(x: MemoryPortsIn): void {
    if (this.out.req_ready && Number(x.req_valid)) {
      const addr = Number(x.req_addr);
      const len = Number(x.req_len);
      if (len < 1) throw new MemoryInputError(`req_len = ${len} at cycle ${this.cycle}: a burst has 1 or more beats (a zero-length burst)`);
      if (addr + len > 2 ** this.addrBits) throw new MemoryInputError(`request at cycle ${this.cycle}: req_addr ${addr} + req_len ${len} is past the ${2 ** this.addrBits}-beat memory`);
      let fault = this.nextFaults.shift();
      if (fault?.kind === 'none') fault = undefined;
      if (fault) this.stats.injected++;
      this.queue.push({ addr, len, due: this.cycle + this.timing.latency, sent: 0, fault });
      this.stats.bursts++;
    }
    if (this.out.data_valid && Number(x.data_ready)) {
      this.stats.beats++;
      const b = this.queue[0]!;
      b.sent++;
      if (this.out.data_last) this.queue.shift();
      this.out.data_valid = 0;
    }
    this.cycle++;
    this.decide();
  }

  /** Outputs of the new cycle: an offered beat stays; otherwise stalls, hangs and latency decide. A stall or hang of
   * n cycles covers exactly n cycles. */
  private decide(): void {
    const t = this.timing;
    const episode = () => (t.longStall > 0 && this.rng.chance(t.longStall) ? this.rng.int(...t.longStallCycles) : 0);
    if (this.reqStallLeft === 0) this.reqStallLeft = episode();
    if (this.dataStallLeft === 0) this.dataStallLeft = episode();
    const b = this.queue[0];
    const due = b !== undefined && b.due <= this.cycle && this.out.data_valid === 0;
    if (due && b.sent === 0 && b.fault?.kind === 'hang') {
      this.hangLeft = b.fault.cycles;
      b.fault = undefined;
    } else if (due && b.sent === 0 && b.fault?.kind === 'dataStall') {
      this.dataStallLeft = b.fault.cycles;
      b.fault = undefined;
    }
    const hanging = this.hangLeft > 0;
    const reqStalled = this.reqStallLeft > 0;
    const dataStalled = this.dataStallLeft > 0;
    if (hanging) this.hangLeft--;
    if (reqStalled) this.reqStallLeft--;
    if (dataStalled) this.dataStallLeft--;
    this.out.req_ready = !hanging && !reqStalled && this.queue.length < t.queue && !this.rng.chance(t.reqStall) ? 1 : 0;
    if (this.out.data_valid) return; // held until taken
    if (!due || hanging || dataStalled || this.rng.chance(t.dataStall)) return;
    const i = b.sent;
    let last = i === b.len - 1;
    if (b.fault?.kind === 'earlyLast' && i === b.fault.beat) last = true;
    if (b.fault?.kind === 'missingLast') last = i === b.len; // one beat past the burst
    this.out = { req_ready: this.out.req_ready, data_valid: 1, data: i < b.len ? this.read(b.addr + i) : this.rng.chance(0.5) ? 0n : 1n, data_last: last ? 1 : 0 };
  }
}
