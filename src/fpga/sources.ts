// Everything a build reads, as text: the elaborated FPGA top (FPGA chip behind the link, on the board's clock), the
// board's pin-level top and the constraint files. Deterministic: the same configuration and board give the same text.
import { fpgaChip, fpgaChipRecordsPerStep, fpgaChipResetWrites } from '../../dsl/fpga_chip.js';
import { coreLayoutOf, fpgaTop } from '../../dsl/fpga_top.js';
import { designFiles } from '../hdl/backend/write.js';
import { elaborate, type Design } from '../hdl/index.js';
import type { CoreLayout, LinkParams } from '../spec/fpga-link.js';
import type { Board } from './board.js';
import { boardTop, type BoardTop } from './board-top.js';
import { boardClockHz, linkParams, type FpgaConfig } from './config.js';
import { constraintFiles } from './constraints.js';

export interface FpgaSources {
  design: Design;
  layout: CoreLayout;
  link: LinkParams;
  boardTop: BoardTop;
  /** Verilog (and $readmemh images) of the design and the board top: name -> text */
  rtl: Record<string, string>;
  constraints: Record<string, string>;
}

export function fpgaSources(config: FpgaConfig, board: Board): FpgaSources {
  const link = linkParams(config, boardClockHz(board));
  let layout: CoreLayout | undefined;
  const design = elaborate(() => {
    const core = fpgaChip(config.tile);
    layout = coreLayoutOf(core, fpgaChipRecordsPerStep(config.tile));
    return fpgaTop(core, { link, recordsPerStep: fpgaChipRecordsPerStep(config.tile), resetWrites: fpgaChipResetWrites(config.tile) });
  });
  const bt = boardTop(board, design.top.name);
  const rtl: Record<string, string> = {};
  for (const [f, text] of designFiles(design)) if (f.endsWith('.v') || f.endsWith('.hex')) rtl[f] = text;
  rtl[`${bt.name}.v`] = bt.verilog;
  return { design, layout: layout!, link, boardTop: bt, rtl, constraints: constraintFiles(board, bt, config.link.baud) };
}
