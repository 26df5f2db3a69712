// npm run compile -- --model PATH --out DIR [--chip FILE] [--T N] [--levels K] [--scheme multilevel|rate|ttfs] ...
// Compiles a model into a chip program (docs/compiler.md). With a config.json only (no weights), --estimate maps
// its shapes onto the chip for estimates.
import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { choiceArg, intArg, numArg, parseCli, runCli, UsageError, UserError } from '../src/cli/args.js';
import { DEFAULT_CHIP, readChipConfig } from '../src/compiler/chip-config.js';
import { CalibrationError } from '../src/compiler/calibrate.js';
import { CompileError, chipFor, compileModel } from '../src/compiler/compile.js';
import { estimateFromConfig } from '../src/compiler/map.js';
import { writeProgram } from '../src/compiler/program.js';
import { tokenStream } from '../src/compiler/token-stream.js';
import { configFromHf } from '../src/lm/formats/hf.js';
import { readFileSync } from 'node:fs';
import { loadModel } from '../src/lm/load.js';

const USAGE = 'npm run compile -- --model PATH --out DIR [--chip FILE] [--T N] [--levels K] [--scheme multilevel|rate|ttfs] [--calibration SPEC] [--calibration-tokens N] | --model DIR --estimate';

const OPTIONS = `Compiles a pre-trained language model into a chip program for the chip functional model and the chip top.
  --model PATH              Hugging Face folder (config.json + safetensors) or llama2.c .bin
  --out DIR                 where the chip program goes (written atomically; replaced if present)
  --chip FILE               chip configuration (JSON; missing fields from the default chip, docs/compiler.md)
  --T N                     timesteps per token (default: the chip's, 4)
  --levels K                graded spike levels 1..15 (default: the chip's, 15); rate and ttfs use 1
  --scheme S                spike coding: multilevel (default), rate (binary IF), ttfs (time to first spike)
  --no-compensate           neurons start from rest, counts truncate (default: half a threshold, counts round)
  --signed-outputs M        Q/K/V: pair (W and -W on unsigned neurons, default) or signed (signed neurons)
  --gelu M                  GELU models: digital (the activation unit, default) or neuron (ReLU neurons)
  --softmax M               approx (the attention unit's exp LUT, default) or exact (a digital float softmax)
  --clip M                  calibration clipping: mse (default) or max
  --smooth A                per-channel encoder thresholds for inputs with outlier channels, SmoothQuant alpha (default 0: off)
  --calibration SPEC        calibration text (default sotu:train; generated:SEED for a model without tokenizer)
  --calibration-tokens N    tokens of it (default 8192)
  --adc-tokens N            tokens for the ADC shifts, on the functional model (default 256)
  --estimate                map a config.json's shapes onto the chip (no weights needed); prints the estimate
  --json                    print the summary as JSON
  -h, --help                this text`;

await runCli(
  USAGE,
  () => {
    const { values: a } = parseCli({
      options: {
        model: { type: 'string' }, out: { type: 'string' }, chip: { type: 'string' }, T: { type: 'string' }, levels: { type: 'string' }, scheme: { type: 'string' },
        'no-compensate': { type: 'boolean', default: false }, 'signed-outputs': { type: 'string' }, gelu: { type: 'string' }, softmax: { type: 'string' }, clip: { type: 'string' },
        smooth: { type: 'string' }, calibration: { type: 'string' }, 'calibration-tokens': { type: 'string' }, 'adc-tokens': { type: 'string' }, estimate: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      },
    });
    if (!a.model) throw new UsageError('--model is required');
    const chip = a.chip ? readChipConfig(a.chip) : DEFAULT_CHIP;
    const scheme = choiceArg('scheme', a.scheme, ['multilevel', 'rate', 'ttfs'] as const);
    const T = a.T === undefined ? undefined : intArg('T', a.T, chip.T, { min: 1, max: 64 });
    const levels = a.levels === undefined ? undefined : intArg('levels', a.levels, chip.spikeLevels, { min: 1, max: 15 });
    if (a.estimate) {
      const cfgFile = path.join(a.model, 'config.json');
      if (!existsSync(cfgFile)) throw new UserError(`${a.model}: --estimate needs a folder with a config.json`);
      const cfg = configFromHf(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile);
      const e = estimateFromConfig(cfg, chipFor(chip, { T, levels, scheme }), a.model);
      if (a.json) console.log(JSON.stringify({ ...e, linears: undefined, linearOps: e.linears.length }, null, 2));
      else {
        console.log(`${a.model}: ${(e.params / 1e6).toFixed(1)}M parameters, ${e.linears.length} linear ops on ${e.tiles.signed} signed + ${e.tiles.unsigned} unsigned ${chip.tile.rows}x${chip.tile.cols} tiles (estimate: no weights read)`);
        console.log(e.fits ? 'fits the chip' : `weight streaming: ${e.streamingGroups} reprogramming rounds of the chip per token, ${(e.streamedWeightsPerToken / 1e6).toFixed(1)}M weights streamed per token`);
        for (const n of e.notes) console.log(n);
      }
      return;
    }
    if (!a.out) throw new UsageError('--out DIR is required');
    const { lm, tokenizer } = loadModel(a.model, { tokenizerOptional: true });
    const calSpec = a.calibration ?? (tokenizer ? 'sotu:train' : 'generated:1');
    const calTokens = intArg('calibration-tokens', a['calibration-tokens'], 8192, { min: 16, max: 10_000_000 });
    const cal = tokenStream(lm, tokenizer, calSpec, calTokens);
    const bars = process.stdout.isTTY ? new cliProgress.MultiBar({ format: '{task} |{bar}| {percentage}% | eta {eta_formatted}', clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
    const bar = new Map<string, cliProgress.SingleBar>();
    const t0 = performance.now();
    let program;
    try {
      program = compileModel(lm, a.model, chip, {
        T,
        levels,
        scheme,
        compensate: !a['no-compensate'],
        signedOutputs: a['signed-outputs'] === undefined ? undefined : choiceArg('signed-outputs', a['signed-outputs'], ['pair', 'signed'] as const),
        gelu: a.gelu === undefined ? undefined : choiceArg('gelu', a.gelu, ['digital', 'neuron'] as const),
        softmax: a.softmax === undefined ? undefined : choiceArg('softmax', a.softmax, ['approx', 'exact'] as const),
        clip: a.clip === undefined ? undefined : choiceArg('clip', a.clip, ['mse', 'max'] as const),
        smooth: a.smooth === undefined ? undefined : numArg('smooth', a.smooth, 0, { min: 0, max: 1 }),
        calibration: cal.ids,
        adcTokens: intArg('adc-tokens', a['adc-tokens'], 256, { min: 2, max: cal.ids.length }),
        onProgress: (step, done, total) => {
          if (!bars || !total) return;
          let b = bar.get(step);
          if (!b) bar.set(step, (b = bars.create(total, 0, { task: step === 'adc' ? 'ADC shifts' : 'calibration' })));
          b.update(done);
        },
      });
    } catch (e) {
      if (e instanceof CompileError || e instanceof CalibrationError) throw new UserError(e.message);
      throw e;
    } finally {
      bars?.stop();
    }
    const digest = writeProgram(program, a.out);
    const s = program.summary;
    if (a.json) console.log(JSON.stringify({ out: a.out, digest, summary: s, options: program.options }, null, 2));
    else {
      console.log(`compiled ${a.model} for chip ${program.chip.name} (T = ${program.chip.T}, ${program.options.scheme}, K = ${program.options.levels}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; calibration: ${cal.label}`);
      console.log(`tiles: ${s.tiles.signed} signed + ${s.tiles.unsigned} unsigned of ${s.tileCapacity.signed} + ${s.tileCapacity.unsigned}; cell utilization ${(100 * s.utilization).toFixed(1)}%${s.weightStreaming ? '; weight streaming' : ''}`);
      console.log(`estimated ${s.cyclesPerToken} cycles per token (estimate, not measured)`);
      for (const n of s.notes) console.log(n);
      console.log(`wrote ${a.out} (program.json digest ${digest.slice(0, 16)})`);
    }
  },
  OPTIONS,
);
