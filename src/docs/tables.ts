// Tables in docs/*.md that are written from code, so the specs cannot drift from the definitions they describe.
// A block `<!-- generated:NAME -->` ... `<!-- /generated -->` is replaced by GENERATED[NAME](); `npm run docs`
// rewrites the files and test/docs/tables.test.ts fails when one is stale.
import { ATT_COUNTER_DOC, ATT_COUNTERS, ATT_REG, ATT_REG_DOC, ATTENTION_DOC, ATTENTION_LIMITS, expLut } from '../spec/attention.js';
import { CROSSBAR_DOC, CROSSBAR_LIMITS, REGION, TILE_COUNTER_DOC, TILE_COUNTERS, TILE_REG } from '../spec/crossbar.js';
import { PRUNING_COUNTER_DOC, PRUNING_COUNTERS, PRUNING_DOC, PRUNING_LIMITS } from '../spec/pruning.js';
import { ROUTER_COUNTER_DOC, ROUTER_COUNTERS, ROUTER_DOC, ROUTER_LIMITS, ROUTER_REG, ROUTER_REGION } from '../spec/router.js';
import { CHIP_TABLES } from './chip-tables.js';
import { FPGA_TABLES } from './fpga-tables.js';
import { FAULT, FAULT_DOC, LIF_STATE_COUNTER_DOC, LIF_STATE_COUNTERS, LOADER_COUNTER_DOC, LOADER_COUNTERS, WEIGHT_STREAM_DOC, WEIGHT_STREAM_LIMITS } from '../spec/memory.js';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function table(head: string[], rows: (string | number)[][]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

function crossbarParams(): string {
  const rows = Object.entries(CROSSBAR_DOC).map(([k, doc]) => {
    const lim = CROSSBAR_LIMITS[k as keyof typeof CROSSBAR_LIMITS];
    return [`\`${k}\``, lim ? `${lim[0]}..${lim[1]}` : '', doc];
  });
  return table(['parameter', 'range', 'meaning'], rows);
}

function crossbarMap(): string {
  const regs = Object.entries(TILE_REG).map(([k, i]) => `${i}: \`${k}\``).join(', ');
  return table(
    ['region', 'index', 'data'],
    [
      [`${REGION.weights} (weights)`, 'rowGroup·G + colGroup', 'one weight word: for row i < Pr, column j < Pc, slice s < S of the group, g⁺ at bit ((i·Pc + j)·S + s)·2·cb and g⁻ at cb bits above it (cb = bits of L−1)'],
      [`${REGION.mask} (row mask)`, 'k < ⌈R / M⌉', 'bit i = mask of row k·M + i, M = min(R, data width); 1 = enabled'],
      [`${REGION.registers} (registers)`, regs, '`threshold`, `leak` (neurons tiles, LIF widths), `adc_shift` (bits to hold 0..sum width); a write to `clearCounters` zeroes every counter and `cfg_error` (data ignored)'],
    ],
  );
}

function crossbarCounters(): string {
  return table(['counter', 'counts'], TILE_COUNTERS.map((c) => [`\`cnt_${c}\``, TILE_COUNTER_DOC[c]]));
}

const pruningParams = () =>
  table(['parameter', 'range', 'meaning'], Object.entries(PRUNING_DOC).map(([k, doc]) => {
    const lim = PRUNING_LIMITS[k as keyof typeof PRUNING_LIMITS];
    return [`\`${k}\``, lim ? `${lim[0]}..${lim[1]}` : '', doc];
  }));
const pruningCounters = () => table(['counter', 'counts'], PRUNING_COUNTERS.map((c) => [`\`cnt_${c}\``, PRUNING_COUNTER_DOC[c]]));

const streamParams = () =>
  table(['parameter', 'range', 'meaning'], Object.entries(WEIGHT_STREAM_DOC).map(([k, doc]) => {
    const lim = WEIGHT_STREAM_LIMITS[k as keyof typeof WEIGHT_STREAM_LIMITS];
    return [`\`${k}\``, lim ? `${lim[0]}..${lim[1]}` : '', doc];
  }));
const streamCounters = () => table(['counter', 'counts'], LOADER_COUNTERS.map((c) => [`\`cnt_${c}\``, LOADER_COUNTER_DOC[c]]));
const streamFaults = () => table(['code', 'fault', 'meaning'], Object.entries(FAULT).map(([k, v]) => [v, `\`${k}\``, FAULT_DOC[k as keyof typeof FAULT]]));
const lifStateCounters = () => table(['counter', 'counts'], LIF_STATE_COUNTERS.map((c) => [`\`cnt_${c}\``, LIF_STATE_COUNTER_DOC[c]]));

const attentionParams = () =>
  table(['parameter', 'range', 'meaning'], Object.entries(ATTENTION_DOC).map(([k, doc]) => {
    const lim = ATTENTION_LIMITS[k as keyof typeof ATTENTION_LIMITS];
    return [`\`${k}\``, lim ? `${lim[0]}..${lim[1]}` : '', doc];
  }));
const attentionMap = () => table(['cfg_addr', 'register', 'data'], [...Object.entries(ATT_REG).map(([k, i]) => [i, `\`${k}\``, ATT_REG_DOC[k as keyof typeof ATT_REG]]), ['4..7', '', 'not mapped: refused']]);
const attentionCounters = () => table(['counter', 'counts'], ATT_COUNTERS.map((c) => [`\`cnt_${c}\``, ATT_COUNTER_DOC[c]]));
const attentionLut = () => table(['f', 'F', 'LUT[0..2^f - 1]'], [8, 10].flatMap((F) => [0, 1, 2, 3, 4].map((f) => [f, F, expLut(f, F).join(', ')])));

const routerParams = () =>
  table(['parameter', 'range', 'meaning'], Object.entries(ROUTER_DOC).map(([k, doc]) => [`\`${k}\``, ROUTER_LIMITS[k as keyof typeof ROUTER_LIMITS].join('..'), doc]));
const routerMap = () =>
  table(['region', 'index', 'data'], [
    [`${ROUTER_REGION.tables} (routing tables)`, '{tile, group}: tile < X·Y, group < 2^gb', 'destination mask: bit d = deliver to tile d; bits X·Y..2^tb − 1 must be 0; 0 = unrouted'],
    [`${ROUTER_REGION.registers} (registers)`, Object.entries(ROUTER_REG).map(([k, i]) => `${i}: \`${k}\``).join(', ') + '; others refused', 'a write to `clearCounters` zeroes every counter and `cfg_error` (data ignored)'],
  ]);
const routerCounters = () => table(['counter', 'counts'], ROUTER_COUNTERS.map((c) => [`\`cnt_${c}\``, ROUTER_COUNTER_DOC[c]]));

export const GENERATED: Record<string, () => string> = {
  'router-params': routerParams,
  'router-map': routerMap,
  'router-counters': routerCounters,
  'attention-params': attentionParams,
  'attention-map': attentionMap,
  'attention-counters': attentionCounters,
  'attention-lut': attentionLut,
  'stream-params': streamParams,
  'stream-counters': streamCounters,
  'stream-faults': streamFaults,
  'lif-state-counters': lifStateCounters,
  'crossbar-params': crossbarParams,
  'crossbar-map': crossbarMap,
  'crossbar-counters': crossbarCounters,
  'pruning-params': pruningParams,
  'pruning-counters': pruningCounters,
  ...CHIP_TABLES,
  ...FPGA_TABLES,
};

const BLOCK = /<!-- generated:([\w-]+) -->\n[\s\S]*?<!-- \/generated -->/g;

/** The text with every generated block rewritten; unknown block names are an error. */
export function renderGenerated(text: string, file: string): string {
  return text.replace(BLOCK, (_, name: string) => {
    const gen = GENERATED[name];
    if (!gen) throw new Error(`${file}: unknown generated block '${name}' (known: ${Object.keys(GENERATED).join(', ')})`);
    return `<!-- generated:${name} -->\n${gen()}\n<!-- /generated -->`;
  });
}
