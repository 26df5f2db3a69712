// Elaboration: run the top generator, collect the module tree (deduplicated by name), run every check pass,
// and fail once with all diagnostics. Emission happens only for a design without errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { emitModule, type EmittedModule } from './backend/verilog.js';
import { buildNames, type NamesMap } from './backend/names.js';
import { runChecks } from './checks/index.js';
import { ElaborationError, makeDiagnostic, withDiagnosticSink, type Diagnostic } from './diagnostics.js';
import type { Module } from './module.js';
import { PROJECT_ROOT } from './srcloc.js';

export const HDL_VERSION: string = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;

export interface Design {
  top: Module;
  /** children before parents, each name once */
  modules: Module[];
  emitted: EmittedModule[];
  names: NamesMap;
  warnings: Diagnostic[];
}

function collect(top: Module, diags: Diagnostic[]): { modules: Module[]; emitted: Map<string, EmittedModule> } {
  const byName = new Map<string, Module>();
  const emitted = new Map<string, EmittedModule>();
  const order: Module[] = [];
  const visit = (m: Module) => {
    const prev = byName.get(m.name);
    if (prev === m) return;
    const e = emitModule(m, HDL_VERSION);
    if (prev) {
      if (emitted.get(m.name)!.verilog !== e.verilog) {
        diags.push(makeDiagnostic('NAME_COLLISION', `two different modules are both named '${m.name}'`, m.loc, [{ message: 'the other one was built here', loc: prev.loc }], m.name));
      }
      return;
    }
    byName.set(m.name, m);
    for (const i of m.instances) visit(i.module);
    emitted.set(m.name, e);
    order.push(m);
  };
  visit(top);
  return { modules: order, emitted };
}

/** Elaborates the design returned by `build`; throws ElaborationError carrying every error found. */
export function elaborate(build: () => Module): Design {
  const { value: top, diagnostics, thrown } = withDiagnosticSink(() => {
    const t = build();
    const seen = new Set<Module>();
    const finish = (m: Module) => {
      if (seen.has(m)) return;
      seen.add(m);
      m.done();
      m.instances.forEach((i) => finish(i.module));
    };
    finish(t);
    return t;
  });
  if (thrown && !(thrown instanceof ElaborationError)) throw thrown;
  const diags = [...diagnostics, ...(thrown instanceof ElaborationError ? thrown.diagnostics : [])];
  if (!top || diags.some((d) => d.severity === 'error')) throw new ElaborationError(diags);
  const { modules, emitted } = collect(top, diags);
  for (const m of modules) diags.push(...runChecks(m));
  if (diags.some((d) => d.severity === 'error')) throw new ElaborationError(diags);
  return { top, modules, emitted: modules.map((m) => emitted.get(m.name)!), names: buildNames(modules), warnings: diags };
}
