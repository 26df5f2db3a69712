// The report's plots: Vega-Lite specifications rendered to SVG with Vega's headless renderer (no canvas, no
// browser), so the same data always gives the same file.
import * as vega from 'vega';
import * as vl from 'vega-lite';

type Row = Record<string, string | number | boolean | null>;

export async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', config: { font: 'sans-serif' } } as const;

/** Energy per token against perplexity, one colour per model, the Pareto front of each model drawn through its points. */
export function paretoSpec(points: Row[], title: string): vl.TopLevelSpec {
  return {
    ...base,
    title,
    width: 520,
    height: 340,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'datum.front' }],
        mark: { type: 'line', strokeDash: [4, 3] },
        encoding: { x: { field: 'energy', type: 'quantitative' }, y: { field: 'deltaPpl', type: 'quantitative' }, color: { field: 'model', type: 'nominal' }, order: { field: 'energy', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'energy', type: 'quantitative', scale: { type: 'log' }, title: 'chip energy per token, crossbar tier (µJ, estimated)' },
          y: { field: 'deltaPpl', type: 'quantitative', scale: { type: 'symlog' }, title: 'SNN perplexity vs dense (Δ %, measured)' },
          color: { field: 'model', type: 'nominal' },
          shape: { field: 'scheme', type: 'nominal' },
          tooltip: [{ field: 'label' }],
        },
      },
      { mark: { type: 'text', dx: 8, align: 'left', fontSize: 9 }, encoding: { x: { field: 'energy', type: 'quantitative' }, y: { field: 'deltaPpl', type: 'quantitative' }, text: { field: 'T' } } },
    ],
  };
}

/** J/token or tokens/s against parameter count: colour = system, dash = scenario (reference, sized to fit, streaming). */
export function scalingSpec(rows: Row[], y: { field: string; title: string }, title: string): vl.TopLevelSpec {
  return {
    ...base,
    title,
    width: 480,
    height: 320,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'params', type: 'quantitative', scale: { type: 'log' }, title: 'parameters' },
      y: { field: y.field, type: 'quantitative', scale: { type: 'log' }, title: y.title },
      color: { field: 'system', type: 'nominal', title: null, legend: { labelLimit: 320, orient: 'bottom', columns: 2 } },
      strokeDash: { field: 'scenario', type: 'nominal', title: null, legend: { labelLimit: 320, orient: 'bottom' } },
      detail: [{ field: 'system' }, { field: 'scenario' }],
      tooltip: [{ field: 'model' }, { field: 'system' }, { field: 'scenario' }, { field: y.field }],
    },
  };
}

/** Horizontal bars: one per row, value on x. */
export function barsSpec(rows: Row[], x: { field: string; title: string; log?: boolean }, yField: string, title: string, color?: string): vl.TopLevelSpec {
  return {
    ...base,
    title,
    width: 460,
    height: { step: 16 },
    data: { values: rows },
    mark: 'bar',
    encoding: {
      y: { field: yField, type: 'nominal', sort: null, title: null, axis: { labelLimit: 420 } },
      x: { field: x.field, type: 'quantitative', title: x.title, ...(x.log ? { scale: { type: 'symlog' } } : {}) },
      ...(color ? { color: { field: color, type: 'nominal', title: null, legend: { labelLimit: 320, orient: 'bottom', columns: 3 } } } : {}),
    },
  };
}
