// npm run snn-table [-- --models a,b --T 1,2,4,8 --schemes multilevel,rate,ttfs --tokens N --out FILE]
// The conversion table of docs/compiler.md: for each model, coding scheme and T, the SNN's perplexity against the
// dense model's (and the quantized-dense model's, which separates quantization from spiking), compiled for the
// default chip and run on the chip functional model. Measured, CPU; each model's float calibration is shared.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { intArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { DEFAULT_CHIP } from '../src/compiler/chip-config.js';
import { calibrationStats, compileModel } from '../src/compiler/compile.js';
import type { CodingScheme } from '../src/compiler/program.js';
import { tokenStream } from '../src/compiler/token-stream.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { loadModel } from '../src/lm/load.js';
import { fidelity } from '../src/runtime/fidelity.js';

const STORIES = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'llama2c', 'stories260K.bin');
const USAGE = 'npm run snn-table -- [--models PATH,...] [--T 1,2,4,8] [--schemes multilevel,rate,ttfs] [--tokens N] [--out FILE]';
const OPTIONS = `Prints the table of SNN vs dense perplexity (delta, %) per model, coding scheme and T, with the quantized-dense model.
  --models PATH,...   models (default models/sotu-relu, models/sotu-gelu and, when present, the stories260K fixture)
  --T LIST            timesteps per token (default 1,2,4,8)
  --schemes LIST      multilevel, rate, ttfs (default all three)
  --tokens N          evaluation tokens per model (default 4096; sotu:test, or the llama2.c model's own samples)
  --out FILE          also write the markdown table to FILE
  -h, --help          this text`;

await runCli(
  USAGE,
  () => {
    const { values: a } = parseCli({ options: { models: { type: 'string' }, T: { type: 'string' }, schemes: { type: 'string' }, tokens: { type: 'string' }, out: { type: 'string' } } });
    const models = a.models ? a.models.split(',') : ['models/sotu-relu', 'models/sotu-gelu', ...(existsSync(STORIES) ? [STORIES] : [])];
    const Ts = (a.T ?? '1,2,4,8').split(',').map((t) => intArg('T', t, 4, { min: 1, max: 32 }));
    const schemes = (a.schemes ?? 'multilevel,rate,ttfs').split(',') as CodingScheme[];
    for (const s of schemes) if (!['multilevel', 'rate', 'ttfs'].includes(s)) throw new UsageError(`--schemes: '${s}' is not one of multilevel, rate, ttfs`);
    const tokens = intArg('tokens', a.tokens, 4096, { min: 64 });
    const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: '{task} |{bar}| {value}/{total} | eta {eta_formatted}' }, cliProgress.Presets.shades_classic) : undefined;
    const lines: string[] = [];
    const t0 = performance.now();
    bar?.start(models.length * Ts.length * schemes.length, 0, { task: 'compile + evaluate' });
    let done = 0;
    for (const model of models) {
      const { lm, tokenizer } = loadModel(model);
      const ctx = lm.config.maxSeq;
      const cal = tokenStream(lm, tokenizer, tokenizer ? 'sotu:train' : 'generated:1', 8192);
      const test = tokenStream(lm, tokenizer, tokenizer ? 'sotu:test' : 'generated:2', tokens);
      const { stats } = calibrationStats(lm, model, cal.ids, ctx);
      const rows = new Map<string, string[]>();
      let densePpl = 0;
      for (const scheme of schemes) {
        for (const T of Ts) {
          const program = compileModel(lm, model, DEFAULT_CHIP, { calibration: cal.ids, stats, T, scheme, adcTokens: 256 });
          const f = fidelity(lm, program, test.ids, { context: ctx, stride: ctx - 1 });
          densePpl = f.dense.perplexity;
          const r = (k: string) => rows.get(k) ?? (rows.set(k, []), rows.get(k)!);
          r(`${scheme}`).push(`${f.deltaPpl >= 0 ? '+' : ''}${f.deltaPpl.toFixed(2)}`);
          r(`${scheme} (quantized-dense)`).push(`${f.deltaPplQuantized! >= 0 ? '+' : ''}${f.deltaPplQuantized!.toFixed(2)}`);
          bar?.update(++done);
        }
      }
      const name = path.basename(model);
      lines.push('', `**${name}** — dense perplexity ${densePpl.toFixed(3)} on ${test.ids.length} tokens of ${test.label}; calibration: ${cal.ids.length} tokens of ${cal.label}`, '');
      lines.push(`| ΔPPL % vs dense | ${Ts.map((t) => `T = ${t}`).join(' | ')} |`, `| --- | ${Ts.map(() => '---:').join(' | ')} |`);
      for (const [k, v] of rows) lines.push(`| ${k} | ${v.join(' | ')} |`);
    }
    bar?.stop();
    const head = `Measured ${new Date().toISOString().slice(0, 10)} on this machine with \`npm run snn-table\` (${((performance.now() - t0) / 60000).toFixed(1)} min): chip ${DEFAULT_CHIP.name} (${DEFAULT_CHIP.tile.rows}x${DEFAULT_CHIP.tile.cols} tiles, ${DEFAULT_CHIP.tile.cellLevels} levels x ${DEFAULT_CHIP.tile.slices} slices, ${DEFAULT_CHIP.tile.adcBits}-bit ADC), K = ${DEFAULT_CHIP.spikeLevels} levels for multilevel (1 for rate and ttfs), context = the model's, non-overlapping windows.`;
    const text = [head, ...lines].join('\n') + '\n';
    console.log(text);
    if (a.out) {
      writeFileSync(`${a.out}.tmp-${process.pid}`, text);
      renameSync(`${a.out}.tmp-${process.pid}`, a.out);
    }
  },
  OPTIONS,
);
