// npm run eval -- --model PATH --data sotu:test | sotu:validation | wikitext:FILE | wikitext-detok:FILE | text:FILE [--context N] [--stride N] [--limit-bytes N]
// npm run eval -- --model PATH --cnndm FILE [--max-examples N] [--summary-tokens N]
// Perplexity (strided protocol, stated in the output) and CPU tokens/s of the dense TS baseline; ROUGE of summaries.
import cliProgress from 'cli-progress';
import { intArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { readCnnDm } from '../src/lm/data/cnndm.js';
import { readTextSpec, TEXT_SPEC_USAGE } from '../src/lm/data/text-spec.js';
import { FormatError } from '../src/lm/formats/safetensors.js';
import { greedy } from '../src/lm/generate.js';
import { loadModel } from '../src/lm/load.js';
import { corpusRouge } from '../src/lm/metrics/rouge.js';
import { perplexity, textUnits } from '../src/lm/metrics/perplexity.js';
import { evalSnn } from './eval-snn.js';

const USAGE = `npm run eval -- --model PATH --data SPEC [--context N] [--stride N] [--limit-bytes N] [--activation-stats] [--json]   (SPEC: ${TEXT_SPEC_USAGE})
       npm run eval -- --model PATH --cnndm FILE [--max-examples N] [--summary-tokens N]
       npm run eval -- --model PATH --snn PROGRAM --data SPEC|generated:SEED [--limit-tokens N] [--generations N] [--beams B] [--cnndm FILE]`;
const OPTIONS = `Perplexity (strided windows, every token after the first scored once) and CPU tokens/s of the TS dense forward;
ROUGE of greedy summaries.
  --model PATH          Hugging Face folder (config.json + safetensors) or llama2.c .bin
  --data SPEC           text to score: sotu:train|validation|test, wikitext:FILE, wikitext-detok:FILE, text:FILE
  --context N           window length in tokens (default: the model's context)
  --stride N            window advance, 1 to context-1 (default: context/2; context-1: non-overlapping windows)
  --limit-bytes N       score only the first N bytes of the text
  --activation-stats    also count FFN activations that are zero or near zero
  --json                print the result as JSON
  --cnndm FILE          CNN/DailyMail JSONL or CSV: ROUGE of lead-3 and of the model's summaries
  --max-examples N      articles to summarise (default 20)
  --summary-tokens N    tokens per summary (default 60)
  --snn PROGRAM         a chip program (npm run compile): dense, quantized-dense and SNN perplexity, top-1 agreement,
                        spike rates, speeds; with --cnndm, SNN summaries beside dense and lead-3
  --limit-tokens N      with --snn: score the first N tokens (default 4096)
  --generations N       with --snn: ROUGE-L between SNN and dense greedy generations from N prompts (default 0)
  --gen-tokens N        with --generations: tokens per generation (default 32)
  --beams B             with --snn: spike-based beam search against float beam search, B beams (default 0: skip)
  -h, --help            this text`;

await runCli(USAGE, () => {
  const { values: a } = parseCli({
    options: {
      model: { type: 'string' }, data: { type: 'string' }, context: { type: 'string' }, stride: { type: 'string' }, 'limit-bytes': { type: 'string' },
      cnndm: { type: 'string' }, 'activation-stats': { type: 'boolean', default: false }, 'max-examples': { type: 'string' }, 'summary-tokens': { type: 'string' }, json: { type: 'boolean', default: false },
      snn: { type: 'string' }, 'limit-tokens': { type: 'string' }, generations: { type: 'string' }, 'gen-tokens': { type: 'string' }, beams: { type: 'string' },
    },
  });
  if (!a.model) throw new UsageError('--model is required');
  if (!a.data && !a.cnndm) throw new UsageError('give --data SPEC (perplexity) or --cnndm FILE (ROUGE)');
  const limitBytes = a['limit-bytes'] === undefined ? undefined : intArg('limit-bytes', a['limit-bytes'], 0, { min: 1 });
  const { lm, tokenizer } = loadModel(a.model, { tokenizerOptional: !!a.snn });
  if (a.snn) {
    const ctx = intArg('context', a.context, lm.config.maxSeq, { min: 2, max: lm.config.maxSeq, maxIs: "the model's context" });
    evalSnn(
      {
        model: a.model, snn: a.snn, data: a.data, cnndm: a.cnndm, context: ctx,
        stride: intArg('stride', a.stride, ctx - 1, { min: 1, max: ctx - 1, maxIs: `the context less one; --stride ${ctx - 1} gives non-overlapping windows` }),
        limitBytes, limitTokens: intArg('limit-tokens', a['limit-tokens'], 4096, { min: 2 }),
        generations: intArg('generations', a.generations, 0, { min: 0, max: 10_000 }), genTokens: intArg('gen-tokens', a['gen-tokens'], 32, { min: 1, max: lm.config.maxSeq - 33 }),
        beams: intArg('beams', a.beams, 0, { min: 0, max: 16 }), maxExamples: intArg('max-examples', a['max-examples'], 20, { min: 1 }),
        summaryTokens: intArg('summary-tokens', a['summary-tokens'], 60, { min: 1, max: lm.config.maxSeq - 9, maxIs: "the model's context less room for a prompt" }), json: a.json,
      },
      lm,
      tokenizer,
    );
    return;
  }
  if (!tokenizer) throw new FormatError(a.model, 'no tokenizer for this model (a llama2.c .bin carries none); text evaluation needs one');
  const maxSeq = lm.config.maxSeq;
  const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: '{task} |{bar}| {percentage}% | eta {eta_formatted}' }, cliProgress.Presets.shades_classic) : undefined;

  if (a.data) {
    const context = intArg('context', a.context, maxSeq, { min: 2, max: maxSeq, maxIs: "the model's context" });
    // a window of C tokens has C-1 targets: a stride of C would leave the first token of every later window unscored
    const stride = intArg('stride', a.stride, Math.max(1, Math.floor(context / 2)), { min: 1, max: context - 1, maxIs: `the context less one; --stride ${context - 1} gives non-overlapping windows` });
    const { label, text, unitsText } = readTextSpec(a.data, limitBytes);
    const ids = tokenizer.encode(text);
    if (ids.length < 2) throw new UsageError(`${label} gives ${ids.length} token(s); perplexity needs at least 2`);
    if (a['activation-stats']) lm.activationStats = { total: 0, zeros: 0, nearZero: 0 };
    bar?.start(ids.length, 0, { task: 'perplexity' });
    const r = perplexity(lm, ids, context, stride, textUnits(unitsText), (d) => bar?.update(d));
    bar?.stop();
    const out = { model: a.model, dataset: label, tokenizer: tokenizer.name, ...r, measured: 'CPU, this machine, TypeScript dense forward' };
    if (a.json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`model ${a.model} on ${label}`);
      console.log(`protocol: ${r.protocol}`);
      console.log(`tokens scored ${r.tokens}; loss ${r.lossPerToken.toFixed(4)} nats/token; perplexity ${r.perplexity.toFixed(3)}`);
      console.log(`per text unit: ${r.bitsPerByte!.toFixed(4)} bits/byte, ${r.bitsPerChar!.toFixed(4)} bits/char, word perplexity ${r.wordPerplexity!.toFixed(2)} (${r.units!.bytes} bytes, ${r.units!.chars} chars, ${r.units!.words} words)`);
      console.log(`speed: ${r.tokensPerSecond.toFixed(0)} tokens/s processed (CPU, measured; ${r.seconds.toFixed(1)} s)`);
      const st = lm.activationStats;
      if (st) console.log(`FFN activations after the nonlinearity: ${((100 * st.zeros) / st.total).toFixed(1)}% exactly zero, ${((100 * st.nearZero) / st.total).toFixed(1)}% with |a| < 0.01 (${st.total} values)`);
    }
  }

  if (a.cnndm) {
    const maxExamples = intArg('max-examples', a['max-examples'], 20, { min: 1 });
    const summaryTokens = intArg('summary-tokens', a['summary-tokens'], 60, { min: 1, max: maxSeq - 9, maxIs: "the model's context less room for a prompt" });
    const ex = readCnnDm(a.cnndm).slice(0, maxExamples);
    const lead3 = ex.map((e) => ({ target: e.highlights, prediction: e.article.split(/(?<=[.!?])\s+/).slice(0, 3).join('\n') }));
    const gen: { target: string; prediction: string }[] = [];
    bar?.start(ex.length, 0, { task: 'summaries' });
    for (const e of ex) {
      const prompt = tokenizer.encode(`${e.article}\nTL;DR:`).slice(-(maxSeq - summaryTokens - 8));
      gen.push({ target: e.highlights, prediction: tokenizer.decode(greedy(lm, prompt, summaryTokens)) });
      bar?.update(gen.length);
    }
    bar?.stop();
    const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${(100 * v).toFixed(2)}`).join(' / ');
    console.log(`CNN/DailyMail-format file ${a.cnndm}, ${ex.length} examples, rouge_score-compatible F1 with Porter stemming`);
    console.log(`lead-3 baseline: ${fmt(corpusRouge(lead3))}`);
    console.log(`model (greedy after "TL;DR:"): ${fmt(corpusRouge(gen))}`);
  }
}, OPTIONS);
