// Pass: no combinational cycles, including cycles through child instances (using each child's input→output paths).
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Signal } from '../expr.js';
import type { Module } from '../module.js';
import type { SrcLoc } from '../srcloc.js';
import { assignments, isCombTarget, signalsRead } from './walk.js';

interface Graph {
  edges: Map<Signal, Set<Signal>>;
  locs: Map<Signal, SrcLoc | undefined>;
}

const pathCache = new WeakMap<Module, Map<string, Set<string>>>();

function graphOf(m: Module): Graph {
  const edges = new Map<Signal, Set<Signal>>();
  const locs = new Map<Signal, SrcLoc | undefined>();
  const dep = (t: Signal, srcs: Iterable<Signal>, loc?: SrcLoc) => {
    const set = edges.get(t) ?? new Set();
    for (const s of srcs) set.add(s);
    edges.set(t, set);
    if (!locs.has(t)) locs.set(t, loc);
  };
  for (const a of assignments(m.stmts)) {
    if (!isCombTarget(a.target)) continue;
    const srcs = new Set(signalsRead(a.value));
    for (const g of a.guards) for (const s of signalsRead(g)) srcs.add(s);
    dep(a.target, srcs, a.loc);
  }
  for (const inst of m.instances) {
    const paths = combPaths(inst.module);
    for (const b of inst.bindings) {
      if (!b.target) continue;
      const srcs = new Set<Signal>();
      for (const inPort of paths.get(b.port) ?? []) {
        const vb = inst.bindings.find((x) => x.port === inPort);
        if (vb?.value) for (const s of signalsRead(vb.value)) srcs.add(s);
      }
      dep(b.target, srcs, b.loc);
    }
  }
  return { edges, locs };
}

/** For each output of `m`, the inputs it depends on combinationally. */
export function combPaths(m: Module): Map<string, Set<string>> {
  const cached = pathCache.get(m);
  if (cached) return cached;
  const { edges } = graphOf(m);
  const result = new Map<string, Set<string>>();
  for (const out of m.ports.filter((p) => p.kind === 'output')) {
    const ins = new Set<string>();
    const seen = new Set<Signal>();
    const stack = [out];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (s.kind === 'input') ins.add(s.name);
      for (const d of edges.get(s) ?? []) stack.push(d);
    }
    result.set(out.name, ins);
  }
  pathCache.set(m, result);
  return result;
}

/** Tarjan's strongly connected components. */
function sccs(edges: Map<Signal, Set<Signal>>): Signal[][] {
  let index = 0;
  const idx = new Map<Signal, number>();
  const low = new Map<Signal, number>();
  const onStack = new Set<Signal>();
  const stack: Signal[] = [];
  const out: Signal[][] = [];
  const strong = (v: Signal) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: Signal[] = [];
      let w: Signal;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp);
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);
  return out;
}

export function checkCombLoops(m: Module): Diagnostic[] {
  const { edges, locs } = graphOf(m);
  const out: Diagnostic[] = [];
  for (const comp of sccs(edges)) {
    const self = comp.length === 1 && edges.get(comp[0]!)?.has(comp[0]!);
    if (comp.length < 2 && !self) continue;
    // order the cycle by following edges, for a readable "a -> b -> a"
    const members = new Set(comp);
    const start = comp.reduce((a, b) => (a.name < b.name ? a : b));
    const cycle = [start];
    let cur = start;
    for (;;) {
      const next = [...(edges.get(cur) ?? [])].filter((s) => members.has(s)).sort((a, b) => (a.name < b.name ? -1 : 1))[0];
      if (!next || cycle.includes(next)) break;
      cycle.push(next);
      cur = next;
    }
    const names = [...cycle, start].map((s) => s.name).reverse();
    out.push(
      makeDiagnostic(
        'COMB_LOOP',
        `combinational loop: ${names.join(' -> ')}`,
        locs.get(start),
        cycle.map((s) => ({ message: `'${s.name}' assigned`, loc: locs.get(s) })),
        m.name,
      ),
    );
  }
  return out;
}
