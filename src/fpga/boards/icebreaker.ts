// 1BitSquared iCEBreaker (v1.0): iCE40UP5K-SG48, 12 MHz oscillator, FTDI FT2232H (channel B: UART), two LEDs, a
// button, three PMOD connectors. Pins from the iCEBreaker schematic (as in amaranth-boards icebreaker.py).
import { pinResources, pmodResources, type Board } from '../board.js';
import { SG48 } from './packages.js';

const LVCMOS = { iostd: 'SB_LVCMOS' };

export const icebreaker: Board = {
  name: 'icebreaker',
  title: 'iCEBreaker (iCE40UP5K-SG48)',
  vendor: 'lattice',
  family: 'ice40',
  device: 'iCE40UP5K',
  package: SG48,
  toolchain: 'icestorm',
  defaultClock: 'clk12',
  defaultReset: 'button',
  resources: [
    { name: 'clk12', number: 0, signals: { _: { pin: '35', dir: 'i' } }, attrs: LVCMOS, clockHz: 12_000_000, doc: '12 MHz oscillator (global buffer pin)' },
    ...pinResources('led', '11 37', 'o', LVCMOS, true, 'LEDs, active low: 0 red, 1 green'),
    ...pinResources('button', '10', 'i', LVCMOS, true, 'user button BTN_N, active low'),
    { name: 'uart', number: 0, signals: { rx: { pin: '6', dir: 'i' }, tx: { pin: '9', dir: 'o' } }, attrs: { iostd: 'SB_LVTTL', pull: 'up' }, doc: 'FTDI channel B, 3.3 V UART' },
    { name: 'spi_flash', number: 0, signals: { cs_n: { pin: '16', dir: 'o' }, clk: { pin: '15', dir: 'o' }, copi: { pin: '14', dir: 'o' }, cipo: { pin: '17', dir: 'i' } }, attrs: LVCMOS, doc: 'configuration flash' },
    ...pmodResources({ 0: ['4', '2', '47', '45', '3', '48', '46', '44'], 1: ['43', '38', '34', '31', '42', '36', '32', '28'], 2: ['27', '25', '21', '19', '26', '23', '20', '18'] }, LVCMOS),
  ],
};
