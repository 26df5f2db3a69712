// Every chip module generator lints clean (Yosys structural checks + Verilator -Wall) over its parameter sets.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionUnit } from '../../dsl/attention.js';
import { crossbarTile } from '../../dsl/crossbar.js';
import { lifArray } from '../../dsl/lif_array.js';
import { pruningController } from '../../dsl/pruning.js';
import { elaborate, type Module } from '../../src/hdl/index.js';
import { writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { formatFinding, lintDesign } from '../../src/tools/lint.js';
import { ATT_SETS } from '../../testbenches/attention_sets.js';
import { XBAR_SETS } from '../../testbenches/crossbar_cosim.js';
import { LANE_SETS } from '../../testbenches/lif_cosim.js';
import { PRUNE_SETS } from '../../testbenches/pruning_cosim.js';

async function findings(build: () => Module): Promise<string[]> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-lint-')), 'gen');
  await writeDesignAtomically(elaborate(build), dir);
  return (await lintDesign(dir)).flatMap((r) => r.findings.map(formatFinding));
}

describe('lint: crossbar tile', () => {
  it.each(Object.entries(XBAR_SETS))('%s has zero findings', async (_, p) => {
    expect(await findings(() => crossbarTile(p))).toEqual([]);
  });
});

describe('lint: LIF array with lanes', () => {
  it.each(Object.entries(LANE_SETS))('%s has zero findings', async (_, p) => {
    expect(await findings(() => lifArray(p))).toEqual([]);
  });
});

describe('lint: pruning controller', () => {
  it.each(Object.entries(PRUNE_SETS))('%s has zero findings', async (_, p) => {
    expect(await findings(() => pruningController(p))).toEqual([]);
  });
});

describe('lint: attention unit', () => {
  it.each(Object.entries(ATT_SETS))('%s has zero findings', async (_, p) => {
    expect(await findings(() => attentionUnit(p))).toEqual([]);
  });
});

describe('lint: memory hierarchy (weight-stream loader, streamed tile, LIF state counters)', async () => {
  const { weightStreamLoader } = await import('../../dsl/weight_stream.js');
  const { streamedTile } = await import('../../dsl/streamed_tile.js');
  const { STREAM_SETS } = await import('../../testbenches/weight_stream_cosim.js');
  const { STREAMED_SETS } = await import('../../testbenches/streamed_tile_cosim.js');
  const { COUNTER_SETS } = await import('../../testbenches/lif_cosim.js');
  it.each(Object.entries(STREAM_SETS))('loader %s has zero findings', async (_, p) => expect(await findings(() => weightStreamLoader(p))).toEqual([]));
  it.each(Object.entries(STREAMED_SETS))('streamed tile %s has zero findings', async (_, p) => expect(await findings(() => streamedTile(p))).toEqual([]));
  it.each(Object.entries(COUNTER_SETS))('LIF with counters %s has zero findings', async (_, p) => expect(await findings(() => lifArray(p))).toEqual([]));
});

describe('lint: spike router mesh', async () => {
  const { routerMesh } = await import('../../dsl/router.js');
  const { ROUTER_SETS } = await import('../../testbenches/router_cosim.js');
  it.each(Object.entries(ROUTER_SETS))('%s has zero findings', async (_, p) => expect(await findings(() => routerMesh(p))).toEqual([]));
});

describe('lint: chip top (tile slots, router, attention unit, pruning hook, loader, configuration bus)', async () => {
  const { chipTop } = await import('../../dsl/chip.js');
  const { CHIP_SETS } = await import('../../testbenches/chip_sets.js');
  it.each(['default', 'mesh3', 'wide'])('%s has zero findings', async (name) => expect(await findings(() => chipTop(CHIP_SETS[name]!))).toEqual([]), 300_000);
});
