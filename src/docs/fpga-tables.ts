// docs/fpga.md's generated blocks: the protocol's commands and status codes, the link parameters, the device
// description a PING answers, the default FPGA configuration's payload sizes, and the boards with their resources.
import { fpgaChip, fpgaChipRecordsPerStep } from '../../dsl/fpga_chip.js';
import { coreLayoutOf } from '../../dsl/fpga_top.js';
import { BOARDS } from '../fpga/boards/index.js';
import { fpgaConfig } from '../fpga/config.js';
import { elaborate } from '../hdl/index.js';
import { CMD, CMD_DOC, INFO_FIELDS, LINK_DOC, LINK_LIMITS, payloadLayout, STATUS, STATUS_DOC, STATUS_FLAG, type CoreLayout } from '../spec/fpga-link.js';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

const commands = () => table(['command', 'byte', 'request payload and answer'], Object.entries(CMD).map(([k, v]) => [`\`${k.toUpperCase()}\``, hex(v), CMD_DOC[k as keyof typeof CMD]]));

const FLAG_DOC: Record<keyof typeof STATUS_FLAG, string> = {
  overflow: 'a timestep gave more records than the core declared; the excess was dropped',
  dropped: 'bytes arrived while the device was busy since the last answer; they were dropped',
  coreFlag: "the OR of the core's 1-bit flags (the tile: `cfg_error`) as the status byte is sent",
};
const status = () =>
  table(['status byte', 'name', 'meaning'], [
    ...Object.entries(STATUS).map(([k, v]) => [`low nibble ${v}`, `\`${k}\``, STATUS_DOC[k as keyof typeof STATUS]]),
    ...Object.entries(STATUS_FLAG).map(([k, v]) => [`bit ${Math.log2(v)} (${hex(v)})`, `\`${k}\``, FLAG_DOC[k as keyof typeof STATUS_FLAG]]),
  ]);

const linkParams = () => table(['parameter', 'range', 'meaning'], Object.entries(LINK_DOC).map(([k, doc]) => [`\`${k}\``, LINK_LIMITS[k as keyof typeof LINK_LIMITS].join('..'), doc]));

const info = () => {
  let at = 0;
  return table(['bytes', 'field'], INFO_FIELDS.map(([k, n]) => [n === 1 ? `${at++}` : `${at}..${(at += n) - 1}`, `\`${k}\``]));
};

function defaultLayout(): CoreLayout {
  const c = fpgaConfig('default');
  let l: CoreLayout | undefined;
  elaborate(() => {
    const core = fpgaChip(c.tile);
    l = coreLayoutOf(core, fpgaChipRecordsPerStep(c.tile));
    return core;
  });
  return l!;
}

const fields = (fs: { name: string; width: number }[]) => fs.map((f) => `\`${f.name}\` ${f.width} b`).join(', ');
const payloads = () => {
  const l = defaultLayout();
  const pl = payloadLayout(l);
  return table(['item', 'fields (LSB first)', 'bytes'], [
    ['one write', `\`cfg_addr\` ${l.addrBits} b in ${pl.addrBytes} bytes, then \`cfg_data\` ${l.dataBits} b in ${pl.dataBytes} bytes`, pl.pairBytes],
    ['one timestep vector', fields(l.stepInputs), pl.inBytes],
    ['one output record', fields(l.streamOutputs), pl.recordBytes],
    ['the COUNTERS answer', `flags byte (${l.flags.map((f) => `\`${f}\``).join(', ')}), then ${l.counters.length} counters of ${l.counters[0]!.width} b`, pl.countersPayloadBytes],
  ]);
};

const boards = () =>
  table(['board', 'device, package', 'clock', 'toolchain', 'resources'], Object.values(BOARDS).map((b) => {
    const clk = b.resources.find((r) => r.name === b.defaultClock)!;
    const res = [...new Set(b.resources.map((r) => r.name))].map((n) => `${n} ×${b.resources.filter((r) => r.name === n).length}`).join(', ');
    return [`\`${b.name}\``, `${b.device}, ${b.package.name} (${b.package.pins.length} user I/O)`, `\`${clk.name}\` pin ${Object.values(clk.signals)[0]!.pin}, ${clk.clockHz! / 1e6} MHz`, b.toolchain, res];
  }));

const pins = () =>
  table(['board', 'resource', 'pins'], Object.values(BOARDS).flatMap((b) =>
    b.resources.filter((r) => r.name !== 'pmod').map((r) => [b.name, `${r.name} ${r.number}`, Object.entries(r.signals).map(([s, x]) => `${s === '_' ? '' : `${s} `}${x.pin}${x.invert ? ' (active low)' : ''}`).join(', ') + ` (${r.attrs.iostd}${r.attrs.pull ? `, pull ${r.attrs.pull}` : ''})`])));

export const FPGA_TABLES: Record<string, () => string> = {
  'fpga-commands': commands,
  'fpga-status': status,
  'fpga-link-params': linkParams,
  'fpga-info': info,
  'fpga-payloads': payloads,
  'fpga-boards': boards,
  'fpga-pins': pins,
};
