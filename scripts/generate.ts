// npm run generate -- --model PATH [--prompt TEXT | --ids 1,2,3] [--max N] [--mode greedy|sample|beam]
//                     [--temperature T] [--top-k K] [--seed S] [--beams B] [--length-penalty A]
import { parseArgs } from 'node:util';
import { beamSearch, greedy, sample } from '../src/lm/generate.js';
import { loadModel } from '../src/lm/load.js';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string' }, prompt: { type: 'string' }, ids: { type: 'string' }, max: { type: 'string', default: '64' },
    mode: { type: 'string', default: 'greedy' }, temperature: { type: 'string', default: '0.8' }, 'top-k': { type: 'string', default: '40' },
    seed: { type: 'string', default: '1' }, beams: { type: 'string', default: '4' }, 'length-penalty': { type: 'string', default: '0' },
  },
});
if (!a.model) {
  console.error('usage: npm run generate -- --model PATH [--prompt TEXT | --ids 1,2,3] [--mode greedy|sample|beam] [--max N]');
  process.exit(2);
}
const { lm, tokenizer } = loadModel(a.model);
const prompt = a.ids ? a.ids.split(',').map(Number) : tokenizer ? tokenizer.encode(a.prompt ?? '\n') : [1];
const max = Number(a.max);
const t0 = performance.now();
let out: number[];
if (a.mode === 'greedy') out = greedy(lm, prompt, max);
else if (a.mode === 'sample') out = sample(lm, prompt, max, { temperature: Number(a.temperature), topK: Number(a['top-k']), seed: Number(a.seed) });
else if (a.mode === 'beam') {
  const beams = beamSearch(lm, prompt, max, Number(a.beams), Number(a['length-penalty']));
  out = beams[0]!.tokens;
  console.error(`beam search: ${beams.length} beams, best log-prob ${beams[0]!.logProb.toFixed(3)}`);
} else throw new Error(`--mode must be greedy, sample or beam, got ${a.mode}`);
const s = (performance.now() - t0) / 1000;
if (tokenizer) console.log(tokenizer.decode(prompt) + tokenizer.decode(out));
console.log(`ids: ${out.join(' ')}`);
console.error(`${out.length} tokens in ${s.toFixed(2)} s (${(out.length / s).toFixed(1)} tokens/s, ${a.mode}, CPU, measured)`);
