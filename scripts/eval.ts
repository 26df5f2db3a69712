// npm run eval -- --model PATH --data sotu:test | sotu:validation | wikitext:FILE | wikitext-detok:FILE | text:FILE [--context N] [--stride N] [--limit-bytes N]
// npm run eval -- --model PATH --cnndm FILE [--max-examples N] [--summary-tokens N]
// Perplexity (strided protocol, stated in the output) and CPU tokens/s of the dense TS baseline; ROUGE of summaries.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { readCnnDm } from '../src/lm/data/cnndm.js';
import { readTextSpec, TEXT_SPEC_USAGE } from '../src/lm/data/text-spec.js';
import { greedy } from '../src/lm/generate.js';
import { loadModel } from '../src/lm/load.js';
import { corpusRouge } from '../src/lm/metrics/rouge.js';
import { perplexity, textUnits } from '../src/lm/metrics/perplexity.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' }, data: { type: 'string' }, context: { type: 'string' }, stride: { type: 'string' }, 'limit-bytes': { type: 'string' },
    cnndm: { type: 'string' }, 'activation-stats': { type: 'boolean', default: false }, 'max-examples': { type: 'string', default: '20' }, 'summary-tokens': { type: 'string', default: '60' }, json: { type: 'boolean', default: false },
  },
});
if (!a.model || (!a.data && !a.cnndm)) {
  console.error(`usage: npm run eval -- --model PATH --data SPEC  (SPEC: ${TEXT_SPEC_USAGE})  or  --cnndm FILE`);
  process.exit(2);
}
const { lm, tokenizer } = loadModel(a.model);
if (!tokenizer) throw new Error(`${a.model}: no tokenizer for this model; text evaluation needs one`);
const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: '{task} |{bar}| {percentage}% | eta {eta_formatted}' }, cliProgress.Presets.shades_classic) : undefined;

if (a.data) {
  const { label, text, unitsText } = readTextSpec(a.data, a['limit-bytes'] === undefined ? undefined : Number(a['limit-bytes']));
  const ids = tokenizer.encode(text);
  const context = Number(a.context ?? lm.config.maxSeq);
  const stride = Number(a.stride ?? Math.max(1, context / 2));
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
  const ex = readCnnDm(a.cnndm).slice(0, Number(a['max-examples']));
  const lead3 = ex.map((e) => ({ target: e.highlights, prediction: e.article.split(/(?<=[.!?])\s+/).slice(0, 3).join('\n') }));
  const gen: { target: string; prediction: string }[] = [];
  bar?.start(ex.length, 0, { task: 'summaries' });
  for (const e of ex) {
    const budget = lm.config.maxSeq - Number(a['summary-tokens']) - 8;
    const prompt = tokenizer.encode(`${e.article}\nTL;DR:`).slice(-budget);
    gen.push({ target: e.highlights, prediction: tokenizer.decode(greedy(lm, prompt, Number(a['summary-tokens']))) });
    bar?.update(gen.length);
  }
  bar?.stop();
  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${(100 * v).toFixed(2)}`).join(' / ');
  console.log(`CNN/DailyMail-format file ${a.cnndm}, ${ex.length} examples, rouge_score-compatible F1 with Porter stemming`);
  console.log(`lead-3 baseline: ${fmt(corpusRouge(lead3))}`);
  console.log(`model (greedy after "TL;DR:"): ${fmt(corpusRouge(gen))}`);
}
