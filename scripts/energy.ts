// npm run energy -- [--model DIR[=PROGRAM]]... [--configs DIR,...] [--chip FILE] [--data SPEC] [--tokens N] ...
// The headline table of the energy and latency model (docs/energy.md): the chip's J/token in three tiers and its
// tokens/s for the reference models (activity measured on the functional model) and for config-only models
// (extrapolated), beside INT8/FP32 dense estimates, the CPU measured here and published GPU figures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { intArg, numArg, parseCli, runCli, UsageError, UserError } from '../src/cli/args.js';
import { DEFAULT_CHIP, readChipConfig, type ChipConfig } from '../src/compiler/chip-config.js';
import { CompileError, compileModel } from '../src/compiler/compile.js';
import { readProgram } from '../src/compiler/program.js';
import { tokenStream } from '../src/compiler/token-stream.js';
import { crossbarChip, memoryInclusive, opsOnly, TIER_LABEL } from '../src/energy/chip-energy.js';
import { CONSTANTS } from '../src/energy/constants.js';
import { measureCpuDecode, randomDense, type CpuMeasurement } from '../src/energy/cpu.js';
import { breakEvenText, formatHeadline, referenceRow, scaledRows, type HeadlineRow } from '../src/energy/headline.js';
import { DEFAULT_ASSUMPTIONS } from '../src/energy/latency.js';
import { measureProgram, type ReferenceRun } from '../src/energy/measure.js';
import { PUBLISHED_GPU } from '../src/energy/published.js';
import { measurePytorchCpu } from '../src/energy/pytorch-cpu.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { configFromHf } from '../src/lm/formats/hf.js';
import { loadModel } from '../src/lm/load.js';
import { paramCount, type LmConfig } from '../src/lm/model.js';
import { checkProgramFor } from './eval-snn.js';

const USAGE = 'npm run energy -- [--model DIR[=PROGRAM]]... [--configs DIR,DIR...|none] [--chip FILE] [--data SPEC] [--tokens N] [--context N] [--clock-mhz F] [--no-cpu] [--pytorch] [--detail] [--constants] [--json]';
const OPTIONS = `Energy per token (three tiers) and tokens/s of the chip beside the baselines, every number labelled.
  --model DIR[=PROGRAM]  a reference model (Hugging Face folder) and, optionally, its compiled chip program; without
                         one it is compiled now with the default options (repeatable; default: models/sotu-relu and
                         models/sotu-gelu)
  --configs LIST         config-only models (folders with a config.json), comma-separated, extrapolated from the
                         reference model with the same activation (default: every folder of models/configs; none: skip)
  --chip FILE            chip configuration for compiling and extrapolating (default: the default chip)
  --data SPEC            held-out text for the measured activity (default sotu:test)
  --tokens N             tokens of it (default 1024)
  --context N            window length (default: the model's context)
  --clock-mhz F          clock for tokens/s (default: the chip's clockHz, an ASIC assumption)
  --no-cpu               skip the CPU dense decode measurement (TS forward)
  --pytorch              also measure the PyTorch baseline's CPU decode (baselines/pytorch/baseline.py; needs torch)
  --detail               print every tier's parts for every row
  --constants            print the constants table with its sources
  --json                 print the rows as JSON
  -h, --help             this text`;

const ACT_FAMILY = (c: LmConfig) => (c.activation === 'relu' ? 'relu' : c.activation.startsWith('gelu') ? 'gelu' : c.activation);

function readConfig(dir: string): LmConfig {
  const f = path.join(dir, 'config.json');
  if (!existsSync(f)) throw new UserError(`${dir}: no config.json there`);
  return configFromHf(JSON.parse(readFileSync(f, 'utf8')), f);
}

await runCli(
  USAGE,
  () => {
    const { values: a } = parseCli({
      options: {
        model: { type: 'string', multiple: true }, configs: { type: 'string' }, chip: { type: 'string' }, data: { type: 'string' }, tokens: { type: 'string' }, context: { type: 'string' },
        'clock-mhz': { type: 'string' }, 'no-cpu': { type: 'boolean', default: false }, pytorch: { type: 'boolean', default: false }, detail: { type: 'boolean', default: false }, constants: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      },
    });
    let chip: ChipConfig = a.chip ? readChipConfig(a.chip) : DEFAULT_CHIP;
    if (a['clock-mhz'] !== undefined) chip = { ...chip, clockHz: numArg('clock-mhz', a['clock-mhz'], 0, { min: 1e-3, max: 1e5 }) * 1e6 };
    const tokens = intArg('tokens', a.tokens, 1024, { min: 2, max: 1_000_000 });
    const models = a.model ?? ['models/sotu-relu', 'models/sotu-gelu'].map((m) => path.join(PROJECT_ROOT, m));
    const cfgDir = path.join(PROJECT_ROOT, 'models', 'configs');
    const configs = a.configs === 'none' ? [] : a.configs !== undefined ? a.configs.split(',').filter(Boolean) : existsSync(cfgDir) ? readdirSync(cfgDir).filter((d) => existsSync(path.join(cfgDir, d, 'config.json'))).map((d) => path.join(cfgDir, d)) : [];
    const say = (s: string) => !a.json && console.log(s);
    if (a.constants) {
      say('Energy constants (pJ per unit of work; src/energy/constants.ts):');
      for (const [id, c] of Object.entries(CONSTANTS)) say(`  ${id.padEnd(14)} ${String(c.value).padStart(8)} pJ  per ${c.per} (${c.node}); ${c.source}${'derivation' in c ? `; ${c.derivation}` : ''}`);
      for (const g of PUBLISHED_GPU) say(`  GPU ${g.gpu} ${g.model} batch ${g.batch}: ${g.value} J/token; ${g.source}`);
    }
    const refs: { run: ReferenceRun; config: LmConfig; name: string }[] = [];
    const rows: HeadlineRow[] = [];
    for (const spec of models) {
      const [dir, prog] = spec.split('=') as [string, string | undefined];
      const { lm, tokenizer } = loadModel(dir);
      let program;
      if (prog) {
        program = readProgram(prog);
        checkProgramFor(program, lm, prog);
      } else {
        say(`compiling ${dir} for chip ${chip.name} (default options; --model DIR=PROGRAM reuses a compiled program)...`);
        try {
          program = compileModel(lm, dir, chip, { calibration: tokenStream(lm, tokenizer, tokenizer ? 'sotu:train' : 'generated:1', 8192).ids, adcTokens: 256 });
        } catch (e) {
          if (e instanceof CompileError) throw new UserError(e.message);
          throw e;
        }
      }
      if (a['clock-mhz'] !== undefined) program = { ...program, chip: { ...program.chip, clockHz: chip.clockHz } };
      const context = intArg('context', a.context, lm.config.maxSeq, { min: 2, max: lm.config.maxSeq, maxIs: "the model's context" });
      const stream = tokenStream(lm, tokenizer, a.data ?? (tokenizer ? 'sotu:test' : 'generated:2'), tokens);
      if (stream.ids.length < 2) throw new UserError(`${stream.label} gives ${stream.ids.length} token(s); at least 2 are needed`);
      const name = path.basename(path.resolve(dir));
      const run = measureProgram(program, stream.ids, context, name);
      let cpu: CpuMeasurement | undefined;
      if (!a['no-cpu']) cpu = measureCpuDecode(lm);
      const row = referenceRow(run, lm.config, cpu);
      if (a.pytorch) row.pytorch = stream.text ? measurePytorchCpu(dir, stream.text) : { unavailable: 'not measured: the data has no text to cut a prompt from' };
      rows.push(row);
      refs.push({ run, config: lm.config, name });
      say(`measured ${name} on ${stream.label}: ${run.latency.tokens} tokens in ${run.windows} windows of ${context}, ${run.seconds.toFixed(1)} s`);
    }
    for (const dir of configs) {
      const cfg = readConfig(dir);
      const ref = refs.find((r) => ACT_FAMILY(r.config) === ACT_FAMILY(cfg));
      if (!ref) throw new UserError(`${dir}: no reference model with a ${cfg.activation} FFN to extrapolate from (give one with --model)`);
      const name = path.basename(path.resolve(dir));
      const scaled = scaledRows(ref.run, ref.config, name, cfg, ref.run.events.chip);
      if (!a['no-cpu'] && paramCount(cfg) <= 2e8) {
        const lm = randomDense(cfg);
        const cpu = measureCpuDecode(lm, 16);
        lm.release();
        for (const r of scaled) r.cpu = cpu;
      }
      // the PyTorch baseline builds a random GPT-2-small itself: this shape only
      if (a.pytorch && name === 'gpt2') {
        const pt = measurePytorchCpu(undefined, '');
        for (const r of scaled) r.pytorch = pt;
      }
      for (const r of scaled) r.notes.unshift(`extrapolated from ${ref.name}'s activity (per-role spike rates, active row groups, ADC activity)`);
      rows.push(...scaled);
    }
    if (a.json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    say('');
    say('Headline table (issue #15). est. = estimated with the constants table from events; events measured on the functional model (reference rows, checked against the RTL counters) or extrapolated (config-only rows); tokens/s from the cycle model (tiles and attention unit calibrated against Verilator; digital units and streaming assumed) at the stated clock; CPU measured here (TS forward, decode, batch 1; J/token not measured: no power counter); GPU published (ML.ENERGY), other models of similar size.');
    say('');
    say(formatHeadline(rows));
    say('');
    say(`Tiers: ${Object.values(TIER_LABEL).join('; ')}. Break-even: the mean crossbar-input spike rate at which the chip's J/token equals INT8 dense memory-inclusive (crossbar and memory tiers) or FP32 dense ops-only (ops tier, the literature's comparison).`);
    say(`Clock: ${(chip.clockHz / 1e6).toFixed(0)} MHz is an ASIC assumption; no FPGA Fmax of the chip has been measured (the FPGA flow is not built: constraints/README.md). Latency assumptions: digital units ${DEFAULT_ASSUMPTIONS.digitalLanes} elements/cycle + ${DEFAULT_ASSUMPTIONS.digitalLatency}, encoders ${DEFAULT_ASSUMPTIONS.encoderLanes} lanes, off-chip ${DEFAULT_ASSUMPTIONS.dramBytesPerSecond / 1e9} GB/s.`);
    for (const r of rows) {
      say('');
      say(`${r.model}, ${r.scenario}:`);
      say(`  break-even vs INT8: crossbar tier ${breakEvenText(r.breakEven.crossbar)}, memory tier ${breakEvenText(r.breakEven.memory)}; ops tier vs FP32 ${breakEvenText(r.breakEven.ops)}; spike rate ${(100 * r.spikeRate).toFixed(1)} %`);
      say(`  cycles/token ${r.cyclesPerToken.toFixed(0)}${r.streamingCycles ? ` (of which weight streaming ${r.streamingCycles})` : ''}; area proxy: ${r.size.tiles} tiles, ${(r.size.cells / 1e6).toFixed(1)}M cells, ${r.size.adcs} ADCs, ${(r.size.sramBytes / 2 ** 20).toFixed(2)} MiB SRAM (KV ${(r.size.kvBytes / 2 ** 20).toFixed(2)} MiB)`);
      if (r.pytorch) say(`  PyTorch CPU: ${r.pytorch.tokensPerSecond !== undefined ? `${r.pytorch.tokensPerSecond.toFixed(1)} tokens/s measured (torch ${r.pytorch.torch}, ${r.pytorch.threads} thread(s), decode batch 1${r.provenance === 'extrapolated' ? ', random GPT-2-small weights: speed only' : ''}); J/token not measured (NVML only on CUDA)` : r.pytorch.unavailable}`);
      if (r.cpu) say(`  CPU: ${r.cpu.tokensPerSecond.toFixed(1)} tokens/s measured (${r.cpu.cpu}, ${r.cpu.threads} threads${r.provenance === 'extrapolated' ? ', random weights of this shape: speed only' : ''}); ${r.cpu.energy}`);
      for (const n of r.notes) say(`  note: ${n}`);
    }
    if (a.detail) {
      for (const ref of refs) {
        for (const f of [opsOnly, memoryInclusive, crossbarChip]) {
          const t = f(ref.run.events);
          say('');
          say(`${ref.name}: ${TIER_LABEL[t.tier]}: ${(t.totalPj / 1e6).toFixed(3)} µJ/token (estimate)`);
          for (const [k, v] of Object.entries(t.parts).sort((x, y) => y[1] - x[1])) say(`  ${k.padEnd(66)} ${(v / 1e3).toFixed(1).padStart(10)} nJ  ${((100 * v) / t.totalPj).toFixed(1).padStart(5)} %`);
        }
        say(`  latency critical path (mean cycles/token by unit): ${Object.entries(ref.run.latency.byKind).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
      }
    }
    if (!rows.length) throw new UsageError('nothing to report: give --model or --configs');
  },
  OPTIONS,
);
