// npm run params                      list every chip parameter (name, type, value, range, doc)
// npm run params -- --json            the same as JSON
// npm run params -- set a.b=V [...]   edit dsl/params.ts in place (validated; formatting and comments kept)
import { parseCli, runCli, UsageError, UserError } from '../src/cli/args.js';

const USAGE = 'npm run params [-- --json] [--file FILE]   |   npm run params -- set path=value [path=value ...] [--file FILE]';
const OPTIONS = `Lists the chip's parameters (name, type, value, range, description), or edits the parameter file in place
(each value checked against its declared range; formatting and comments kept).
  set path=value ...   set parameters, e.g. set lif.neurons=32
  --json               list as JSON
  --file FILE          the parameter file (default dsl/params.ts)
  -h, --help           this text`;

await runCli(USAGE, async () => {
  const { values: a, positionals } = parseCli({ allowPositionals: true, options: { json: { type: 'boolean', default: false }, file: { type: 'string' } } });
  if (positionals.length && positionals[0] !== 'set') throw new UsageError(`unknown arguments: ${positionals.join(' ')} (try: npm run params, npm run params -- set lif.neurons=32)`);
  if (positionals[0] === 'set' && positionals.length < 2) throw new UsageError('set needs at least one path=value');
  // ts-morph loads here, not for --help or a bad option
  const { ParamEditError, listParams, setParams, DEFAULT_PARAM_FILE } = await import('../src/params/edit.js');
  const file = a.file ?? DEFAULT_PARAM_FILE;
  try {
    if (positionals[0] === 'set') {
      for (const c of setParams(positionals.slice(1), file)) console.log(`${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.value)}`);
      console.log(`updated ${file}; run \`npm run elaborate\` to regenerate the RTL`);
    } else if (a.json) {
      console.log(JSON.stringify(listParams(file), null, 2));
    } else {
      const rows = listParams(file).map((e) => [e.path, e.kind, JSON.stringify(e.value), e.kind === 'int' ? `${e.min}..${e.max}` : e.kind === 'enum' ? e.choices!.join('|') : 'true|false', e.doc]);
      const head = ['parameter', 'type', 'value', 'range', 'description'];
      const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(w[i]!) : c)).join('  ');
      console.log(line(head));
      for (const r of rows) console.log(line(r));
    }
  } catch (e) {
    if (e instanceof ParamEditError) throw new UserError(e.message);
    throw e;
  }
}, OPTIONS);
