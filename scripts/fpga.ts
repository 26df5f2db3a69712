// npm run fpga: builds the FPGA chip for a board (iCE40: a bitstream and a report; Vivado / ECP5 boards: project
// files), writes the constraint files of every board into constraints/, runs the parameter sweep (in worker
// processes, or as a Slurm job array), or runs a network on a board over its serial port.
import path from 'node:path';
import { intArg, parseCli, runCli, UsageError } from '../src/cli/args.js';

const USAGE = 'npm run fpga -- [--board NAME] [--config NAME] [--seed N] [--freq MHZ] | --constraints | --sweep [--jobs N] [--slurm FILE] | --sweep-task I --out DIR | --sweep-gather DIR | --run TTY | --list';
const OPTIONS = `Builds the FPGA chip (one crossbar tile behind a UART link, docs/fpga.md) for a board.
  --board NAME        icebreaker (default: builds the bitstream here), arty-a7-35 or ulx3s-85f (writes project files)
  --config NAME       the configuration of dsl/fpga_params.ts: default, or a variant (--list names them)
  --seed N            nextpnr placement seed (default: the configuration's)
  --freq MHZ          clock constraint for nextpnr (default: the board clock)
  --constraints       write every board's constraint files (.pcf/.xdc/.lpf and .sdc) into constraints/
  --sweep             build every variant on the iCEBreaker in worker processes; write the table (markdown + CSV)
  --jobs N            worker processes for the sweep (default 2)
  --slurm FILE        with --sweep: write a Slurm job-array script instead of running (one variant per task)
  --sweep-task I      build variant I (0-based) and write its result JSON into --out DIR (what a Slurm task runs)
  --sweep-gather DIR  the sweep table from the result JSONs in DIR
  --out DIR           where the sweep writes its table or task results (default reports/fpga)
  --run TTY           run the demo network on a board at TTY (e.g. /dev/ttyUSB1) and compare with the golden model
  --list              list boards and configurations
  -h, --help          this text`;

await runCli(
  USAGE,
  async () => {
    const { values: a } = parseCli({
      options: {
        board: { type: 'string' },
        config: { type: 'string' },
        seed: { type: 'string' },
        freq: { type: 'string' },
        constraints: { type: 'boolean', default: false },
        sweep: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        slurm: { type: 'string' },
        'sweep-task': { type: 'string' },
        'sweep-gather': { type: 'string' },
        out: { type: 'string' },
        run: { type: 'string' },
        list: { type: 'boolean', default: false },
      },
    });
    const { BOARDS, BOARD_NAMES } = await import('../src/fpga/boards/index.js');
    const { CONFIG_NAMES, fpgaConfig } = await import('../src/fpga/config.js');
    const out = path.resolve(a.out ?? 'reports/fpga');
    if (a.list) {
      for (const n of BOARD_NAMES) console.log(`board ${n}: ${BOARDS[n]!.title} (${BOARDS[n]!.toolchain})`);
      for (const n of CONFIG_NAMES) console.log(`config ${n}`);
      return;
    }
    if (a.constraints) {
      const { writeConstraints } = await import('../src/fpga/emit.js');
      for (const f of writeConstraints()) console.log(`wrote ${path.relative(process.cwd(), f)}`);
      return;
    }
    if (a['sweep-gather']) {
      const { gatherSweep, writeSweepTable } = await import('../src/fpga/sweep.js');
      const rows = gatherSweep(path.resolve(a['sweep-gather']));
      for (const f of writeSweepTable(rows, path.resolve(a.out ?? a['sweep-gather']))) console.log(`wrote ${path.relative(process.cwd(), f)}`);
      return;
    }
    if (a['sweep-task'] !== undefined) {
      const { runSweepTask } = await import('../src/fpga/sweep.js');
      const i = intArg('sweep-task', a['sweep-task'], 0, { min: 0, max: CONFIG_NAMES.length - 1 });
      const file = await runSweepTask(CONFIG_NAMES[i]!, out);
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
      return;
    }
    if (a.sweep) {
      const { runSweep, slurmScript, writeSweepTable } = await import('../src/fpga/sweep.js');
      if (a.slurm) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(a.slurm, slurmScript(CONFIG_NAMES.length, out));
        console.log(`wrote ${a.slurm}: submit with sbatch ${a.slurm}; when every task is done: npm run fpga -- --sweep-gather ${path.relative(process.cwd(), out)}`);
        return;
      }
      const jobs = intArg('jobs', a.jobs, 2, { min: 1, max: 64 });
      const rows = await runSweep(CONFIG_NAMES, jobs, (msg) => console.error(msg));
      for (const f of writeSweepTable(rows, out)) console.log(`wrote ${path.relative(process.cwd(), f)}`);
      return;
    }
    const boardName = a.board ?? 'icebreaker';
    const board = BOARDS[boardName];
    if (!board) throw new UsageError(`--board must be one of ${BOARD_NAMES.join(', ')}, got '${boardName}'`);
    const config = fpgaConfig(a.config ?? 'default');
    if (a.run) {
      const { runOnBoard } = await import('../src/fpga/run-board.js');
      await runOnBoard(a.run, config, board);
      return;
    }
    if (board.family !== 'ice40') {
      const { writeProject } = await import('../src/fpga/projects.js');
      const p = writeProject(config, board);
      console.log(`project files for ${board.title} in ${path.relative(process.cwd(), p.dir)}:\n  ${p.files.join('\n  ')}`);
      console.log(`this toolchain is not installed here: run \`${p.command}\` in that folder with ${p.tool}`);
      return;
    }
    const { buildIce40 } = await import('../src/fpga/build.js');
    const { terminalProgress } = await import('../src/fpga/progress.js');
    const { reportMarkdown } = await import('../src/fpga/report.js');
    const seed = a.seed === undefined ? undefined : intArg('seed', a.seed, 1, { min: 0, max: 2_147_483_647 });
    const freqMHz = a.freq === undefined ? undefined : intArg('freq', a.freq, 12, { min: 1, max: 500 });
    const r = await buildIce40(config, board, { progress: terminalProgress(), seed, freqMHz });
    console.log(reportMarkdown(r));
    console.log(r.cached ? `cached: nothing changed since the build in ${path.relative(process.cwd(), r.dir)}` : `built in ${path.relative(process.cwd(), r.dir)}`);
    console.log(`bitstream: ${path.relative(process.cwd(), path.join(r.dir, r.bitstream.file))} (load it with: iceprog ${path.relative(process.cwd(), path.join(r.dir, r.bitstream.file))})`);
  },
  OPTIONS,
);
