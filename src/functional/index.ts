// The chip functional model (architecture.md, model 3): spiking linear layers on crossbar tiles at timestep level,
// and networks of them pipelined by one timestep.
export { SpikingLinear, type EngineChoice, type LayerOutput, type SpikingLinearConfig } from './layer.js';
export { delayOneStep } from './delay.js';
export { runNetwork, type NetworkRun } from './network.js';
export { tileGrid, type TileGrid } from './tiling.js';
export { functionalThreads, setFunctionalThreads, spikingWasmAvailable, spikingWasmLoadError } from './wasm/kernels.js';
