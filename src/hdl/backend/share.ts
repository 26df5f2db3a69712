// Common-subexpression naming and long-line splitting: the backend pass that keeps generated Verilog readable.
//
// The DSL builds DAGs (one Expr object used in several places), and generators often rebuild the same
// expression (same operator, types and operands). Emitted as nested strings, both repeat text. This pass:
//  1. identifies nodes by structure (hash-consing: same kind, operator, type and operands -> one node), so an
//     object used twice and two equal objects built apart are the same node;
//  2. counts the references to each node over everything the module emits (a root is counted once per time it
//     is written: an `if` condition that appears in three always blocks counts three);
//  3. writes a compound node referenced twice or more as a name: the wire a continuous `assign w = <node>` of the
//     design already drives (`w` itself), else a new wire `<target>_<op>` (target: the signal whose assignment
//     first uses it), declared with the node's exact type and assigned once, at module level;
//  4. splits a line longer than LINE_LIMIT by moving its largest compound subexpressions into wires too (and
//     long concatenations into groups), bottom-up, so every wire's own line fits as well.
// Every expression is pure, and a wire reads exactly the signals its node read, so no combinational path is
// added or removed (a comb signal that reads itself is an E0301 error before emission). Leaves and cheap
// nodes (a cast or slice of a signal) are never named.
import { Expr, type Signal } from '../expr.js';
import { IDENT, VERILOG_KEYWORDS } from '../module.js';
import type { SrcLoc } from '../srcloc.js';
import { UInt } from '../types.js';
import { ExprEmitter, type ExprName, type ExprNames } from './expr-emit.js';

/** No generated line is longer than this (a single literal or name that is longer on its own is left alone). */
export const LINE_LIMIT = 160;

export function locator(loc: SrcLoc | undefined): string {
  return loc ? ` // @[${loc.file} ${loc.line}:${loc.col}]` : '';
}

/** Drops one pair of redundant outer parentheses, for statements and conditions. */
export function bare(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0 && i < text.length - 1) return text;
  }
  return text.slice(1, -1);
}

/** A wire the backend made for a subexpression. */
export interface DerivedNet {
  name: string;
  expr: Expr;
  /** `shared`: referenced more than once; `split`: moved out of a line that was too long */
  reason: 'shared' | 'split';
  /** the signal (or memory, or instance port) whose assignment first used it */
  usedBy: string;
  op: string;
  loc: SrcLoc | undefined;
}

/** An expression in a line: written bare (outer parentheses dropped), or extended to `width`. */
export interface RootPart {
  e: Expr;
  width?: number;
  bare?: boolean;
  /** the continuous target this is the value of: never written as its own name */
  target?: Signal;
}

export type Part = string | RootPart;

const isRoot = (p: Part): p is RootPart => typeof p !== 'string';

/** Operands of a node as the emitter writes them (an unsigned shift by its width or more writes a literal). */
function operands(e: Expr): readonly Expr[] {
  const n = e.node;
  switch (n.kind) {
    case 'const':
    case 'ref':
      return [];
    case 'unop':
    case 'slice':
    case 'resize':
    case 'reinterpret':
      return [n.a];
    case 'shift':
      return n.op === 'shr' && n.amount >= n.a.width && !n.a.signed ? [] : [n.a];
    case 'binop':
      return [n.a, n.b];
    case 'mux':
      return [n.cond, n.a, n.b];
    case 'concat':
      return n.parts;
  }
}

/** The operand of a cast or slice (a node that is cheap around a name). */
function castOperand(e: Expr): Expr | undefined {
  const n = e.node;
  return n.kind === 'resize' || n.kind === 'reinterpret' || n.kind === 'slice' ? n.a : undefined;
}

/** A resize to fewer bits than its operand. */
function truncates(e: Expr): boolean {
  return e.node.kind === 'resize' && e.width < e.node.a.width;
}

/** Leaves, and casts and slices of leaves: cheap enough to repeat, never named. */
export function isCheap(e: Expr): boolean {
  const n = e.node;
  if (n.kind === 'const' || n.kind === 'ref') return true;
  if (n.kind === 'slice' || n.kind === 'resize' || n.kind === 'reinterpret') return isCheap(n.a);
  return false;
}

const BINOP_NAMES: Record<string, string> = { addw: 'add', subw: 'sub', shlv: 'shl', shrv: 'shr' };
const UNOP_NAMES: Record<string, string> = { redand: 'all', redor: 'any', redxor: 'parity' };

/** The `<op>` part of a derived name. */
export function opName(e: Expr): string {
  const n = e.node;
  switch (n.kind) {
    case 'binop':
      return BINOP_NAMES[n.op] ?? n.op;
    case 'unop':
      return UNOP_NAMES[n.op] ?? n.op;
    case 'shift':
      return n.op;
    case 'mux':
      return 'mux';
    case 'slice':
      return 'bits';
    case 'concat':
      return 'cat';
    case 'resize':
      return e.width > n.a.width ? 'ext' : 'trunc';
    case 'reinterpret':
      return 'cast';
    default:
      return 't';
  }
}

/** A concatenation made by the backend (a group of a long concatenation's parts); not an IR object. */
function groupOf(parts: Expr[], loc: SrcLoc | undefined): Expr {
  const x = Object.create(Expr.prototype) as Expr;
  Object.assign(x, { type: UInt(parts.reduce((s, p) => s + p.width, 0)), node: { kind: 'concat', parts }, loc });
  return x;
}

/**
 * One module's naming state. Used in two passes over the same emission code: first `line()` only counts
 * references; after `beginEmission()` it returns text, naming nodes on first use.
 */
export class SubexprNamer implements ExprNames {
  emitter = new ExprEmitter(this);
  /** definitions made so far, children before the nodes that use them */
  derived: DerivedNet[] = [];
  // what the counting pass found (kept by restart())
  private counting = true;
  private ids = new Map<Expr, number>();
  private keys = new Map<string, number>();
  private reps: Expr[] = [];
  private signalIds = new Map<Signal, number>();
  private refs: number[] = [];
  private counted = new Set<number>();
  private wires = new Map<number, Signal>();
  private readonly moduleNames: ReadonlySet<string>;
  // one emission's state
  private preferred: ReadonlyMap<number, string> = new Map();
  private usedPreferred = new Set<string>();
  private names = new Map<number, ExprName>();
  private info = new Map<number, DerivedNet>();
  private idOfNet = new Map<DerivedNet, number>();
  private replaced = new Map<number, Expr>();
  private defined = new Set<number>();
  private pending: string[] = [];
  private taken: Set<string>;
  private next = new Map<string, number>();
  private ctx = '';
  /** the node above each node of the expression being fitted */
  private parent = new Map<Expr, Expr>();

  /** `taken`: every name already declared in the module (signals, memories, instances, ports). */
  constructor(taken: Iterable<string>) {
    this.moduleNames = new Set(taken);
    this.taken = new Set(this.moduleNames);
  }

  /**
   * Starts another emission with the same counts, giving nodes (by `id`) the `preferred` names where they get
   * one (from `renumbering()` of the previous emission); the emission code runs again from the top.
   */
  restart(preferred: ReadonlyMap<number, string>): void {
    this.emitter = new ExprEmitter(this);
    this.derived = [];
    this.preferred = preferred;
    this.usedPreferred = new Set();
    this.names = new Map();
    this.info = new Map();
    this.idOfNet = new Map();
    this.replaced = new Map();
    this.defined = new Set();
    this.pending = [];
    this.taken = new Set([...this.moduleNames, ...preferred.values()]);
    this.next = new Map();
  }

  /** The structural identity of `e`: equal for nodes of one kind, operator, type and operands. */
  id(e: Expr): number {
    const known = this.ids.get(e);
    if (known !== undefined) return known;
    const n = e.node;
    const t = `${e.signed ? 's' : 'u'}${e.width}`;
    let key: string;
    if (n.kind === 'const') key = `k${t}:${n.value}`;
    else if (n.kind === 'ref') {
      let s = this.signalIds.get(n.signal);
      if (s === undefined) this.signalIds.set(n.signal, (s = this.signalIds.size));
      key = `r${s}`;
    } else {
      const kids: Expr[] = n.kind === 'mux' ? [n.cond, n.a, n.b] : n.kind === 'concat' ? n.parts : n.kind === 'binop' ? [n.a, n.b] : [n.a];
      const extra = n.kind === 'shift' ? `${n.op}${n.amount}` : n.kind === 'slice' ? `${n.hi}:${n.lo}` : 'op' in n ? n.op : '';
      key = `${n.kind}.${extra}.${t}(${kids.map((k) => this.id(k)).join(',')})`;
    }
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.reps.length;
      this.keys.set(key, id);
      this.reps.push(e);
    }
    this.ids.set(e, id);
    return id;
  }

  private count(e: Expr): void {
    const c = this.id(e);
    this.refs[c] = (this.refs[c] ?? 0) + 1;
    if (this.counted.has(c)) return;
    this.counted.add(c);
    for (const k of operands(e)) this.count(k);
  }

  /** Ends counting. `wires`: the continuous assignments of the module (target, value), in emission order. */
  beginEmission(wires: Iterable<[Signal, Expr]>): void {
    this.counting = false;
    for (const [w, e] of wires) {
      const c = this.id(e);
      if (!isCheap(e) && !this.wires.has(c) && e.width === w.width && e.signed === w.signed) this.wires.set(c, w);
    }
  }

  get isCounting(): boolean {
    return this.counting;
  }

  nameOf(e: Expr): ExprName | undefined {
    if (this.counting) return undefined;
    const c = this.id(e);
    const w = this.wires.get(c);
    if (w) return (this.refs[c] ?? 0) >= 2 ? { name: w.name, select: true } : undefined;
    const named = this.names.get(c);
    if (named) return named;
    // named at its first use (no memoized text can hold it inline yet)
    if ((this.refs[c] ?? 0) >= 2 && !this.castOfName(this.reps[c]!)) return this.give(c, 'shared');
    return undefined;
  }

  /** Cheap now: a leaf, or casts and slices around a leaf or a name. */
  private castOfName(e: Expr): boolean {
    let x = e;
    for (let a = castOperand(x); a; a = castOperand(x)) {
      if (this.nameOf(a)) return true;
      x = a;
    }
    return isCheap(x);
  }

  replacement(e: Expr): Expr | undefined {
    return this.replaced.size ? this.replaced.get(this.id(e)) : undefined;
  }

  /** The first of `base`, `base_2`, `base_3`, ... that is a usable identifier not in `used` (which gets it). */
  private fresh(base: string, used: Set<string>, next: Map<string, number>): string {
    let i = next.get(base) ?? 1;
    let name = i === 1 ? base : `${base}_${i}`;
    while (used.has(name) || !IDENT.test(name) || VERILOG_KEYWORDS.has(name)) name = `${base}_${++i}`;
    next.set(base, i + 1);
    used.add(name);
    return name;
  }

  /** Names node `c` after the current context: `<ctx>_<op>`, then `<ctx>_<op>_2`, ... (or its preferred name). */
  private give(c: number, reason: DerivedNet['reason']): ExprName {
    const e = this.reps[c]!;
    const op = opName(e);
    let name = this.preferred.get(c);
    if (name === undefined || this.usedPreferred.has(name)) {
      name = this.fresh(`${this.ctx}_${op}`, this.taken, this.next);
    } else this.usedPreferred.add(name);
    const named = { name, select: false };
    this.names.set(c, named);
    const info = { name, expr: e, reason, usedBy: this.ctx, op, loc: e.loc };
    this.info.set(c, info);
    this.idOfNet.set(info, c);
    return named;
  }

  /**
   * Names are numbered in the order nodes are first met, which can differ from the order the wires are declared
   * (a wire's operands are declared before it). The canonical names: per `<ctx>_<op>`, numbered in declaration
   * order, clear of the module's own names. Undefined when the names given already are those.
   */
  renumbering(): Map<number, string> | undefined {
    const used = new Set(this.moduleNames);
    const next = new Map<string, number>();
    const out = new Map<number, string>();
    let changed = false;
    for (const d of this.derived) {
      const name = this.fresh(`${d.usedBy}_${d.op}`, used, next);
      if (name !== d.name) changed = true;
      out.set(this.idOfNet.get(d)!, name);
    }
    return changed ? out : undefined;
  }

  private operandsOf(e: Expr): readonly Expr[] {
    return operands(this.replacement(e) ?? e);
  }

  private text(p: RootPart, self: boolean): string {
    const t = p.width !== undefined ? this.emitter.extend(p.e, p.width, self) : this.emitter.emit(p.e, self).text;
    return p.bare ? bare(t) : t;
  }

  private isSelf(p: RootPart): boolean {
    return p.target !== undefined && this.wires.get(this.id(p.e)) === p.target;
  }

  /**
   * One line of output made of fixed text and expressions. Counting pass: counts the expressions' references
   * and returns ''. Emission: returns the line, kept within LINE_LIMIT where names can do it; the definitions
   * of the wires it references (and theirs) wait in `drain()`.
   */
  line(parts: readonly Part[], ctx: string): string {
    const roots = parts.filter(isRoot);
    if (this.counting) {
      for (const p of roots) this.count(p.e);
      return '';
    }
    this.ctx = ctx;
    const fixed = parts.reduce((s, p) => s + (isRoot(p) ? 0 : p.length), 0);
    for (const p of roots) this.fit(p.e, LINE_LIMIT - fixed, this.isSelf(p), () => this.text(p, this.isSelf(p)).length);
    // several expressions on one line (memory ports): move whole ones out, largest first, until it fits
    while (roots.length > 1) {
      const lens = roots.map((p) => this.text(p, this.isSelf(p)).length);
      if (fixed + lens.reduce((s, l) => s + l, 0) <= LINE_LIMIT) break;
      let best = -1;
      roots.forEach((p, i) => {
        if (!isCheap(p.e) && !this.nameOf(p.e) && lens[i]! > ctx.length + 8 && (best < 0 || lens[i]! > lens[best]!)) best = i;
      });
      if (best < 0) break;
      this.give(this.id(roots[best]!.e), 'split');
      this.emitter.forget(roots[best]!.e);
    }
    const out = parts.map((p) => (isRoot(p) ? this.text(p, this.isSelf(p)) : p)).join('');
    for (const p of roots) this.defineUses(p.e, this.isSelf(p));
    return out;
  }

  /** Continuous assignments of the wires defined since the last call, each after the wires it reads. */
  drain(): string[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Defines every backend wire the text of `e` references. */
  private defineUses(e: Expr, self: boolean): void {
    if (!self) {
      const named = this.nameOf(e);
      if (named) {
        if (!named.select) this.define(this.id(e));
        return;
      }
    }
    if (isCheap(e)) return;
    for (const k of this.operandsOf(e)) this.defineUses(k, false);
  }

  private define(c: number): void {
    if (this.defined.has(c)) return;
    this.defined.add(c);
    const info = this.info.get(c)!;
    const saved = this.ctx;
    this.ctx = info.usedBy;
    const head = `  assign ${info.name} = `;
    const tail = `;${locator(info.loc)}`;
    const e = info.expr;
    this.fit(e, LINE_LIMIT - head.length - tail.length, true, () => bare(this.emitter.emit(e, true).text).length);
    const text = bare(this.emitter.emit(e, true).text);
    this.defineUses(e, true);
    this.pending.push(head + text + tail);
    this.derived.push(info);
    this.ctx = saved;
  }

  /** The room a node's text has when it becomes a wire of its own (its name estimated). */
  private wireRoom(e: Expr): number {
    return LINE_LIMIT - `  assign ${this.ctx}_${opName(e)}_nn = ;`.length - locator(e.loc).length;
  }

  /** Forgets the memoized texts of `x` and of the nodes above it in the expression being fitted. */
  private stale(x: Expr): void {
    for (let y: Expr | undefined = x; y; y = this.parent.get(y)) this.emitter.forget(y);
  }

  /** Makes the text of `e` fit `limit` (as measured by `measure`), splitting bottom-up. */
  private fit(e: Expr, limit: number, self: boolean, measure: () => number): void {
    if (measure() <= limit || (!self && this.nameOf(e))) return;
    this.parent = new Map();
    const seen = new Set<number>();
    const visit = (x: Expr, up: Expr) => {
      const c = this.id(x);
      if (seen.has(c) || isCheap(x) || this.nameOf(x)) return;
      seen.add(c);
      this.parent.set(x, up);
      for (const k of this.operandsOf(x)) visit(k, x);
      this.shrink(x, this.wireRoom(x), false, () => this.emitter.emit(x).text.length);
    };
    if (!isCheap(e)) for (const k of this.operandsOf(e)) visit(k, e);
    this.shrink(e, limit, self, measure);
  }

  /** Moves operands of `e` into wires (largest first, named in operand order) until `e` fits `limit`. */
  private shrink(e: Expr, limit: number, self: boolean, measure: () => number): void {
    for (;;) {
      const len = measure();
      if (len <= limit || isCheap(e)) return;
      const kids: Expr[] = [];
      const ids = new Set<number>();
      for (let k of this.operandsOf(e)) {
        if (isCheap(k) || this.nameOf(k)) continue;
        // through a cast or slice: the operand becomes the wire, the cast stays with its user
        // (not through a truncation: the wider wire's dropped bits would read as unused)
        for (let a = castOperand(k); a && !isCheap(a) && !this.nameOf(a) && !this.replacement(k) && !truncates(k); a = castOperand(k)) k = a;
        const c = this.id(k);
        if (ids.has(c)) continue;
        ids.add(c);
        kids.push(k);
      }
      const nameLen = this.ctx.length + 8;
      const sized = kids.map((k, i) => ({ i, len: this.emitter.emit(k).text.length })).filter((s) => s.len > nameLen);
      sized.sort((a, b) => b.len - a.len || a.i - b.i);
      const pick = new Set<number>();
      let saved = 0;
      for (const s of sized) {
        if (len - saved <= limit) break;
        pick.add(s.i);
        saved += s.len - nameLen;
      }
      if (pick.size) {
        kids.forEach((k, i) => {
          if (!pick.has(i)) return;
          this.give(this.id(k), 'split');
          this.stale(this.parent.get(k) ?? e);
        });
        this.stale(e);
        continue;
      }
      if (!this.regroup(e)) return;
      this.stale(e);
    }
  }

  /** Splits a long concatenation into groups of parts that each fit a line; false when that cannot shorten it. */
  private regroup(e: Expr): boolean {
    const x = this.replacement(e) ?? e;
    if (x.node.kind !== 'concat' || x.node.parts.length <= 2) return false;
    const room = this.wireRoom(x);
    const groups: Expr[][] = [];
    let cur: Expr[] = [];
    let curLen = 2;
    for (const p of x.node.parts) {
      const l = this.emitter.emit(p).text.length + 2;
      if (cur.length && curLen + l > room) {
        groups.push(cur);
        cur = [];
        curLen = 2;
      }
      cur.push(p);
      curLen += l;
    }
    groups.push(cur);
    if (groups.length <= 1 || groups.length === x.node.parts.length) return false;
    const top = groupOf(groups.map((g) => (g.length === 1 ? g[0]! : groupOf(g, e.loc))), e.loc);
    for (const g of top.node.kind === 'concat' ? top.node.parts : []) if (!x.node.parts.includes(g)) this.parent.set(g, e);
    this.replaced.set(this.id(e), top);
    return true;
  }
}
