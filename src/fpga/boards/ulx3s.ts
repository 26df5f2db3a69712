// Radiona ULX3S with the LFE5U-85F (CABGA381): 25 MHz oscillator, FTDI FT231X UART, eight LEDs, six buttons.
// Pins from the ULX3S schematic (as in amaranth-boards ulx3s.py).
import { pinResources, type Board } from '../board.js';
import { CABGA381 } from './packages.js';

const IO = { iostd: 'LVCMOS33' };

export const ulx3s85f: Board = {
  name: 'ulx3s-85f',
  title: 'Radiona ULX3S (LFE5U-85F-6BG381C)',
  vendor: 'lattice',
  family: 'ecp5',
  device: 'LFE5U-85F',
  package: CABGA381,
  speed: '6',
  toolchain: 'trellis',
  defaultClock: 'clk25',
  defaultReset: 'button',
  resources: [
    { name: 'clk25', number: 0, signals: { _: { pin: 'G2', dir: 'i' } }, attrs: IO, clockHz: 25_000_000, doc: '25 MHz oscillator' },
    ...pinResources('led', 'B2 C2 C1 D2 D1 E2 E1 H3', 'o', { iostd: 'LVCMOS33', drive: 4 }, false, 'LEDs D0-D7'),
    ...pinResources('button', 'R1 T1 R18 V1 U1 H16', 'i', { iostd: 'LVCMOS33', pull: 'down' }, false, 'buttons FIRE1, FIRE2, UP, DOWN, LEFT, RIGHT'),
    { name: 'button_pwr', number: 0, signals: { _: { pin: 'D6', dir: 'i', invert: true } }, attrs: { iostd: 'LVCMOS33', pull: 'up' }, doc: 'PWR button, active low' },
    { name: 'uart', number: 0, signals: { rx: { pin: 'M1', dir: 'i' }, tx: { pin: 'L4', dir: 'o' } }, attrs: IO, doc: 'FTDI USB-UART' },
    { name: 'spi_adc', number: 0, signals: { cs_n: { pin: 'R17', dir: 'o' }, clk: { pin: 'P17', dir: 'o' }, copi: { pin: 'R16', dir: 'o' }, cipo: { pin: 'U16', dir: 'i' } }, attrs: { iostd: 'LVCMOS33', pull: 'up' }, doc: 'MAX11125 ADC SPI' },
  ],
};
