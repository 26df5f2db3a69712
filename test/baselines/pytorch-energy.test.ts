// The PyTorch baseline's energy accounting (baselines/pytorch/energy.py) has no GPU to run on here, so its Python
// tests drive it against a stand-in NVML library with known constant power. They need python3 and gcc (both come
// with `npm run setup`), not torch.
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';

it('energy.py: NVML binding, counter and sampled energy, fallbacks (python unittest)', async () => {
  const r = await execa('python3', ['-m', 'unittest', 'discover', '-s', path.join('baselines', 'pytorch', 'tests'), '-p', 'test_energy.py', '-v'], {
    cwd: PROJECT_ROOT,
    reject: false,
    all: true,
  });
  expect(r.exitCode, r.all).toBe(0);
  const ran = Number(/^Ran (\d+) tests?/m.exec(r.all ?? '')?.[1] ?? 0);
  expect(ran, r.all).toBeGreaterThanOrEqual(10);
  expect(r.all).toMatch(/^OK$/m);
}, 60_000);
