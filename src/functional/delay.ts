// The one step of delay between pipelined layers (network.ts): what a layer fired at step t arrives at step t + 1.

/** Delays spikes [P][T][n] by one step within each position: out[p][t] = in[p][t - 1], out[p][0] = 0. */
export function delayOneStep(spikes: Int8Array, P: number, T: number, n: number): Int8Array {
  const out = new Int8Array(spikes.length);
  for (let p = 0; p < P; p++) out.set(spikes.subarray(p * T * n, (p * T + T - 1) * n), (p * T + 1) * n);
  return out;
}
