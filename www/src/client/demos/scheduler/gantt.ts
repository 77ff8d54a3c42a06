// The scheduler's Gantt chart: one lane per executor worker with a bar per run, a lane for
// the scheduler's own thread with its wakeups and the run times that did not run (each
// outcome a shape and a letter, never colour alone), and main's lane. A cursor marks the
// step-through's time.

import { svg } from '../../dom';
import type { JobRuns } from '../../../generated/scheduler/JobRuns';
import type { MainLine } from '../../../generated/scheduler/MainLine';

const ROW = 24;
const LABEL = 96;
const WIDTH = 720;

export interface Bar {
  lane: number;
  startMs: number;
  endMs: number;
  label: string;
}

export interface GanttInput {
  title: string;
  workers: number;
  endMs: number;
  bars: Bar[];
  /** Run times that did not run: at the time they were given up. */
  marks: { tMs: number; outcome: string; scheduledMs: number }[];
  wakeups: number[];
  main?: { blocking: boolean; lines: MainLine[] };
  cursorMs?: number;
  /** Seconds, or whole days for a cron timeline. */
  unit: 's' | 'day';
}

const LETTER: Record<string, string> = { skipped: 'S', coalesced: 'C', missed: 'M' };

export function fmtTime(t: number, unit: 's' | 'day'): string {
  if (unit === 'day') return `${(t / 86_400_000).toFixed(2)} d`;
  return `${+(t / 1000).toFixed(3)} s`;
}

export function barsOf(jobs: JobRuns[]): Pick<GanttInput, 'bars' | 'marks'> {
  const bars: Bar[] = [];
  const marks: GanttInput['marks'] = [];
  for (const j of jobs)
    for (const r of j.runs) {
      if (r.outcome === 'ran') bars.push({ lane: r.worker ?? 0, startMs: r.startMs, endMs: r.endMs, label: `due ${+(r.scheduledMs / 1000).toFixed(3)} s` });
      else marks.push({ tMs: r.startMs, outcome: r.outcome, scheduledMs: r.scheduledMs });
    }
  return { bars, marks };
}

export function gantt(g: GanttInput): SVGElement {
  const top = g.main ? 2 : 1;
  const lanes = top + g.workers;
  const height = lanes * ROW + 30;
  const plot = WIDTH - LABEL - 14;
  const end = Math.max(g.endMs, 1);
  const x = (t: number) => LABEL + (Math.max(0, t) / end) * plot;
  const ran = g.bars.length;
  const counts = Object.entries(LETTER).map(([o]) => `${g.marks.filter((m) => m.outcome === o).length} ${o}`);
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: 'sc-gantt',
    role: 'img',
    'aria-label': `${g.title}: ${ran} runs on ${g.workers} worker${g.workers === 1 ? '' : 's'}, ${counts.join(', ')}`,
  });
  const laneY = (i: number) => i * ROW;
  const label = (i: number, text: string) => {
    root.append(svg('text', { x: LABEL - 8, y: laneY(i) + ROW / 2 + 4, class: 'sc-lane-label', 'text-anchor': 'end' }, text));
    root.append(svg('line', { x1: LABEL, x2: WIDTH - 14, y1: laneY(i) + ROW - 1, y2: laneY(i) + ROW - 1, class: 'sc-rule' }));
  };
  label(0, 'scheduler');
  if (g.main) label(1, 'main');
  for (let w = 0; w < g.workers; w++) label(top + w, `worker ${w + 1}`);

  for (const t of g.wakeups) root.append(svg('line', { x1: x(t), x2: x(t), y1: 4, y2: ROW - 4, class: 'sc-wake' }, svg('title', {}, `wakes at ${fmtTime(t, g.unit)}`)));
  for (const m of g.marks) {
    const cx = x(m.tMs);
    root.append(
      svg(
        'g',
        { class: `sc-mark ${m.outcome}`, 'data-outcome': m.outcome },
        svg('title', {}, `${m.outcome}: due ${fmtTime(m.scheduledMs, g.unit)}, given up at ${fmtTime(m.tMs, g.unit)}`),
        svg('rect', { x: cx - 7, y: 4, width: 14, height: ROW - 8, rx: 2 }),
        svg('text', { x: cx, y: ROW / 2 + 4, 'text-anchor': 'middle' }, LETTER[m.outcome] ?? '?'),
      ),
    );
  }
  if (g.main) {
    const y = laneY(1);
    if (g.main.blocking) {
      root.append(svg('rect', { x: LABEL, y: y + 6, width: plot, height: ROW - 12, class: 'sc-main-blocked' }, svg('title', {}, 'main runs the scheduler’s loop: start() never returns')));
    } else {
      for (const l of g.main.lines.filter((l) => l.tMs > 0)) root.append(svg('circle', { cx: x(l.tMs), cy: y + ROW / 2, r: 4, class: 'sc-main-print' }, svg('title', {}, `${fmtTime(l.tMs, g.unit)}: ${l.text}`)));
    }
  }
  for (const b of g.bars) {
    const y = laneY(top + b.lane);
    const w = Math.max(2, x(b.endMs) - x(b.startMs));
    root.append(
      svg(
        'g',
        { class: 'sc-bar' },
        svg('title', {}, `${b.label}: ${fmtTime(b.startMs, g.unit)} to ${fmtTime(b.endMs, g.unit)}`),
        svg('rect', { x: x(b.startMs), y: y + 4, width: w, height: ROW - 8, rx: 2 }),
      ),
    );
  }
  // The axis: five ticks.
  const axisY = lanes * ROW + 16;
  for (let i = 0; i <= 4; i++) {
    const t = (end * i) / 4;
    const label = g.unit === 'day' ? fmtTime(t, 'day') : `${+(t / 1000).toFixed(1)} s`;
    root.append(svg('text', { x: x(t), y: axisY, class: 'sc-axis', 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, label));
  }
  if (g.cursorMs !== undefined) root.append(svg('line', { x1: x(g.cursorMs), x2: x(g.cursorMs), y1: 0, y2: lanes * ROW, class: 'sc-cursor', 'data-field': 'cursor' }));
  return root;
}
