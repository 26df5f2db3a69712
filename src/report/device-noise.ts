// The device-noise ablation's weights: each weight level's cells programmed with the device model's programming
// noise (src/golden/crossbar-device.ts: sigma_prog(u) of g_max, clamped at 0), read back as the real-valued weight the
// programmed pair of each slice represents. Used in the quantized-dense model (a float proxy: read noise, which
// changes every read, is not in it; the report says so).
import { PCM_PROG_COEFF_US, PCM_G_MAX_US, progSigma } from '../golden/crossbar-device.js';
import { encodeWeight, type CrossbarSpec } from '../spec/crossbar.js';
import { Gaussian } from '../util/gaussian.js';
import { Rng } from '../util/random.js';

/** levels [dIn][dOut] -> effective weights in level units, programming noise scaled by `scale` (1 = the PCM fit). */
export function programmedWeights(levels: Int32Array, tile: Pick<CrossbarSpec, 'cellLevels' | 'slices'>, scale: number, seed: number): Float64Array {
  const g = new Gaussian(new Rng(seed));
  const coeff = PCM_PROG_COEFF_US.map((c) => (c * scale) / PCM_G_MAX_US);
  const L = tile.cellLevels;
  const out = new Float64Array(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const cells = encodeWeight(levels[i]!, tile);
    let w = 0;
    for (let s = tile.slices - 1; s >= 0; s--) {
      // both devices of the pair, in level units: g / g_step with g_step = g_max / (L - 1)
      const dev = (lvl: number) => Math.max(0, lvl + ((progSigma(lvl / (L - 1), { progCoeff: coeff }) * (L - 1)) * g.next()));
      w = w * L + (dev(cells.pos[s]!) - dev(cells.neg[s]!));
    }
    out[i] = w;
  }
  return out;
}
