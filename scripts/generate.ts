// npm run generate -- --model PATH [--snn PROGRAM] [--prompt TEXT | --ids 1,2,3] [--max N] [--mode greedy|sample|beam]
//                     [--temperature T] [--top-k K] [--seed S] [--beams B] [--length-penalty A]
// With --snn the chip program runs on the chip functional model: greedy and sampling on its logits, beam search in
// the spike domain (docs/compiler.md, "Spike-based beam search").
import { readProgram } from '../src/compiler/program.js';
import { choiceArg, intArg, numArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { beamSearch, greedy, sample } from '../src/lm/generate.js';
import { loadModel } from '../src/lm/load.js';
import { snnDecoder, spikeBeamSearch } from '../src/runtime/decode.js';
import { SnnModel } from '../src/runtime/snn.js';
import { checkProgramFor } from './eval-snn.js';

const USAGE = 'npm run generate -- --model PATH [--snn PROGRAM] [--prompt TEXT | --ids 1,2,3] [--mode greedy|sample|beam] [--max N] [--temperature T] [--top-k K] [--seed S] [--beams B] [--length-penalty A]';

const OPTIONS = `Generates tokens from a prompt with the TS dense forward (CPU), or with --snn on the chip functional model.
  --model PATH            Hugging Face folder or llama2.c .bin
  --snn PROGRAM           a chip program compiled from this model (npm run compile): decode on the chip functional
                          model; beam mode is then the spike-based beam search (integer log-probabilities)
  --prompt TEXT           text prompt (needs the model's tokenizer; default a newline)
  --ids 1,2,3             prompt as token ids instead
  --mode greedy|sample|beam   decoding (default greedy)
  --max N                 new tokens (default 64)
  --temperature T         sample: temperature (default 0.8)
  --top-k K               sample: keep the K most likely tokens, 0 for all (default 40)
  --seed S                sample: random seed (default 1)
  --beams B               beam: beam width (default 4)
  --length-penalty A      beam: length penalty exponent (default 0; dense only)
  -h, --help              this text`;

await runCli(USAGE, () => {
  const { values: a } = parseCli({
    options: {
      model: { type: 'string' }, snn: { type: 'string' }, prompt: { type: 'string' }, ids: { type: 'string' }, max: { type: 'string' }, mode: { type: 'string' },
      temperature: { type: 'string' }, 'top-k': { type: 'string' }, seed: { type: 'string' }, beams: { type: 'string' }, 'length-penalty': { type: 'string' },
    },
  });
  if (!a.model) throw new UsageError('--model is required');
  if (a.prompt !== undefined && a.ids !== undefined) throw new UsageError('give --prompt or --ids, not both');
  const mode = choiceArg('mode', a.mode, ['greedy', 'sample', 'beam'] as const);
  const max = intArg('max', a.max, 64, { min: 1, max: 1_000_000 });
  // token ids need no tokenizer (a model without one can still be run on ids)
  const { lm, tokenizer } = loadModel(a.model, { tokenizerOptional: a.ids !== undefined });
  const V = lm.config.vocabSize;
  const prompt = a.ids !== undefined ? a.ids.split(',').map((s) => intArg('ids', s, 0, { min: 0, max: V - 1, maxIs: 'the vocabulary' })) : tokenizer ? tokenizer.encode(a.prompt ?? '\n') : [1];
  if (prompt.length === 0) throw new UsageError('the prompt is empty');
  let snn: SnnModel | undefined;
  if (a.snn) {
    const program = readProgram(a.snn);
    checkProgramFor(program, lm, a.snn);
    snn = new SnnModel(program);
  }
  if (snn && a['length-penalty'] !== undefined) throw new UsageError('--length-penalty: the spike-based beam search (--snn) scores by integer log-probability alone');
  const model = snn ? snnDecoder(snn) : lm;
  const t0 = performance.now();
  let out: number[];
  if (mode === 'greedy') out = greedy(model, prompt, max);
  else if (mode === 'sample') {
    const o = { temperature: numArg('temperature', a.temperature, 0.8, { min: 1e-6, max: 100 }), topK: intArg('top-k', a['top-k'], 40, { min: 0, max: V, maxIs: 'the vocabulary; 0: no limit' }), seed: intArg('seed', a.seed, 1, { min: 0, max: 2 ** 32 - 1 }) };
    out = sample(model, prompt, max, o);
  } else if (snn) {
    const beams = spikeBeamSearch(snn, prompt, max, intArg('beams', a.beams, 4, { min: 1, max: 64 }));
    out = beams[0]!.tokens;
    console.error(`spike-based beam search: ${beams.length} beams, best score ${beams[0]!.score} (integer log-probability, 2^-${snn.program.chip.beam.lutBits} bit units)`);
  } else {
    const beams = beamSearch(lm, prompt, max, intArg('beams', a.beams, 4, { min: 1, max: 64 }), numArg('length-penalty', a['length-penalty'], 0, { min: 0, max: 10 }));
    out = beams[0]!.tokens;
    console.error(`beam search: ${beams.length} beams, best log-prob ${beams[0]!.logProb.toFixed(3)}`);
  }
  const s = (performance.now() - t0) / 1000;
  if (tokenizer) console.log(tokenizer.decode(prompt) + tokenizer.decode(out));
  console.log(`ids: ${out.join(' ')}`);
  console.error(`${out.length} tokens in ${s.toFixed(2)} s (${(out.length / s).toFixed(1)} tokens/s, ${mode}, ${snn ? 'chip functional model' : 'dense'}, CPU, measured)`);
}, OPTIONS);
