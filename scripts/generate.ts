// npm run generate -- --model PATH [--prompt TEXT | --ids 1,2,3] [--max N] [--mode greedy|sample|beam]
//                     [--temperature T] [--top-k K] [--seed S] [--beams B] [--length-penalty A]
import { choiceArg, intArg, numArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { beamSearch, greedy, sample } from '../src/lm/generate.js';
import { loadModel } from '../src/lm/load.js';

const USAGE = 'npm run generate -- --model PATH [--prompt TEXT | --ids 1,2,3] [--mode greedy|sample|beam] [--max N] [--temperature T] [--top-k K] [--seed S] [--beams B] [--length-penalty A]';

const OPTIONS = `Generates tokens from a prompt with the TS dense forward (CPU).
  --model PATH            Hugging Face folder or llama2.c .bin
  --prompt TEXT           text prompt (needs the model's tokenizer; default a newline)
  --ids 1,2,3             prompt as token ids instead
  --mode greedy|sample|beam   decoding (default greedy)
  --max N                 new tokens (default 64)
  --temperature T         sample: temperature (default 0.8)
  --top-k K               sample: keep the K most likely tokens, 0 for all (default 40)
  --seed S                sample: random seed (default 1)
  --beams B               beam: beam width (default 4)
  --length-penalty A      beam: length penalty exponent (default 0)
  -h, --help              this text`;

await runCli(USAGE, () => {
  const { values: a } = parseCli({
    options: {
      model: { type: 'string' }, prompt: { type: 'string' }, ids: { type: 'string' }, max: { type: 'string' }, mode: { type: 'string' },
      temperature: { type: 'string' }, 'top-k': { type: 'string' }, seed: { type: 'string' }, beams: { type: 'string' }, 'length-penalty': { type: 'string' },
    },
  });
  if (!a.model) throw new UsageError('--model is required');
  if (a.prompt !== undefined && a.ids !== undefined) throw new UsageError('give --prompt or --ids, not both');
  const mode = choiceArg('mode', a.mode, ['greedy', 'sample', 'beam'] as const);
  const max = intArg('max', a.max, 64, { min: 1, max: 1_000_000 });
  const { lm, tokenizer } = loadModel(a.model);
  const V = lm.config.vocabSize;
  const prompt = a.ids !== undefined ? a.ids.split(',').map((s) => intArg('ids', s, 0, { min: 0, max: V - 1, maxIs: 'the vocabulary' })) : tokenizer ? tokenizer.encode(a.prompt ?? '\n') : [1];
  if (prompt.length === 0) throw new UsageError('the prompt is empty');
  const t0 = performance.now();
  let out: number[];
  if (mode === 'greedy') out = greedy(lm, prompt, max);
  else if (mode === 'sample') {
    const o = { temperature: numArg('temperature', a.temperature, 0.8, { min: 1e-6, max: 100 }), topK: intArg('top-k', a['top-k'], 40, { min: 0, max: V, maxIs: 'the vocabulary; 0: no limit' }), seed: intArg('seed', a.seed, 1, { min: 0, max: 2 ** 32 - 1 }) };
    out = sample(lm, prompt, max, o);
  } else {
    const beams = beamSearch(lm, prompt, max, intArg('beams', a.beams, 4, { min: 1, max: 64 }), numArg('length-penalty', a['length-penalty'], 0, { min: 0, max: 10 }));
    out = beams[0]!.tokens;
    console.error(`beam search: ${beams.length} beams, best log-prob ${beams[0]!.logProb.toFixed(3)}`);
  }
  const s = (performance.now() - t0) / 1000;
  if (tokenizer) console.log(tokenizer.decode(prompt) + tokenizer.decode(out));
  console.log(`ids: ${out.join(' ')}`);
  console.error(`${out.length} tokens in ${s.toFixed(2)} s (${(out.length / s).toFixed(1)} tokens/s, ${mode}, CPU, measured)`);
}, OPTIONS);
