// Typed chip parameters with declared ranges. Each p.int/p.enum/p.bool call records where it stands in the
// parameter file, so a bad value is reported at the line the user edits.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import { captureLoc, type SrcLoc } from '../hdl/srcloc.js';

export interface IntParam {
  readonly kind: 'int';
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly loc?: SrcLoc;
}
export interface EnumParam<T extends string = string> {
  readonly kind: 'enum';
  readonly value: T;
  readonly choices: readonly T[];
  readonly loc?: SrcLoc;
}
export interface BoolParam {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly loc?: SrcLoc;
}
export type Param = IntParam | EnumParam | BoolParam;
export type ParamTree = { readonly [k: string]: Param | ParamTree };

export type Resolved<T> = T extends IntParam ? number : T extends EnumParam<infer C> ? C : T extends BoolParam ? boolean : { [K in keyof T]: Resolved<T[K]> };

export const p = {
  int(value: number, range: { min: number; max: number }): IntParam {
    return { kind: 'int', value, min: range.min, max: range.max, loc: captureLoc() };
  },
  enum<const C extends string>(value: NoInfer<C>, choices: readonly C[]): EnumParam<C> {
    return { kind: 'enum', value, choices, loc: captureLoc() };
  },
  bool(value: boolean): BoolParam {
    return { kind: 'bool', value, loc: captureLoc() };
  },
};

export function isParam(x: unknown): x is Param {
  return typeof x === 'object' && x !== null && 'kind' in x && ['int', 'enum', 'bool'].includes((x as Param).kind) && 'value' in x;
}

export function rangeText(q: Param): string {
  if (q.kind === 'int') return `an integer in ${q.min}..${q.max}`;
  if (q.kind === 'enum') return `one of ${q.choices.map((c) => `'${c}'`).join(', ')}`;
  return 'true or false';
}

/** Why `value` is not valid for `q`, or undefined when it is. */
export function invalidReason(q: Param, value: unknown): { key: 'PARAM_RANGE' | 'PARAM_TYPE'; why: string } | undefined {
  if (q.kind === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return { key: 'PARAM_TYPE', why: `${JSON.stringify(value)} is not an integer` };
    if (value < q.min || value > q.max) return { key: 'PARAM_RANGE', why: `${value} is outside ${q.min}..${q.max}` };
  } else if (q.kind === 'enum') {
    if (typeof value !== 'string') return { key: 'PARAM_TYPE', why: `${JSON.stringify(value)} is not a string` };
    if (!q.choices.includes(value)) return { key: 'PARAM_RANGE', why: `'${value}' is not ${rangeText(q)}` };
  } else if (typeof value !== 'boolean') return { key: 'PARAM_TYPE', why: `${JSON.stringify(value)} is not a boolean` };
  return undefined;
}

/** Plain values from a parameter tree; every invalid value is reported (name, allowed range, TS location). */
export function resolveParams<T extends ParamTree>(tree: T): Resolved<T> {
  let out: Resolved<T> | undefined;
  validateAll(() => {
    out = resolveTree(tree, '');
  });
  return out!;
}

function resolveTree<T extends ParamTree>(tree: T, prefix: string): Resolved<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (isParam(v)) {
      const bad = invalidReason(v, v.value);
      if (bad) report(makeDiagnostic(bad.key, `parameter ${name} = ${JSON.stringify(v.value)} is invalid (${bad.why}); allowed: ${rangeText(v)}`, v.loc));
      out[k] = v.value;
    } else out[k] = resolveTree(v as ParamTree, name);
  }
  return out as Resolved<T>;
}

/** For generators: checks a plain value against a range, reporting at the generator's caller. */
export function requireRange(generator: string, name: string, value: number, min: number, max: number, loc: SrcLoc | undefined): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    report(makeDiagnostic('PARAM_RANGE', `${generator}: parameter ${name} = ${value} is outside ${min}..${max}`, loc));
  }
}

export function requireChoice(generator: string, name: string, value: string, choices: readonly string[], loc: SrcLoc | undefined): void {
  if (!choices.includes(value)) report(makeDiagnostic('PARAM_RANGE', `${generator}: parameter ${name} = '${value}' is not one of ${choices.join(', ')}`, loc));
}

/** Where each parameter of a tree is defined, by dotted name ('neuron.vWidth'), for diagnostics about rules between parameters. */
export function paramLocations(tree: ParamTree, prefix = ''): Record<string, SrcLoc | undefined> {
  const out: Record<string, SrcLoc | undefined> = {};
  for (const [k, v] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (isParam(v)) out[name] = v.loc;
    else Object.assign(out, paramLocations(v as ParamTree, name));
  }
  return out;
}
