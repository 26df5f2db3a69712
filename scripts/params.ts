// npm run params                      list every chip parameter (name, type, value, range, doc)
// npm run params -- --json            the same as JSON
// npm run params -- set a.b=V [...]   edit dsl/params.ts in place (validated; formatting and comments kept)
import { ParamEditError, listParams, setParams, DEFAULT_PARAM_FILE } from '../src/params/edit.js';

const args = process.argv.slice(2);
const fileIdx = args.indexOf('--file');
const file = fileIdx >= 0 ? args.splice(fileIdx, 2)[1]! : DEFAULT_PARAM_FILE;
try {
  if (args[0] === 'set') {
    if (args.length < 2) throw new ParamEditError('usage: npm run params -- set path=value [path=value ...]');
    for (const c of setParams(args.slice(1), file)) console.log(`${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.value)}`);
    console.log(`updated ${file}; run \`npm run elaborate\` to regenerate the RTL`);
  } else if (args[0] === '--json') {
    console.log(JSON.stringify(listParams(file), null, 2));
  } else if (args.length === 0) {
    const rows = listParams(file).map((e) => [e.path, e.kind, JSON.stringify(e.value), e.kind === 'int' ? `${e.min}..${e.max}` : e.kind === 'enum' ? e.choices!.join('|') : 'true|false', e.doc]);
    const head = ['parameter', 'type', 'value', 'range', 'description'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(w[i]!) : c)).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
  } else throw new ParamEditError(`unknown arguments: ${args.join(' ')} (try: npm run params, npm run params -- set lif.neurons=32)`);
} catch (e) {
  if (e instanceof ParamEditError) {
    console.error(`error: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
