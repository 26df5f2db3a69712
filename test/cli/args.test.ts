// npm scripts' arguments: numbers checked against their ranges, and a user's mistake reported as one error line
// with exit status 2 (no stack trace), while a bug keeps its stack.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { choiceArg, intArg, numArg, parseCli, UsageError } from '../../src/cli/args.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

describe('argument checks', () => {
  it('intArg: the fallback when absent, else an integer in range', () => {
    expect(intArg('max', undefined, 64, { min: 1 })).toBe(64);
    expect(intArg('max', '7', 64, { min: 1, max: 10 })).toBe(7);
    for (const bad of ['abc', '', ' ', '1.5', '0', '11', 'NaN', 'Infinity', '1e400']) {
      expect(() => intArg('max', bad, 64, { min: 1, max: 10 }), bad).toThrow(UsageError);
    }
    expect(() => intArg('context', '4096', 0, { min: 2, max: 128, maxIs: "the model's context" })).toThrow("--context must be an integer from 2 to 128 (the model's context), got '4096'");
  });
  it('numArg and choiceArg', () => {
    expect(numArg('lr', '3e-4', 1, { min: 1e-8, max: 1 })).toBe(3e-4);
    expect(() => numArg('lr', '2', 1, { min: 1e-8, max: 1 })).toThrow("--lr must be a number from 1e-8 to 1, got '2'");
    expect(choiceArg('mode', undefined, ['greedy', 'beam'] as const)).toBe('greedy');
    expect(() => choiceArg('mode', 'topp', ['greedy', 'beam'] as const)).toThrow("--mode must be one of greedy, beam, got 'topp'");
  });
  it('parseCli reports an unknown option as a usage error', () => {
    expect(() => parseCli({ args: ['--bogus'], options: { model: { type: 'string' } } })).toThrow(UsageError);
  });
});

describe('a script given a bad argument or file', () => {
  const run = (script: string, args: string[]) => execa('npx', ['tsx', path.join('scripts', script), ...args], { cwd: PROJECT_ROOT, reject: false, all: true });

  it('prints one error line and the usage, exits 2, no stack trace', async () => {
    const r = await run('eval.ts', ['--model', 'models/sotu-relu', '--data', 'sotu:test', '--context', '4096']);
    expect(r.exitCode).toBe(2);
    expect(r.all).toMatch(/^error: --context must be an integer from 2 to 128 \(the model's context\), got '4096'$/m);
    expect(r.all).toMatch(/^usage: npm run eval/m);
    expect(r.all).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('eval refuses a stride equal to the context (a window of C tokens has C-1 targets), suggesting C-1', async () => {
    const r = await run('eval.ts', ['--model', 'models/sotu-relu', '--data', 'sotu:test', '--limit-bytes', '20000', '--context', '128', '--stride', '128']);
    expect(r.exitCode).toBe(2);
    expect(r.all).toMatch(/^error: --stride must be an integer from 1 to 127 \(the context less one; --stride 127 gives non-overlapping windows\), got '128'$/m);
    expect(r.all).not.toMatch(/NaN|loss/);
  }, 60_000);

  it('names a missing model, and a malformed dataset file with its line', async () => {
    const missing = await run('generate.ts', ['--model', 'models/no-such-model']);
    expect(missing.exitCode).toBe(2);
    expect(missing.all).toMatch(/^error: models\/no-such-model: no such model/m);
    const bad = await run('eval.ts', ['--model', 'models/sotu-relu', '--cnndm', 'test/fixtures/data/wiki.test.raw']);
    expect(bad.exitCode).toBe(2);
    expect(bad.all).toMatch(/^error: test\/fixtures\/data\/wiki.test.raw:2: not valid JSON/m);
    expect(bad.all).not.toMatch(/\n\s+at /);
  }, 60_000);
});
