// The chip program loader and the configuration layer refuse what the chip cannot take, with the op, the value and
// the range named, and produce no writes: a program for another chip, weights out of the representable range, a
// bias wider than the partial sums, a routing entry to a missing tile, an op that does not fit the grid, a bus
// access to an unmapped word.
import { describe, expect, it } from 'vitest';
import { readWord, writeWord } from '../../src/chip/bus.js';
import { ChipLoop } from '../../src/chip/host.js';
import { checkProgramForChip, linearLoad, placeOps, routeLoad, wholeOp, type LinearOp } from '../../src/chip/loader.js';
import { blob } from '../../src/compiler/program.js';
import { busMap, SLOT_REG } from '../../src/spec/chip-map.js';
import { hostTile, positions, SLOT_MODE, slotCount, southOf, tileSpecOf } from '../../src/spec/chip.js';
import { maxWeight } from '../../src/spec/crossbar.js';
import { Rng } from '../../src/util/random.js';
import { tinyProgram } from '../../testbenches/chip_net.js';
import { CHIP_SETS } from '../../testbenches/chip_sets.js';

const mesh3 = CHIP_SETS.mesh3!;
const program = () => tinyProgram(mesh3, new Rng(5));
const firstLinear = (p: ReturnType<typeof program>) => p.ops.find((o): o is LinearOp => o.kind === 'linear')!;

describe('chip program loader', () => {
  it('a program for another chip is refused, naming every field that differs', () => {
    const p = program();
    expect(() => checkProgramForChip(p, CHIP_SETS.default!)).toThrow(/compiled for chip '.*', not for this chip '.*': .*tile\.rows: program 8, chip 32/);
    expect(() => new ChipLoop(p, CHIP_SETS.default!, undefined as never)).toThrow(/not for this chip/);
    expect(() => checkProgramForChip(p, mesh3)).not.toThrow();
  });
  it('a weight beyond the cells\' range is refused with the op, the element and the range; never wrapped', () => {
    const p = program();
    const op = firstLinear(p);
    const [pl] = placeOps(mesh3, [op]);
    expect(linearLoad(p, mesh3, op, pl!).length).toBeGreaterThan(0);
    const wMax = maxWeight(tileSpecOf(mesh3, op.tiles.kind));
    blob(p, op.weights)[3] = wMax + 1;
    expect(() => linearLoad(p, mesh3, op, pl!)).toThrow(new RegExp(`${op.name.replace('.', '\\.')}: weight \\[0\\]\\[3\\] = ${wMax + 1} is outside -${wMax}\\.\\.${wMax} .*never wrapped \\(at test/chip/loader\\.test\\.ts:\\d+`));
  });
  it('a bias wider than the partial sums is refused', () => {
    const p = program();
    const op = p.ops.find((o): o is LinearOp => o.kind === 'linear' && !!o.bias)!;
    const [pl] = placeOps(mesh3, [op]);
    blob(p, op.bias!)[0] = 2 ** (mesh3.tile.psumBits - 1);
    expect(() => linearLoad(p, mesh3, op, pl!)).toThrow(/bias\[0\] = \d+ is outside -\d+\.\.\d+ \(14-bit two's complement\)/);
  });
  it('an op that does not fit the grid is refused, naming the op and the free slots', () => {
    const p = program();
    const op = firstLinear(p);
    const long: LinearOp = { ...op, tiles: { ...op.tiles, rowTiles: mesh3.meshY + 1 } };
    expect(() => placeOps(mesh3, [wholeOp(long)])).toThrow(new RegExp(`${op.name.replace('.', '\\.')}: column tile 0 needs a chain of ${mesh3.meshY + 1} free slots in one grid column.*free slots: 0, 1, 2, 3, 4`));
  });
  it('a routing entry to a missing tile or group is refused before any write', () => {
    const n = positions(mesh3);
    expect(() => routeLoad(mesh3, [{ tile: hostTile(mesh3), group: 0, dests: [0, n] }])).toThrow(new RegExp(`destination tile ${n} does not exist; tiles are 0\\.\\.${n - 1}`));
    expect(() => routeLoad(mesh3, [{ tile: n, group: 0, dests: [0] }])).toThrow(/source tile \d+ is outside/);
    expect(() => routeLoad(mesh3, [{ tile: 0, group: 99, dests: [0] }])).toThrow(/group 99 is outside/);
  });
  it('bus words: an unmapped word, a value wider than its word, a read of a write-only word, a link with no slot below', () => {
    const m = busMap(mesh3);
    expect(() => writeWord(m, 'slot', 'bias', mesh3.tile.cols, 0, 0)).toThrow(/slot 0 bias: word 8 does not exist \(words 0\.\.7\)/);
    expect(() => writeWord(m, 'slot', 'tileRegisters', 2, 1 << 10, 0)).toThrow(/slot 0 tileRegisters adcShift = 1024: outside 0\.\.\d+/);
    expect(() => readWord(m, 'slot', 'weights', 0, 0)).toThrow(/slot weights: word 0 is not readable/);
    // link mode needs a slot below: refused exactly on the slots that have none
    for (let s = 0; s < slotCount(mesh3); s++) {
      const link = () => writeWord(m, 'slot', 'registers', SLOT_REG.mode, SLOT_MODE.link, s);
      if (southOf(mesh3, s) === undefined) expect(link, `slot ${s}`).toThrow(/link/);
      else expect(link, `slot ${s}`).not.toThrow();
    }
  });
});
