// The report itself: Markdown and SVG plots from the jobs' results (jobs.ts, run-job.ts). Pure: the same results
// give the same files. Every figure is labelled measured (functional model or CPU, on this machine), estimated
// (energy from events and the constants table, cycles from the cycle model), extrapolated or published.
import path from 'node:path';
import { TIER_LABEL } from '../energy/chip-energy.js';
import { breakEvenText, formatHeadline } from '../energy/headline.js';
import { BASELINE, setupKey, type Job } from './jobs.js';
import { barsSpec, paretoSpec, scalingSpec, toSvg } from './plots.js';
import type { AttributionResult, EvalResult, HeadlineResult, JobResult } from './run-job.js';

export interface Rendered {
  markdown: string;
  /** file name -> contents (SVG plots) */
  files: Map<string, string>;
}

const sgn = (x: number, d = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;
const uj = (j: number) => (j * 1e6).toFixed(j * 1e6 >= 10 ? 1 : 3);
const pc = (x: number, d = 1) => `${(100 * x).toFixed(d)}`;

export async function render(jobs: readonly Job[], results: ReadonlyMap<string, JobResult>, meta: { quick: boolean; command: string }): Promise<Rendered> {
  const files = new Map<string, string>();
  const md: string[] = [];
  const get = <R extends JobResult>(j: Job) => results.get(j.id) as R;
  const evals = (g: Job['group']) => jobs.filter((j) => j.group === g && j.spec.kind === 'eval').map((j) => ({ job: j, r: get<EvalResult>(j) }));
  const points = evals('points');
  const baseline = points.find((p) => p.job.spec.kind === 'eval' && setupKey(p.job.spec.setup) === setupKey(BASELINE));
  if (!baseline) throw new Error('report: the plan has no baseline conversion point');
  const b = baseline.r;

  md.push('# NeuromorphicLLM report', '');
  md.push(`Made by \`${meta.command}\`${meta.quick ? ' (**--quick**: short texts, a few points of each part; figures are for checking the pipeline, not for quoting)' : ''}. Every figure below is a function of the plan (src/report/jobs.ts: models, texts, seeds) and the code, except the lines marked *wall clock*.`);
  md.push('', 'Labels: **measured** = run on the chip functional model (bit-exact with the RTL in the co-simulation tests) or the CPU on this machine; **estimated** = energy from the run\'s counted events times the cited constants (src/energy/constants.ts, `npm run energy -- --constants`), cycles from the cycle model (calibrated against Verilator); **extrapolated** = config-only models from a reference model\'s measured activity; **published** = GPU figures from ML.ENERGY.');
  md.push('', `Energy tiers: ${Object.entries(TIER_LABEL).map(([k, v]) => `**${k}** — ${v}`).join('; ')}.`);
  md.push('', `Baseline of the ablations and the error analysis: ${BASELINE.model}, ${BASELINE.scheme} coding, T = ${BASELINE.T}, the default chip (64x64 tiles, 16 levels x 2 slices, 12-bit ADC). Texts: ${b.data}; ${b.tokens} scored positions per evaluation (windows of the model's context, stride context - 1).`);

  // 1. headline
  const head = jobs.find((j) => j.group === 'headline');
  const h = head ? get<HeadlineResult>(head) : undefined;
  if (h) {
    md.push('', '## 1. Headline: chip vs baselines', '');
    md.push('Chip J/token in the three tiers (estimated) and tokens/s (estimated, cycle model at the stated clock) beside INT8 and FP32 dense digital estimates at equal on-chip weight capacity, the TS dense forward measured on this CPU (*wall clock*) and published GPU figures. The reference rows\' perplexity is the conversion point of section 2 (matched quality: the same program).', '');
    md.push(formatHeadline(h.rows), '');
    for (const r of h.rows) md.push(`- ${r.model}, ${r.scenario}: break-even spike rate vs INT8 dense — crossbar tier ${breakEvenText(r.breakEven.crossbar)}, memory tier ${breakEvenText(r.breakEven.memory)}; ops tier vs FP32 ${breakEvenText(r.breakEven.ops)}; spike rate ${pc(r.spikeRate)} %; ${r.cyclesPerToken.toFixed(0)} cycles/token${r.streamingCycles ? ` (${r.streamingCycles.toFixed(0)} of them weight streaming)` : ''}.`);
    const ppl = (model: string) => points.find((p) => p.job.spec.kind === 'eval' && p.job.spec.setup.model.endsWith(model) && p.job.spec.setup.scheme === 'multilevel' && p.job.spec.setup.T === 4)?.r;
    md.push('');
    for (const run of h.runs) {
      const q = ppl(run.model);
      md.push(`- ${run.model} measured on ${run.tokens} positions (${run.windows} windows of ${run.context}) of ${run.data}: ${run.cyclesPerToken.mean.toFixed(0)} cycles/token (min ${run.cyclesPerToken.min.toFixed(0)}, max ${run.cyclesPerToken.max.toFixed(0)})${q ? `; at this program's quality: perplexity ${q.ppl.snn.toFixed(3)} vs dense ${q.ppl.dense.toFixed(3)} (${sgn(q.deltaPpl)} %)` : ''}.`);
    }
    const notes = [...new Set(h.rows.flatMap((r) => r.notes))];
    if (notes.length) md.push('', '<details><summary>Notes on the rows</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>');
  }

  // 2. energy vs perplexity
  md.push('', '## 2. Energy vs perplexity: coding schemes and timesteps', '');
  const front = (rows: { model: string; energy: number; deltaPpl: number }[]) => {
    const on = new Set<number>();
    rows.forEach((r, i) => {
      if (!rows.some((o) => o !== r && o.model === r.model && o.energy <= r.energy && o.deltaPpl <= r.deltaPpl && (o.energy < r.energy || o.deltaPpl < r.deltaPpl))) on.add(i);
    });
    return on;
  };
  const pr = points.map(({ job, r }) => {
    const s = (job.spec as Extract<Job['spec'], { kind: 'eval' }>).setup;
    return { model: path.basename(s.model), scheme: s.scheme, T: `T=${s.T}`, energy: r.energy.crossbar * 1e6, deltaPpl: r.deltaPpl, label: job.title };
  });
  const f = front(pr);
  files.set('pareto.svg', await toSvg(paretoSpec(pr.map((p, i) => ({ ...p, front: f.has(i) })), 'SNN perplexity against energy per token (dashed: Pareto front per model)')));
  md.push('![energy vs perplexity](pareto.svg)', '');
  md.push('| model | coding | T | dense PPL | quantized-dense Δ % | SNN Δ % | top-1 = dense | KL(dense‖SNN) nats | spike rate % | chip µJ/token crossbar / memory / ops (est.) | synaptic ops skipped % | Pareto |');
  md.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |');
  points.forEach(({ job, r }, i) => {
    const s = (job.spec as Extract<Job['spec'], { kind: 'eval' }>).setup;
    md.push(`| ${path.basename(s.model)} | ${s.scheme} | ${s.T} | ${r.ppl.dense.toFixed(3)} | ${r.deltaPplQuantized !== undefined ? sgn(r.deltaPplQuantized) : '—'} | ${sgn(r.deltaPpl)} | ${pc(r.top1)} % | ${r.meanKl.toExponential(2)} | ${pc(r.spikeRate)} | ${uj(r.energy.crossbar)} / ${uj(r.energy.memory)} / ${uj(r.energy.ops)} | ${pc(r.synaptic.skipped)} | ${f.has(i) ? '●' : ''} |`);
  });
  md.push('', 'Measured: perplexities, agreement, spike rates, skipped operations (functional model). Estimated: energy (tier in the column). The quantized-dense column separates quantization error from what spiking and the hardware add (docs/compiler.md, "Evaluation").');

  // 3. scaling
  if (h) {
    md.push('', '## 3. Scaling to GPT-2 124M, OPT-125M, OPT-1.3B, OPT-13B', '');
    const series: Record<string, string | number>[] = [];
    const speed: Record<string, string | number>[] = [];
    for (const r of h.rows) {
      const sc = r.scenario.includes('streaming') ? 'fixed chip + streaming' : r.provenance === 'measured' ? 'reference (measured activity)' : 'chip sized to fit';
      for (const [k, v] of [['chip, crossbar tier', r.chip.crossbar], ['chip, memory tier', r.chip.memory], ['INT8 dense, memory-inclusive', r.int8.memory], ['FP32 dense, memory-inclusive', r.fp32.memory]] as const) series.push({ model: r.model, params: r.params, system: k, scenario: sc, joules: v });
      speed.push({ model: r.model, params: r.params, system: 'chip (cycle model, assumed clock)', scenario: sc, tps: r.tokensPerSecond });
      if (r.cpu) speed.push({ model: r.model, params: r.params, system: 'CPU, TS dense forward (measured, wall clock)', scenario: sc, tps: r.cpu.tokensPerSecond });
    }
    files.set('scaling-energy.svg', await toSvg(scalingSpec(series, { field: 'joules', title: 'J per token (estimated)' }, 'Energy per token against model size')));
    files.set('scaling-speed.svg', await toSvg(scalingSpec(speed, { field: 'tps', title: 'tokens per second' }, 'Decode speed against model size')));
    md.push('![energy scaling](scaling-energy.svg) ![speed scaling](scaling-speed.svg)', '');
    md.push('| model | params | scenario | tiles | cells (M) | ADCs | SRAM MiB (KV) | chip J/token crossbar tier | tokens/s | INT8 J/token |');
    md.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of h.rows) md.push(`| ${r.model} | ${(r.params / 1e6).toFixed(1)}M | ${r.scenario} | ${r.size.tiles} | ${(r.size.cells / 1e6).toFixed(1)} | ${r.size.adcs} | ${(r.size.sramBytes / 2 ** 20).toFixed(2)} (${(r.size.kvBytes / 2 ** 20).toFixed(2)}) | ${r.chip.crossbar.toExponential(3)} | ${r.tokensPerSecond.toPrecision(3)} | ${r.int8.memory.toExponential(3)} |`);
    md.push('', 'Extrapolation, stated: the config-only rows take their shapes from the public config.json (models/configs/) and their activity — per-role spike rates, active row groups, ADC activity — from the measured reference model with the same FFN activation (sotu-relu for OPT\'s ReLU, sotu-gelu for GPT-2\'s GELU). Nothing of a large model was run: its spike statistics are assumed equal to the small model\'s, and its perplexity on the chip is not known.');
  }

  // 4. ablations
  md.push('', '## 4. Ablations (each one change to the baseline)', '');
  const abl = jobs.filter((j) => j.group === 'ablations');
  const rowsAb: { family: string; title: string; dPpl: number; dQd?: number; energy?: number; spikeRate?: number; skipped?: number; note?: string }[] = [];
  rowsAb.push({ family: 'baseline', title: `${path.basename(BASELINE.model)} ${BASELINE.scheme} T=${BASELINE.T}`, dPpl: b.deltaPpl, dQd: b.deltaPplQuantized, energy: b.energy.crossbar, spikeRate: b.spikeRate, skipped: b.synaptic.skipped });
  for (const { job, r } of points) {
    const s = (job.spec as Extract<Job['spec'], { kind: 'eval' }>).setup;
    if (s.model !== BASELINE.model || job === baseline.job) continue;
    rowsAb.push({ family: s.scheme === BASELINE.scheme ? 'timesteps' : 'coding scheme', title: `${s.scheme} T=${s.T}`, dPpl: r.deltaPpl, dQd: r.deltaPplQuantized, energy: r.energy.crossbar, spikeRate: r.spikeRate, skipped: r.synaptic.skipped });
  }
  for (const j of abl) {
    const r = get<JobResult>(j);
    if (r.kind === 'eval') {
      const other = j.spec.kind === 'eval' && j.spec.setup.model !== BASELINE.model ? points.find((p) => p.job.spec.kind === 'eval' && j.spec.kind === 'eval' && p.job.spec.setup.model === j.spec.setup.model && p.job.spec.setup.scheme === 'multilevel' && p.job.spec.setup.T === 4)?.r : undefined;
      rowsAb.push({ family: j.family!, title: j.title, dPpl: r.deltaPpl, dQd: r.deltaPplQuantized, energy: r.energy.crossbar, spikeRate: r.spikeRate, skipped: r.synaptic.skipped, note: other ? `its own baseline (sotu-gelu multilevel T=4): ${sgn(other.deltaPpl)} %` : undefined });
    } else if (r.kind === 'device-noise') {
      rowsAb.push({ family: j.family!, title: j.title, dPpl: NaN, dQd: r.deltaPpl, energy: b.energy.crossbar, note: `quantized-dense proxy: ${sgn(r.deltaPplVsQuantized)} % vs noise-free quantized-dense; energy: the baseline's events (the proxy does not run the SNN)` });
    }
  }
  md.push('| family | change | SNN Δ PPL % | quantized-dense Δ % | chip µJ/token (crossbar, est.) | vs baseline energy | spike rate % | synaptic ops skipped % | note |');
  md.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rowsAb) md.push(`| ${r.family} | ${r.title} | ${Number.isNaN(r.dPpl) ? '—' : sgn(r.dPpl)} | ${r.dQd !== undefined ? sgn(r.dQd) : '—'} | ${r.energy !== undefined ? uj(r.energy) : '—'} | ${r.energy !== undefined ? `${sgn(100 * (r.energy / b.energy.crossbar - 1), 1)} %` : '—'} | ${r.spikeRate !== undefined ? pc(r.spikeRate) : '—'} | ${r.skipped !== undefined ? pc(r.skipped) : '—'} | ${r.note ?? ''} |`);
  const bars = rowsAb.filter((r) => !Number.isNaN(r.dPpl)).map((r) => ({ change: `${r.family}: ${r.title}`.slice(0, 90), deltaPpl: r.dPpl, energy: (r.energy ?? 0) * 1e6, family: r.family }));
  files.set('ablations-ppl.svg', await toSvg(barsSpec(bars, { field: 'deltaPpl', title: 'SNN perplexity vs dense (Δ %, measured)', log: true }, 'change', 'Ablations: perplexity', 'family')));
  files.set('ablations-energy.svg', await toSvg(barsSpec(bars, { field: 'energy', title: 'µJ per token, crossbar tier (estimated)' }, 'change', 'Ablations: energy per token', 'family')));
  md.push('', '![ablations: perplexity](ablations-ppl.svg)', '', '![ablations: energy](ablations-energy.svg)');

  // 5. error analysis
  md.push('', '## 5. Error analysis (baseline)', '', '### Per-layer attribution', '');
  md.push(`Each sublayer run in float on the SNN's own residual stream (back to dense), or alone on the chip with the rest in float. KL(dense‖model) of the next-token distributions is the finer measure: perplexity differences of a few tenths of a percent are within the noise of ${b.tokens} positions. Baseline KL ${b.meanKl.toExponential(3)} nats, ΔPPL ${sgn(b.deltaPpl)} %.`, '');
  const att = jobs.filter((j) => j.group === 'attribution');
  const segs = [...new Set(att.map((j) => j.title))];
  md.push('| sublayer | back to dense: Δ PPL % | KL | KL removed | alone on chip: Δ PPL % | KL | share of baseline KL |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const attRows: Record<string, string | number>[] = [];
  for (const sname of segs) {
    const back = att.find((j) => j.title === sname && j.spec.kind === 'attribution' && j.spec.mode === 'back-to-dense');
    const alone = att.find((j) => j.title === sname && j.spec.kind === 'attribution' && j.spec.mode === 'alone');
    const rb = back && get<AttributionResult>(back);
    const ra = alone && get<AttributionResult>(alone);
    md.push(`| ${sname} | ${rb ? sgn(rb.deltaPpl) : '—'} | ${rb ? rb.meanKl.toExponential(2) : '—'} | ${rb ? `${pc(1 - rb.meanKl / b.meanKl)} %` : '—'} | ${ra ? sgn(ra.deltaPpl) : '—'} | ${ra ? ra.meanKl.toExponential(2) : '—'} | ${ra ? `${pc(ra.meanKl / b.meanKl)} %` : '—'} |`);
    if (rb) attRows.push({ sublayer: sname, mode: 'KL removed when back to dense', value: 1 - rb.meanKl / b.meanKl });
    if (ra) attRows.push({ sublayer: sname, mode: 'KL alone on the chip (share of baseline)', value: ra.meanKl / b.meanKl });
  }
  files.set('attribution.svg', await toSvg({ ...barsSpec(attRows, { field: 'value', title: 'fraction of the baseline KL' }, 'sublayer', 'Per-layer attribution', 'mode'), encoding: { y: { field: 'sublayer', type: 'nominal', sort: null, title: null }, yOffset: { field: 'mode', type: 'nominal' }, x: { field: 'value', type: 'quantitative', title: 'fraction of the baseline KL' }, color: { field: 'mode', type: 'nominal', title: null, legend: { labelLimit: 320, orient: 'bottom' } } } }));
  md.push('', '![attribution](attribution.svg)');
  if (b.errors) {
    const e = b.errors;
    md.push('', '### Clipping and saturation', '');
    const sat = e.saturation.filter((s) => s.atBound > 0).sort((x, y) => y.atBound / y.values - x.atBound / x.values);
    md.push(`Values at a bound of their range, of ${e.saturation.length} tensors watched (spike counts at the encoder's or neuron's largest count K·T, counts at the ideal quantizer's bound, residuals at the residual stream's width); ${sat.length} ever reach one:`, '');
    md.push('| tensor | kind | values | at a bound | % |', '| --- | --- | ---: | ---: | ---: |');
    for (const s of sat.slice(0, 20)) md.push(`| ${s.tensor} | ${s.kind} | ${s.values} | ${s.atBound} | ${((100 * s.atBound) / s.values).toFixed(3)} |`);
    const adc = e.adc.filter((a) => a.clipped > 0 || a.psumSaturated > 0);
    const conv = e.adc.reduce((s, a) => s + a.conversions, 0);
    const clip = e.adc.reduce((s, a) => s + a.clipped, 0);
    md.push('', `ADC: ${clip} of ${conv} conversions clipped (${((100 * clip) / Math.max(1, conv)).toFixed(4)} %) over ${e.adc.length} linear ops (shifts calibrated so the calibration text clips none)${adc.length ? '; by op:' : '.'}`);
    if (adc.length) {
      md.push('', '| op | conversions | clipped | partial sums saturated |', '| --- | ---: | ---: | ---: |');
      for (const a of adc) md.push(`| ${a.op} | ${a.conversions} | ${a.clipped} | ${a.psumSaturated} |`);
    }
    md.push('', '### Where SNN and dense disagree most', '', 'Positions of the evaluation text with the largest KL(dense‖SNN); NLL in nats.', '');
    md.push('| position | context (last 40 characters) | next token | dense NLL | SNN NLL | KL |', '| ---: | --- | --- | ---: | ---: | ---: |');
    const esc = (s: string) => JSON.stringify(s).slice(1, -1).replace(/\|/g, '\\|');
    for (const w of e.worst) md.push(`| ${w.index} | \`${esc(w.context)}\` | \`${esc(w.target)}\` | ${w.denseNll.toFixed(3)} | ${w.snnNll.toFixed(3)} | ${w.kl.toFixed(3)} |`);
  }
  const ref = rowsAb.filter((r) => r.family === 'refinement');
  if (ref.length) {
    md.push('', '### What the conversion refinements changed', '');
    md.push(`Each row undoes one refinement of the default compile (or tries one that is off by default): the baseline's SNN ΔPPL is ${sgn(b.deltaPpl)} %.`, '');
    md.push('| without the refinement / with the option | SNN Δ PPL % | change vs baseline (points) | quantized-dense Δ % |', '| --- | ---: | ---: | ---: |');
    for (const r of ref) md.push(`| ${r.title} | ${sgn(r.dPpl)} | ${sgn(r.dPpl - b.deltaPpl)}${r.note ? ` (${r.note})` : ''} | ${r.dQd !== undefined ? sgn(r.dQd) : '—'} |`);
  }

  // 6. spike rates
  md.push('', '## 6. Spike rate per layer (baseline)', '');
  const sr = b.tensors.map((t) => ({ tensor: t.tensor, rate: t.rate, magnitude: t.meanMagnitude }));
  files.set('spike-rates.svg', await toSvg(barsSpec(sr, { field: 'rate', title: 'spikes per value sent (measured)' }, 'tensor', 'Spike rate per spike tensor')));
  md.push('![spike rates](spike-rates.svg)', '', '| tensor | spike rate % | mean magnitude |', '| --- | ---: | ---: |');
  for (const t of sr) md.push(`| ${t.tensor} | ${pc(t.rate, 2)} | ${t.magnitude.toFixed(2)} |`);

  md.push('', '## Run', '', `*Wall clock* of each job on the machine that ran it: ${jobs.map((j) => `${j.id} ${(results.get(j.id) as { seconds: number }).seconds.toFixed(0)} s`).join(', ')}.`);
  return { markdown: md.join('\n') + '\n', files };
}
