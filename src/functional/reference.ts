// The plain TypeScript engine: docs/crossbar.md step by step for each tile of the grid, with the spec's ADC
// function (adcConvert) and the golden LIF rule (LifNeurons.update). Readable rather than fast; it is the
// reference the SIMD engine is tested against, and the engine where WebAssembly is unavailable.
import { LifNeurons } from '../golden/lif.js';
import { adcConvert, colGroups } from '../spec/crossbar.js';
import { badInput, CI, NC, type EngineCall, type EngineResult, type LayerEngine, type LayerSetup } from './setup.js';

export class ReferenceEngine implements LayerEngine {
  readonly name = 'ts' as const;
  private readonly neurons: LifNeurons | undefined;

  constructor(private readonly s: LayerSetup) {
    this.neurons = s.neuron ? new LifNeurons({ ...s.neuron, neurons: s.positions * s.grid.dOut }) : undefined;
  }

  run(call: EngineCall, ev: Float64Array): EngineResult {
    const bad = badInput(this.s, call.x, call.T, call.perStep);
    if (bad) throw bad;
    const { tile, grid: g, slices, bias, shifts, masks, thetas, leaks } = this.s;
    const { x, T, restart } = call;
    const { dIn, dOut, R, C, RT, CT } = g;
    const S = tile.slices;
    const M = this.s.positions * T;
    const pMin = -(2 ** (tile.psumBits - 1));
    const pMax = 2 ** (tile.psumBits - 1) - 1;
    const spikes = this.neurons ? new Int8Array(M * dOut) : undefined;
    const zOut = this.neurons ? undefined : new Int32Array(M * dOut);
    const sums = new Int32Array(S * C);
    const z = new Float64Array(C);
    for (let m = 0; m < M; m++) {
      const pos = Math.floor(m / T);
      const xm = m * dIn;
      for (let ct = 0; ct < CT; ct++) {
        const j0 = ct * C;
        const cw = Math.min(C, dOut - j0); // columns past dOut are zero weights: their sums are 0 and never clip
        for (let c = 0; c < cw; c++) z[c] = bias ? bias[j0 + c]! : 0;
        for (let rt = 0; rt < RT; rt++) {
          const tileIx = rt * CT + ct;
          const e = tileIx * NC;
          const mask = masks[tileIx]!;
          const r0 = rt * R;
          const r1 = Math.min(r0 + R, dIn); // rows past dIn have a zero input: silent
          sums.fill(0);
          let active = 0;
          let groups = 0;
          let lastGroup = -1;
          for (let r = r0; r < r1; r++) {
            const xr = x[xm + r]!;
            if (xr === 0) continue;
            if (!mask[r - r0]) {
              ev[e + CI.masked_rows]!++;
              continue;
            }
            active++;
            const grp = Math.floor((r - r0) / tile.rowsPerCycle);
            if (grp !== lastGroup) {
              groups++;
              lastGroup = grp;
            }
            for (let sl = 0; sl < S; sl++) {
              const w = slices[sl]!;
              const base = r * dOut + j0;
              for (let c = 0; c < cw; c++) sums[sl * C + c]! += xr * w[base + c]!;
            }
          }
          ev[e + CI.timesteps]!++;
          ev[e + CI.active_rows]! += active;
          ev[e + CI.cell_reads]! += active * C * S * 2;
          ev[e + CI.weight_reads]! += groups * colGroups(tile);
          if (active === 0) continue; // no conversion: q = 0, y = 0, z passes unchanged
          ev[e + CI.adc_conversions]! += C * S;
          for (let c = 0; c < cw; c++) {
            let y = 0;
            for (let sl = S - 1; sl >= 0; sl--) {
              const q = adcConvert(sums[sl * C + c]!, shifts[tileIx]!, tile);
              if (q.clip) ev[e + CI.adc_clipped]!++;
              y = y * tile.cellLevels + q.q;
            }
            const t = z[c]! + y;
            const zc = Math.min(pMax, Math.max(pMin, t));
            if (zc !== t) ev[e + CI.psum_saturated]!++;
            z[c] = zc;
          }
        }
        const o = m * dOut + j0;
        if (this.neurons) {
          for (let c = 0; c < cw; c++) spikes![o + c] = this.neurons.update(pos * dOut + j0 + c, z[c]!, thetas[ct]!, leaks[ct]!, restart[m] === 1);
        } else for (let c = 0; c < cw; c++) zOut![o + c] = z[c]!;
      }
    }
    return { spikes, z: zOut };
  }

  membranes(): Int32Array {
    return this.neurons ? Int32Array.from(this.neurons.v) : new Int32Array(this.s.positions * this.s.grid.dOut);
  }

  resetNeurons(): void {
    this.neurons?.reset();
  }

  dispose(): void {}
}
