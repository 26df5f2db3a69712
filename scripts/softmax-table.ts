// npm run softmax-table [-- --limit-bytes N --context N --stride N --rows N --json]
// The attention unit's softmax approximations (docs/attention.md) against the exact softmax: max and mean absolute
// error of the attention weights on random scores and on the reference models' own pre-softmax scores, and the
// models' perplexity when only the softmax is replaced (same text, same strided protocol). Prints a markdown table.
import { intArg, parseCli, runCli } from '../src/cli/args.js';
import { exactSoftmax, unitSoftmax, type SoftmaxHook } from '../src/lm/attention-hook.js';
import { readTextSpec } from '../src/lm/data/text-spec.js';
import { loadModel } from '../src/lm/load.js';
import { perplexity } from '../src/lm/metrics/perplexity.js';
import { Rng } from '../src/util/random.js';

const USAGE = 'npm run softmax-table -- [--limit-bytes N] [--context N] [--stride N] [--rows N] [--json]';
const OPTIONS = `Prints the error of the attention unit's softmax approximations against the exact softmax (random scores and
the reference models' own), and the models' perplexity with only the softmax replaced.
  --limit-bytes N   bytes of sotu:test text per model (default 20000)
  --context N       window length (default 128, the reference models' context)
  --stride N        window stride (default context - 1)
  --rows N          random score rows (default 4000)
  --json            print JSON
  -h, --help        this text`;
const MODELS = ['models/sotu-gelu', 'models/sotu-relu'] as const;
/** the approximations measured: f = 0..4 at F = 10, and F = 8, 12 at f = 3 */
const APPROX = [...[0, 1, 2, 3, 4].map((f) => ({ f, F: 10 })), { f: 3, F: 8 }, { f: 3, F: 12 }];
const RANDOM_SIGMA = 2;

/** Absolute errors of approximate weights against exact ones, over every weight of every row seen. */
class ErrorStats {
  max = 0;
  sum = 0;
  count = 0;
  add(approx: Float32Array, exact: Float32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const e = Math.abs(approx[i]! - exact[i]!);
      if (e > this.max) this.max = e;
      this.sum += e;
    }
    this.count += n;
  }
  get mean(): number {
    return this.sum / this.count;
  }
}

await runCli(USAGE, () => {
  const { values: a } = parseCli({ options: { 'limit-bytes': { type: 'string' }, context: { type: 'string' }, stride: { type: 'string' }, rows: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const limitBytes = intArg('limit-bytes', a['limit-bytes'], 20_000, { min: 1000 });
  const context = intArg('context', a.context, 128, { min: 2, max: 128, maxIs: "the reference models' context" });
  const stride = intArg('stride', a.stride, context - 1, { min: 1, max: context - 1, maxIs: 'the context less one' });
  const rows = intArg('rows', a.rows, 4000, { min: 1 });
  const t0 = performance.now();
  const hooks = APPROX.map(({ f, F }) => unitSoftmax(f, F));
  const newStats = () => APPROX.map(() => new ErrorStats());
  const scratch = new Float32Array(context);
  const exactCopy = new Float32Array(context);
  /** Records the errors of every approximation on a row, then leaves the exact weights in x. */
  const measure = (stats: ErrorStats[]): SoftmaxHook => (x, off, n) => {
    exactCopy.set(x.subarray(off, off + n));
    exactSoftmax(x, off, n, 0, 0);
    const exact = x.subarray(off, off + n);
    for (let k = 0; k < hooks.length; k++) {
      scratch.set(exactCopy.subarray(0, n));
      hooks[k]!(scratch, 0, n, 0, 0);
      stats[k]!.add(scratch, exact, n);
    }
  };

  // random scores: rows of 2..context Gaussian scores (natural-log units, sigma 2)
  const rng = new Rng(20261202);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const random = newStats();
  const row = new Float32Array(context);
  const measureRandom = measure(random);
  for (let r = 0; r < rows; r++) {
    const n = rng.int(2, context);
    for (let i = 0; i < n; i++) row[i] = RANDOM_SIGMA * gauss();
    measureRandom(row, 0, n, 0, 0);
  }

  const { text, label } = readTextSpec('sotu:test', limitBytes);
  const models = MODELS.map((path) => {
    const { lm, tokenizer } = loadModel(path);
    const ids = tokenizer!.encode(text);
    const ppl = (hook: SoftmaxHook | undefined) => {
      lm.softmaxHook = hook;
      const r = perplexity(lm, ids, context, stride);
      lm.softmaxHook = undefined;
      return r.perplexity;
    };
    const exact = ppl(undefined);
    // the models' own scores, from a run with the exact softmax through the hook (its perplexity is the baseline)
    const real = newStats();
    const hookedExact = ppl(measure(real));
    const approx = hooks.map((h) => ppl(h));
    return { path, tokens: ids.length, exact, hookedExact, real, approx };
  });

  const seconds = (performance.now() - t0) / 1000;
  if (a.json) {
    console.log(JSON.stringify({ label, limitBytes, context, stride, rows, approx: APPROX, random, models }, null, 2));
    return;
  }
  const e = (x: number) => x.toExponential(2);
  const errs = (s: ErrorStats) => `${s.max.toFixed(4)} / ${e(s.mean)}`;
  const pp = (x: number, base: number) => `${x.toFixed(4)} (${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(2)}%)`;
  const [g, r] = models as [(typeof models)[0], (typeof models)[0]];
  console.log(`<!-- npm run softmax-table${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}, ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s -->`);
  console.log(`Text: ${label}, first ${limitBytes} bytes (${g.tokens} tokens); perplexity per token, strided windows of ${context}, stride ${stride}. Random scores: ${rows} rows of 2..${context} scores, N(0, ${RANDOM_SIGMA}^2) in natural-log units. Errors are |p_approx - p_exact| over every attention weight, max / mean.`);
  console.log('');
  console.log('| softmax | f | F | random scores | sotu-gelu scores | sotu-relu scores | sotu-gelu perplexity | sotu-relu perplexity |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| exact (float, default path) | | | | | | ${g.exact.toFixed(4)} | ${r.exact.toFixed(4)} |`);
  console.log(`| exact (float, through the hook) | | | 0 | 0 | 0 | ${pp(g.hookedExact, g.exact)} | ${pp(r.hookedExact, r.exact)} |`);
  APPROX.forEach(({ f, F }, k) => {
    const name = f === 0 ? 'power of two (shift only)' : `LUT of ${2 ** f}`;
    console.log(`| ${name} | ${f} | ${F} | ${errs(random[k]!)} | ${errs(g.real[k]!)} | ${errs(r.real[k]!)} | ${pp(g.approx[k]!, g.exact)} | ${pp(r.approx[k]!, r.exact)} |`);
  });
}, OPTIONS);
