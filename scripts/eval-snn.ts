// The `--snn PROGRAM` half of npm run eval: the chip program on the chip functional model beside its dense model —
// perplexity of dense, quantized-dense and SNN, top-1 agreement, spike rates per layer, speeds (measured, CPU);
// ROUGE-L between SNN and dense generations; ROUGE of SNN summaries of a CNN/DailyMail file; beam-search agreement.
import cliProgress from 'cli-progress';
import { UserError } from '../src/cli/args.js';
import { readProgram, type ChipProgram } from '../src/compiler/program.js';
import { tokenStream } from '../src/compiler/token-stream.js';
import { readCnnDm } from '../src/lm/data/cnndm.js';
import { greedy } from '../src/lm/generate.js';
import type { DenseLM } from '../src/lm/model.js';
import { corpusRouge } from '../src/lm/metrics/rouge.js';
import { textUnits } from '../src/lm/metrics/perplexity.js';
import type { TextTokenizer } from '../src/lm/tokenizers/index.js';
import { compareBeams } from '../src/runtime/beam-compare.js';
import { snnDecoder } from '../src/runtime/decode.js';
import { fidelity } from '../src/runtime/fidelity.js';
import { SnnModel } from '../src/runtime/snn.js';

export interface SnnEvalArgs {
  model: string;
  snn: string;
  data?: string;
  cnndm?: string;
  context: number;
  stride: number;
  limitBytes?: number;
  limitTokens: number;
  generations: number;
  genTokens: number;
  beams: number;
  maxExamples: number;
  summaryTokens: number;
  json: boolean;
}

/** The program must be for this model: same family and shapes. */
export function checkProgramFor(p: ChipProgram, lm: DenseLM, file: string): void {
  const c = lm.config;
  const m = p.model;
  const diff = [
    ['family', m.family, c.family],
    ['vocabSize', m.vocabSize, c.vocabSize],
    ['dModel', m.dModel, c.dModel],
    ['nLayers', m.nLayers, c.nLayers],
  ].filter(([, x, y]) => x !== y);
  if (diff.length) throw new UserError(`${file}: the chip program was compiled for another model (${diff.map(([k, x, y]) => `${k} ${x} vs ${y}`).join(', ')}; source ${m.source})`);
}

export function evalSnn(a: SnnEvalArgs, lm: DenseLM, tokenizer: TextTokenizer | undefined): void {
  const program = readProgram(a.snn);
  checkProgramFor(program, lm, a.snn);
  const out: Record<string, unknown> = { model: a.model, program: a.snn, chip: program.chip.name, T: program.chip.T, scheme: program.options.scheme, levels: program.options.levels, measured: 'CPU, this machine: the chip functional model (integers) and the TS dense forward' };
  const bar = process.stdout.isTTY && !a.json ? new cliProgress.SingleBar({ format: '{task} |{bar}| {percentage}% | eta {eta_formatted}' }, cliProgress.Presets.shades_classic) : undefined;
  const say = (s: string) => !a.json && console.log(s);
  if (a.data) {
    const stream = tokenStream(lm, tokenizer, a.data, a.limitTokens);
    const ids = stream.text && a.limitBytes ? tokenizer!.encode(stream.text.slice(0, a.limitBytes)) : stream.ids;
    if (ids.length < 2) throw new UserError(`${stream.label} gives ${ids.length} token(s); perplexity needs at least 2`);
    bar?.start(ids.length, 0, { task: 'dense / quantized-dense / SNN' });
    const f = fidelity(lm, program, ids, { context: a.context, stride: a.stride, units: stream.text ? textUnits(tokenizer!.decode(ids)) : undefined, onProgress: (d) => bar?.update(d) });
    bar?.stop();
    const { snnModel, ...rest } = f;
    out.data = stream.label;
    out.fidelity = rest;
    say(`${a.snn} (chip ${program.chip.name}, T = ${program.chip.T}, ${program.options.scheme}, K = ${program.options.levels}) on ${stream.label}: ${f.tokens} tokens scored, context ${a.context}, stride ${a.stride}`);
    say(`perplexity: dense ${f.dense.perplexity.toFixed(4)}, quantized-dense ${f.quantizedDense!.perplexity.toFixed(4)} (${f.deltaPplQuantized!.toFixed(2)}%), SNN ${f.snn.perplexity.toFixed(4)} (${f.deltaPpl >= 0 ? '+' : ''}${f.deltaPpl.toFixed(2)}%)`);
    say(`top-1 next-token agreement SNN vs dense: ${(100 * f.top1Agreement).toFixed(2)}%`);
    say(`speed (measured, CPU): dense ${f.dense.tokensPerSecond.toFixed(0)} tokens/s, SNN functional model ${f.snn.tokensPerSecond.toFixed(0)} tokens/s (${((100 * f.snn.tokensPerSecond) / f.dense.tokensPerSecond).toFixed(0)}% of dense)`);
    say('spike rate per spike tensor (nonzero values per value sent, over T steps; mean |spike| when nonzero):');
    for (const s of f.spikeRate) say(`  ${s.tensor.padEnd(16)} ${(100 * s.rate).toFixed(1)}%  mean ${s.meanMagnitude.toFixed(2)}`);
    if (a.generations > 0) {
      const snn = snnDecoder(new SnnModel(program));
      const preds: { target: string; prediction: string }[] = [];
      const agreeIds: number[] = [];
      bar?.start(a.generations, 0, { task: 'generations' });
      for (let g = 0; g < a.generations; g++) {
        const at = Math.floor((g * Math.max(1, ids.length - 64)) / a.generations);
        const prompt = ids.slice(at, at + 32);
        const d = greedy(lm, prompt, a.genTokens);
        const s = greedy(snn, prompt, a.genTokens);
        agreeIds.push(s.filter((t, i) => t === d[i]).length / d.length);
        const text = (x: number[]) => (tokenizer ? tokenizer.decode(x) : x.join(' '));
        preds.push({ target: text(d), prediction: text(s) });
        bar?.update(g + 1);
      }
      bar?.stop();
      const r = corpusRouge(preds);
      out.generations = { count: a.generations, tokens: a.genTokens, rougeL: r.rougeL, rouge1: r.rouge1, tokenAgreement: agreeIds.reduce((x, y) => x + y, 0) / agreeIds.length };
      say(`greedy generations from ${a.generations} prompts of the text, ${a.genTokens} tokens each: ROUGE-L of SNN against dense ${(100 * r.rougeL).toFixed(2)}, same token at the same step ${(100 * (out.generations as { tokenAgreement: number }).tokenAgreement).toFixed(1)}%`);
    }
    if (a.beams > 0) {
      const prompts = Array.from({ length: 6 }, (_, i) => ids.slice(Math.floor((i * ids.length) / 7), Math.floor((i * ids.length) / 7) + 32));
      const b = compareBeams(lm, new SnnModel(program), prompts, 20, a.beams);
      out.beams = b;
      say(`spike-based beam search (${a.beams} beams, 6 prompts x 20 steps, teacher-forced on float beam search): same beams as float beam search on the dense model in ${b.sameAsDense}/${b.steps} steps (${((100 * b.sameAsDense) / b.steps).toFixed(1)}%); as float scoring of the SNN's own logits in ${b.sameAsFloatOnSnn}/${b.steps} (${((100 * b.sameAsFloatOnSnn) / b.steps).toFixed(1)}%)`);
    }
  }
  if (a.cnndm) {
    if (!tokenizer) throw new UserError('summaries need the model\'s tokenizer');
    const ex = readCnnDm(a.cnndm).slice(0, a.maxExamples);
    const maxSeq = Math.min(lm.config.maxSeq, program.chip.attention.context);
    const snn = snnDecoder(new SnnModel(program));
    const lead3 = ex.map((e) => ({ target: e.highlights, prediction: e.article.split(/(?<=[.!?])\s+/).slice(0, 3).join('\n') }));
    const dense: { target: string; prediction: string }[] = [];
    const spiking: { target: string; prediction: string }[] = [];
    const vs: { target: string; prediction: string }[] = [];
    bar?.start(ex.length, 0, { task: 'summaries (dense, SNN)' });
    for (const e of ex) {
      const prompt = tokenizer.encode(`${e.article}\nTL;DR:`).slice(-(maxSeq - a.summaryTokens - 8));
      const d = tokenizer.decode(greedy(lm, prompt, a.summaryTokens));
      const s = tokenizer.decode(greedy(snn, prompt, a.summaryTokens));
      dense.push({ target: e.highlights, prediction: d });
      spiking.push({ target: e.highlights, prediction: s });
      vs.push({ target: d, prediction: s });
      bar?.update(dense.length);
    }
    bar?.stop();
    const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${(100 * v).toFixed(2)}`).join(' / ');
    out.summaries = { file: a.cnndm, examples: ex.length, lead3: corpusRouge(lead3), dense: corpusRouge(dense), snn: corpusRouge(spiking), snnVsDense: corpusRouge(vs) };
    say(`CNN/DailyMail-format file ${a.cnndm}, ${ex.length} examples, rouge_score-compatible F1 with Porter stemming`);
    say(`lead-3: ${fmt(corpusRouge(lead3))}`);
    say(`dense (greedy after "TL;DR:"): ${fmt(corpusRouge(dense))}`);
    say(`SNN (greedy on the chip functional model): ${fmt(corpusRouge(spiking))}`);
    say(`SNN summaries against the dense ones: ${fmt(corpusRouge(vs))}`);
  }
  if (a.json) console.log(JSON.stringify(out, null, 2));

}
