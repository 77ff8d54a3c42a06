// The queue's fill level, qsize() over time, as a step chart.

import { ms, svg } from '../../dom';

const CW = 720;
const CH = 150;
const PAD = { left: 40, right: 12, top: 12, bottom: 26 };

/** `qsize()` over time as steps, with maxsize as a dashed line when the queue is bounded. */
export function fillChart(points: [number, number][], maxsize: number, endMs: number): SVGElement {
  const top = Math.max(1, maxsize, ...points.map((p) => p[1]));
  const plotW = CW - PAD.left - PAD.right;
  const plotH = CH - PAD.top - PAD.bottom;
  const end = Math.max(endMs, ...points.map((p) => p[0]), 1e-6);
  const x = (t: number) => PAD.left + (Math.max(0, t) / end) * plotW;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  let d = `M ${x(0)} ${y(0)}`;
  let last = 0;
  for (const [t, v] of points) {
    d += ` H ${x(t).toFixed(1)} V ${y(v).toFixed(1)}`;
    last = v;
  }
  d += ` H ${x(end).toFixed(1)}`;
  const peak = Math.max(0, ...points.map((p) => p[1]));
  const root = svg('svg', {
    viewBox: `0 0 ${CW} ${CH}`,
    class: 'fill-chart',
    role: 'img',
    'aria-label': `Items in the queue over ${ms(end)}: at most ${peak}${maxsize > 0 ? ` of maxsize ${maxsize}` : ' (unbounded)'}, ${last} at the end`,
  });
  for (const v of [0, top]) {
    root.append(svg('line', { x1: PAD.left, x2: CW - PAD.right, y1: y(v), y2: y(v), class: 'lane-rule' }));
    root.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick-label', 'text-anchor': 'end' }, String(v)));
  }
  if (maxsize > 0) {
    root.append(svg('line', { x1: PAD.left, x2: CW - PAD.right, y1: y(maxsize), y2: y(maxsize), class: 'maxsize-line' }));
    root.append(svg('text', { x: CW - PAD.right, y: y(maxsize) - 4, class: 'tick-label', 'text-anchor': 'end' }, `maxsize ${maxsize}`));
  }
  root.append(svg('path', { d, class: 'fill-step' }));
  for (const t of [0, end / 2, end]) {
    root.append(svg('text', { x: x(t), y: CH - 6, class: 'tick-label', 'text-anchor': t === 0 ? 'start' : t === end ? 'end' : 'middle' }, ms(t)));
  }
  return root;
}
