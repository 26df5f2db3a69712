// Standard normal samples from the seeded Rng (src/util/random.ts), by the Box-Muller transform: two uniforms give
// two independent N(0, 1) samples, returned one per call (the second is kept for the next call). Same Rng seed, same
// sequence. The uniforms have 32-bit resolution, so |z| <= sqrt(-2 ln 2^-32) ~ 6.7: tails beyond that are cut.
import type { Rng } from './random.js';

export class Gaussian {
  private spare = 0;
  private hasSpare = false;
  constructor(readonly rng: Rng) {}

  /** One N(0, 1) sample. */
  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.rng.next(); // (0, 1]: log is finite
    const u2 = this.rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const t = 2 * Math.PI * u2;
    this.spare = r * Math.sin(t);
    this.hasSpare = true;
    return r * Math.cos(t);
  }
}
