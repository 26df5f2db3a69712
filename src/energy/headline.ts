// The headline table (issue #15, parts 1-4): per model, the chip's J/token in each tier and its tokens/s beside the
// baselines (INT8 and FP32 dense estimates, the CPU measured here, published GPU figures), with the break-even spike
// rate against INT8 and what each number is (measured, estimated, extrapolated, published).
import type { ChipConfig } from '../compiler/chip-config.js';
import { paramCount, type LmConfig } from '../lm/model.js';
import { breakEven, meanSpikeRate, type BreakEven } from './breakeven.js';
import { chipTiers, type Tier } from './chip-energy.js';
import { chipSize, type ChipSize } from './chip-size.js';
import type { CpuMeasurement } from './cpu.js';
import type { PytorchCpu } from './pytorch-cpu.js';
import { denseEnergy, denseShapes } from './dense.js';
import type { TokenEvents } from './events.js';
import { DEFAULT_ASSUMPTIONS, streamingCycles, tokenCycles, type LatencyAssumptions } from './latency.js';
import { streamedBitsPerToken } from './chip-energy.js';
import type { ReferenceRun } from './measure.js';
import { nearestGpuFigures, type PublishedGpuFigure } from './published.js';
import { chipSizedFor, scaledEvents } from './scaling.js';
import { dramPjPerBit } from './constants.js';
import { meanActivity, scaledPlan } from './scaled-latency.js';

export interface HeadlineRow {
  model: string;
  params: number;
  scenario: string;
  provenance: 'measured' | 'extrapolated';
  size: ChipSize;
  /** J per token */
  chip: Record<Tier, number>;
  cyclesPerToken: number;
  streamingCycles: number;
  clockHz: number;
  tokensPerSecond: number;
  int8: { ops: number; memory: number };
  fp32: { ops: number; memory: number };
  /** ops tier against FP32 dense ops-only (the literature's comparison); memory and crossbar against INT8 memory-inclusive */
  breakEven: Record<Tier, BreakEven>;
  spikeRate: number;
  cpu?: CpuMeasurement;
  /** the PyTorch baseline's CPU decode tokens/s (measured) or why there is none */
  pytorch?: PytorchCpu;
  gpu: PublishedGpuFigure[];
  notes: string[];
}

function rowFor(e: TokenEvents, cfg: LmConfig, meanPositions: number, cycles: number, scenario: string, a: LatencyAssumptions): HeadlineRow {
  const tiers = chipTiers(e);
  const shapes = denseShapes(cfg, meanPositions);
  const ctx = e.chip.attention.context;
  const i8 = denseEnergy('int8', shapes, e.chip, ctx);
  const f32 = denseEnergy('fp32', shapes, e.chip, ctx);
  const stream = streamingCycles(streamedBitsPerToken(e), e.chip, a);
  const total = cycles + stream;
  return {
    model: e.model,
    params: paramCount(cfg),
    scenario,
    provenance: e.provenance,
    size: chipSize(e),
    chip: { ops: tiers.ops.totalPj * 1e-12, memory: tiers.memory.totalPj * 1e-12, crossbar: tiers.crossbar.totalPj * 1e-12 },
    cyclesPerToken: total,
    streamingCycles: stream,
    clockHz: e.chip.clockHz,
    tokensPerSecond: e.chip.clockHz / total,
    int8: { ops: i8.ops.totalPj * 1e-12, memory: i8.memory.totalPj * 1e-12 },
    fp32: { ops: f32.ops.totalPj * 1e-12, memory: f32.memory.totalPj * 1e-12 },
    breakEven: { ops: breakEven(e, 'ops', f32.ops.totalPj), memory: breakEven(e, 'memory', i8.memory.totalPj), crossbar: breakEven(e, 'crossbar', i8.memory.totalPj) },
    spikeRate: meanSpikeRate(e),
    gpu: nearestGpuFigures(paramCount(cfg)),
    notes: [...new Set([...tiers.crossbar.notes, ...i8.memory.notes.slice(1), ...kvNote(e)])],
  };
}

/** A KV cache too large for a chip's SRAM is still counted as on-chip SRAM; say so, with what DRAM would cost. */
function kvNote(e: TokenEvents): string[] {
  const size = chipSize(e);
  if (size.kvBytes <= 64 * 2 ** 20) return [];
  const bits = e.attentions.reduce((s, a) => s + a.counters.kv_read_bits + a.counters.kv_write_bits, 0);
  return [`KV caches of ${(size.kvBytes / 2 ** 20).toFixed(0)} MiB are counted as on-chip SRAM; held in DRAM instead they would add ${(bits * dramPjPerBit() * 1e-12).toExponential(2)} J/token`];
}

export function referenceRow(run: ReferenceRun, cfg: LmConfig, cpu?: CpuMeasurement, a: LatencyAssumptions = DEFAULT_ASSUMPTIONS): HeadlineRow {
  const r = rowFor(run.events, cfg, run.meanPositions, run.latency.mean, `reference: activity measured on the functional model (${run.latency.tokens} tokens, windows of ${run.context} from position 0)`, a);
  return { ...r, cpu };
}

/** A config-only model on a chip sized to fit it and on the reference's chip with weight streaming. */
export function scaledRows(ref: ReferenceRun, refConfig: LmConfig, name: string, cfg: LmConfig, chip: ChipConfig, a: LatencyAssumptions = DEFAULT_ASSUMPTIONS): HeadlineRow[] {
  const meanPositions = (Math.min(cfg.maxSeq, chip.attention.context) + 1) / 2;
  const rows: HeadlineRow[] = [];
  for (const [scenario, c] of [['extrapolated: chip sized to fit', chipSizedFor(ref.events, refConfig, cfg, chip)], [`extrapolated: ${chip.name} (${chip.tiles.signed}+${chip.tiles.unsigned} tiles) with weight streaming`, chip]] as const) {
    const e = scaledEvents(ref.events, refConfig, { name, config: cfg, chip: c, meanPositions });
    if (c === chip && !e.weightStreaming) continue;
    const perLayer = e.linears.filter((l) => l.name.startsWith('L0.')).reduce((s, l) => s + l.rowTiles * l.colTiles, 0);
    const capacity = c.tiles.signed + c.tiles.unsigned;
    const layerNote = e.weightStreaming && perLayer > capacity ? [`one layer needs ${perLayer} tiles, the chip has ${capacity}: the layer is streamed op by op, in column-tile parts (map.ts, src/chip/host.ts), as the estimate assumes`] : [];
    const plan = scaledPlan(ref.plan, refConfig.nLayers, e, cfg);
    const cycles = tokenCycles(plan, c, meanActivity(ref.events, e), meanPositions, a).cycles;
    const row = rowFor(e, cfg, meanPositions, cycles, `${scenario}; decode at ${meanPositions} cached positions on average`, a);
    row.notes.push(...layerNote);
    rows.push(row);
  }
  return rows;
}

const j = (x: number) => (x >= 0.1 ? x.toFixed(3) : x >= 1e-4 ? `${(x * 1e3).toFixed(3)} m` : `${(x * 1e6).toFixed(2)} µ`);
const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;

export function breakEvenText(b: BreakEven): string {
  if (b.kind === 'never') return `none (${j(b.chipAtZeroPj * 1e-12)}J at zero spikes > ${j(b.targetPj * 1e-12)}J)`;
  if (b.kind === 'always') return 'above any rate';
  return pct(b.rate!);
}

/** The headline table as Markdown: J/token and tokens/s of the chip and every baseline, labelled. */
export function formatHeadline(rows: readonly HeadlineRow[]): string {
  const head = ['model', 'scenario', 'tiles', 'chip J/token: crossbar / memory / ops (est.)', 'chip tokens/s (est.)', 'INT8 dense J/token: memory / ops (est.)', 'FP32 dense J/token: memory / ops (est.)', 'CPU dense tokens/s: TS / PyTorch (measured)', 'GPU J/token (published)', 'spike rate (measured)', 'break-even rate vs INT8: crossbar / memory tier'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const r of rows) {
    const gpu = r.gpu.length ? r.gpu.map((g) => `${g.value} (${g.gpu}, ${g.model}, batch ${g.batch})`).join('; ') : 'none published within 2x of this size';
    const pt = r.pytorch?.tokensPerSecond !== undefined ? `${r.pytorch.tokensPerSecond.toFixed(r.pytorch.tokensPerSecond < 100 ? 1 : 0)} (${r.pytorch.threads} thread${r.pytorch.threads === 1 ? '' : 's'})` : '—';
    const cpu = `${r.cpu ? `${r.cpu.tokensPerSecond.toFixed(r.cpu.tokensPerSecond < 100 ? 1 : 0)} (${r.cpu.threads} threads)` : '—'} / ${pt}`;
    lines.push(`| ${r.model} (${(r.params / 1e6).toFixed(1)}M) | ${r.scenario} | ${r.size.tiles} | ${j(r.chip.crossbar)}J / ${j(r.chip.memory)}J / ${j(r.chip.ops)}J | ${r.tokensPerSecond.toFixed(r.tokensPerSecond < 10 ? 2 : 0)} at ${(r.clockHz / 1e6).toFixed(0)} MHz (assumed clock) | ${j(r.int8.memory)}J / ${j(r.int8.ops)}J | ${j(r.fp32.memory)}J / ${j(r.fp32.ops)}J | ${cpu} | ${gpu} | ${pct(r.spikeRate)}${r.provenance === 'extrapolated' ? ' (reference\'s)' : ''} | ${breakEvenText(r.breakEven.crossbar)} / ${breakEvenText(r.breakEven.memory)} |`);
  }
  return lines.join('\n');
}
