// One simulator per parameter set of a test file: started on first use, reused by the file's tests (each starts its
// stimulus with a reset), closed after them.
import { afterAll } from 'vitest';
import type { Dut } from '../src/harness/cocotb.js';

export function dutPool<P>(sets: Readonly<Record<string, P>>, start: (p: P) => Promise<Dut>): (name: string) => Promise<Dut> {
  const duts = new Map<string, Promise<Dut>>();
  afterAll(async () => {
    await Promise.all([...duts.values()].map(async (d) => (await d).close()));
  });
  return (name) => {
    let d = duts.get(name);
    if (!d) {
      const p = sets[name];
      if (p === undefined) throw new Error(`no parameter set '${name}' (sets: ${Object.keys(sets).join(', ')})`);
      d = start(p);
      duts.set(name, d);
    }
    return d;
  };
}
