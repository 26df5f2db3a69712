// A cocotb-style API over the simulator: typed port handles, Clock, RisingEdge/FallingEdge/ClockCycles,
// ReadOnly, Timer, startSoon, withTimeout, plus a bulk stream path. Time advances only when every coroutine
// is waiting on a trigger (checked on setImmediate, after all pending continuations have run), and each
// advance is one round trip: pending pokes + clock toggles + a read of every port.
// Timing model: time counts clock half-periods; a rising edge happens at odd times, a falling edge at even
// ones. After any trigger resolves, every port shows its settled value at that time.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Design } from '../hdl/elaborate.js';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { toBits } from '../hdl/types.js';
import { buildSim, type BuiltSim } from './build.js';
import { Simulator, SimulatorError, type SimOptions } from './sim.js';
import { LogicValue } from './value.js';

export class Handle {
  private cached: LogicValue;
  /** raw hex from the last read of every port, parsed only when this handle is read */
  private raw: string | undefined;
  constructor(
    readonly dut: Dut,
    readonly name: string,
    readonly index: number,
    readonly width: number,
    readonly signed: boolean,
    readonly isInput: boolean,
  ) {
    this.cached = new LogicValue(0n, width, signed);
  }
  get value(): LogicValue {
    if (this.raw !== undefined) {
      this.cached = LogicValue.fromHex(this.raw, this.width, this.signed);
      this.raw = undefined;
    }
    return this.cached;
  }
  set value(v: number | bigint | boolean) {
    if (!this.isInput) throw new Error(`${this.name} is an output; it cannot be driven`);
    const bits = toBits(typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v), this.width);
    this.cached = new LogicValue(bits, this.width, this.signed);
    this.raw = undefined;
    this.dut.pokeLater(this.index, bits);
  }
  /** @internal */
  update(v: LogicValue): void {
    this.cached = v;
    this.raw = undefined;
  }
  /** @internal */
  updateHex(hex: string): void {
    this.raw = hex;
  }
}

type Waiter = { time: number; resolve: () => void };

export interface DutOptions extends SimOptions {
  /** build with VCD tracing; default: WAVES=1 in the environment */
  trace?: boolean;
}

export type TypedDut<P extends string> = Dut & { readonly [K in P]: Handle };

export class Dut {
  readonly handles: Record<string, Handle> = {};
  /** time in clock half-periods */
  time = 0;
  clockRunning = false;
  clockPeriodNs = 10;
  private pokes = new Map<number, bigint>();
  private waiters: Waiter[] = [];
  private scheduled = false;
  private failure: Error | undefined;
  private inputs: Handle[] = [];
  private handleList: Handle[] = [];

  private constructor(
    readonly sim: Simulator,
    readonly built: BuiltSim,
    signedness: Map<string, boolean>,
  ) {
    built.ports.forEach((p, i) => {
      const h = new Handle(this, p.name, i, p.width, signedness.get(p.name) ?? false, p.dir === 'input');
      this.handles[p.name] = h;
      this.handleList.push(h);
      if (p.dir === 'input') this.inputs.push(h);
      Object.defineProperty(this, p.name, { value: h, enumerable: true });
    });
  }

  /** Builds (or reuses the cached build of) the design's simulator and starts it. */
  static async start<P extends string = string>(design: Design, opts: DutOptions = {}): Promise<TypedDut<P>> {
    const trace = opts.trace ?? process.env.WAVES === '1';
    const built = await buildSim(design, { trace });
    let vcd = opts.vcd;
    if (trace && !vcd) {
      const dir = path.join(PROJECT_ROOT, 'waves');
      mkdirSync(dir, { recursive: true });
      vcd = path.join(dir, `${design.top.name}-${Date.now()}.vcd`);
    }
    const sim = new Simulator(built, { ...opts, vcd });
    const signedness = new Map([...design.top.implicitPorts(), ...design.top.ports].map((p) => [p.name, p.signed]));
    const dut = new Dut(sim, built, signedness) as TypedDut<P>;
    current = dut;
    await dut.refresh('e');
    return dut;
  }

  /** @internal */
  pokeLater(index: number, bits: bigint): void {
    this.pokes.set(index, bits);
  }

  private pokeText(): string {
    let s = '';
    for (const [i, b] of this.pokes) s += `p ${i} ${b.toString(16)};`;
    this.pokes.clear();
    return s;
  }

  private async refresh(cmd: string): Promise<void> {
    const line = await this.sim.line(`${this.pokeText()}${cmd};a`);
    const vals = line.split(' ');
    for (const h of this.handleList) h.updateHex(vals[h.index]!);
  }

  /** @internal registers a waiter at an absolute time */
  waitUntil(time: number): Promise<void> {
    return this.waitCancellable(time).promise;
  }

  /** @internal a waiter that can be withdrawn (so a finished withTimeout does not keep time moving) */
  waitCancellable(time: number): { promise: Promise<void>; cancel: () => void } {
    if (this.failure) return { promise: Promise.reject(this.failure), cancel: () => {} };
    let w: Waiter | undefined;
    const promise = new Promise<void>((resolve) => {
      w = { time, resolve };
      this.waiters.push(w);
      this.schedule();
    });
    return { promise, cancel: () => (this.waiters = this.waiters.filter((x) => x !== w)) };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.advance();
    });
  }

  private async advance(): Promise<void> {
    if (!this.waiters.length) return;
    let t = Infinity;
    for (const w of this.waiters) if (w.time < t) t = w.time;
    try {
      if (t > this.time && !this.clockRunning && this.built.clock) throw new SimulatorError('time cannot advance: no clock is running (start one with startSoon(new Clock(dut.clk, 10).start()))');
      await this.refresh(t > this.time ? `t ${t - this.time}` : 'e');
    } catch (e) {
      this.failure = e as Error;
      for (const w of this.waiters.splice(0)) w.resolve(); // waiters wake and see the failure on their next trigger
      return;
    }
    this.time = t;
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) {
      if (w.time <= t) w.resolve();
      else this.waiters.push(w);
    }
    if (this.waiters.length) this.schedule();
  }

  /** Clock cycles elapsed (rising edges seen). */
  get cycle(): number {
    return Math.floor((this.time + 1) / 2);
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Fast path: applies one input vector per cycle and returns every port sampled before that cycle's rising
   * edge. Vectors name inputs; unnamed inputs keep their last value. Needs no coroutines.
   */
  async stream(vectors: readonly Record<string, number | bigint>[]): Promise<Record<string, bigint>[]> {
    if (this.waiters.length) throw new Error('stream() cannot run while coroutines wait on triggers');
    const held = this.inputs.map((h) => h.value.bits);
    for (const [i, b] of this.pokes) {
      const k = this.inputs.findIndex((h) => h.index === i);
      if (k >= 0) held[k] = b;
    }
    this.pokes.clear();
    let body = `r ${vectors.length}\n`;
    for (const v of vectors) {
      for (let k = 0; k < this.inputs.length; k++) {
        const h = this.inputs[k]!;
        const x = v[h.name];
        if (x !== undefined) held[k] = toBits(BigInt(x), h.width);
      }
      body += held.map((b) => b.toString(16)).join(' ') + '\n';
    }
    const lines = await this.sim.request(body, vectors.length);
    this.time += 2 * vectors.length;
    const hs = Object.values(this.handles);
    const out = lines.map((l) => {
      const vals = l.split(' ');
      const rec: Record<string, bigint> = {};
      for (const h of hs) rec[h.name] = toBits(BigInt(`0x${vals[h.index]}`), h.width);
      return rec;
    });
    this.inputs.forEach((h, k) => h.update(new LogicValue(held[k]!, h.width, h.signed)));
    await this.refresh('e');
    return out;
  }

  /** Runs `cycles` clock cycles in one request (the batched fast path). */
  async step(cycles: number): Promise<void> {
    await this.refresh(`t ${2 * cycles}`);
    this.time += 2 * cycles;
  }

  async close(): Promise<void> {
    await this.sim.close();
  }
}

let current: Dut | undefined;

function dutOf(h?: Handle | Dut): Dut {
  const d = h instanceof Handle ? h.dut : (h ?? current);
  if (!d) throw new Error('no DUT has been started');
  return d;
}

export class Clock {
  constructor(
    readonly signal: Handle,
    readonly period = 10,
    readonly units: 'ns' | 'us' | 'ps' = 'ns',
  ) {}
  /** Starts the clock; time can then advance. Returns at once (cocotb returns a task). */
  async start(): Promise<void> {
    const d = this.signal.dut;
    if (this.signal.name !== d.built.clock) throw new Error(`${this.signal.name} is not the design's clock (${d.built.clock ?? 'none'})`);
    d.clockRunning = true;
    d.clockPeriodNs = this.period * { ns: 1, us: 1000, ps: 0.001 }[this.units];
  }
}

export function RisingEdge(clk: Handle): Promise<void> {
  const d = dutOf(clk);
  return d.waitUntil(d.time % 2 === 0 ? d.time + 1 : d.time + 2).then(() => d.throwIfFailed());
}

export function FallingEdge(clk: Handle): Promise<void> {
  const d = dutOf(clk);
  return d.waitUntil(d.time % 2 === 1 ? d.time + 1 : d.time + 2).then(() => d.throwIfFailed());
}

export function ClockCycles(clk: Handle, n: number): Promise<void> {
  const d = dutOf(clk);
  const first = d.time % 2 === 0 ? d.time + 1 : d.time + 2;
  return d.waitUntil(first + 2 * (n - 1)).then(() => d.throwIfFailed());
}

/** Settles pending writes without advancing time, then every port shows its value. */
export function ReadOnly(dut?: Dut): Promise<void> {
  const d = dutOf(dut);
  return d.waitUntil(d.time).then(() => d.throwIfFailed());
}

/** Waits `t` time units (rounded up to half clock periods). */
export function Timer(t: number, units: 'ns' | 'us' | 'ps' = 'ns', dut?: Dut): Promise<void> {
  const d = dutOf(dut);
  const ns = t * { ns: 1, us: 1000, ps: 0.001 }[units];
  return d.waitUntil(d.time + Math.max(1, Math.ceil(ns / (d.clockPeriodNs / 2)))).then(() => d.throwIfFailed());
}

/** Runs a coroutine concurrently (errors surface when it is awaited or via gather). */
export function startSoon<T>(coro: Promise<T> | (() => Promise<T>)): Promise<T> {
  const p = typeof coro === 'function' ? coro() : coro;
  p.catch(() => undefined); // observed later by the caller; avoid an unhandled rejection meanwhile
  return p;
}

export const gather = <T extends readonly unknown[]>(...ps: { [K in keyof T]: Promise<T[K]> }) => Promise.all(ps);

export class SimTimeoutError extends Error {}

/** Rejects when `p` does not finish within `cycles` clock cycles of simulated time. */
export async function withTimeout<T>(p: Promise<T>, clk: Handle, cycles: number): Promise<T> {
  const d = dutOf(clk);
  const start = d.cycle;
  const first = d.time % 2 === 0 ? d.time + 1 : d.time + 2;
  const guard = d.waitCancellable(first + 2 * (cycles - 1));
  try {
    return await Promise.race([
      p,
      guard.promise.then(() => {
        throw new SimTimeoutError(`timed out after ${cycles} cycles (started at cycle ${start})`);
      }),
    ]);
  } finally {
    guard.cancel();
  }
}
