// Line charts with uPlot (about 50 KB): small, fast, and drawn on a canvas.

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
}

export interface Chart {
  element: HTMLElement;
  update(x: number[], series: Series[]): void;
}

export function lineChart(title: string, xLabel: string, yLabel: string): Chart {
  const holder = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  const element = h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), holder);
  let plot: uPlot | undefined;
  let shape = '';

  const size = () => ({ width: Math.max(280, Math.min(holder.clientWidth || 640, 720)), height: 300 });
  new ResizeObserver(() => plot?.setSize(size())).observe(holder);

  return {
    element,
    update(x, series) {
      const key = series.map((s) => s.label).join('|');
      const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
      if (plot && key === shape) {
        plot.setData(data);
        return;
      }
      plot?.destroy();
      shape = key;
      plot = new uPlot(
        {
          ...size(),
          scales: { x: { time: false } },
          axes: [
            { label: xLabel, stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
            { label: yLabel, stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
          ],
          legend: { live: false },
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
