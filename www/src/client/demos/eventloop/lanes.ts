// Tasks on the loop across time: one lane per task, its spans running (solid), ready
// (dotted: it could run, but the loop is busy with someone else) or waiting (hatched: at an
// `await`, for a timer or a queue). Above them the loop's own lane says who runs; with a
// blocking call that lane goes solid and everyone else's waits stretch. Each span has a
// tooltip and the figure a text summary, so nothing rests on colour alone.

import { h, ms, svg } from '../../dom';
import { hatchDefs, ticks } from '../../timeline';
import type { TaskState, Span } from './types';

const ROW = 24;
const LABEL = 96;
const WIDTH = 720;
const RIGHT = 26;

export interface LaneOptions {
  /** The figure's caption. */
  title: string;
  /** A cursor at this time (the step-through's event). */
  cursor?: number;
  /** The axis ends here, so that several figures compare (default: the last span's end). */
  scaleMs?: number;
  /** The loop's own lane on top (who runs). */
  loopLane?: boolean;
  /** Time as the page says it (default `ms`; cooking says minutes). */
  format?: (t: number) => string;
  /** Prefix of the pattern ids, unique per figure on the page. */
  id: string;
  /** The instants the loop took a task from the ready queue, marked on its lane: on the
   *  virtual clock a poll that only awaits takes no time, so it has no bar to show. */
  runs?: { t: number; task: string }[];
}

const WORD: Record<TaskState, string> = { new: 'new, not yet run', running: 'running', ready: 'ready, waiting for the loop', waiting: 'waiting at an await', done: 'done' };

export function lanes(tasks: string[], spans: Span[], o: LaneOptions): HTMLElement {
  const fmt = o.format ?? ms;
  const end = Math.max(o.scaleMs ?? 0, ...spans.map((s) => s.to), 1);
  const plot = WIDTH - LABEL - RIGHT;
  const x = (t: number) => LABEL + (Math.max(0, t) / end) * plot;
  const rows = [...(o.loopLane ? ['the loop'] : []), ...tasks];
  const height = rows.length * ROW + 30;
  const running = spans.filter((s) => s.state === 'running');
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: 'timeline el-lanes',
    role: 'img',
    'aria-label': `${o.title}: ${tasks.length} task${tasks.length === 1 ? '' : 's'}, ${fmt(end)} in all; ${running.length} running span${running.length === 1 ? '' : 's'}`,
  });
  root.append(hatchDefs(`${o.id}-hatch`), dots(`${o.id}-dots`));
  rows.forEach((name, i) => {
    const y = i * ROW;
    root.append(svg('text', { x: LABEL - 8, y: y + ROW / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, name));
    root.append(svg('line', { x1: LABEL, x2: WIDTH - RIGHT, y1: y + ROW - 1, y2: y + ROW - 1, class: 'lane-rule' }));
  });
  const fill = (state: TaskState) => (state === 'running' ? null : state === 'ready' || state === 'new' ? `url(#${o.id}-dots)` : `url(#${o.id}-hatch)`);
  const bar = (row: number, s: Span, label?: string) => {
    const w = Math.max(1.5, x(s.to) - x(s.from));
    const g = svg('g', { class: `el-span ${s.state}`, 'data-task': s.task, 'data-state': s.state });
    const rect = svg('rect', { x: x(s.from), y: row * ROW + 3, width: w, height: ROW - 7, rx: 2 });
    const f = fill(s.state);
    if (f) rect.setAttribute('fill', f);
    g.append(rect, svg('title', {}, `${s.task}: ${WORD[s.state]} from ${fmt(s.from)} to ${fmt(s.to)}`));
    // The running task's name is written in the loop's bar when it fits.
    if (label && w >= label.length * 7 + 6) g.append(svg('text', { x: x(s.from) + 4, y: row * ROW + ROW / 2 + 3, class: 'el-span-text' }, label));
    root.append(g);
  };
  const offset = o.loopLane ? 1 : 0;
  if (o.loopLane) {
    for (const r of o.runs ?? []) {
      root.append(svg('line', { x1: x(r.t), x2: x(r.t), y1: 4, y2: ROW - 4, class: 'el-run-mark' }, svg('title', {}, `the loop runs ${r.task} at ${fmt(r.t)}`)));
    }
    for (const s of running) bar(0, s, s.task);
  }
  for (const s of spans) {
    const row = tasks.indexOf(s.task);
    if (row >= 0) bar(row + offset, s);
  }
  const axisY = rows.length * ROW + 6;
  for (const t of ticks(end)) {
    root.append(svg('line', { x1: x(t), x2: x(t), y1: axisY - 4, y2: axisY, class: 'tick' }));
    root.append(svg('text', { x: x(t), y: axisY + 14, class: 'tick-label', 'text-anchor': 'middle' }, fmt(t)));
  }
  if (o.cursor !== undefined) {
    root.append(svg('line', { x1: x(o.cursor), x2: x(o.cursor), y1: 0, y2: axisY, class: 'el-cursor', 'data-t': o.cursor }, svg('title', {}, `now: ${fmt(o.cursor)}`)));
  }
  // Focusable: at 360 px the figure scrolls sideways, and keys must reach that too.
  return h('figure', { class: 'timeline-figure el-figure', tabindex: 0 }, h('figcaption', {}, o.title), root);
}

/** The fill of a ready span: dots, so it differs from waiting (hatched) without colour. */
function dots(id: string): SVGElement {
  return svg(
    'defs',
    {},
    svg(
      'pattern',
      { id, width: 5, height: 5, patternUnits: 'userSpaceOnUse' },
      svg('rect', { width: 5, height: 5, class: 'el-dots-bg' }),
      svg('circle', { cx: 2.5, cy: 2.5, r: 1.2, class: 'el-dots-dot' }),
    ),
  );
}

export function laneLegend(): HTMLElement {
  return h(
    'p',
    { class: 'legend el-legend' },
    h('span', { class: 'el-key running' }),
    ' running (solid)  ',
    h('span', { class: 'el-key ready' }),
    ' ready, waiting for the loop (dotted)  ',
    h('span', { class: 'el-key waiting' }),
    ' waiting at an await (hatched)',
  );
}
