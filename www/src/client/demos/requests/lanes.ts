// The requests of one run as a timeline: one lane per thread that sent requests, and on it
// each request queued (a thin line from the run's start), in flight (a bar), then answered
// (its status code written in the bar) or timed out (a hatched bar, "timed out" written).
// When the server finished after its client gave up, a dashed line runs on to the moment
// its log gives, so the work the timeout did not stop is visible. Codes are text, never
// colour alone.

import { h, ms, svg } from '../../dom';
import { hatchDefs, ticks } from '../../timeline';
import type { Outcome } from '../../../generated/requests/Outcome';
import type { Request } from '../../../generated/requests/Request';

const ROW = 30;
const LABEL = 118;
const WIDTH = 720;

export function laneLabel(o: Outcome, lane: number): string {
  if (o.mode === 'async') return 'one thread';
  return lane === 0 ? 'engine thread' : `thread ${lane}`;
}

function label(r: Request): string {
  if (r.outcome === 'timeout') return 'timed out';
  if (r.outcome === 'error') return 'error';
  return String(r.code);
}

export function requestLanes(o: Outcome): HTMLElement {
  const lanes = o.lanes.length ? o.lanes : [0];
  const end = Math.max(o.wallMs, ...o.requests.map((r) => r.serverDoneMs ?? 0), 1);
  const plot = WIDTH - LABEL - 14;
  const x = (t: number) => LABEL + (Math.max(0, t) / end) * plot;
  const height = lanes.length * ROW + 30;
  const answered = o.requests.filter((r) => r.outcome === 'ok').length;
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: 'timeline requests-lanes',
    role: 'img',
    'aria-label': `${o.requests.length} requests on ${lanes.length} lane${lanes.length === 1 ? '' : 's'}: ${answered} answered, ${o.requests.length - answered} not, ${ms(o.wallMs)} in all`,
  });
  root.append(hatchDefs('requests-hatch'));
  lanes.forEach((lane, i) => {
    const y = i * ROW;
    root.append(svg('text', { x: LABEL - 8, y: y + ROW / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, laneLabel(o, lane)));
    root.append(svg('line', { x1: LABEL, x2: WIDTH - 14, y1: y + ROW - 1, y2: y + ROW - 1, class: 'lane-rule' }));
  });
  for (const r of o.requests) {
    const y = lanes.indexOf(r.lane) * ROW;
    const g = svg('g', { class: `request ${r.outcome}`, 'data-n': r.n, 'data-lane': r.lane });
    // Queued: from the run's start until it was sent.
    if (r.startMs > 0.5) g.append(svg('line', { x1: x(0), x2: x(r.startMs), y1: y + ROW - 5, y2: y + ROW - 5, class: 'queued' }));
    const w = Math.max(2, x(r.endMs) - x(r.startMs));
    g.append(svg('rect', { x: x(r.startMs), y: y + 4, width: w, height: ROW - 12, rx: 2, class: 'flight' }));
    if (r.serverDoneMs !== null && r.serverDoneMs > r.endMs + 0.5) {
      g.append(svg('line', { x1: x(r.endMs), x2: x(r.serverDoneMs), y1: y + ROW / 2 - 2, y2: y + ROW / 2 - 2, class: 'server-on' }));
      g.append(svg('line', { x1: x(r.serverDoneMs), x2: x(r.serverDoneMs), y1: y + 4, y2: y + ROW - 8, class: 'server-done' }));
    }
    const text = label(r);
    // The label sits inside a bar wide enough for it, else just after the bar.
    const inside = w >= text.length * 7 + 6;
    g.append(svg('text', { x: inside ? x(r.startMs) + 4 : x(r.startMs) + w + 3, y: y + ROW / 2 + 2, class: inside ? 'code inside' : 'code' }, text));
    const server = r.serverDoneMs === null ? '' : `; the server finished at ${ms(r.serverDoneMs)}`;
    g.append(svg('title', {}, `${r.url}: queued until ${ms(r.startMs)}, in flight until ${ms(r.endMs)}, ${r.outcome === 'ok' ? `answered ${r.code} ${r.reason ?? ''}` : r.outcome === 'timeout' ? 'timed out' : `failed (${r.error ?? ''})`}${server}`));
    root.append(g);
  }
  const axisY = lanes.length * ROW + 6;
  for (const t of ticks(end)) {
    root.append(svg('line', { x1: x(t), x2: x(t), y1: axisY - 4, y2: axisY, class: 'tick' }));
    root.append(svg('text', { x: x(t), y: axisY + 14, class: 'tick-label', 'text-anchor': 'middle' }, ms(t)));
  }
  return h(
    'figure',
    { class: 'timeline-figure requests-figure', tabindex: 0 },
    h('figcaption', {}, 'Each request on the thread that sent it: queued (thin line), in flight (bar), then its status code, or “timed out” (hatched); a dashed line is the server still working after its client gave up.'),
    root,
  );
}
