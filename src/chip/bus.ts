// The host's side of the chip's configuration bus (docs/chip.md, "Configuration interface"): bus operations built
// from the memory map (src/spec/chip-map.ts) — a word wider than the bus becomes staging writes and one final
// write — with every value checked against its word before anything is produced.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';
import { ChipInputError } from '../spec/chip.js';
import { busAddress, decodeWrite, regionByName, wordChunks, type BusMap, type Unit } from '../spec/chip-map.js';

export type BusOp = { kind: 'write'; addr: number; data: bigint; what?: string } | { kind: 'read'; addr: number; what?: string };

const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** The writes that put `value` into word `index` of a region (unit or slot s): staging words first, then the top chunk. */
export function writeWord(m: BusMap, unit: Unit, regionName: string, index: number, value: bigint | number, slot = 0): BusOp[] {
  const loc = captureLoc();
  const r = regionByName(m, unit, regionName);
  const w = r.words[index];
  const where = `${unit === 'slot' ? `slot ${slot}` : unit} ${regionName}`;
  if (!w) throw new ChipInputError(`${where}: word ${index} does not exist (words 0..${r.words.length - 1}) (at ${formatLoc(loc)})`);
  if (r.access !== 'w') throw new ChipInputError(`${where}: the region is read-only (at ${formatLoc(loc)})`);
  const v = BigInt(value);
  if (v < 0n || (!w.action && v >> BigInt(w.width) !== 0n)) throw new ChipInputError(`${where} ${w.name} = ${v}: outside 0..${w.action ? 0 : (1n << BigInt(w.width)) - 1n} (${w.width} bits; two's complement values are given as their bits) (at ${formatLoc(loc)})`);
  const n = w.action ? 1 : wordChunks(m, w.width);
  const ops: BusOp[] = [];
  const B = BigInt(m.dataBits);
  for (let k = 0; k < n - 1; k++) ops.push({ kind: 'write', addr: busAddress(m, 'chip', 0, k), data: (v >> (BigInt(k) * B)) & mask(m.dataBits), what: `stage ${k} of ${where} ${w.name}` });
  const addr = busAddress(m, unit, r.region, index, slot);
  const data = v >> (BigInt(n - 1) * B);
  // the same rule the chip decodes with (a mode or chain the slot cannot take is refused here, not by the chip)
  const stage = Array.from({ length: n - 1 }, (_, k) => (v >> (BigInt(k) * B)) & mask(m.dataBits));
  const eff = decodeWrite(m, addr, data, stage);
  if (!eff.ok) throw new ChipInputError(`${where} ${w.name}: ${eff.why} (at ${formatLoc(loc)})`);
  ops.push({ kind: 'write', addr, data, what: `${where} ${w.name}` });
  return ops;
}

export function readWord(m: BusMap, unit: Unit, regionName: string, index: number, slot = 0): BusOp {
  const r = regionByName(m, unit, regionName);
  if (!r.words[index] || r.access !== 'r') throw new ChipInputError(`${unit} ${regionName}: word ${index} is not readable (at ${formatLoc(captureLoc())})`);
  return { kind: 'read', addr: busAddress(m, unit, r.region, index, slot), what: `${unit === 'slot' ? `slot ${slot}` : unit} ${regionName} ${r.words[index]!.name}` };
}

/** Two's complement bits of a signed value in `width` bits, refusing one that does not fit. */
export function signedBits(v: number, width: number, what: string): bigint {
  const lo = -(2 ** (width - 1));
  const hi = 2 ** (width - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new ChipInputError(`${what} = ${v} is outside ${lo}..${hi} (${width}-bit two's complement) (at ${formatLoc(captureLoc())})`);
  return BigInt(v) & mask(width);
}

export const fromSignedBits = (v: bigint, width: number): number => Number(v >> BigInt(width - 1) ? v - (1n << BigInt(width)) : v);
