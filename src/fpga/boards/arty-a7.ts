// Digilent Arty A7-35T: xc7a35ti-csg324-1L, 100 MHz oscillator, FTDI UART, four LEDs, four buttons, a reset button,
// four PMOD connectors. Pins from the Arty A7 reference manual's master XDC (as in amaranth-boards arty_a7.py).
import { pinResources, pmodResources, type Board } from '../board.js';
import { CSG324_XC7A35T } from './packages.js';

const LVCMOS33 = { iostd: 'LVCMOS33' };

export const artyA7_35: Board = {
  name: 'arty-a7-35',
  title: 'Digilent Arty A7-35T (xc7a35ticsg324-1L)',
  vendor: 'xilinx',
  family: 'xc7',
  device: 'xc7a35ticsg324-1L',
  package: CSG324_XC7A35T,
  speed: '1L',
  toolchain: 'vivado',
  defaultClock: 'clk100',
  defaultReset: 'reset',
  resources: [
    { name: 'clk100', number: 0, signals: { _: { pin: 'E3', dir: 'i' } }, attrs: LVCMOS33, clockHz: 100_000_000, doc: '100 MHz oscillator' },
    { name: 'reset', number: 0, signals: { _: { pin: 'C2', dir: 'i', invert: true } }, attrs: LVCMOS33, doc: 'red RESET button (ck_rst), active low' },
    ...pinResources('led', 'H5 J5 T9 T10', 'o', LVCMOS33, false, 'green LEDs LD4-LD7'),
    ...pinResources('button', 'D9 C9 B9 B8', 'i', LVCMOS33, false, 'buttons BTN0-BTN3'),
    ...pinResources('switch', 'A8 C11 C10 A10', 'i', LVCMOS33, false, 'slide switches SW0-SW3'),
    { name: 'uart', number: 0, signals: { rx: { pin: 'A9', dir: 'i' }, tx: { pin: 'D10', dir: 'o' } }, attrs: LVCMOS33, doc: 'FTDI USB-UART' },
    { name: 'spi', number: 0, signals: { cs_n: { pin: 'C1', dir: 'o' }, clk: { pin: 'F1', dir: 'o' }, copi: { pin: 'H1', dir: 'o' }, cipo: { pin: 'G1', dir: 'i' } }, attrs: LVCMOS33, doc: 'shield SPI header' },
    ...pmodResources({ 0: ['G13', 'B11', 'A11', 'D12', 'D13', 'B18', 'A18', 'K16'], 1: ['E15', 'E16', 'D15', 'C15', 'J17', 'J18', 'K15', 'J15'], 2: ['U12', 'V12', 'V10', 'V11', 'U14', 'V14', 'T13', 'U13'], 3: ['D4', 'D3', 'F4', 'F3', 'E2', 'D2', 'H2', 'G2'] }, LVCMOS33),
  ],
};
