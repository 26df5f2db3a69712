// Verilog-2005 backend (read by Yosys/Verilator as SystemVerilog for size casts). Deterministic: the same IR
// gives byte-identical text. Names come from the TS names; each declaration carries a `// @[file line:col]`.
// Subexpressions used more than once, and pieces of lines that would be too long, become named wires (share.ts).
import type { Expr, Signal } from '../expr.js';
import { CLOCK_NAME, RESET_NAME, type Memory, type Module, type Stmt } from '../module.js';
import { toBits } from '../types.js';
import { literal } from './expr-emit.js';
import { LINE_LIMIT, SubexprNamer, locator, type DerivedNet, type Part, type RootPart } from './share.js';

export { bare } from './share.js';

export const GENERATOR = 'NeuromorphicLLM hdl';

export interface EmittedModule {
  name: string;
  verilog: string;
  /** memory init files: file name → contents */
  memFiles: Map<string, string>;
  /** wires the backend made for shared or split subexpressions, in declaration order */
  derived: DerivedNet[];
}

function range(s: { width: number; signed: boolean }): string {
  return `${s.signed ? 'signed ' : ''}${s.width > 1 ? `[${s.width - 1}:0] ` : ''}`;
}

/** `first text`, as is when it fits; else the words of `text` wrapped at LINE_LIMIT onto lines starting `cont`. */
function wrapWords(first: string, text: string, cont: string): string[] {
  if (first.length + 1 + text.length <= LINE_LIMIT) return [`${first} ${text}`];
  const lines: string[] = [];
  let cur = first;
  for (const w of text.split(' ')) {
    if (cur !== first && cur !== cont && cur.length + 1 + w.length > LINE_LIMIT) {
      lines.push(cur);
      cur = cont;
    }
    cur += (cur === cont ? '' : ' ') + w;
  }
  lines.push(cur);
  return lines;
}

/** A declaration line with an optional trailing doc; a doc that would make it too long continues below. */
function withDoc(head: string, doc: string | undefined, indent: string): string[] {
  return doc ? wrapWords(head, doc, `${indent}// `) : [head];
}

/** Statements of `stmts` restricted to assignments whose target passes `keep`; empty branches pruned. */
function project(stmts: readonly Stmt[], keep: (s: Signal) => boolean): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    if (s.kind === 'assign') {
      if (keep(s.target)) out.push(s);
    } else if (s.kind === 'if') {
      const t = project(s.then, keep);
      const e = project(s.else, keep);
      if (t.length || e.length) out.push({ ...s, then: t, else: e });
    } else {
      const cases = s.cases.map((c) => ({ ...c, body: project(c.body, keep) }));
      const d = s.default ? project(s.default, keep) : undefined;
      if (cases.some((c) => c.body.length) || d?.length) out.push({ ...s, cases, default: d });
    }
  }
  return out;
}

const B = (e: Expr): RootPart => ({ e, bare: true });
const E = (e: Expr, width?: number): RootPart => ({ e, width });

class BodyEmitter {
  constructor(private readonly X: SubexprNamer) {}

  stmts(stmts: readonly Stmt[], op: '=' | '<=', indent: string, out: string[], ctx: string): void {
    const X = this.X;
    for (const s of stmts) {
      if (s.kind === 'assign') {
        out.push(X.line([`${indent}${s.target.name} ${op} `, B(s.value), `;${locator(s.loc)}`], s.target.name));
      } else if (s.kind === 'if') {
        this.ifStmt(s, op, indent, out, false, ctx);
      } else {
        out.push(X.line([`${indent}case (`, B(s.sel), `)${locator(s.loc)}`], ctx));
        for (const c of s.cases) {
          const labels = c.values.map((v) => literal(v, s.sel.width, s.sel.signed));
          out.push(...this.labelLines(labels, `${indent}  `));
          this.stmts(c.body, op, indent + '    ', out, ctx);
          out.push(`${indent}  end`);
        }
        const covered = new Set(s.cases.flatMap((c) => c.values.map((v) => toBits(v, s.sel.width)))).size;
        if (s.default || BigInt(covered) !== 1n << BigInt(s.sel.width)) {
          out.push(`${indent}  default: begin`);
          if (s.default) this.stmts(s.default, op, indent + '    ', out, ctx);
          out.push(`${indent}  end`);
        }
        out.push(`${indent}endcase`);
      }
    }
  }

  /** `a, b, c: begin`, wrapped when long. */
  private labelLines(labels: string[], indent: string): string[] {
    const lines: string[] = [];
    let cur = indent;
    labels.forEach((l, i) => {
      const item = l + (i < labels.length - 1 ? ',' : ': begin');
      if (cur !== indent && cur.length + 1 + item.length > LINE_LIMIT) {
        lines.push(cur);
        cur = indent + '  ';
      }
      cur += (cur.trim() ? ' ' : '') + item;
    });
    lines.push(cur);
    return lines;
  }

  private ifStmt(s: Stmt & { kind: 'if' }, op: '=' | '<=', indent: string, out: string[], isElseIf: boolean, ctx: string): void {
    const head: Part[] = s.then.length ? ['if (', B(s.cond), ') begin'] : ['if (!(', B(s.cond), ')) begin'];
    if (isElseIf) out.push(this.X.line([`${out.pop()!} else `, ...head], ctx));
    else out.push(this.X.line([indent, ...head], ctx));
    this.stmts(s.then.length ? s.then : s.else, op, indent + '  ', out, ctx);
    out.push(`${indent}end`);
    if (!s.then.length) return;
    if (s.else.length === 1 && s.else[0]!.kind === 'if') {
      this.ifStmt(s.else[0] as Stmt & { kind: 'if' }, op, indent, out, true, ctx);
    } else if (s.else.length) {
      out[out.length - 1] += ' else begin';
      this.stmts(s.else, op, indent + '  ', out, ctx);
      out.push(`${indent}end`);
    }
  }
}

function memFileName(m: Module, mem: Memory): string {
  return `${m.name}__${mem.name}.hex`;
}

function memInit(mem: Memory): string {
  const digits = Math.ceil(mem.type.width / 4);
  const lines: string[] = [];
  for (let i = 0; i < mem.opts.depth; i++) {
    const v = BigInt(mem.opts.init?.[i] ?? 0);
    lines.push(toBits(v, mem.type.width).toString(16).padStart(digits, '0'));
  }
  return lines.join('\n') + '\n';
}

interface Layout {
  continuous: (s: Signal) => boolean;
  procedural: (s: Signal) => boolean;
  cont: (Stmt & { kind: 'assign' })[];
  /** the statements that drive one procedural signal or register (computed once, emitted in every pass) */
  blockOf: (s: Signal) => Stmt[];
}

function layoutOf(m: Module): Layout {
  // Which comb targets are a single unconditional assignment (a continuous `assign`)?
  const top = new Map<Signal, number>();
  const anyAssign = new Map<Signal, number>();
  const count = (stmts: readonly Stmt[], depth: number) => {
    for (const s of stmts) {
      if (s.kind === 'assign') {
        anyAssign.set(s.target, (anyAssign.get(s.target) ?? 0) + 1);
        if (depth === 0) top.set(s.target, (top.get(s.target) ?? 0) + 1);
      } else if (s.kind === 'if') {
        count(s.then, depth + 1);
        count(s.else, depth + 1);
      } else {
        for (const c of s.cases) count(c.body, depth + 1);
        if (s.default) count(s.default, depth + 1);
      }
    }
  };
  count(m.stmts, 0);
  const continuous = (s: Signal) => (s.kind === 'wire' || s.kind === 'output') && top.get(s) === 1 && anyAssign.get(s) === 1;
  const procedural = (s: Signal) => (s.kind === 'wire' || s.kind === 'output') && anyAssign.has(s) && !continuous(s);
  const cont = m.stmts.filter((s): s is Stmt & { kind: 'assign' } => s.kind === 'assign' && continuous(s.target));
  const blocks = new Map<Signal, Stmt[]>();
  const blockOf = (sig: Signal) => {
    let b = blocks.get(sig);
    if (!b) blocks.set(sig, (b = project(m.stmts, (t) => t === sig)));
    return b;
  };
  return { continuous, procedural, cont, blockOf };
}

interface Body {
  /** continuous assignments, each preceded by the backend wires it is the first to read */
  assigns: string[];
  /** always blocks, memory ports and instances, each block preceded by an empty line */
  blocks: string[];
}

/** Everything after the declarations. Run twice: once to count references, once to emit. */
function emitBody(m: Module, L: Layout, X: SubexprNamer): Body {
  const assigns: string[] = [];
  const blocks: string[] = [];
  const late: string[] = [];
  const be = new BodyEmitter(X);

  for (const s of L.cont) {
    const line = X.line([`  assign ${s.target.name} = `, { e: s.value, bare: true, target: s.target }, `;${locator(s.loc)}`], s.target.name);
    assigns.push(...X.drain(), line);
  }

  // one always @(*) per procedurally driven comb signal (avoids false UNOPTFLAT loops in Verilator)
  for (const sig of m.signals.filter(L.procedural)) {
    blocks.push('', `  always @(*) begin`);
    be.stmts(L.blockOf(sig), '=', '    ', blocks, sig.name);
    blocks.push('  end');
    late.push(...X.drain());
  }

  // one always @(posedge clk) per register
  for (const r of m.signals.filter((s) => s.kind === 'reg')) {
    blocks.push('', `  always @(posedge ${CLOCK_NAME}) begin`);
    let indent = '    ';
    if (r.resetValue !== null) {
      blocks.push(`    if (${RESET_NAME}) begin`, `      ${r.name} <= ${literal(r.resetValue, r.width, r.signed)};`, '    end else begin');
      indent = '      ';
    }
    if (r.enable) {
      blocks.push(X.line([`${indent}if (`, B(r.enable), ') begin'], r.name));
      be.stmts(L.blockOf(r), '<=', indent + '  ', blocks, r.name);
      blocks.push(`${indent}end`);
    } else be.stmts(L.blockOf(r), '<=', indent, blocks, r.name);
    if (r.resetValue !== null) blocks.push('    end');
    blocks.push('  end');
    late.push(...X.drain());
  }

  for (const mem of m.memories) {
    for (const w of mem.writes) {
      blocks.push('', `  always @(posedge ${CLOCK_NAME}) begin${locator(w.loc)}`);
      blocks.push(X.line(['    if (', B(w.en), `) ${mem.name}[`, E(w.addr), '] <= ', E(w.data), ';'], mem.name));
      blocks.push('  end');
      late.push(...X.drain());
    }
    for (const r of mem.reads) {
      let value: Part[] = [`${mem.name}[`, E(r.addr), ']'];
      if (mem.opts.readUnderWrite === 'write-first') {
        // the data being written this cycle wins over the stored word
        for (const w of mem.writes) {
          value = ['(', E(w.en), ' && (', E(w.addr, mem.addrWidth), ' == ', E(r.addr, mem.addrWidth), ')) ? ', E(w.data), ' : ', ...value];
        }
      }
      blocks.push('', `  always @(posedge ${CLOCK_NAME}) begin${locator(r.loc)}`);
      const parts: Part[] = r.en ? ['    if (', E(r.en), `) ${r.data.name} <= `, ...value, ';'] : [`    ${r.data.name} <= `, ...value, ';'];
      blocks.push(X.line(parts, r.data.name));
      blocks.push('  end');
      late.push(...X.drain());
    }
  }

  for (const inst of m.instances) {
    const child = inst.module;
    const conns: { parts: Part[]; ctx: string }[] = [];
    for (const p of child.implicitPorts()) conns.push({ parts: [`.${p.name}(${p.name})`], ctx: p.name });
    for (const p of child.ports) {
      const b = inst.bindings.find((x) => x.port === p.name);
      const parts: Part[] = b?.value ? [`.${p.name}(`, E(b.value), ')'] : [`.${p.name}(${b?.target?.name ?? ''})`];
      conns.push({ parts, ctx: `${inst.name}_${p.name}` });
    }
    blocks.push('', `  ${child.name} ${inst.name} (${locator(inst.loc)}`);
    conns.forEach((c, i) => blocks.push(X.line(['    ', ...c.parts, i < conns.length - 1 ? ',' : ''], c.ctx)));
    blocks.push('  );');
    late.push(...X.drain());
  }

  // wires first read inside always blocks, memory ports or instances: after the continuous assignments
  assigns.push(...late);
  return { assigns, blocks };
}

const derivedCache = new WeakMap<Module, DerivedNet[]>();

/** The backend wires of a finished module (what emitModule declares), for names.json. */
export function derivedNets(m: Module): DerivedNet[] {
  return derivedCache.get(m) ?? emitModule(m, '').derived;
}

export function emitModule(m: Module, version: string): EmittedModule {
  const out: string[] = [];
  const memFiles = new Map<string, string>();
  const params = Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`);
  out.push(`// Generated by ${GENERATOR} ${version}. Do not edit: change the TS generator and run \`npm run elaborate\`.`);
  out.push(`// module:     ${m.name}`);
  if (m.loc) out.push(`// generator:  ${m.loc.file}:${m.loc.line}`);
  out.push(...wrapWords('// parameters:', params.length ? params.join(' ') : '(none)', '//             '));
  for (const line of m.doc.split('\n').filter(Boolean)) out.push(...wrapWords('//', line, '//   '));
  out.push('`default_nettype none');
  out.push('');

  const L = layoutOf(m);
  const ports = [...m.implicitPorts(), ...m.ports];
  const taken = [...ports, ...m.signals].map((s) => s.name).concat(m.memories.map((x) => x.name), m.instances.map((i) => i.name), [CLOCK_NAME, RESET_NAME]);
  const X = new SubexprNamer(taken);
  emitBody(m, L, X); // counting pass
  X.beginEmission(L.cont.map((s) => [s.target, s.value]));
  let body = emitBody(m, L, X);
  // wires are numbered per <target>_<op> in declaration order: emit again with those names until they agree
  // (the new names' lengths can move where lines split); a few rounds at most, each one valid on its own
  for (let round = 0, next = X.renumbering(); next && round < 3; round++, next = X.renumbering()) {
    X.restart(next);
    body = emitBody(m, L, X);
  }
  const derived = X.derived;

  out.push(`module ${m.name} (`);
  const heads = ports.map((p) => `${p.kind === 'output' ? (L.procedural(p) ? 'output reg ' : 'output wire') : 'input  wire'} ${range(p)}`);
  const pad = Math.max(...heads.map((h) => h.length), 0);
  ports.forEach((p, i) => {
    const comma = i < ports.length - 1 ? ',' : '';
    const head = `  ${heads[i]!.padEnd(pad)}${p.name}${comma}`;
    if (p.kind === 'clock') out.push(`${head} // clock`);
    else if (p.kind === 'reset') out.push(`${head} // synchronous reset, active high`);
    else out.push(...withDoc(head + locator(p.loc), p.doc, '    '));
  });
  out.push(');');

  const decls = m.signals.filter((s) => s.kind === 'wire' || s.kind === 'reg' || s.kind === 'memrd');
  if (decls.length || m.memories.length || derived.length) out.push('');
  const dheads = decls.map((s) => `${s.kind === 'wire' && !L.procedural(s) ? 'wire' : 'reg '} ${range(s)}`);
  const xheads = derived.map((d) => `wire ${range(d.expr)}`);
  const dpad = Math.max(...dheads.map((h) => h.length), ...xheads.map((h) => h.length), 0);
  decls.forEach((s, i) => out.push(...withDoc(`  ${dheads[i]!.padEnd(dpad)}${s.name};${locator(s.loc)}`, s.doc, '  ')));
  for (const mem of m.memories) {
    out.push(`  reg ${range(mem.type)}${mem.name} [0:${mem.opts.depth - 1}];${locator(mem.loc)} ${mem.opts.readUnderWrite}`);
    if (mem.opts.init) {
      const file = memFileName(m, mem);
      memFiles.set(file, memInit(mem));
      out.push(`  initial $readmemh("${file}", ${mem.name});`);
    }
  }
  if (derived.length) {
    out.push('  // subexpressions named by the backend: used more than once, or split out of a long line');
    derived.forEach((d, i) => out.push(`  ${xheads[i]!.padEnd(dpad)}${d.name};${locator(d.loc)}`));
  }

  if (body.assigns.length) out.push('');
  out.push(...body.assigns, ...body.blocks);
  out.push('', 'endmodule', '', '`default_nettype wire', '');
  if (m.isDone) derivedCache.set(m, derived);
  return { name: m.name, verilog: out.join('\n'), memFiles, derived };
}
