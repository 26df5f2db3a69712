// The spike router's definition (docs/router.md), shared by the RTL generator (dsl/router.ts), the golden cycle
// model (src/golden/router.ts), the functional counterpart (src/functional/router.ts), the co-simulation's checker
// and the compiler: parameters and their ranges, the mesh geometry, dimension-order (X then Y) routing, which
// tiles each port can reach (so which input may turn to which output), the configuration address map with its
// refusal rules, the counters and the zero-load latency. Each model implements the datapath itself.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import { captureLoc, formatLoc, type SrcLoc } from '../hdl/srcloc.js';
import { log2ceil } from '../hdl/types.js';
import { requireRange } from '../params/define.js';

export interface RouterSpec {
  /** X: routers per row of the mesh (x grows to the east) */
  meshX: number;
  /** Y: rows of the mesh (y grows to the south) */
  meshY: number;
  /** bits of the neuron id field */
  neuronBits: number;
  /** bits of the timestep field */
  timestepBits: number;
  /** bits of the payload field (a signed, two's complement spike value) */
  payloadBits: number;
  /** a packet's routing-table group is neuron >> groupShift */
  groupShift: number;
  /** D: packets each input FIFO holds */
  fifoDepth: number;
  counterBits: number;
}

/** Ranges of the integer parameters (documented in docs/router.md from this table). */
export const ROUTER_LIMITS = {
  meshX: [1, 16],
  meshY: [1, 16],
  neuronBits: [1, 16],
  timestepBits: [1, 16],
  payloadBits: [1, 16],
  groupShift: [0, 16],
  fifoDepth: [1, 16],
  counterBits: [8, 48],
} as const;

/** Most tiles in one mesh: the destination set is a bit mask, one bit per tile. */
export const MAX_TILES = 64;
/** Most routing-table groups per tile (entries are registers, one per group). */
export const MAX_GROUPS = 64;

export const ROUTER_DOC: Record<keyof typeof ROUTER_LIMITS, string> = {
  meshX: `X, routers per row (x = 0 is the west edge); X x Y <= ${MAX_TILES}`,
  meshY: 'Y, rows of routers (y = 0 is the north edge)',
  neuronBits: 'nb, bits of the neuron id (the source tile\'s output index)',
  timestepBits: 'tsb, bits of the timestep field (carried unchanged)',
  payloadBits: 'pb, bits of the payload: a signed (two\'s complement) graded spike value, carried unchanged',
  groupShift: `gs, group = neuron >> gs; 0..nb, and 2^(nb - gs) <= ${MAX_GROUPS} groups per tile`,
  fifoDepth: 'D, packets per input FIFO (every port of every router)',
  counterBits: 'event counter width (counters wrap modulo 2^counterBits)',
};

/**
 * Checks every parameter; all problems are reported at once, each at the parameter's own location when `locs` has it
 * and at `loc` (the caller of the generator or model) otherwise.
 */
export function checkRouterSpec(p: RouterSpec, loc: SrcLoc | undefined, who = 'routerMesh', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(ROUTER_LIMITS)) requireRange(who, k, p[k as keyof typeof ROUTER_LIMITS], lo, hi, at(k));
    const bad = (name: string, msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, at(name)));
    const ok = (k: keyof typeof ROUTER_LIMITS) => Number.isInteger(p[k]) && p[k] >= ROUTER_LIMITS[k][0] && p[k] <= ROUTER_LIMITS[k][1];
    if (ok('meshX') && ok('meshY') && p.meshX * p.meshY > MAX_TILES) bad('meshX', `a ${p.meshX} x ${p.meshY} mesh has ${p.meshX * p.meshY} tiles; allowed: 1..${MAX_TILES} tiles (meshX x meshY), one destination-mask bit each`);
    if (ok('neuronBits') && ok('groupShift')) {
      if (p.groupShift > p.neuronBits) bad('groupShift', `parameter groupShift = ${p.groupShift} is outside 0..${p.neuronBits} (neuronBits)`);
      else if (2 ** (p.neuronBits - p.groupShift) > MAX_GROUPS) bad('groupShift', `neuronBits - groupShift = ${p.neuronBits - p.groupShift} gives ${2 ** (p.neuronBits - p.groupShift)} table groups per tile; allowed: at most ${MAX_GROUPS} (groupShift ${p.neuronBits - log2ceil(MAX_GROUPS)}..${p.neuronBits})`);
    }
  });
}

// ---- geometry ----

export const tiles = (p: Pick<RouterSpec, 'meshX' | 'meshY'>) => p.meshX * p.meshY;
/** Bits of a tile id (the src field, the table address's tile field); at least 1. */
export const tileBits = (p: Pick<RouterSpec, 'meshX' | 'meshY'>) => Math.max(1, log2ceil(tiles(p)));
/** Bits of the group field; 0 when a tile has one group. */
export const groupBits = (p: Pick<RouterSpec, 'neuronBits' | 'groupShift'>) => p.neuronBits - p.groupShift;
export const groups = (p: Pick<RouterSpec, 'neuronBits' | 'groupShift'>) => 2 ** groupBits(p);
export const groupOf = (p: Pick<RouterSpec, 'groupShift'>, neuron: number) => neuron >> p.groupShift;
/** Tile id of the router at (x, y): row-major. */
export const tileId = (p: Pick<RouterSpec, 'meshX'>, x: number, y: number) => y * p.meshX + x;
export const tileXY = (p: Pick<RouterSpec, 'meshX'>, t: number) => ({ x: t % p.meshX, y: Math.floor(t / p.meshX) });

/** Router ports: the local port (the tile) and the four neighbours. The order is also the arbitration order. */
export const PORTS = ['L', 'N', 'E', 'S', 'W'] as const;
export type Port = (typeof PORTS)[number];
export const PORT = { L: 0, N: 1, E: 2, S: 3, W: 4 } as const;
const STEP: Record<Port, [number, number]> = { L: [0, 0], N: [0, -1], E: [1, 0], S: [0, 1], W: [-1, 0] };
/** The neighbour's port that a link leaving through `port` arrives at. */
export const OPPOSITE: Record<Port, Port> = { L: 'L', N: 'S', E: 'W', S: 'N', W: 'E' };

/** The tile beyond `port` of tile t, or undefined at the mesh edge (L: the tile itself). */
export function neighbour(p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number, port: Port): number | undefined {
  const { x, y } = tileXY(p, t);
  const [dx, dy] = STEP[port];
  const nx = x + dx;
  const ny = y + dy;
  return nx >= 0 && nx < p.meshX && ny >= 0 && ny < p.meshY ? tileId(p, nx, ny) : undefined;
}
export const hasPort = (p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number, port: Port) => neighbour(p, t, port) !== undefined;

/** Dimension-order routing: the output port of tile `here` towards tile `dest` (X first, then Y; L when there). */
export function routePort(p: Pick<RouterSpec, 'meshX'>, here: number, dest: number): Port {
  const a = tileXY(p, here);
  const b = tileXY(p, dest);
  if (b.x > a.x) return 'E';
  if (b.x < a.x) return 'W';
  if (b.y > a.y) return 'S';
  if (b.y < a.y) return 'N';
  return 'L';
}

/** Router-to-router links on the XY path from s to d: |dx| + |dy|. */
export function hops(p: Pick<RouterSpec, 'meshX'>, s: number, d: number): number {
  const a = tileXY(p, s);
  const b = tileXY(p, d);
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

/** Cycles from the edge that accepts a packet on s's local input to the edge that delivers it at d, in an empty network with ready sinks. */
export const zeroLoadLatency = (p: Pick<RouterSpec, 'meshX'>, s: number, d: number) => hops(p, s, d) + 1;

/** The tiles that output `port` of tile t leads to under XY routing, ascending (its branch of a destination set). */
export function branchTiles(p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number, port: Port): number[] {
  return Array.from({ length: tiles(p) }, (_, d) => d).filter((d) => routePort(p, t, d) === port);
}

/**
 * The destinations a packet arriving on input `port` of tile t can still have, ascending: all tiles for the local
 * input, else the branch set of the link that feeds the port (the upstream router's branch towards t). These are the
 * bits of the destination mask that the port's FIFO stores.
 */
export function reachTiles(p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number, port: Port): number[] {
  if (port === 'L') return Array.from({ length: tiles(p) }, (_, d) => d);
  const up = neighbour(p, t, port);
  return up === undefined ? [] : branchTiles(p, up, OPPOSITE[port]);
}

/** Input ports of tile t, in PORTS order. */
export const inputPorts = (p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number): Port[] => PORTS.filter((q) => hasPort(p, t, q) || q === 'L');
export const outputPorts = inputPorts;

/**
 * The inputs that can send to output `out` of tile t, in PORTS order: those whose reachable destinations meet the
 * output's branch (XY routing never turns from Y back to X, nor back where a packet came from).
 */
export function candidates(p: Pick<RouterSpec, 'meshX' | 'meshY'>, t: number, out: Port): Port[] {
  const branch = new Set(branchTiles(p, t, out));
  return inputPorts(p, t).filter((i) => reachTiles(p, t, i).some((d) => branch.has(d)));
}

// ---- packets ----

export interface Packet {
  neuron: number;
  timestep: number;
  /** signed, -2^(pb-1)..2^(pb-1)-1 */
  payload: number;
}

export interface Delivery extends Packet {
  /** the source tile */
  src: number;
}

/** Bad data given to a router model or helper: names the value, the allowed range and the caller's TS line. */
export class RouterInputError extends RangeError {
  constructor(message: string, loc = captureLoc()) {
    super(`${message} (at ${formatLoc(loc)})`);
    this.name = 'RouterInputError';
  }
}

/** Checks one packet's fields against their widths (payload signed). */
export function checkPacket(p: RouterSpec, pk: Packet, what: string, loc = captureLoc()): void {
  const field = (name: 'neuron' | 'timestep' | 'payload', v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RouterInputError(`${what}: ${name} = ${v} is outside ${lo}..${hi} (${name}Bits = ${p[`${name}Bits`]})`, loc);
  };
  field('neuron', pk.neuron, 0, 2 ** p.neuronBits - 1);
  field('timestep', pk.timestep, 0, 2 ** p.timestepBits - 1);
  field('payload', pk.payload, -(2 ** (p.payloadBits - 1)), 2 ** (p.payloadBits - 1) - 1);
}

// ---- configuration address map ----

export const ROUTER_REGION = { tables: 0, registers: 1 } as const;
export const ROUTER_REG = { clearCounters: 0 } as const;

export interface RouterMap {
  tileBits: number;
  groupBits: number;
  /** cfg_addr: {region (1 bit), tile (tileBits), group (groupBits)} */
  addrBits: number;
  /** cfg_data: one bit per tile id 0..2^tileBits - 1; a set bit for an id >= X*Y names a missing tile */
  dataBits: number;
}

export function routerMap(p: RouterSpec): RouterMap {
  const tb = tileBits(p);
  const gb = groupBits(p);
  return { tileBits: tb, groupBits: gb, addrBits: 1 + tb + gb, dataBits: 2 ** tb };
}

/** cfg_addr of table entry (tile, group): region 0. */
export const tableAddress = (p: RouterSpec, tile: number, group: number) => tile * 2 ** groupBits(p) + group;
/** cfg_addr of register `reg`: region 1 above the tile and group fields. */
export const registerAddress = (p: RouterSpec, reg: number) => ROUTER_REGION.registers * 2 ** (tileBits(p) + groupBits(p)) + reg;

export type CfgEffect =
  | { kind: 'table'; tile: number; group: number; mask: bigint }
  | { kind: 'clear' }
  | { kind: 'refused'; why: string };

/** What one configuration write does (THE rule; the RTL implements it, the models call it). */
export function decodeCfgWrite(p: RouterSpec, addr: number, data: bigint): CfgEffect {
  const m = routerMap(p);
  const T = tiles(p);
  const index = addr % 2 ** (m.tileBits + m.groupBits);
  const region = Math.floor(addr / 2 ** (m.tileBits + m.groupBits));
  if (region === ROUTER_REGION.tables) {
    const tile = Math.floor(index / 2 ** m.groupBits);
    const group = index % 2 ** m.groupBits;
    if (tile >= T) return { kind: 'refused', why: `table write for source tile ${tile}: tiles are 0..${T - 1}` };
    if (data >> BigInt(T) !== 0n) return { kind: 'refused', why: `table entry names a missing tile (mask bits above ${T - 1})` };
    return { kind: 'table', tile, group, mask: data };
  }
  if (region === ROUTER_REGION.registers && index === ROUTER_REG.clearCounters) return { kind: 'clear' };
  return { kind: 'refused', why: `register index ${index} is not mapped` };
}

/**
 * The configuration write that sends group `group` of tile `tile` to the tiles `dests` (an empty list: the group is
 * unrouted). Refuses a tile, group or destination that does not exist, naming it, its range and the caller's line.
 */
export function tableWrite(p: RouterSpec, tile: number, group: number, dests: readonly number[]): { addr: number; data: bigint } {
  const T = tiles(p);
  const loc = captureLoc();
  const mesh = `${p.meshX} x ${p.meshY} mesh`;
  if (!Number.isInteger(tile) || tile < 0 || tile >= T) throw new RouterInputError(`routing table: source tile ${tile} is outside 0..${T - 1} (${mesh})`, loc);
  if (!Number.isInteger(group) || group < 0 || group >= groups(p)) throw new RouterInputError(`routing table of tile ${tile}: group ${group} is outside 0..${groups(p) - 1} (neuronBits ${p.neuronBits}, groupShift ${p.groupShift})`, loc);
  let data = 0n;
  for (const d of dests) {
    if (!Number.isInteger(d) || d < 0 || d >= T) throw new RouterInputError(`routing table entry (tile ${tile}, group ${group}): destination tile ${d} does not exist; tiles are 0..${T - 1} (${mesh})`, loc);
    data |= 1n << BigInt(d);
  }
  return { addr: tableAddress(p, tile, group), data };
}

/** The tiles of a destination mask, ascending. */
export function maskTiles(mask: bigint): number[] {
  const out: number[] = [];
  for (let d = 0; mask >> BigInt(d) !== 0n; d++) if ((mask >> BigInt(d)) & 1n) out.push(d);
  return out;
}

// ---- routing one compiled layer to the next ----

export interface LayerPlacement {
  /** tiles of layer l's column tiles, in column-tile order; column tile c emits outputs c*outputsPerTile + neuron */
  sourceTiles: readonly number[];
  outputsPerTile: number;
  /** tiles of layer l+1: destTiles[r][c] is row tile r, column tile c; row tile r takes inputs r*inputsPerTile.. */
  destTiles: readonly (readonly number[])[];
  inputsPerTile: number;
}

/**
 * Routing-table entries that send each of layer l's outputs to every tile of the row tile of layer l+1 that takes it
 * as an input (all its column tiles), one entry per (source tile, group). A group must not straddle two row tiles.
 */
export function layerRoutes(p: RouterSpec, l: LayerPlacement): { tile: number; group: number; dests: number[] }[] {
  const loc = captureLoc();
  const size = 2 ** p.groupShift;
  const out: { tile: number; group: number; dests: number[] }[] = [];
  if (l.outputsPerTile > 2 ** p.neuronBits) throw new RouterInputError(`layerRoutes: outputsPerTile = ${l.outputsPerTile} does not fit neuronBits = ${p.neuronBits} (at most ${2 ** p.neuronBits})`, loc);
  l.sourceTiles.forEach((tile, c) => {
    for (let g = 0; g * size < l.outputsPerTile; g++) {
      const first = c * l.outputsPerTile + g * size;
      const last = c * l.outputsPerTile + Math.min(l.outputsPerTile, (g + 1) * size) - 1;
      const r = Math.floor(first / l.inputsPerTile);
      if (Math.floor(last / l.inputsPerTile) !== r) throw new RouterInputError(`layerRoutes: group ${g} of source tile ${tile} (outputs ${first}..${last}) straddles row tiles ${r} and ${r + 1} of ${l.inputsPerTile} inputs; use a groupShift whose groups (${size} neurons) divide the row tiles`, loc);
      const row = l.destTiles[r];
      if (!row) throw new RouterInputError(`layerRoutes: outputs ${first}..${last} need row tile ${r}, layer l+1 has ${l.destTiles.length}`, loc);
      out.push({ tile, group: g, dests: [...row] });
    }
  });
  return out;
}

// ---- counters ----

export const ROUTER_COUNTERS = ['injected', 'unrouted', 'delivered', 'hops', 'replications', 'stalls', 'inject_stalls', 'refused_writes'] as const;
export type RouterCounter = (typeof ROUTER_COUNTERS)[number];

export const ROUTER_COUNTER_DOC: Record<RouterCounter, string> = {
  injected: 'packets taken on local inputs (in_valid and in_ready), routed or not',
  unrouted: 'taken packets whose table entry was empty (discarded at injection)',
  delivered: 'packets taken by local sinks (out_valid and out_ready): one per destination tile',
  hops: 'router-to-router link traversals (one per copy per link)',
  replications: 'copies made: when a packet leaves a router\'s input FIFO, + (output ports it went to) - 1',
  stalls: 'output-port cycles with a packet offered and not taken (downstream FIFO full, or local sink not ready), summed over all ports',
  inject_stalls: 'local-input cycles with in_valid and not in_ready, summed over tiles',
  refused_writes: 'configuration writes refused (cfg_error is set by the same writes)',
};
