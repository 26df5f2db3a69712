// names.json: every Verilog net mapped back to its TS object, width, kind and source location. Wires the backend
// made for subexpressions (share.ts) are listed too, as kind 'derived' with `backend` saying why.
import type { Module } from '../module.js';
import { formatLoc } from '../srcloc.js';
import { derivedNets } from './verilog.js';

export interface NetInfo {
  net: string;
  kind: string;
  signed: boolean;
  width: number;
  tsPath: string;
  /** for a derived net: where the subexpression was built */
  loc: string;
  /** set on nets the backend made: a subexpression used more than once, or split out of a long line */
  backend?: { reason: 'shared' | 'split'; usedBy: string; op: string };
}

export interface ModuleNames {
  generator: string;
  params: Record<string, string>;
  nets: NetInfo[];
  memories: { name: string; width: number; depth: number; readUnderWrite: string; loc: string }[];
  instances: { name: string; module: string; loc: string }[];
}

export type NamesMap = Record<string, ModuleNames>;

export function buildNames(modules: readonly Module[]): NamesMap {
  const out: NamesMap = {};
  for (const m of modules) {
    out[m.name] = {
      generator: formatLoc(m.loc),
      params: Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, String(v)])),
      nets: [
        ...[...m.implicitPorts(), ...m.signals].map((s): NetInfo => ({
          net: s.name,
          kind: s.kind,
          signed: s.signed,
          width: s.width,
          tsPath: s.tsPath,
          loc: formatLoc(s.loc),
        })),
        ...derivedNets(m).map((d): NetInfo => ({
          net: d.name,
          kind: 'derived',
          signed: d.expr.signed,
          width: d.expr.width,
          tsPath: `${m.name}.${d.usedBy}/${d.op}`,
          loc: formatLoc(d.loc),
          backend: { reason: d.reason, usedBy: d.usedBy, op: d.op },
        })),
      ],
      memories: m.memories.map((mem) => ({ name: mem.name, width: mem.type.width, depth: mem.opts.depth, readUnderWrite: mem.opts.readUnderWrite, loc: formatLoc(mem.loc) })),
      instances: m.instances.map((i) => ({ name: i.name, module: i.module.name, loc: formatLoc(i.loc) })),
    };
  }
  return out;
}
