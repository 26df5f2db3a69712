// The FPGA chip's tile seen from the host: a network (weights, row mask, threshold, leak, ADC shift) as configuration
// writes of the tile's address map (docs/crossbar.md), timestep inputs as the tile's in_spikes / in_restart fields,
// and output records back to spikes and membranes per column. Bad values are refused naming the value, its allowed
// range and the caller's line, before anything is sent.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';
import { spikeWidth } from '../golden/lif.js';
import { cellBits, cfgAddress, colGroups, crossbarMap, encodeWeight, inputRange, inputWidth, maxWeight, REGION, TILE_REG, type CrossbarSpec } from '../spec/crossbar.js';
import { signedSpikes } from '../spec/lif.js';

export class HostInputError extends RangeError {
  constructor(message: string) {
    super(`${message} (at ${formatLoc(captureLoc())})`);
    this.name = 'HostInputError';
  }
}

export interface TileNetwork {
  /** weights [rows][cols], row-major, each in -(L^S - 1)..L^S - 1 */
  weights: ArrayLike<number>;
  /** row mask, 1 = enabled (default: every row) */
  mask?: ArrayLike<number>;
  threshold: number;
  leak?: number;
  adcShift: number;
}

export interface CfgWrite {
  addr: number;
  data: bigint;
}

const fits = (v: number, bits: number) => Number.isInteger(v) && v >= 0 && v < 2 ** bits;

/** Every write that loads the network: all weight words, the mask words, threshold, leak and ADC shift. */
export function tileConfigWrites(p: CrossbarSpec, net: TileNetwork): CfgWrite[] {
  const map = crossbarMap(p);
  const { rows: R, cols: C, rowsPerCycle: Pr, colsPerCycle: Pc, slices: S } = p;
  if (net.weights.length !== R * C) throw new HostInputError(`weights: ${net.weights.length} values, the tile holds ${R} x ${C} = ${R * C}`);
  const max = maxWeight(p);
  for (let i = 0; i < R * C; i++) {
    const w = net.weights[i]!;
    if (!Number.isInteger(w) || Math.abs(w) > max) throw new HostInputError(`weights[${Math.floor(i / C)}][${i % C}] = ${w} is outside -${max}..${max}`);
  }
  const rb = map.registerBits;
  const reg = (name: string, v: number, bits: number) => {
    if (!fits(v, bits)) throw new HostInputError(`${name} = ${v} is outside 0..${2 ** bits - 1}`);
  };
  reg('threshold', net.threshold, rb.threshold);
  if (rb.leak) reg('leak', net.leak ?? 0, rb.leak);
  else if (net.leak) throw new HostInputError(`leak = ${net.leak}: the tile's neurons have no leak (leak 'none')`);
  reg('adcShift', net.adcShift, rb.adcShift);
  const mask = net.mask ?? new Array<number>(R).fill(1);
  if (mask.length !== R) throw new HostInputError(`mask: ${mask.length} bits, the tile has ${R} rows`);
  for (let r = 0; r < R; r++) if (mask[r] !== 0 && mask[r] !== 1) throw new HostInputError(`mask[${r}] = ${mask[r]}; each mask bit is 0 or 1`);

  const cb = cellBits(p);
  const G = colGroups(p);
  const out: CfgWrite[] = [];
  for (let word = 0; word < map.weightWords; word++) {
    const g = Math.floor(word / G);
    const cg = word % G;
    let data = 0n;
    for (let i = 0; i < Pr; i++) {
      for (let j = 0; j < Pc; j++) {
        const cells = encodeWeight(net.weights[(g * Pr + i) * C + cg * Pc + j]!, p);
        for (let s = 0; s < S; s++) {
          const off = map.cellOffset(i, j, s);
          data |= (BigInt(cells.pos[s]!) << BigInt(off)) | (BigInt(cells.neg[s]!) << BigInt(off + cb));
        }
      }
    }
    out.push({ addr: cfgAddress(map, REGION.weights, word), data });
  }
  for (let k = 0; k < map.maskWords; k++) {
    let data = 0n;
    const n = Math.min(map.maskChunk, R - k * map.maskChunk);
    for (let i = 0; i < n; i++) data |= BigInt(mask[k * map.maskChunk + i]!) << BigInt(i);
    out.push({ addr: cfgAddress(map, REGION.mask, k), data });
  }
  out.push({ addr: cfgAddress(map, REGION.registers, TILE_REG.threshold), data: BigInt(net.threshold) });
  if (rb.leak) out.push({ addr: cfgAddress(map, REGION.registers, TILE_REG.leak), data: BigInt(net.leak ?? 0) });
  out.push({ addr: cfgAddress(map, REGION.registers, TILE_REG.adcShift), data: BigInt(net.adcShift) });
  return out;
}

/** The write that clears the tile's counters and cfg_error. */
export const clearCountersWrite = (p: CrossbarSpec): CfgWrite => ({ addr: cfgAddress(crossbarMap(p), REGION.registers, TILE_REG.clearCounters), data: 0n });

/** The tile's timestep fields for one row-input vector (two's complement per row for signed alphabets). */
export function tileStepFields(p: CrossbarSpec, x: ArrayLike<number>, restart = false): Record<string, bigint> {
  if (x.length !== p.rows) throw new HostInputError(`row inputs: ${x.length} values, the tile has ${p.rows} rows`);
  const [lo, hi] = inputRange(p);
  const xw = inputWidth(p);
  let v = 0n;
  for (let r = p.rows - 1; r >= 0; r--) {
    const xr = x[r]!;
    if (!Number.isInteger(xr) || xr < lo || xr > hi) throw new HostInputError(`row input x[${r}] = ${xr} is outside the ${p.inSpikes} alphabet ${lo}..${hi}`);
    v = (v << BigInt(xw)) | (BigInt(xr) & ((1n << BigInt(xw)) - 1n));
  }
  return { in_spikes: v, in_restart: restart ? 1n : 0n };
}

export interface TileStepResult {
  spikes: number[];
  v: number[];
}

const signed = (b: bigint, w: number) => Number(b >> BigInt(w - 1) ? b - (1n << BigInt(w)) : b);

/** A timestep's records (one per column group, in order) back to spikes and membranes per column. */
export function tileStepResult(p: CrossbarSpec, records: readonly Record<string, bigint>[]): TileStepResult {
  const n = p.neuron!;
  const G = colGroups(p);
  const Pc = p.colsPerCycle;
  const sw = spikeWidth({ ...n, iWidth: p.psumBits, neurons: 1 });
  const sgn = signedSpikes({ ...n, iWidth: p.psumBits });
  const spikes = new Array<number>(p.cols).fill(0);
  const v = new Array<number>(p.cols).fill(0);
  if (records.length !== G) throw new RangeError(`a timestep gave ${records.length} records, the tile has ${G} column groups`);
  records.forEach((rec, k) => {
    const g = G > 1 ? Number(rec.out_group) : 0;
    if (g !== k) throw new RangeError(`record ${k} of a timestep is column group ${g}`);
    for (let j = 0; j < Pc; j++) {
      const sp = (rec.out_spikes! >> BigInt(j * sw)) & ((1n << BigInt(sw)) - 1n);
      const vv = (rec.out_v! >> BigInt(j * n.vWidth)) & ((1n << BigInt(n.vWidth)) - 1n);
      spikes[g * Pc + j] = sgn ? signed(sp, sw) : Number(sp);
      v[g * Pc + j] = signed(vv, n.vWidth);
    }
  });
  return { spikes, v };
}
