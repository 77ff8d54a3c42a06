// Line charts drawn on a canvas, written for this page (a charting library was a quarter of a
// first visit's JavaScript). Colour is never the only signal: series differ in width, dash and
// point markers too, the legend shows each dash, and a series may carry a short label drawn at
// its end of the line. Values are numbers; `null` leaves a gap.

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

export interface Chart {
  element: HTMLElement;
  update(x: number[], series: Series[]): void;
}

export interface ChartOptions {
  /** A fixed y range (e.g. [0, 1] for an index), instead of one fitted to the data. */
  yRange?: [number, number];
  /** The x values are counts (threads): ticks at whole numbers only, never 1.5. */
  integerX?: boolean;
}

const HEIGHT = 300;
/** Room around the plot: left for the y ticks and label, bottom for the x ticks and label. */
const PAD = { top: 12, right: 12, bottom: 44, left: 58 };
/** Room on the right of the plot for end labels. */
const END_LABELS_PX = 76;
const GRID = 'rgba(128,128,128,0.15)';

/** About `count` round tick values covering `lo..hi` (1, 2 or 5 times a power of ten apart). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en') : String(Number(v.toPrecision(4)));
}

export function lineChart(title: string, xLabel: string, yLabel: string, options: ChartOptions = {}): Chart {
  const canvas = h('canvas', {});
  const legend = h('ul', { class: 'chart-legend' });
  const holder = h('div', { class: 'chart', role: 'img', 'aria-label': title }, canvas);
  const element = h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), holder, legend);
  let xs: number[] = [];
  let current: Series[] = [];

  const draw = () => {
    const width = Math.max(280, Math.min(holder.clientWidth || 640, 720));
    const px = devicePixelRatio || 1;
    canvas.width = Math.round(width * px);
    canvas.height = Math.round(HEIGHT * px);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${HEIGHT}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(px, px);
    // The canvas does not follow CSS: draw in the page's ink, read afresh on every draw.
    const ink = getComputedStyle(holder).color || '#1f2328';
    const right = PAD.right + (current.some((s) => s.endLabel) ? END_LABELS_PX : 0);
    const box = { x: PAD.left, y: PAD.top, w: width - PAD.left - right, h: HEIGHT - PAD.top - PAD.bottom };
    const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
    const xLo = Math.min(...xs.filter(finite));
    const xHi = Math.max(...xs.filter(finite));
    const all = current.flatMap((s) => s.values.filter(finite));
    let [yLo, yHi] = options.yRange ?? [Math.min(0, ...all), Math.max(1, ...all)];
    if (!options.yRange) yHi += (yHi - yLo) * 0.05;
    if (!(xHi > xLo) || !(yHi > yLo)) return;
    const X = (v: number) => box.x + ((v - xLo) / (xHi - xLo)) * box.w;
    const Y = (v: number) => box.y + box.h - ((v - yLo) / (yHi - yLo)) * box.h;

    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = ink;
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    const xCount = Math.max(2, Math.floor(box.w / 80));
    // Counts step by 1 at least: asking for no more ticks than whole numbers in the range
    // keeps the step whole (a step of 0.2 would also add up to 2.0000000000000004).
    const shown = options.integerX ? ticks(xLo, xHi, Math.max(1, Math.min(xCount, xHi - xLo))).filter(Number.isInteger) : ticks(xLo, xHi, xCount);
    // The ticks drawn, for tests (a canvas has no text to read).
    holder.dataset.xTicks = shown.join(',');
    for (const t of shown) {
      ctx.beginPath();
      ctx.moveTo(X(t), box.y);
      ctx.lineTo(X(t), box.y + box.h);
      ctx.stroke();
      ctx.fillText(label(t), X(t), box.y + box.h + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(yLo, yHi, 5)) {
      ctx.beginPath();
      ctx.moveTo(box.x, Y(t));
      ctx.lineTo(box.x + box.w, Y(t));
      ctx.stroke();
      ctx.fillText(label(t), box.x - 6, Y(t));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(xLabel, box.x + box.w / 2, HEIGHT - 4);
    ctx.save();
    ctx.translate(12, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'top';
    ctx.fillText(yLabel, 0, 0);
    ctx.restore();

    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y - 6, box.w + 6, box.h + 12);
    ctx.clip();
    for (const s of current) {
      ctx.strokeStyle = s.stroke;
      ctx.fillStyle = s.stroke;
      ctx.lineWidth = s.width ?? 1.5;
      ctx.setLineDash(s.dash ?? []);
      if (s.line !== false) {
        ctx.beginPath();
        let open = false;
        s.values.forEach((v, i) => {
          if (!finite(v) || !finite(xs[i])) {
            open = false;
            return;
          }
          if (open) ctx.lineTo(X(xs[i]), Y(v));
          else ctx.moveTo(X(xs[i]), Y(v));
          open = true;
        });
        ctx.stroke();
      }
      ctx.setLineDash([]);
      if (s.points) {
        s.values.forEach((v, i) => {
          if (!finite(v) || !finite(xs[i])) return;
          ctx.beginPath();
          ctx.arc(X(xs[i]), Y(v), 4, 0, 2 * Math.PI);
          ctx.fill();
        });
      }
    }
    ctx.restore();
    drawEndLabels(ctx, current, xs, X, Y, box.y + box.h, ink);
  };

  // Redraw when the width changes, in the next frame: drawing resizes the canvas, which
  // resizes the holder, and a redraw inside the observer's own callback would be a
  // ResizeObserver loop (Firefox reports it as an error).
  let drawnWidth = -1;
  new ResizeObserver(([entry]) => {
    const width = Math.round(entry.contentRect.width);
    if (width === drawnWidth) return;
    drawnWidth = width;
    requestAnimationFrame(() => draw());
  }).observe(holder);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => draw());

  return {
    element,
    update(x, series) {
      xs = x;
      current = series;
      legend.replaceChildren(
        ...series.map((s) => {
          const key = h('span', { class: 'chart-key', 'aria-hidden': 'true' });
          // Set through the CSSOM: the page's CSP allows no style attributes.
          key.style.borderTop = `${Math.max(2, Math.round(s.width ?? 1.5))}px ${!s.dash ? 'solid' : s.dash[0] <= 2 ? 'dotted' : 'dashed'} ${s.stroke}`;
          return h('li', {}, key, s.label);
        }),
      );
      draw();
    },
  };
}

/** Writes each series' end label beside its last point, pushed apart so none overlap. */
function drawEndLabels(
  ctx: CanvasRenderingContext2D,
  series: Series[],
  xs: number[],
  X: (v: number) => number,
  Y: (v: number) => number,
  bottom: number,
  colour: string,
) {
  const gap = 12;
  const labels: { text: string; x: number; y: number }[] = [];
  for (const s of series) {
    if (!s.endLabel) continue;
    let j = s.values.length - 1;
    while (j >= 0 && (s.values[j] === null || s.values[j] === undefined)) j--;
    if (j < 0) continue;
    labels.push({ text: s.endLabel, x: X(xs[j]), y: Y(s.values[j] as number) });
  }
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + gap);
  for (let i = labels.length - 1; i >= 0; i--) {
    const limit = i === labels.length - 1 ? bottom : labels[i + 1].y - gap;
    labels[i].y = Math.min(labels[i].y, limit);
  }
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = colour;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const l of labels) ctx.fillText(l.text, l.x + 6, l.y);
  ctx.restore();
}
