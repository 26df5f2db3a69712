// Boards as typed data (Amaranth's platform layer is the model): a board names its device and package and lists its
// resources (clock, buttons, LEDs, UART, SPI, PMOD connectors) with their pins, directions and I/O attributes. A build
// asks for resources by name through a Platform, which refuses a resource that does not exist or one asked for twice,
// naming the board, what exists, and the caller's TS line. Emitters (constraints.ts) render the requested pins.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';

export type Toolchain = 'icestorm' | 'vivado' | 'trellis';

/** A package's user I/O pins, with where the list comes from. */
export interface PackagePins {
  name: string;
  pins: readonly string[];
  source: string;
}

export interface IoAttrs {
  /** I/O standard: SB_LVCMOS (iCE40), LVCMOS33 (7-series, ECP5) */
  iostd: string;
  pull?: 'up' | 'down';
  /** output drive in mA (ECP5) */
  drive?: number;
}

export interface Subsignal {
  pin: string;
  dir: 'i' | 'o' | 'io';
  /** active low on the board: the logic level is inverted at the pin */
  invert?: boolean;
  attrs?: Partial<IoAttrs>;
}

export interface Resource {
  name: string;
  number: number;
  /** one pin (`_`), or named subsignals (a UART's rx and tx) */
  signals: Record<string, Subsignal>;
  attrs: IoAttrs;
  /** clocks: the frequency the oscillator runs at */
  clockHz?: number;
  doc?: string;
}

export interface Board {
  name: string;
  title: string;
  vendor: 'lattice' | 'xilinx';
  family: 'ice40' | 'xc7' | 'ecp5';
  device: string;
  package: PackagePins;
  /** speed grade, where the toolchain needs it */
  speed?: string;
  toolchain: Toolchain;
  defaultClock: string;
  /** the button that resets the design (the link resets with it) */
  defaultReset?: string;
  resources: readonly Resource[];
  /** connector pin lists, for PMOD modules */
  connectors?: Record<string, readonly string[]>;
}

export class BoardError extends Error {
  constructor(message: string) {
    super(`${message} (at ${formatLoc(captureLoc())})`);
    this.name = 'BoardError';
  }
}

/** One requested signal: the top-level port it becomes and its pin. */
export interface RequestedPort {
  port: string;
  resource: string;
  pin: string;
  dir: 'i' | 'o' | 'io';
  invert: boolean;
  attrs: IoAttrs;
  clockHz?: number;
}

export const resourceKey = (name: string, number: number) => `${name}#${number}`;

/** The resources a design asked for, each at most once. */
export class Platform {
  private readonly taken = new Set<string>();
  readonly ports: RequestedPort[] = [];
  constructor(readonly board: Board) {}

  /** The resource's signals as top-level ports named <resource>_<number>[_<subsignal>]. */
  request(name: string, number = 0): RequestedPort[] {
    const r = this.board.resources.find((x) => x.name === name && x.number === number);
    if (!r) {
      const have = [...new Set(this.board.resources.map((x) => `${x.name} ${x.number}`))].join(', ');
      throw new BoardError(`board ${this.board.name} has no resource '${name}' number ${number}; it has: ${have}`);
    }
    const key = resourceKey(name, number);
    if (this.taken.has(key)) throw new BoardError(`resource '${name}' number ${number} of board ${this.board.name} is already requested; each resource can be requested once`);
    for (const s of Object.values(r.signals)) {
      const clash = this.ports.find((q) => q.pin === s.pin);
      if (clash) throw new BoardError(`resource '${name}' number ${number} of board ${this.board.name} uses pin ${s.pin}, already taken by ${clash.port}`);
    }
    this.taken.add(key);
    const out = Object.entries(r.signals).map(([sub, s]): RequestedPort => ({
      port: sub === '_' ? `${name}_${number}` : `${name}_${number}_${sub}`,
      resource: key,
      pin: s.pin,
      dir: s.dir,
      invert: !!s.invert,
      attrs: { ...r.attrs, ...s.attrs },
      ...(r.clockHz ? { clockHz: r.clockHz } : {}),
    }));
    this.ports.push(...out);
    return out;
  }
}

/** Single-pin resources, numbered in order: LEDs, buttons. */
export function pinResources(name: string, pins: string, dir: 'i' | 'o', attrs: IoAttrs, invert = false, doc?: string): Resource[] {
  return pins
    .trim()
    .split(/\s+/)
    .map((pin, number) => ({ name, number, signals: { _: { pin, dir, invert } }, attrs, ...(doc ? { doc } : {}) }));
}

/** PMOD connector pins as one resource per connector, subsignals p1..p4, p7..p10 (the connector's numbering). */
export function pmodResources(pins: Record<number, readonly string[]>, attrs: IoAttrs): Resource[] {
  const labels = ['p1', 'p2', 'p3', 'p4', 'p7', 'p8', 'p9', 'p10'];
  return Object.entries(pins).map(([n, ps]) => ({
    name: 'pmod',
    number: Number(n),
    signals: Object.fromEntries(ps.map((pin, i) => [labels[i]!, { pin, dir: 'io' as const }])),
    attrs,
    doc: 'PMOD connector',
  }));
}
