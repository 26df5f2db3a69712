// The boards the FPGA flow knows, by name.
import type { Board } from '../board.js';
import { artyA7_35 } from './arty-a7.js';
import { icebreaker } from './icebreaker.js';
import { ulx3s85f } from './ulx3s.js';

export const BOARDS: Readonly<Record<string, Board>> = { icebreaker, 'arty-a7-35': artyA7_35, 'ulx3s-85f': ulx3s85f };
export const BOARD_NAMES = Object.keys(BOARDS);
