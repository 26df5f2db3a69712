// Pass: assignments and port bindings must match in width and signedness exactly (never a silent truncation).
import { makeDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Module } from '../module.js';
import { typeName, type HdlType } from '../types.js';
import { assignments } from './walk.js';

function compare(what: string, target: HdlType, value: HdlType): { key: 'WIDTH_MISMATCH' | 'SIGN_MISMATCH'; message: string } | undefined {
  if (target.width !== value.width) {
    return { key: 'WIDTH_MISMATCH', message: `${what} is ${typeName(target)} (${target.width} bits) but the value is ${typeName(value)} (${value.width} bits)` };
  }
  if (target.signed !== value.signed) return { key: 'SIGN_MISMATCH', message: `${what} is ${typeName(target)} but the value is ${typeName(value)}` };
  return undefined;
}

export function checkWidths(m: Module): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (r: ReturnType<typeof compare>, loc: Parameters<typeof makeDiagnostic>[2], related: { message: string; loc?: typeof loc }[] = []) => {
    if (r) out.push(makeDiagnostic(r.key, r.message, loc, related, m.name));
  };
  for (const a of assignments(m.stmts)) {
    push(compare(`'${a.target.name}'`, a.target.type, a.value.type), a.loc, [{ message: `'${a.target.name}' declared`, loc: a.target.loc }]);
  }
  for (const inst of m.instances) {
    for (const b of inst.bindings) {
      const port = inst.module.ports.find((p) => p.name === b.port)!;
      if (b.value) push(compare(`input '${b.port}' of ${inst.name}`, port.type, b.value.type), b.loc, [{ message: 'port declared', loc: port.loc }]);
      if (b.target) push(compare(`'${b.target.name}' bound to output '${b.port}' of ${inst.name}`, b.target.type, port.type), b.loc, [{ message: 'port declared', loc: port.loc }]);
    }
  }
  for (const mem of m.memories) {
    for (const p of [...mem.reads, ...mem.writes]) {
      if (p.addr.signed || p.addr.width !== mem.addrWidth) {
        out.push(makeDiagnostic('WIDTH_MISMATCH', `address of memory '${mem.name}' must be UInt(${mem.addrWidth}), got ${typeName(p.addr.type)}`, p.loc, [], m.name));
      }
      if ('en' in p && p.en && p.en.width !== 1) out.push(makeDiagnostic('WIDTH_MISMATCH', `enable of memory '${mem.name}' must be 1 bit`, p.loc, [], m.name));
    }
    for (const w of mem.writes) push(compare(`data written to memory '${mem.name}'`, mem.type, w.data.type), w.loc);
  }
  return out;
}
