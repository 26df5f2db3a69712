// Lists and edits the chip parameter file in place with ts-morph, preserving its formatting and comments.
// Only the value argument of a p.int/p.enum/p.bool call changes; ranges and docs are read from the file.
import path from 'node:path';
import { Node, Project, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { PROJECT_ROOT } from '../hdl/srcloc.js';

export const DEFAULT_PARAM_FILE = path.join(PROJECT_ROOT, 'dsl', 'params.ts');
export const PARAM_EXPORT = 'chipParams';

export interface ParamEntry {
  path: string;
  kind: 'int' | 'enum' | 'bool';
  value: number | string | boolean;
  min?: number;
  max?: number;
  choices?: string[];
  doc: string;
  /** file:line of the value */
  loc: string;
}

export class ParamEditError extends Error {}

function open(file: string): SourceFile {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true, compilerOptions: { allowJs: false } });
  return project.addSourceFileAtPath(file);
}

function rootObject(sf: SourceFile): ObjectLiteralExpression {
  const decl = sf.getVariableDeclaration(PARAM_EXPORT);
  const init = decl?.getInitializer();
  if (!init || !Node.isObjectLiteralExpression(init)) throw new ParamEditError(`${sf.getFilePath()}: no \`export const ${PARAM_EXPORT} = { ... }\` object literal found`);
  return init;
}

function literal(node: Node): number | string | boolean {
  if (Node.isNumericLiteral(node)) return node.getLiteralValue();
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken) return -literal(node.getOperand());
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  if (node.getKind() === SyntaxKind.TrueKeyword) return true;
  if (node.getKind() === SyntaxKind.FalseKeyword) return false;
  throw new ParamEditError(`${node.getSourceFile().getBaseName()}:${node.getStartLineNumber()}: '${node.getText()}' is not a literal value`);
}

function docOf(node: Node): string {
  const ranges = node.getLeadingCommentRanges();
  const last = ranges[ranges.length - 1];
  if (!last) return '';
  return last
    .getText()
    .replace(/^\/\*\*?|\*\/$/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\*?\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
}

interface Found {
  entry: ParamEntry;
  call: CallExpression;
}

function walk(obj: ObjectLiteralExpression, prefix: string, out: Found[]): void {
  for (const prop of obj.getProperties()) {
    if (!Node.isPropertyAssignment(prop)) continue;
    const name = prop.getName();
    const key = prefix ? `${prefix}.${name}` : name;
    const init = prop.getInitializerOrThrow();
    if (Node.isObjectLiteralExpression(init)) {
      walk(init, key, out);
      continue;
    }
    if (!Node.isCallExpression(init)) continue;
    const callee = init.getExpression().getText();
    const m = /^p\.(int|enum|bool)$/.exec(callee);
    if (!m) continue;
    const kind = m[1] as ParamEntry['kind'];
    const args = init.getArguments();
    const entry: ParamEntry = { path: key, kind, value: literal(args[0]!), doc: docOf(prop), loc: `${path.relative(PROJECT_ROOT, init.getSourceFile().getFilePath())}:${args[0]!.getStartLineNumber()}` };
    if (kind === 'int') {
      const range = args[1];
      if (range && Node.isObjectLiteralExpression(range)) {
        for (const r of range.getProperties()) {
          if (Node.isPropertyAssignment(r) && (r.getName() === 'min' || r.getName() === 'max')) entry[r.getName() as 'min' | 'max'] = literal(r.getInitializerOrThrow()) as number;
        }
      }
    } else if (kind === 'enum') {
      const arr = args[1];
      if (arr && Node.isArrayLiteralExpression(arr)) entry.choices = arr.getElements().map((e) => String(literal(e)));
    }
    out.push({ entry, call: init });
  }
}

function find(sf: SourceFile): Found[] {
  const out: Found[] = [];
  walk(rootObject(sf), '', out);
  return out;
}

export function listParams(file = DEFAULT_PARAM_FILE): ParamEntry[] {
  return find(open(file)).map((f) => f.entry);
}

/** Parses and validates a textual value for a parameter; returns its TS source text. */
export function validateValue(e: ParamEntry, raw: string): { value: number | string | boolean; text: string } {
  if (e.kind === 'int') {
    if (!/^-?\d+$/.test(raw.trim())) throw new ParamEditError(`${e.path}: '${raw}' is not an integer (declared at ${e.loc}, allowed ${e.min}..${e.max})`);
    const v = Number(raw);
    if ((e.min !== undefined && v < e.min) || (e.max !== undefined && v > e.max)) throw new ParamEditError(`${e.path}: ${v} is outside the allowed range ${e.min}..${e.max} (declared at ${e.loc})`);
    return { value: v, text: String(v) };
  }
  if (e.kind === 'enum') {
    const v = raw.trim().replace(/^['"]|['"]$/g, '');
    if (!e.choices?.includes(v)) throw new ParamEditError(`${e.path}: '${v}' is not one of ${e.choices?.map((c) => `'${c}'`).join(', ')} (declared at ${e.loc})`);
    return { value: v, text: `'${v}'` };
  }
  if (raw !== 'true' && raw !== 'false') throw new ParamEditError(`${e.path}: '${raw}' is not true or false (declared at ${e.loc})`);
  return { value: raw === 'true', text: raw };
}

/** Sets `path=value` assignments in the file in place; all are validated before anything is written. */
export function setParams(assignments: readonly string[], file = DEFAULT_PARAM_FILE): { path: string; old: ParamEntry['value']; value: ParamEntry['value'] }[] {
  const sf = open(file);
  const found = find(sf);
  const plan = assignments.map((a) => {
    const eq = a.indexOf('=');
    if (eq < 1) throw new ParamEditError(`'${a}': expected path=value, e.g. lif.neurons=32`);
    const key = a.slice(0, eq).trim();
    const f = found.find((x) => x.entry.path === key);
    if (!f) throw new ParamEditError(`unknown parameter '${key}'; parameters: ${found.map((x) => x.entry.path).join(', ')}`);
    return { f, ...validateValue(f.entry, a.slice(eq + 1)) };
  });
  for (const { f, text } of plan) f.call.getArguments()[0]!.replaceWithText(text);
  sf.saveSync();
  return plan.map(({ f, value }) => ({ path: f.entry.path, old: f.entry.value, value }));
}
