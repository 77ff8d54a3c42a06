// Line charts with uPlot (about 50 KB): small, fast, and drawn on a canvas.
// Colour is never the only signal: series differ in width, dash and point markers too, the
// legend shows each dash, and a series may carry a short label drawn at its end of the line.

import uPlot from 'uplot';
import { h } from './dom';

export interface Series {
  label: string;
  values: (number | null)[];
  stroke: string;
  width?: number;
  dash?: number[];
  points?: boolean;
  line?: boolean;
  /** A short name written at the right end of the line (direct labelling). */
  endLabel?: string;
}

/** Room on the right of the plot for end labels. */
const END_LABELS_PX = 76;

export interface Chart {
  element: HTMLElement;
  update(x: number[], series: Series[]): void;
}

/** Writes each series' end label beside its last point, pushed apart so none overlap. */
function drawEndLabels(u: uPlot, series: Series[], colour: string) {
  const ctx = u.ctx;
  const px = devicePixelRatio || 1;
  const gap = 12 * px;
  const labels: { text: string; x: number; y: number }[] = [];
  series.forEach((s, i) => {
    if (!s.endLabel) return;
    const ys = u.data[i + 1] as (number | null)[];
    let j = ys.length - 1;
    while (j >= 0 && (ys[j] === null || ys[j] === undefined)) j--;
    if (j < 0) return;
    labels.push({ text: s.endLabel, x: u.valToPos(u.data[0][j], 'x', true), y: u.valToPos(ys[j] as number, 'y', true) });
  });
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + gap);
  const bottom = u.bbox.top + u.bbox.height;
  for (let i = labels.length - 1; i >= 0; i--) {
    const limit = i === labels.length - 1 ? bottom : labels[i + 1].y - gap;
    labels[i].y = Math.min(labels[i].y, limit);
  }
  ctx.save();
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.fillStyle = colour;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const l of labels) ctx.fillText(l.text, l.x + 6 * px, l.y);
  ctx.restore();
}

export interface ChartOptions {
  /** A fixed y range (e.g. [0, 1] for an index), instead of one fitted to the data. */
  yRange?: [number, number];
}

export function lineChart(title: string, xLabel: string, yLabel: string, options: ChartOptions = {}): Chart {
  const holder = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  const element = h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), holder);
  let plot: uPlot | undefined;
  let shape = '';

  const size = () => ({ width: Math.max(280, Math.min(holder.clientWidth || 640, 720)), height: 300 });
  new ResizeObserver(() => plot?.setSize(size())).observe(holder);
  // The canvas does not follow CSS: redraw in the page's ink when the colour scheme changes.
  const ink = () => getComputedStyle(holder).color || '#1f2328';
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => plot?.redraw(false, true));
  let current: Series[] = [];

  return {
    element,
    update(x, series) {
      const key = series.map((s) => s.label).join('|');
      const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
      if (plot && key === shape) {
        current = series;
        plot.setData(data);
        return;
      }
      plot?.destroy();
      shape = key;
      current = series;
      const labelled = series.some((s) => s.endLabel);
      plot = new uPlot(
        {
          ...size(),
          padding: [12, labelled ? END_LABELS_PX : 12, 0, 0],
          scales: { x: { time: false }, ...(options.yRange ? { y: { range: options.yRange } } : {}) },
          axes: [
            { label: xLabel, stroke: ink, grid: { stroke: 'rgba(128,128,128,0.15)' } },
            { label: yLabel, stroke: ink, grid: { stroke: 'rgba(128,128,128,0.15)' } },
          ],
          legend: {
            live: false,
            markers: {
              width: (_u, i) => (i === 0 ? 1 : Math.max(2, Math.round(current[i - 1]?.width ?? 1.5))),
              dash: (_u, i) => {
                const d = current[i - 1]?.dash;
                return !d ? 'solid' : d[0] <= 2 ? 'dotted' : 'dashed';
              },
            },
          },
          hooks: { draw: [(u) => drawEndLabels(u, current, ink())] },
          cursor: { drag: { x: false, y: false } },
          series: [
            { label: xLabel },
            ...series.map((s) => ({
              label: s.label,
              stroke: s.stroke,
              width: s.width ?? 1.5,
              dash: s.dash,
              spanGaps: false,
              paths: s.line === false ? () => null : undefined,
              points: { show: s.points ?? false, size: 8, fill: s.stroke },
            })),
          ],
        },
        data,
        holder,
      );
    },
  };
}
