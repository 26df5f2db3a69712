// docs/chip.md's generated blocks: the chip parameters, the memory map of the default chip (a table and the same
// map as JSON, both from busMap()), the slot modes and the counters.
import { chipParams } from '../../dsl/params.js';
import { resolveParams } from '../params/define.js';
import { BUS_COUNTER_DOC, BUS_COUNTERS, CHIP_DOC, CHIP_LIMITS, SLOT_COUNTER_DOC, SLOT_COUNTERS, SLOT_MODE, SLOT_MODE_DOC, slotCount, type ChipSpec } from '../spec/chip.js';
import { busMap, REGION_BITS, SLOT_TARGET, UNIT_TARGET, type BusMap } from '../spec/chip-map.js';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

const defaultMap = (): BusMap => busMap(resolveParams(chipParams).chip as ChipSpec);

/** Word indices and widths of a region, compactly: "0..31 × 512 b" or "0 `mode` 2 b, 1 `chain` 1 b". */
function words(r: BusMap['regions'][number]): string {
  const ws = r.words;
  if (ws.length === 0) return '(none)';
  const uniform = ws.every((w) => w && !w.action && w.width === ws[0]!.width);
  if (uniform && ws.length > 3) return `0..${ws.length - 1}, ${ws[0]!.width} b each`;
  return ws.map((w, i) => (w ? `${i} \`${w.name}\` ${w.action ? '(action)' : `${w.width} b`}` : `${i} —`)).join(', ');
}

function mapTable(): string {
  const m = defaultMap();
  const target = (u: string) => (u === 'slot' ? `${SLOT_TARGET} + s` : String(UNIT_TARGET[u as keyof typeof UNIT_TARGET]));
  return table(['target', 'unit', 'region', 'name', 'access', 'words', 'meaning'], m.regions.map((r) => [target(r.unit), r.unit, r.region, `\`${r.name}\``, r.access === 'w' ? 'write' : 'read', words(r), r.doc]));
}

function mapJson(): string {
  const m = defaultMap();
  const json = {
    chip: `${m.spec.meshX} x ${m.spec.meshY} positions, ${slotCount(m.spec)} slots (dsl/params.ts)`,
    address: { bits: m.addrBits, target: [m.addrBits - 1, REGION_BITS + m.indexBits], region: [REGION_BITS + m.indexBits - 1, m.indexBits], index: [m.indexBits - 1, 0] },
    dataBits: m.dataBits,
    stageSlots: m.stageSlots,
    targets: { ...UNIT_TARGET, slot0: SLOT_TARGET },
    regions: m.regions.map((r) => ({ unit: r.unit, region: r.region, name: r.name, access: r.access, ...(r.forward ? { forward: r.forward } : {}), words: r.words.length, widths: [...new Set(r.words.map((w) => (w ? (w.action ? 'action' : w.width) : null)))] })),
  };
  return ['```json', JSON.stringify(json, null, 1), '```'].join('\n');
}

const params = () =>
  table(['parameter', 'range', 'meaning'], Object.entries(CHIP_DOC).map(([k, doc]) => {
    const lim = CHIP_LIMITS[k as keyof typeof CHIP_LIMITS];
    return [`\`${k}\``, lim ? `${lim[0]}..${lim[1]}` : '', doc];
  }));
const modes = () => table(['mode', 'value', 'what the slot does'], Object.entries(SLOT_MODE).map(([k, v]) => [`\`${k}\``, v, SLOT_MODE_DOC[k as keyof typeof SLOT_MODE]]));
const slotCounters = () => table(['counter', 'counts'], SLOT_COUNTERS.map((c) => [`\`${c}\``, SLOT_COUNTER_DOC[c]]));
const busCounters = () => table(['counter', 'counts'], BUS_COUNTERS.map((c) => [`\`${c}\``, BUS_COUNTER_DOC[c]]));

export const CHIP_TABLES: Record<string, () => string> = {
  'chip-params': params,
  'chip-map': mapTable,
  'chip-map-json': mapJson,
  'chip-modes': modes,
  'chip-slot-counters': slotCounters,
  'chip-bus-counters': busCounters,
};
