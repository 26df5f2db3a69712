// The module builder. A generator is a plain TS function over a typed params object that returns a Module;
// the Module *is* the IR once `done()` has been called (ports, signals, statements, memories, instances).
import { makeDiagnostic, report } from './diagnostics.js';
import { Expr, Signal, toExpr, type ExprLike, type RegOptions, type SignalKind } from './expr.js';
import { captureLoc, type SrcLoc } from './srcloc.js';
import { Bool, bitsFor, fits, log2ceil, typeName, UInt, type HdlType } from './types.js';

export type Stmt =
  | { kind: 'assign'; target: Signal; value: Expr; loc?: SrcLoc }
  | { kind: 'if'; cond: Expr; then: Stmt[]; else: Stmt[]; loc?: SrcLoc }
  | { kind: 'switch'; sel: Expr; cases: SwitchCase[]; default: Stmt[] | undefined; loc?: SrcLoc };

export interface SwitchCase {
  values: bigint[];
  body: Stmt[];
  loc?: SrcLoc;
}

export type ReadUnderWrite = 'read-first' | 'write-first';

export interface MemoryOptions {
  /** Element type. */
  type: HdlType;
  depth: number;
  /** What a read of the address being written returns in the same cycle. */
  readUnderWrite: ReadUnderWrite;
  /** Initial contents (emitted as a $readmemh file); missing entries are 0. */
  init?: readonly (number | bigint)[];
}

export interface MemReadPort {
  data: Signal;
  addr: Expr;
  en: Expr | undefined;
  loc?: SrcLoc;
}

export interface MemWritePort {
  addr: Expr;
  data: Expr;
  en: Expr;
  loc?: SrcLoc;
}

export class Memory {
  readonly reads: MemReadPort[] = [];
  readonly writes: MemWritePort[] = [];
  readonly addrWidth: number;
  constructor(
    readonly owner: Module,
    readonly name: string,
    readonly opts: MemoryOptions,
    readonly loc?: SrcLoc,
  ) {
    this.addrWidth = Math.max(1, log2ceil(opts.depth));
  }
  get type(): HdlType {
    return this.opts.type;
  }
  /** A synchronous read port: `data` shows mem[addr] one cycle after the address (when `en`). */
  read(name: string, addr: Expr, en?: Expr): Signal {
    const data = this.owner.addSignal(name, 'memrd', this.opts.type, captureLoc());
    this.reads.push({ data, addr, en, loc: data.loc });
    return data;
  }
  /** A synchronous write port. */
  write(addr: Expr, data: ExprLike, en: ExprLike): void {
    this.writes.push({ addr, data: toExpr(data, this.opts.type, true), en: toExpr(en), loc: captureLoc() });
  }
}

export interface PortBinding {
  port: string;
  /** value driven into a child input */
  value?: Expr;
  /** parent signal driven by a child output */
  target?: Signal;
  loc?: SrcLoc;
}

export interface Instance {
  name: string;
  module: Module;
  bindings: PortBinding[];
  loc?: SrcLoc;
}

export const VERILOG_KEYWORDS = new Set(
  ('always and assign automatic begin buf case casex casez cell config deassign default defparam design disable edge else end endcase endconfig ' +
    'endfunction endgenerate endmodule endprimitive endspecify endtable endtask event for force forever fork function generate genvar if ifnone ' +
    'initial inout input instance integer join large liblist library localparam logic macromodule medium module nand negedge nmos nor not notif0 ' +
    'notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup rcmos real realtime reg release repeat rnmos rpmos rtran ' +
    'rtranif0 rtranif1 scalared signed small specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 ' +
    'tri1 triand trior trireg unsigned use vectored wait wand weak0 weak1 while wire wor xnor xor bit byte int shortint longint void').split(' '),
);
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CLOCK_NAME = 'clk';
export const RESET_NAME = 'rst';

export type ParamValue = number | string | boolean | bigint;

/** Builds a module name from a base and the parameters that change its body: lif_array_n16_v12. */
export function paramName(base: string, params: Record<string, ParamValue>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}${String(v).replace(/[^A-Za-z0-9]/g, '')}`);
  return [base, ...parts].join('_');
}

export class Module {
  readonly ports: Signal[] = [];
  readonly signals: Signal[] = [];
  readonly stmts: Stmt[] = [];
  readonly memories: Memory[] = [];
  readonly instances: Instance[] = [];
  readonly loc: SrcLoc | undefined;
  private blockStack: Stmt[][] = [this.stmts];
  private names = new Map<string, SrcLoc | undefined>();
  private frozen = false;
  private clockSig: Signal | undefined;
  private resetSig: Signal | undefined;
  /** set when the reset is read as data (e.g. a `ready` flag) */
  resetRead = false;

  constructor(
    readonly name: string,
    readonly params: Readonly<Record<string, ParamValue>> = {},
    readonly doc = '',
  ) {
    this.loc = captureLoc();
    if (!IDENT.test(name)) this.err('BAD_NAME', `module name '${name}' is not a Verilog identifier`, this.loc);
  }

  private err(key: Parameters<typeof makeDiagnostic>[0], message: string, loc: SrcLoc | undefined, related: { message: string; loc?: SrcLoc }[] = []): void {
    report(makeDiagnostic(key, message, loc, related, this.name));
  }

  /** @internal creates and registers a named signal */
  addSignal(name: string, kind: SignalKind, type: HdlType, loc: SrcLoc | undefined, doc?: string): Signal {
    this.checkOpen(loc);
    const prev = this.names.get(name);
    if (!IDENT.test(name) || VERILOG_KEYWORDS.has(name)) {
      this.err('BAD_NAME', `'${name}' is not a usable Verilog identifier`, loc);
    } else if (this.names.has(name)) {
      this.err('BAD_NAME', `'${name}' is declared twice in module ${this.name}`, loc, [{ message: 'first declared here', loc: prev }]);
    } else if ((name === CLOCK_NAME || name === RESET_NAME) && kind !== 'clock' && kind !== 'reset') {
      this.err('BAD_NAME', `'${name}' is reserved for the module's implicit clock/reset`, loc);
    }
    this.names.set(name, loc);
    const s = new Signal(this, name, kind, type, loc, doc);
    this.signals.push(s);
    if (kind === 'input' || kind === 'output') this.ports.push(s);
    return s;
  }

  private checkOpen(loc: SrcLoc | undefined): void {
    if (this.frozen) this.err('BUILD_CONTEXT', `module ${this.name} is finished; it cannot be changed`, loc);
  }

  input(name: string, type: HdlType, doc?: string): Signal {
    return this.addSignal(name, 'input', type, captureLoc(), doc);
  }
  output(name: string, type: HdlType, doc?: string): Signal {
    return this.addSignal(name, 'output', type, captureLoc(), doc);
  }
  wire(name: string, type: HdlType, doc?: string): Signal {
    return this.addSignal(name, 'wire', type, captureLoc(), doc);
  }
  /** A register in the module's clock domain (synchronous, active-high reset). */
  reg(name: string, type: HdlType, opts: RegOptions = {}, doc?: string): Signal {
    const loc = captureLoc();
    const s = this.addSignal(name, 'reg', type, loc, doc);
    const reset = opts.reset === undefined ? 0n : opts.reset === null ? null : BigInt(opts.reset);
    if (reset !== null && !fits(reset, type)) {
      this.err('CONST_OVERFLOW', `reset value ${reset} of register '${name}' does not fit in ${typeName(type)}`, loc);
    }
    s.resetValue = reset;
    if (opts.enable && opts.enable.width !== 1) {
      this.err('WIDTH_MISMATCH', `enable of register '${name}' must be 1 bit, got ${typeName(opts.enable.type)}`, loc);
    }
    s.enable = opts.enable;
    return s;
  }
  /** A named combinational intermediate: a wire driven by `value`. */
  let(name: string, value: Expr): Signal {
    const s = this.addSignal(name, 'wire', value.type, captureLoc());
    s.assign(value);
    return s;
  }
  memory(name: string, opts: MemoryOptions): Memory {
    const loc = captureLoc();
    this.checkOpen(loc);
    if (!Number.isInteger(opts.depth) || opts.depth < 1) this.err('PARAM_RANGE', `memory '${name}' depth must be a positive integer, got ${opts.depth}`, loc);
    if (this.names.has(name)) this.err('BAD_NAME', `'${name}' is declared twice in module ${this.name}`, loc);
    this.names.set(name, loc);
    for (const [i, v] of (opts.init ?? []).entries()) {
      if (!fits(BigInt(v), opts.type)) this.err('CONST_OVERFLOW', `memory '${name}' init[${i}] = ${v} does not fit in ${typeName(opts.type)}`, loc);
    }
    if ((opts.init?.length ?? 0) > opts.depth) this.err('PARAM_RANGE', `memory '${name}' has ${opts.init!.length} initial values for depth ${opts.depth}`, loc);
    const mem = new Memory(this, name, opts, loc);
    this.memories.push(mem);
    return mem;
  }

  /** The clock signal (for cocotb-style harness handles; using it as data is an error). */
  get clock(): Signal {
    this.clockSig ??= new Signal(this, CLOCK_NAME, 'clock', Bool, this.loc);
    return this.clockSig;
  }
  /** The synchronous active-high reset, readable as data (e.g. to hold a ready flag low). */
  get reset(): Signal {
    this.resetRead = true;
    return this.resetSignal();
  }

  private resetSignal(): Signal {
    this.resetSig ??= new Signal(this, RESET_NAME, 'reset', Bool, this.loc);
    return this.resetSig;
  }

  /** @internal records an assignment into the current block */
  assignStmt(target: Signal, value: ExprLike): void {
    const loc = captureLoc();
    this.checkOpen(loc);
    let v: Expr;
    if (value instanceof Expr) v = value;
    else {
      const big = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
      if (!fits(big, target.type)) {
        this.err('CONST_OVERFLOW', `constant ${big} does not fit in '${target.name}' (${typeName(target.type)})`, loc);
      }
      v = new Expr(target.type, { kind: 'const', value: big }, loc);
    }
    this.current().push({ kind: 'assign', target, value: v, loc });
  }

  private current(): Stmt[] {
    return this.blockStack[this.blockStack.length - 1]!;
  }

  private inBlock(block: Stmt[], body: () => void): void {
    this.blockStack.push(block);
    try {
      body();
    } finally {
      this.blockStack.pop();
    }
  }

  private cond1(c: ExprLike, loc: SrcLoc | undefined): Expr {
    const e = toExpr(c);
    if (e.width !== 1) this.err('WIDTH_MISMATCH', `condition must be 1 bit, got ${typeName(e.type)}`, loc);
    return e;
  }

  /** if/else-if/else over combinational and register assignments. */
  when(cond: ExprLike, body: () => void): WhenChain {
    const loc = captureLoc();
    this.checkOpen(loc);
    const st: Stmt & { kind: 'if' } = { kind: 'if', cond: this.cond1(cond, loc), then: [], else: [], loc };
    this.current().push(st);
    this.inBlock(st.then, body);
    return new WhenChain(this, st);
  }

  /** @internal */
  chainElse(st: Stmt & { kind: 'if' }, cond: ExprLike | undefined, body: () => void): Stmt & { kind: 'if' } {
    const loc = captureLoc();
    if (cond === undefined) {
      this.inBlock(st.else, body);
      return st;
    }
    const nested: Stmt & { kind: 'if' } = { kind: 'if', cond: this.cond1(cond, loc), then: [], else: [], loc };
    st.else.push(nested);
    this.inBlock(nested.then, body);
    return nested;
  }

  /** A case statement on `sel`. */
  switch(sel: Expr): SwitchBuilder {
    const loc = captureLoc();
    this.checkOpen(loc);
    const st: Stmt & { kind: 'switch' } = { kind: 'switch', sel, cases: [], default: undefined, loc };
    this.current().push(st);
    return new SwitchBuilder(this, st, (block, body) => this.inBlock(block, body));
  }

  /** Instantiates a child module; every port must be bound (inputs to values, outputs to parent signals). */
  instance(name: string, module: Module, bindings: Record<string, ExprLike | Signal>): Instance {
    const loc = captureLoc();
    this.checkOpen(loc);
    if (!IDENT.test(name) || VERILOG_KEYWORDS.has(name)) this.err('BAD_NAME', `instance name '${name}' is not a usable Verilog identifier`, loc);
    if (this.names.has(name)) this.err('BAD_NAME', `'${name}' is declared twice in module ${this.name}`, loc, [{ message: 'first declared here', loc: this.names.get(name) }]);
    this.names.set(name, loc);
    const inst: Instance = { name, module, bindings: [], loc };
    for (const [port, v] of Object.entries(bindings)) {
      const p = module.ports.find((q) => q.name === port);
      if (!p) {
        this.err('UNBOUND_PORT', `module ${module.name} has no port '${port}' (ports: ${module.ports.map((q) => q.name).join(', ')})`, loc);
        continue;
      }
      if (p.kind === 'input') inst.bindings.push({ port, value: toExpr(v, p.type, true), loc });
      else if (v instanceof Signal) inst.bindings.push({ port, target: v, loc });
      else this.err('UNBOUND_PORT', `output '${port}' of ${module.name} must be bound to a signal of ${this.name}`, loc);
    }
    for (const p of module.ports) {
      if (!(p.name in bindings)) this.err('UNBOUND_PORT', `port '${p.name}' of instance '${name}' (${module.name}) is not bound`, loc, [{ message: 'port declared here', loc: p.loc }]);
    }
    this.instances.push(inst);
    return inst;
  }

  /** Ends construction; the module is now immutable IR. */
  done(): this {
    this.frozen = true;
    return this;
  }

  get isDone(): boolean {
    return this.frozen;
  }

  /** True when the module or any child has registers or memories (so it has a clk port). */
  get hasClock(): boolean {
    return this.signals.some((s) => s.kind === 'reg' || s.kind === 'memrd') || this.memories.length > 0 || this.instances.some((i) => i.module.hasClock);
  }
  /** True when the module or any child uses the reset (so it has a rst port). */
  get hasReset(): boolean {
    return this.resetRead || this.signals.some((s) => s.kind === 'reg' && s.resetValue !== null) || this.instances.some((i) => i.module.hasReset);
  }
  /** Implicit clock/reset signals, when present. */
  implicitPorts(): Signal[] {
    const out: Signal[] = [];
    if (this.hasClock) out.push(this.clock);
    if (this.hasReset) out.push(this.resetSignal());
    return out;
  }
}

export class WhenChain {
  constructor(
    private m: Module,
    private st: Stmt & { kind: 'if' },
  ) {}
  elseWhen(cond: ExprLike, body: () => void): WhenChain {
    return new WhenChain(this.m, this.m.chainElse(this.st, cond, body));
  }
  otherwise(body: () => void): void {
    this.m.chainElse(this.st, undefined, body);
  }
}

export class SwitchBuilder {
  constructor(
    private m: Module,
    private st: Stmt & { kind: 'switch' },
    private run: (block: Stmt[], body: () => void) => void,
  ) {}
  is(values: number | bigint | readonly (number | bigint)[], body: () => void): this {
    const loc = captureLoc();
    const vs = (Array.isArray(values) ? values : [values]).map((v) => BigInt(v));
    for (const v of vs) {
      if (!fits(v, this.st.sel.type)) {
        report(makeDiagnostic('CONST_OVERFLOW', `case value ${v} does not fit the selector (${typeName(this.st.sel.type)})`, loc, [], this.m.name));
      }
    }
    const c: SwitchCase = { values: vs, body: [], loc };
    this.st.cases.push(c);
    this.run(c.body, body);
    return this;
  }
  default(body: () => void): void {
    this.st.default = [];
    this.run(this.st.default, body);
  }
}

export { UInt, bitsFor, log2ceil };
