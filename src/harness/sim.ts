// A running simulator process: line requests over stdin/stdout, with timeouts. Processes never outlive
// the test: they are killed on close, on request timeout, on failure and when Node exits or is interrupted.
import { execa, type ResultPromise } from 'execa';
import type { BuiltSim } from './build.js';

const live = new Set<Simulator>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const s of live) s.kill();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

export class SimulatorError extends Error {}

export interface SimOptions {
  /** per-request limit in ms before the process is declared hung and killed (default 60 s) */
  timeoutMs?: number;
  /** write a VCD here (the build must have trace enabled) */
  vcd?: string;
  /** replace the executable (tests of the harness itself) */
  exe?: string;
}

export class Simulator {
  private proc: ResultPromise;
  private buf = '';
  private lines: string[] = [];
  private waiting: { n: number; resolve: (l: string[]) => void; reject: (e: Error) => void; since: number; what: string } | undefined;
  /** requests waiting for the one in flight to finish */
  private backlog: (() => void)[] = [];
  /** one watchdog per process instead of a timer per request (timers cost more than a round trip) */
  private watchdog: NodeJS.Timeout;
  private stderr = '';
  private exited: string | undefined;
  readonly pid: number | undefined;

  constructor(
    readonly build: BuiltSim,
    private opts: SimOptions = {},
  ) {
    hookExit();
    this.proc = execa(opts.exe ?? build.exe, [], {
      cwd: build.dir,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      env: opts.vcd ? { SIM_VCD: opts.vcd } : {},
    });
    this.pid = this.proc.pid;
    live.add(this);
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (c: string) => {
      this.stderr = (this.stderr + c).slice(-4000);
    });
    this.proc.stdin!.on('error', () => {});
    const limit = this.opts.timeoutMs ?? 60_000;
    this.watchdog = setInterval(() => {
      const w = this.waiting;
      if (w && performance.now() - w.since > limit) {
        this.kill();
        this.failWaiting(new SimulatorError(`simulator ${build.top} did not answer "${w.what}" within ${limit} ms; the process (pid ${this.pid}) was killed`));
      }
    }, Math.min(1000, Math.max(50, limit / 4)));
    this.watchdog.unref();
    void this.proc.then((r) => {
      live.delete(this);
      clearInterval(this.watchdog);
      const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
      this.exited = how;
      this.failWaiting(new SimulatorError(`simulator ${build.top} ${how}${this.stderr ? `; its stderr:\n${this.stderr}` : ''}`));
    });
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      this.lines.push(this.buf.slice(0, i));
      this.buf = this.buf.slice(i + 1);
    }
    this.deliver();
  }

  private deliver(): void {
    const w = this.waiting;
    if (!w || this.lines.length < w.n) return;
    this.waiting = undefined;
    const got = this.lines.splice(0, w.n);
    const err = got.find((l) => l.startsWith('E '));
    if (err) w.reject(new SimulatorError(`simulator ${this.build.top} rejected "${w.what}": ${err.slice(2)}`));
    else w.resolve(got);
    this.backlog.shift()?.();
  }

  private failWaiting(e: Error): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    w.reject(e);
    this.backlog.shift()?.();
  }

  /** Sends `text` (one or more lines) and resolves with the next `n` reply lines. Requests are serialized. */
  request(text: string, n = 1): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      const send = () => {
        if (this.exited) {
          reject(new SimulatorError(`simulator ${this.build.top} already ${this.exited}`));
          this.backlog.shift()?.();
          return;
        }
        const what = text.length > 80 ? `${text.slice(0, 80)}…` : text.trim();
        this.waiting = { n, resolve, reject, since: performance.now(), what };
        this.proc.stdin!.write(text.endsWith('\n') ? text : text + '\n');
        this.deliver();
      };
      if (this.waiting || this.backlog.length) this.backlog.push(send);
      else send();
    });
  }

  async line(text: string): Promise<string> {
    return (await this.request(text, 1))[0]!;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  kill(): void {
    clearInterval(this.watchdog);
    if (this.exited === undefined) this.proc.kill('SIGKILL');
  }

  /** Ends the process cleanly (flushing any VCD), killing it if it does not exit within 5 s. */
  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    this.proc.stdin!.end('q\n');
    const t = setTimeout(() => this.kill(), 5000);
    await this.proc;
    clearTimeout(t);
  }
}
