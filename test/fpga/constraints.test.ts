// Boards and the constraint files rendered from them, checked structurally by parsers written here: every top-level
// port of the board's pin-level top is constrained exactly once, every pin exists on the board's package, no pin is
// used twice, the .sdc's clock and false paths name real ports; constraints/ holds exactly what the boards render.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoardError, Platform, type Board } from '../../src/fpga/board.js';
import { boardTop } from '../../src/fpga/board-top.js';
import { BOARDS } from '../../src/fpga/boards/index.js';
import { constraintFiles } from '../../src/fpga/constraints.js';
import { allConstraints, CONSTRAINTS_DIR } from '../../src/fpga/emit.js';
import { here } from '../helpers.js';

/** The top-level ports of a Verilog module header (`input wire x,` / `output wire y`). */
function verilogPorts(v: string): string[] {
  const header = v.slice(v.indexOf('module '), v.indexOf(');'));
  return [...header.matchAll(/^\s*(?:input|output)\s+wire\s+(?:\[[^\]]+\]\s*)?(\w+)/gm)].map((m) => m[1]!);
}

/** port -> pins, from each file format. */
function pinsOf(file: string, text: string): [string, string][] {
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  if (file.endsWith('.pcf')) return lines.flatMap((l) => (/^set_io\b/.test(l) ? [l.split(/\s+/).slice(-2) as [string, string]] : []));
  if (file.endsWith('.xdc'))
    return lines.flatMap((l) => {
      const m = /PACKAGE_PIN\s+(\S+).*\[get_ports\s*\{\s*(\S+)\s*\}\]/.exec(l);
      return m ? [[m[2]!, m[1]!] as [string, string]] : [];
    });
  if (file.endsWith('.lpf'))
    return lines.flatMap((l) => {
      const m = /^LOCATE COMP "(\S+)" SITE "(\S+)";$/.exec(l);
      return m ? [[m[1]!, m[2]!] as [string, string]] : [];
    });
  throw new Error(`no pin parser for ${file}`);
}

describe.each(Object.keys(BOARDS))('constraints of %s', (name) => {
  const b = BOARDS[name]!;
  const top = boardTop(b, 'fpga_top');
  const files = constraintFiles(b, top, 115_200);
  const ports = verilogPorts(top.verilog);

  it('constrain every top-level port exactly once, to pins of the package, no pin twice', () => {
    expect(ports.length).toBe(b.defaultReset ? 6 : 5);
    const pinFile = Object.keys(files).find((f) => !f.endsWith('.sdc'))!;
    const pairs = pinsOf(pinFile, files[pinFile]!);
    expect(pairs.map(([p]) => p).sort()).toEqual([...ports].sort());
    const pins = pairs.map(([, pin]) => pin);
    for (const pin of pins) expect(b.package.pins, `${pin} on ${b.package.name}`).toContain(pin);
    expect(new Set(pins).size).toBe(pins.length);
    if (pinFile.endsWith('.lpf')) {
      // every located port has its I/O type
      for (const p of ports) expect(files[pinFile]).toMatch(new RegExp(`IOBUF PORT "${p}" IO_TYPE=LVCMOS33`));
    }
  });

  it('give the board clock at its frequency and cut the asynchronous ports out of timing', () => {
    const sdc = files[`${name}.sdc`]!;
    const clk = /create_clock -name (\S+) -period ([\d.]+) .*\[get_ports (\S+)\]/.exec(sdc)!;
    expect(clk[3]).toBe(top.clock.port);
    expect(ports).toContain(clk[3]);
    expect(Number(clk[2])).toBeCloseTo(1e9 / top.clock.clockHz!, 3);
    expect(sdc).toMatch(/set_clock_groups -asynchronous -group \[get_clocks \S+\] -group \[get_clocks serial_bit\]/);
    const named = [...sdc.matchAll(/\[get_ports (\S+)\]/g)].map((m) => m[1]!);
    for (const p of named) expect(ports).toContain(p);
    // every port is the clock, on the serial line's clock, or a false path
    for (const p of ports) expect(named, p).toContain(p);
    const other = Object.keys(files).find((f) => !f.endsWith('.sdc'))!;
    if (other.endsWith('.pcf')) expect(files[other]).toMatch(new RegExp(`set_frequency ${top.clock.port} ${top.clock.clockHz! / 1e6}\\n`));
    if (other.endsWith('.xdc')) expect(files[other]).toMatch(new RegExp(`create_clock -add -name ${top.clock.port} -period ${(1e9 / top.clock.clockHz!).toFixed(3)}`));
    if (other.endsWith('.lpf')) expect(files[other]).toMatch(new RegExp(`FREQUENCY PORT "${top.clock.port}" ${(top.clock.clockHz! / 1e6).toFixed(1)} MHZ;`));
  });

  it('list resources whose pins all exist on the package and are used once', () => {
    const pins = b.resources.flatMap((r) => Object.values(r.signals).map((s) => s.pin));
    for (const p of pins) expect(b.package.pins).toContain(p);
    expect(new Set(pins).size).toBe(pins.length);
    expect(new Set(b.package.pins).size).toBe(b.package.pins.length);
  });
});

it('constraints/ holds exactly the files the boards render', () => {
  for (const [f, text] of Object.entries(allConstraints())) expect(readFileSync(path.join(CONSTRAINTS_DIR, f), 'utf8'), `${f}: run npm run fpga -- --constraints`).toBe(text);
});

describe('asking for resources', () => {
  const b: Board = BOARDS.icebreaker!;
  it('gives ports named after the resource, with pins and attributes', () => {
    const p = new Platform(b);
    expect(p.request('uart')).toEqual([
      { port: 'uart_0_rx', resource: 'uart#0', pin: '6', dir: 'i', invert: false, attrs: { iostd: 'SB_LVTTL', pull: 'up' } },
      { port: 'uart_0_tx', resource: 'uart#0', pin: '9', dir: 'o', invert: false, attrs: { iostd: 'SB_LVTTL', pull: 'up' } },
    ]);
    expect(p.request('clk12')[0]).toMatchObject({ port: 'clk12_0', pin: '35', clockHz: 12_000_000 });
    expect(p.request('pmod', 1).map((q) => q.pin)).toEqual(['43', '38', '34', '31', '42', '36', '32', '28']);
  });
  it('refuses a resource that does not exist, or one asked for twice, naming the board and the line', () => {
    const p = new Platform(b);
    let line = here() + 1;
    expect(() => p.request('hdmi')).toThrow(new RegExp(`board icebreaker has no resource 'hdmi' number 0; it has: clk12 0, led 0, led 1, .*uart 0.*\\(at test/fpga/constraints\\.test\\.ts:${line}`));
    expect(() => p.request('led', 2)).toThrow(/no resource 'led' number 2/);
    p.request('led', 0);
    line = here() + 1;
    expect(() => p.request('led', 0)).toThrow(new RegExp(`resource 'led' number 0 of board icebreaker is already requested.*constraints\\.test\\.ts:${line}`));
    expect(() => p.request('led', 1)).not.toThrow();
    expect(BoardError.name).toBe('BoardError');
  });
  it('refuses a resource whose pin another requested resource holds', () => {
    const shared: Board = { ...b, resources: [...b.resources, { name: 'alias', number: 0, signals: { _: { pin: '11', dir: 'o' } }, attrs: { iostd: 'SB_LVCMOS' } }] };
    const p = new Platform(shared);
    p.request('led', 0);
    expect(() => p.request('alias')).toThrow(/uses pin 11, already taken by led_0/);
  });
});
