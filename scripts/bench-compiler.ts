// Compiler figures for npm run bench: SNN perplexity evaluation of sotu-relu at T = 4 on the chip functional model
// beside the TS dense forward on the same windows (issue goal: the SNN at >= 25 % of dense tokens/s), and the
// spike-based beam search's agreement with float beam search. Measured in one run, CPU, this machine.
import { DEFAULT_CHIP } from '../src/compiler/chip-config.js';
import { compileModel } from '../src/compiler/compile.js';
import { tokenStream } from '../src/compiler/token-stream.js';
import { loadModel } from '../src/lm/load.js';
import { compareBeams } from '../src/runtime/beam-compare.js';
import { fidelity } from '../src/runtime/fidelity.js';
import { SnnModel } from '../src/runtime/snn.js';

type Put = (k: string, v: string) => void;

export async function benchCompiler(put: Put, tokens = 4096): Promise<void> {
  const { lm, tokenizer } = loadModel('models/sotu-relu');
  const cal = tokenStream(lm, tokenizer, 'sotu:train', 8192).ids;
  const test = tokenStream(lm, tokenizer, 'sotu:test', tokens).ids;
  let t = performance.now();
  const program = compileModel(lm, 'models/sotu-relu', DEFAULT_CHIP, { calibration: cal, adcTokens: 256 });
  put('compile sotu-relu (T = 4, multilevel, default chip)', `${((performance.now() - t) / 1000).toFixed(1)} s`);
  // a warm-up window, then the measured pass (windows of 128, stride 127: each model's time on the same windows)
  fidelity(lm, program, test.slice(0, 256), { context: 128, stride: 127, quantized: false });
  const f = fidelity(lm, program, test, { context: 128, stride: 127, quantized: false });
  put(`sotu-relu perplexity, ${f.tokens} tokens: dense / SNN (T = 4)`, `${f.dense.perplexity.toFixed(4)} / ${f.snn.perplexity.toFixed(4)} (${f.deltaPpl.toFixed(2)} %)`);
  put('sotu-relu evaluation speed: dense TS forward / SNN functional model', `${f.dense.tokensPerSecond.toFixed(0)} / ${f.snn.tokensPerSecond.toFixed(0)} tokens/s (${((100 * f.snn.tokensPerSecond) / f.dense.tokensPerSecond).toFixed(1)} % of dense)`);
  put('sotu-relu synaptic operations skipped (activity sparsity, no pruning)', `${(100 * f.synaptic.skipped).toFixed(1)} %`);
  t = performance.now();
  const prompts = Array.from({ length: 6 }, (_, i) => test.slice(i * 500, i * 500 + 32));
  const b = compareBeams(lm, new SnnModel(program), prompts, 20, 4);
  put('spike beam search (4 beams, 6 x 20 steps): same as float on dense / on the SNN', `${((100 * b.sameAsDense) / b.steps).toFixed(1)} % / ${((100 * b.sameAsFloatOnSnn) / b.steps).toFixed(1)} % of steps (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}
