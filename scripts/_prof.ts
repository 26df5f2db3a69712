import { Gpt2Trainer, initParams } from '../src/lm/train/gpt2.js';
const cfg = { vocabSize: 256, maxSeq: 128, nLayers: 4, nHeads: 4, dModel: 96, dFF: 384, activation: 'gelu' as const };
const m = new Gpt2Trainer(cfg, 8, 128);
initParams(m.params, Math.random);
const inp = new Int32Array(8 * 128).map(() => Math.floor(Math.random() * 256));
for (let i = 0; i < 2; i++) { m.forward(inp, inp); m.zeroGrad(); m.backward(inp, inp); }
let t = performance.now(); for (let i = 0; i < 3; i++) m.forward(inp, inp); console.log('fwd', ((performance.now() - t) / 3).toFixed(0), 'ms');
t = performance.now(); for (let i = 0; i < 3; i++) { m.zeroGrad(); m.backward(inp, inp); } console.log('bwd', ((performance.now() - t) / 3).toFixed(0), 'ms');
