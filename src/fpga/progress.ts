// A progress display for the long build steps: on a terminal one line redrawn four times a second (step, elapsed
// seconds, the tool's latest phase); elsewhere one line per step as it ends, so logs stay readable.
export interface Progress {
  start(step: string): void;
  /** the tool's current phase (a log line) */
  phase(text: string): void;
  end(summary: string): void;
}

export const silentProgress: Progress = { start() {}, phase() {}, end() {} };

export function terminalProgress(out: NodeJS.WriteStream = process.stderr): Progress {
  const tty = !!out.isTTY;
  let step = '';
  let phase = '';
  let t0 = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const line = `[fpga] ${step} ${((performance.now() - t0) / 1000).toFixed(0)} s${phase ? ` | ${phase}` : ''}`;
    out.write(`\r${line.slice(0, (out.columns ?? 100) - 1).padEnd(Math.min(out.columns ?? 100, 100) - 1)}`);
  };
  return {
    start(s) {
      step = s;
      phase = '';
      t0 = performance.now();
      if (tty) timer = setInterval(draw, 250);
    },
    phase(text) {
      phase = text;
    },
    end(summary) {
      if (timer) clearInterval(timer);
      timer = undefined;
      const line = `[fpga] ${step}: ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`;
      out.write(tty ? `\r${line.padEnd(Math.min(out.columns ?? 100, 100) - 1)}\n` : `${line}\n`);
    },
  };
}

/** The phase a Yosys log line announces ("4.17. Executing TECHMAP pass" -> "TECHMAP"), or undefined. */
export function yosysPhase(line: string): string | undefined {
  const m = /^\d+(?:\.\d+)*\. Executing (\S+) pass/.exec(line);
  return m ? m[1] : undefined;
}

/** The phase a nextpnr log line announces, or undefined. */
export function nextpnrPhase(line: string): string | undefined {
  const m = /^Info: (Packing|Running|Placed|Routing|Setting up|Checksum|Program finished|HeAP|Starting|Router1|\s*\d+\s*\|)/.exec(line);
  return m ? line.replace(/^Info:\s*/, '').slice(0, 60) : undefined;
}
