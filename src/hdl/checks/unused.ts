// Pass (warning): signals, or bits of signals, that nothing reads. Verilator -Wall flags the same, so this
// reports it at the TS line first.
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Signal } from '../expr.js';
import type { Module } from '../module.js';
import type { Expr } from '../expr.js';
import { children, moduleReads } from './walk.js';

function ranges(mask: bigint, width: number): string {
  const parts: string[] = [];
  let i = 0;
  while (i < width) {
    if (((mask >> BigInt(i)) & 1n) === 0n) {
      let j = i;
      while (j + 1 < width && ((mask >> BigInt(j + 1)) & 1n) === 0n) j++;
      parts.push(i === j ? `${i}` : `${j}:${i}`);
      i = j + 1;
    } else i++;
  }
  return parts.join(', ');
}

export function checkUnused(m: Module): Diagnostic[] {
  const used = new Map<Signal, bigint>();
  const mark = (s: Signal, bits: bigint) => used.set(s, (used.get(s) ?? 0n) | bits);
  const all = (s: Signal) => (1n << BigInt(s.width)) - 1n;
  // A slice of a signal reads only its bits; any other use reads all of them.
  const walk = (e: Expr): void => {
    const n = e.node;
    if (n.kind === 'resize' && n.a.node.kind === 'ref' && e.width < n.a.width) {
      mark(n.a.node.signal, (1n << BigInt(e.width)) - 1n); // truncation reads the low bits only
      return;
    }
    if (n.kind === 'slice' && n.a.node.kind === 'ref') {
      mark(n.a.node.signal, ((1n << BigInt(n.hi - n.lo + 1)) - 1n) << BigInt(n.lo));
      return;
    }
    if (n.kind === 'ref') {
      mark(n.signal, all(n.signal));
      return;
    }
    for (const c of children(e)) walk(c);
  };
  for (const { expr } of moduleReads(m)) walk(expr);
  const out: Diagnostic[] = [];
  for (const s of m.signals) {
    if (s.kind === 'output') continue;
    const mask = used.get(s) ?? 0n;
    if (mask === all(s)) continue;
    const msg = mask === 0n ? `${s.kind} '${s.name}' is never read` : `bits [${ranges(mask, s.width)}] of ${s.kind} '${s.name}' are never read`;
    out.push(makeDiagnostic('UNUSED', msg, s.loc, [], m.name));
  }
  for (const mem of m.memories) {
    if (mem.reads.length === 0) out.push(makeDiagnostic('UNUSED', `memory '${mem.name}' is never read`, mem.loc, [], m.name));
  }
  return out;
}

