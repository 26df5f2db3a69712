// The memory hierarchy's rules (src/spec/memory.ts), the golden loader and the behavioural memory on cases computed
// by hand from docs/memory.md, plus the errors a user gets for bad parameters, commands and data.
import { describe, expect, it } from 'vitest';
import { streamedTile } from '../../dsl/streamed_tile.js';
import { weightStreamLoader } from '../../dsl/weight_stream.js';
import { OffchipMemory } from '../../src/golden/offchip-memory.js';
import { WeightStreamModel, quietLoaderInputs, type LoaderPortsIn } from '../../src/golden/weight-stream.js';
import { ElaborationError, elaborate } from '../../src/hdl/index.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import {
  beatsPerWord,
  beatsWord,
  burstPlan,
  checkLoadCommand,
  commandRefusal,
  countBits,
  FAULT,
  imageCommands,
  lenBits,
  padBits,
  streamCycles,
  tileImageParts,
  tileMaskWords,
  tileTarget,
  tileWeightWords,
  wordBeats,
  type WeightStreamSpec,
} from '../../src/spec/memory.js';
import { Rng } from '../../src/util/random.js';
import { here } from '../helpers.js';

// a tile of 8 rows x 4 columns, one row per cycle, all 4 columns per cycle, L = 4 (2-bit cells): 16-bit weight words
const tile: CrossbarSpec = { rows: 8, cols: 4, cellLevels: 4, slices: 1, inSpikes: 'binary', inLevels: 1, adcBits: 4, adcRounding: 'floor', rowsPerCycle: 1, colsPerCycle: 4, output: 'psum', psumBits: 10, counterBits: 16 };
const spec: WeightStreamSpec = { beatBits: 8, addrBits: 10, maxBurst: 3, maxOutstanding: 2, timeoutCycles: 5, counterBits: 8, target: tileTarget(tile) };

describe('rules', () => {
  it('derived widths and the tile target (docs/crossbar.md address map)', () => {
    expect(spec.target).toEqual({ dataBits: 16, indexBits: 3, regionWords: [8, 1, 4, 0] });
    expect([beatsPerWord(spec), padBits(spec), countBits(spec), lenBits(spec)]).toEqual([2, 0, 4, 2]);
    const wide = { ...spec, beatBits: 12 };
    expect([beatsPerWord(wide), padBits(wide)]).toEqual([2, 8]);
    expect(streamCycles(spec, 3, 4)).toBe(4 + 6 + 2);
  });

  it('refuses empty commands, commands past their region and past the address space', () => {
    const c = { src: 0, count: 1, region: 0, base: 0, first: true };
    expect(commandRefusal(spec, c)).toBeUndefined();
    expect(commandRefusal(spec, { ...c, count: 0 })).toMatch(/count = 0/);
    expect(commandRefusal(spec, { ...c, base: 5, count: 3 })).toBeUndefined();
    expect(commandRefusal(spec, { ...c, base: 5, count: 4 })).toMatch(/5 \+ 4 exceeds region 0's 8 words/);
    expect(commandRefusal(spec, { ...c, region: 3 })).toMatch(/region 3's 0 words/);
    expect(commandRefusal(spec, { ...c, src: 1022 })).toBeUndefined(); // beats 1022, 1023: the last word of memory
    expect(commandRefusal(spec, { ...c, src: 1023 })).toMatch(/1025 exceeds the 1024-beat address space/);
  });

  it('burst plan: maxBurst beats each, the remainder last; words may straddle bursts', () => {
    expect(burstPlan(spec, { src: 10, count: 5 })).toEqual([{ addr: 10, len: 3 }, { addr: 13, len: 3 }, { addr: 16, len: 3 }, { addr: 19, len: 1 }]);
    expect(burstPlan({ ...spec, maxBurst: 256 }, { src: 0, count: 8 })).toEqual([{ addr: 0, len: 16 }]);
  });

  it('word <-> beats: little-endian, pad bits above the word', () => {
    expect(wordBeats(spec, 0xabcdn)).toEqual([0xcdn, 0xabn]);
    expect(beatsWord(spec, [0xcdn, 0xabn])).toBe(0xabcdn);
    expect(wordBeats({ ...spec, beatBits: 12 }, 0xabcdn)).toEqual([0xbcdn, 0xan]);
    expect(() => wordBeats(spec, 1n << 16n)).toThrow(/does not fit the target's 16-bit configuration data/);
  });

  it('tile image: weight words by hand (g+ at bit 4j, g- at 4j + 2), mask words, registers', () => {
    // row 0: weights 1, -2, 3, 0 -> g+ (1, 0, 3, 0), g- (0, 2, 0, 0)
    const w = new Array(32).fill(0);
    [w[0], w[1], w[2], w[3]] = [1, -2, 3, 0];
    w[4 * 7 + 3] = -3; // row 7, column 3: g- = 3 at bit 14
    const words = tileWeightWords(tile, w);
    expect(words[0]).toBe(1n | (2n << 6n) | (3n << 8n));
    expect(words[7]).toBe(3n << 14n);
    expect(words.slice(1, 7).every((x) => x === 0n)).toBe(true);
    expect(tileMaskWords(tile, [1, 0, 1, 1, 0, 0, 0, 1])).toEqual([0b10001101n]);
    const parts = tileImageParts(tile, { weights: w, mask: [1, 1, 1, 1, 1, 1, 1, 1], adcShift: 2 });
    expect(parts.map((q) => [q.region, q.base, q.words.length])).toEqual([[0, 0, 8], [1, 0, 1], [2, 2, 1]]);
    const cmds = imageCommands(spec, parts, 100);
    expect(cmds.map((c) => c.cmd)).toEqual([
      { src: 100, count: 8, region: 0, base: 0, first: true },
      { src: 116, count: 1, region: 1, base: 0, first: false },
      { src: 118, count: 1, region: 2, base: 2, first: false },
    ]);
    expect(cmds[0]!.beats.slice(0, 2)).toEqual([words[0]! & 0xffn, words[0]! >> 8n]);
  });
});

/** Drives the golden loader by hand: one command of one word (2 beats), a memory that answers at once. */
describe('golden loader, cycle by cycle by hand', () => {
  const run = (cycles: Partial<LoaderPortsIn>[]) => {
    const m = new WeightStreamModel(spec);
    m.edge({ ...quietLoaderInputs(), rst: 1 });
    return cycles.map((c) => {
      const x = { ...quietLoaderInputs(), ...c };
      const o = m.outputs(x);
      m.edge(x);
      return o;
    });
  };
  it('request in cycle 0, beats, the word written when the target is ready, loaded the cycle after', () => {
    const cmd = { cmd_valid: 1, cmd_src: 40, cmd_count: 1, cmd_region: 0, cmd_base: 5, cmd_first: 1 };
    const o = run([cmd, { req_ready: 1 }, { data_valid: 1, data: 0x34n }, { data_valid: 1, data: 0x12n, data_last: 1 }, { tgt_ready: 0 }, { tgt_ready: 1 }, {}]);
    expect(o[0]).toMatchObject({ cmd_ready: 1n, loaded: 0n, req_valid: 0n });
    expect(o[1]).toMatchObject({ cmd_ready: 0n, req_valid: 1n, req_addr: 40n, req_len: 2n, data_ready: 0n });
    expect(o[2]).toMatchObject({ req_valid: 0n, data_ready: 1n, cfg_we: 0n });
    expect(o[3]).toMatchObject({ data_ready: 1n, cfg_we: 0n });
    expect(o[4]).toMatchObject({ cfg_we: 1n, cfg_addr: 5n, cfg_data: 0x1234n, data_ready: 0n, cnt_target_stalls: 0n });
    expect(o[5]).toMatchObject({ cfg_we: 1n, cnt_target_stalls: 1n });
    expect(o[6]).toMatchObject({ cfg_we: 0n, cmd_ready: 1n, loaded: 1n, fault: 0n, cnt_words: 1n, cnt_beats: 2n, cnt_bits: 16n, cnt_bursts: 1n, cnt_commands: 1n, cnt_req_stalls: 0n, cnt_data_stalls: 0n });
  });
  it('a last flag one beat early is fault 2; nothing is left in flight, so the drain ends the next cycle', () => {
    const cmd = { cmd_valid: 1, cmd_src: 0, cmd_count: 1, cmd_region: 0, cmd_base: 0, cmd_first: 1 };
    const o = run([cmd, { req_ready: 1 }, { data_valid: 1, data: 1n, data_last: 1 }, {}, {}]);
    expect(o[3]).toMatchObject({ fault: BigInt(FAULT.earlyLast), loaded: 0n, cnt_faults: 1n, cmd_ready: 0n, data_ready: 0n });
    expect(o[4]).toMatchObject({ cmd_ready: 1n, cnt_words: 0n, cnt_beats: 1n });
  });
  it('after a fault a request offered and not yet taken stays offered (valid/ready), and its burst is drained', () => {
    // 2 words = 4 beats = bursts of 3 and 1; the second request is offered while the first burst fails
    const cmd = { cmd_valid: 1, cmd_src: 0, cmd_count: 2, cmd_region: 0, cmd_base: 0, cmd_first: 1 };
    const o = run([cmd, { req_ready: 1 }, { data_valid: 1, data: 1n, data_last: 1 }, {}, { req_ready: 1 }, {}, { data_valid: 1, data_last: 1 }, {}, {}]);
    expect(o[2]).toMatchObject({ req_valid: 1n, req_addr: 3n, req_len: 1n });
    expect(o[3]).toMatchObject({ fault: 2n, cmd_ready: 0n, req_valid: 1n, req_addr: 3n, req_len: 1n });
    expect(o[5]).toMatchObject({ req_valid: 0n, data_ready: 1n, cmd_ready: 0n });
    expect(o[8]).toMatchObject({ cmd_ready: 1n, cnt_bursts: 2n, cnt_beats: 2n, cnt_faults: 1n, cnt_words: 0n });
  });
  it('T = 5 cycles waiting for a beat end the command with fault 5', () => {
    const cmd = { cmd_valid: 1, cmd_src: 0, cmd_count: 1, cmd_region: 1, cmd_base: 0, cmd_first: 1 };
    const o = run([cmd, { req_ready: 1 }, {}, {}, {}, {}, {}, {}]);
    expect(o.slice(2, 7).map((x) => x.data_ready)).toEqual([1n, 1n, 1n, 1n, 1n]);
    expect(o[7]).toMatchObject({ cmd_ready: 1n, fault: BigInt(FAULT.timeout), cnt_data_stalls: 5n, cnt_faults: 1n });
  });
  it('counters wrap at counterBits (8): 300 commands show 44', () => {
    const m = new WeightStreamModel(spec);
    m.edge({ ...quietLoaderInputs(), rst: 1 });
    for (let i = 0; i < 300; i++) m.edge({ ...quietLoaderInputs(), cmd_valid: 1, cmd_count: 0 });
    expect(m.outputs({ tgt_ready: 0 })).toMatchObject({ cnt_commands: 44n, cnt_faults: 44n, fault: 1n });
  });
});

describe('behavioural memory', () => {
  it('first beat `latency` cycles after the request, beats in order, last on the burst end', () => {
    const mem = new OffchipMemory(8, 10, new Rng(1), { latency: 3, reqStall: 0, dataStall: 0 });
    mem.write(20, [5n, 6n]);
    const seen: string[] = [];
    for (let c = 0; c < 8; c++) {
      const o = mem.outputs();
      seen.push(o.data_valid ? `${o.data}${o.data_last ? 'L' : ''}` : '-');
      mem.edge({ req_valid: c === 0 ? 1 : 0, req_addr: 20, req_len: 2, data_ready: 1 });
    }
    expect(seen).toEqual(['-', '-', '-', '5', '6L', '-', '-', '-']);
  });
  it('refuses a zero-length burst and one past its end, naming req_len', () => {
    const mem = new OffchipMemory(8, 4, new Rng(1), { reqStall: 0 });
    const line = here() + 1;
    expect(() => mem.edge({ req_valid: 1, req_addr: 0, req_len: 0, data_ready: 0 })).toThrow(/req_len = 0 at cycle 0: a burst has 1 or more beats \(a zero-length burst\)/);
    expect(() => new OffchipMemory(8, 4, new Rng(1), { reqStall: 0 }).edge({ req_valid: 1, req_addr: 15, req_len: 2, data_ready: 0 })).toThrow(/req_addr 15 \+ req_len 2 is past the 16-beat memory/);
    expect(() => mem.write(0, [256n])).toThrow(new RegExp(`beat 0 = 0x100 is wider than 8 bits.*weight-stream\\.test\\.ts:${line + 2}`));
    expect(() => mem.write(3, [1n, 2n, 300n])).toThrow(/beat 5 = 0x12c/);
    expect([mem.read(3), mem.read(4)]).toEqual([0n, 0n]); // nothing partial written
  });
});

describe('bad input: clear errors with the parameter, its range and the TS line', () => {
  const bad = (build: () => unknown) => {
    try {
      elaborate(build as never);
    } catch (e) {
      expect(e).toBeInstanceOf(ElaborationError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('generator parameters', () => {
    const line = here() + 1;
    expect(bad(() => weightStreamLoader({ ...spec, beatBits: 4 }))).toMatch(new RegExp(`E0701[\\s\\S]*parameter beatBits = 4 is outside 8\\.\\.1024[\\s\\S]*weight-stream\\.test\\.ts:${line}`));
    expect(bad(() => weightStreamLoader({ ...spec, maxBurst: 0 }))).toMatch(/parameter maxBurst = 0 is outside 1\.\.256/);
    expect(bad(() => weightStreamLoader({ ...spec, addrBits: 60, maxOutstanding: 17 }))).toMatch(/addrBits = 60 is outside 4\.\.48[\s\S]*maxOutstanding = 17 is outside 1\.\.16/);
    expect(bad(() => weightStreamLoader({ ...spec, timeoutCycles: -1 }))).toMatch(/timeoutCycles = -1 is outside 0\.\.65535/);
    expect(bad(() => weightStreamLoader({ ...spec, target: { ...spec.target, dataBits: 5000 } }))).toMatch(/target\.dataBits = 5000 is outside 1\.\.4096/);
    expect(bad(() => weightStreamLoader({ ...spec, target: { ...spec.target, regionWords: [9, 1, 4, 0] } }))).toMatch(/target\.regionWords\[0\] = 9 is outside 0\.\.8/);
    expect(bad(() => weightStreamLoader({ ...spec, target: { ...spec.target, regionWords: [0, 0, 0, 0] } }))).toMatch(/no writable region/);
    // a streamed tile's bad tile parameter is reported at its caller's line too
    const at = here() + 1;
    expect(bad(() => streamedTile({ tile: { ...tile, rowsPerCycle: 3 }, stream: spec }))).toMatch(new RegExp(`rowsPerCycle = 3 must divide rows = 8[\\s\\S]*weight-stream\\.test\\.ts:${at}`));
  });
  it('commands from TypeScript: field, allowed range, caller line', () => {
    const c = { src: 0, count: 1, region: 0, base: 0, first: true };
    const line = here() + 1;
    expect(() => checkLoadCommand(spec, { ...c, count: 0 })).toThrow(new RegExp(`count = 0 is a zero-length transfer; allowed: 1\\.\\.8.*weight-stream\\.test\\.ts:${line}`));
    expect(() => checkLoadCommand(spec, { ...c, base: 6, count: 3 })).toThrow(/count = 3 is outside 1\.\.2/);
    expect(() => checkLoadCommand(spec, { ...c, region: 3 })).toThrow(/region = 3 is not writable \(it has 0 words; writable: 0, 1, 2\)/);
    expect(() => checkLoadCommand(spec, { ...c, region: 4 })).toThrow(/region = 4 is outside 0\.\.3/);
    expect(() => checkLoadCommand(spec, { ...c, base: 8 })).toThrow(/base = 8 is outside 0\.\.7/);
    expect(() => checkLoadCommand(spec, { ...c, src: 1023 })).toThrow(/src = 1023 is outside 0\.\.1022/);
  });
  it('images: registers the tile lacks or that do not fit, weights out of range', () => {
    const w = new Array(32).fill(0);
    const line = here() + 1;
    expect(() => tileImageParts(tile, { weights: w, threshold: 3 })).toThrow(new RegExp(`threshold = 3: this tile has no threshold register \\(output 'psum'\\).*weight-stream\\.test\\.ts:${line}`));
    expect(() => tileImageParts(tile, { weights: w, adcShift: 8 })).toThrow(/adcShift = 8 is outside 0\.\.7 \(its register has 3 bits\)/);
    expect(() => tileWeightWords(tile, [...w.slice(1), 4])).toThrow(/weights\[7\]\[3\]: weight 4 is outside -3\.\.3/);
    expect(() => tileMaskWords(tile, [1, 2, 1, 1, 1, 1, 1, 1])).toThrow(/row mask\[1\] = 2; each mask bit is 0 or 1/);
  });
});
