// npm run fpga -- --run TTY: the demo network on a board. Pings the device (checking it runs this configuration's
// bitstream), loads a seeded random network, runs timesteps of seeded random inputs, reads the spikes and counters
// back and compares them with the golden tile model computing the same network.
import { CrossbarTile } from '../golden/crossbar.js';
import { Rng } from '../util/random.js';
import type { Board } from './board.js';
import type { FpgaConfig } from './config.js';
import { FpgaLink } from './host/driver.js';
import { SerialTransport } from './host/serial.js';
import { TileOnFpga } from './host/tile.js';
import { fpgaSources } from './sources.js';

export async function runOnBoard(tty: string, config: FpgaConfig, board: Board, steps = 16, seed = 1): Promise<void> {
  const s = fpgaSources(config, board);
  const transport = await SerialTransport.open(tty, config.link.baud);
  try {
    const link = new FpgaLink(transport, s.layout, s.link, 5000);
    const info = await link.ping();
    console.log(`device: protocol ${info.version}, layout hash 0x${info.layoutHash.toString(16)}, buffer ${info.bufferBytes} B, ${info.fifoRecords} records`);
    const p = config.tile;
    const rng = new Rng(seed);
    const max = p.cellLevels ** p.slices - 1;
    const net = { weights: Array.from({ length: p.rows * p.cols }, () => rng.int(-max, max)), threshold: 4, leak: 1, adcShift: 1 };
    const tile = new TileOnFpga(link, p);
    const t0 = performance.now();
    await tile.load(net);
    const inputs = Array.from({ length: steps }, () => Array.from({ length: p.rows }, () => (rng.chance(0.3) ? 1 : 0)));
    const t1 = performance.now();
    const got = await tile.run(inputs);
    const t2 = performance.now();
    const golden = new CrossbarTile(p);
    golden.program(net.weights);
    Object.assign(golden, { threshold: net.threshold, leak: net.leak, adcShift: net.adcShift });
    let bad = 0;
    inputs.forEach((x, t) => {
      const want = golden.step(x, undefined, t === 0);
      if (got[t]!.spikes.some((v, c) => v !== want.spikes![c]) || got[t]!.v.some((v, c) => v !== want.v![c])) bad++;
    });
    const c = await tile.counters();
    console.log(`loaded the network in ${((t1 - t0) / 1000).toFixed(2)} s, ran ${steps} timesteps in ${((t2 - t1) / 1000).toFixed(2)} s (measured over the serial link)`);
    console.log(`spikes: ${got.reduce((n, r) => n + r.spikes.filter((v) => v !== 0).length, 0)} in total; counters: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(bad ? `MISMATCH: ${bad} of ${steps} timesteps differ from the golden model` : `equal to the golden model in all ${steps} timesteps`);
    if (bad) process.exitCode = 1;
  } finally {
    await transport.close();
  }
}
