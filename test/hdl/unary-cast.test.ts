// Regression: a unary operator on a size-cast operand (`~1'(x >> 1)`) is read by Yosys as a cast of size ~1 and
// refused; the backend parenthesizes such operands. The crossbar tile with several row-mask words emits this shape.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, Module, UInt, cat, elaborate } from '../../src/hdl/index.js';
import { writeDesignAtomically } from '../../src/hdl/backend/write.js';
import { formatFinding, lintDesign } from '../../src/tools/lint.js';

function unaryOnCasts(): Module {
  const m = new Module('unary_casts', {});
  const a = m.input('a', UInt(3));
  const b = m.input('b', UInt(3));
  const both = cat(a, b);
  m.output('n', Bool).assign(both.bit(1).not());
  m.output('r_and', Bool).assign(both.slice(4, 2).andReduce());
  m.output('r_or', Bool).assign(both.slice(5, 3).orReduce());
  m.output('r_xor', Bool).assign(both.slice(3, 1).xorReduce());
  return m;
}

describe('backend: unary operators on size casts', () => {
  it('emits parenthesized operands that Yosys and Verilator read with zero findings', async () => {
    const d = elaborate(unaryOnCasts);
    const v = d.emitted.find((e) => e.name === 'unary_casts')!.verilog;
    expect(v).not.toMatch(/[~&|^]\d+'\(/);
    expect(v).toMatch(/~\(1'\(/);
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-unary-')), 'gen');
    await writeDesignAtomically(d, dir);
    expect((await lintDesign(dir)).flatMap((r) => r.findings.map(formatFinding))).toEqual([]);
  });
});
