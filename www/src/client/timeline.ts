// A per-thread timeline: one row per thread, one bar per task span. Work is a solid bar,
// waiting a hatched one, so the difference never rests on colour alone.

import { h, ms, svg } from './dom';
import type { Run } from '../generated/Run';

export function laneName(lane: number): string {
  return lane === 0 ? 'engine thread' : `worker ${lane}`;
}

const ROW = 22;
const LABEL = 108;
const WIDTH = 720;

export interface TimelineOptions {
  /** A row's label (default: `laneName`), e.g. the roles that ran on that thread. */
  laneLabel?: (lane: number) => string;
  /** What a span's `task` number names in its tooltip (default: "task"). */
  taskWord?: string;
}

/** `scaleMs` lets two timelines share one time axis so that their lengths compare. */
export function renderTimeline(run: Run, title: string, scaleMs = run.wall_ms, options: TimelineOptions = {}): HTMLElement {
  const label = options.laneLabel ?? laneName;
  const taskWord = options.taskWord ?? 'task';
  const lanes = run.lanes.length ? run.lanes : [0];
  const plot = WIDTH - LABEL - 12;
  const x = (t: number) => LABEL + (Math.max(0, t) / Math.max(scaleMs, 1e-6)) * plot;
  const height = lanes.length * ROW + 30;
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: 'timeline',
    role: 'img',
    'aria-label': `${title}: ${run.spans.length} spans on ${lanes.length} thread${lanes.length === 1 ? '' : 's'}, ${ms(run.wall_ms)} in all`,
  });
  root.append(hatchDefs('hatch'));
  lanes.forEach((lane, i) => {
    const y = i * ROW;
    root.append(svg('text', { x: LABEL - 8, y: y + ROW / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, label(lane)));
    root.append(svg('line', { x1: LABEL, x2: WIDTH - 12, y1: y + ROW - 1, y2: y + ROW - 1, class: 'lane-rule' }));
  });
  const rank = new Map(run.order.map((t, i) => [t, i]));
  for (const s of run.spans) {
    const row = lanes.indexOf(s.lane);
    const w = Math.max(1, x(s.end_ms) - x(s.start_ms));
    const rect = svg('rect', {
      x: x(s.start_ms),
      y: row * ROW + 3,
      width: w,
      height: ROW - 7,
      rx: 2,
      class: `span ${s.kind}`,
      'data-task': s.task,
      'data-lane': s.lane,
    });
    const done = rank.get(s.task);
    rect.append(
      svg(
        'title',
        {},
        `${taskWord} ${s.task} on ${laneName(s.lane)}: ${s.kind === 'work' ? 'working' : 'waiting'} from ${ms(s.start_ms)} to ${ms(s.end_ms)}${done === undefined ? '' : `, finished ${ordinal(done + 1)}`}`,
      ),
    );
    root.append(rect);
  }
  const axisY = lanes.length * ROW + 6;
  for (const t of ticks(scaleMs)) {
    root.append(svg('line', { x1: x(t), x2: x(t), y1: axisY - 4, y2: axisY, class: 'tick' }));
    root.append(svg('text', { x: x(t), y: axisY + 14, class: 'tick-label', 'text-anchor': 'middle' }, ms(t)));
  }
  // Focusable: on a narrow screen the figure scrolls sideways, and keys must reach that too.
  return h('figure', { class: 'timeline-figure', tabindex: 0 }, h('figcaption', {}, title), root);
}

/** The `<defs>` of a hatch pattern with this id: the fill of a waiting (or failed) bar. */
export function hatchDefs(id: string): SVGElement {
  return svg(
    'defs',
    {},
    svg(
      'pattern',
      { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 6, height: 6, class: 'hatch-bg' }),
      svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }),
    ),
  );
}

/** Round times from 0 to `max` for an axis, about five of them. */
export function ticks(max: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(t);
  return out;
}

function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

export function legend(): HTMLElement {
  return h(
    'p',
    { class: 'legend' },
    h('span', { class: 'key work' }),
    ' computing  ',
    h('span', { class: 'key wait' }),
    ' waiting (I/O, or for its turn)',
  );
}
