// The build report: resources used of available, the clock's achieved Fmax against its constraint, the bitstream,
// the step times. Read from nextpnr's --report JSON and its log, and Yosys's stat; the judgement of fit and timing
// lives here so a failure message names the resource and by how much, or the timing margin.
export interface ResourceUse {
  resource: string;
  label: string;
  used: number;
  available: number;
}

export interface ClockResult {
  port: string;
  constraintMHz: number;
  fmaxMHz: number;
  met: boolean;
  /** period slack at the constraint: constraint period - achieved period */
  slackNs: number;
  /** (Fmax / constraint - 1) * 100 */
  marginPct: number;
}

export interface BuildReport {
  board: string;
  device: string;
  package: string;
  config: string;
  top: string;
  digest: string;
  /** true when taken from the build cache (the tools did not run) */
  cached: boolean;
  dir: string;
  seed: number;
  weightMemory: string;
  utilization: ResourceUse[];
  /** flip-flops, LUTs and carries after synthesis (Yosys stat: every SB_DFF* cell) */
  cells: { flipFlops: number; luts: number; carries: number };
  clock: ClockResult;
  bitstream: { file: string; bytes: number; sha256: string };
  /** measured wall time of each step of the build that made this report */
  timesMs: Record<string, number>;
  tools: Record<string, string>;
}

const LABELS: Record<string, string> = {
  ICESTORM_LC: 'logic cells (LUT4 + FF)',
  ICESTORM_RAM: 'block RAM (SB_RAM40_4K, 4 kbit)',
  ICESTORM_SPRAM: 'SPRAM (SB_SPRAM256KA, 256 kbit)',
  ICESTORM_DSP: 'DSP (SB_MAC16)',
  SB_IO: 'I/O pins',
  ICESTORM_PLL: 'PLL',
};
/** the resources a report lists, in order */
export const REPORTED = ['ICESTORM_LC', 'ICESTORM_RAM', 'ICESTORM_SPRAM', 'ICESTORM_DSP', 'SB_IO'];

/** nextpnr's "Device utilisation" lines: resource -> used/available (the last block in the log). */
export function utilisationFromLog(log: string): Map<string, { used: number; available: number }> {
  const out = new Map<string, { used: number; available: number }>();
  for (const m of log.matchAll(/^Info:\s+(\w+):\s+(\d+)\/\s*(\d+)\s+\d+%/gm)) out.set(m[1]!, { used: Number(m[2]), available: Number(m[3]) });
  return out;
}

/** The resources used beyond what the device has, as a sentence, or undefined when everything fits. */
export function overuse(u: Map<string, { used: number; available: number }> | ResourceUse[]): string | undefined {
  const rows = Array.isArray(u) ? u : [...u].map(([resource, v]) => ({ resource, label: LABELS[resource] ?? resource, ...v }));
  const over = rows.filter((r) => r.used > r.available);
  if (!over.length) return undefined;
  return over.map((r) => `${r.resource} (${LABELS[r.resource] ?? r.label}): ${r.used} used of ${r.available} available, ${r.used - r.available} over (${((100 * r.used) / r.available).toFixed(0)}%)`).join('; ');
}

export function clockResult(port: string, constraintMHz: number, fmaxMHz: number): ClockResult {
  const slackNs = 1000 / constraintMHz - 1000 / fmaxMHz;
  return { port, constraintMHz, fmaxMHz, met: fmaxMHz >= constraintMHz, slackNs, marginPct: (fmaxMHz / constraintMHz - 1) * 100 };
}

export function timingSentence(c: ClockResult): string {
  const sign = (x: number) => (x >= 0 ? '+' : '');
  return `${c.met ? 'timing met' : 'timing FAILED'}: Fmax ${c.fmaxMHz.toFixed(2)} MHz against ${c.constraintMHz} MHz on ${c.port}, margin ${sign(c.marginPct)}${c.marginPct.toFixed(1)}% (slack ${sign(c.slackNs)}${c.slackNs.toFixed(2)} ns per cycle)`;
}

export function reportMarkdown(r: BuildReport): string {
  const t = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  return [
    `# FPGA build: ${r.config} on ${r.board}`,
    '',
    `${r.device} ${r.package}, top \`${r.top}\`, nextpnr seed ${r.seed}, weights in ${r.weightMemory}; inputs digest \`${r.digest}\`. All figures measured by this build (Yosys stat, nextpnr's report), none estimated.`,
    '',
    '| resource | used | available | % |',
    '| --- | ---: | ---: | ---: |',
    ...r.utilization.map((u) => `| ${u.label} | ${u.used} | ${u.available} | ${((100 * u.used) / u.available).toFixed(0)} |`),
    `| flip-flops (after synthesis) | ${r.cells.flipFlops} | - | - |`,
    '',
    `${timingSentence(r.clock)}.`,
    '',
    `Bitstream: \`${r.bitstream.file}\`, ${r.bitstream.bytes} bytes, sha256 \`${r.bitstream.sha256.slice(0, 16)}\`.`,
    '',
    `Step times (this machine): elaborate ${t(r.timesMs.elaborate)}, yosys ${t(r.timesMs.yosys)}, nextpnr ${t(r.timesMs.nextpnr)}, icepack ${t(r.timesMs.icepack)}, total ${t(r.timesMs.total)}. Tools: ${Object.entries(r.tools).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
  ].join('\n');
}

export const resourceLabel = (r: string) => LABELS[r] ?? r;
