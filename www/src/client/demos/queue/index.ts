// Chapter 3, queues: producers and consumers around one queue. While the run goes on, the
// queue's contents, its fill level and the events as the threads report them; afterwards,
// each item's path, the order out, who was blocked and for how long, and a timeline.

import type { DemoContext } from '../../demo-view';
import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/queue';
import { h, ms, svg } from '../../dom';
import { laneName, renderTimeline } from '../../timeline';
import type { Run } from '../../types';

interface ItemPath {
  id: number;
  priority: number;
  producer: number;
  producer_lane: number;
  put_ms: number;
  in_ms: number;
  blocked: boolean;
  consumer: number | null;
  consumer_lane: number | null;
  got_ms: number | null;
  queued_ms: number | null;
}

interface Role {
  name: string;
  lane: number;
  items: number;
  blocked_ms: number;
  blocked_count: number;
}

interface Outcome {
  /** Distinct threads that ran, all alive at once (crate/src/pool.rs run_threads). */
  threads_used: number;
  order: 'fifo' | 'lifo' | 'priority';
  stop: 'pills' | 'shutdown';
  maxsize: number;
  produced: number;
  consumed: number;
  order_out: number[];
  left: number[];
  order_check: boolean | null;
  items: ItemPath[];
  fill: [number, number][];
  max_fill: number;
  producers: Role[];
  consumers: Role[];
  blocked_put_ms: number;
  blocked_get_ms: number;
  wall_ms: number;
  timeline: Run;
  explanation: string;
}

/** One event of the live feed (crate/src/demos/queue.rs, `Event`). */
interface QueueEvent {
  e: 'put' | 'get' | 'full' | 'empty' | 'pill' | 'stop' | 'shutdown';
  t: number;
  who: string;
  lane: number;
  id: number | null;
  priority: number | null;
  size: number;
}

type Params = Record<string, number | string>;

/** The inputs of the last valid compute: the live view needs maxsize and the order. */
let current: Params = {};

const itemName = (id: number) => `#${id}`;

// ---- the fill level as a step chart ------------------------------------------------------

const CW = 720;
const CH = 150;
const PAD = { left: 40, right: 12, top: 12, bottom: 26 };

/** `qsize()` over time as steps, with maxsize as a dashed line when the queue is bounded. */
function fillChart(points: [number, number][], maxsize: number, endMs: number): SVGElement {
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

// ---- the live view -----------------------------------------------------------------------

interface Live {
  /** What is in the queue as the threads reported it: id (null = a pill), and when it came in. */
  inQueue: { id: number | null; priority: number; seq: number }[];
  seq: number;
  /** Items got before their put was reported (the producer had not run on yet). */
  early: Set<number>;
  produced: number;
  consumed: number;
  points: [number, number][];
  counts: HTMLElement;
  box: HTMLOListElement;
  chart: HTMLElement;
  log: HTMLOListElement;
}

let live: Live | undefined;

function startLive(area: HTMLElement): Live {
  const l: Live = {
    inQueue: [],
    seq: 0,
    early: new Set(),
    produced: 0,
    consumed: 0,
    points: [[0, 0]],
    counts: h('p', { class: 'queue-counts', 'data-field': 'live-counts' }),
    box: h('ol', { class: 'queue-box', 'aria-label': 'In the queue, next out first' }),
    chart: h('div', { class: 'fill-figure' }),
    log: h('ol', { class: 'log', 'aria-label': 'Queue events as they happen' }),
  };
  area.append(
    h(
      'div',
      { class: 'queue-live' },
      l.counts,
      h('p', { class: 'muted' }, 'In the queue now, next out first:'),
      l.box,
      l.chart,
      h('p', { class: 'muted' }, 'Events as the threads report them:'),
      l.log,
    ),
  );
  return l;
}

/** Items in the order the next `get` would take them. */
function nextOutFirst(items: Live['inQueue'], order: string): Live['inQueue'] {
  const sorted = [...items];
  if (order === 'lifo') sorted.sort((a, b) => b.seq - a.seq);
  else if (order === 'priority') sorted.sort((a, b) => (a.id === null ? 1 : 0) - (b.id === null ? 1 : 0) || a.priority - b.priority || (a.id ?? 0) - (b.id ?? 0));
  else sorted.sort((a, b) => a.seq - b.seq);
  return sorted;
}

const EVENT_TEXT: Record<QueueEvent['e'], (e: QueueEvent) => string> = {
  put: (e) => `put ${itemName(e.id!)}`,
  get: (e) => `got ${itemName(e.id!)}`,
  full: () => 'queue full: waits in put',
  empty: () => 'queue empty: waits in get',
  pill: () => 'put a poison pill',
  stop: () => 'stops',
  shutdown: () => 'join() returned: shutdown()',
};

function chip(id: number | null, priority: number, order: string): HTMLElement {
  if (id === null) return h('li', { class: 'chip-item pill', title: 'a poison pill' }, 'pill');
  return h('li', { class: 'chip-item', 'data-item': id }, itemName(id), order === 'priority' ? h('small', {}, ` p${priority}`) : null);
}

function drawLive(l: Live) {
  const order = String(current.order ?? 'fifo');
  const maxsize = Number(current.maxsize ?? 0);
  l.counts.textContent = `Produced ${l.produced} · consumed ${l.consumed} · in the queue ${l.inQueue.length}${maxsize > 0 ? ` of ${maxsize}` : ''}`;
  const chips = nextOutFirst(l.inQueue, order).map((i) => chip(i.id, i.priority, order));
  for (let s = l.inQueue.length; s < maxsize; s++) chips.push(h('li', { class: 'chip-item empty', 'aria-hidden': 'true' }, '·'));
  l.box.replaceChildren(...chips);
  l.chart.replaceChildren(fillChart(l.points, maxsize, l.points[l.points.length - 1][0]));
}

// ---- tables ------------------------------------------------------------------------------

/** A table that scrolls sideways on its own on a narrow screen, instead of the page. */
function table(head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'figures' },
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, String(first)), ...rest.map((c) => h('td', {}, String(c)))))),
    ),
  );
}

/** Row labels of the timeline: the roles that ran on each thread. */
function roleLabels(o: Outcome): (lane: number) => string {
  const byLane = new Map<number, string[]>();
  for (const r of [...o.producers, ...o.consumers]) byLane.set(r.lane, [...(byLane.get(r.lane) ?? []), r.name]);
  return (lane) => `${(byLane.get(lane) ?? []).join(', ')} · ${laneName(lane).replace('worker ', 'w')}`;
}

export const queue: DemoModule<null, Outcome> = {
  id: 'queue',
  steppable: true,
  runLabel: 'Start producers and consumers',
  notes: [
    'A bounded queue (maxsize > 0) makes a producer wait while it is full: the queue slows the fast side down to the pace of the slow one.',
    'Make consumers slower than producers and the queue fills up; make them faster and they wait on an empty queue.',
    'Poison pills are the book’s way to stop consumers: one per consumer, after the last item. In a LIFO queue the pills come out first, and items are left behind.',
    'join() then shutdown() (Python 3.13) stops consumers whatever the order: join waits until every item put was marked with task_done().',
    'The priority queue orders (priority, id) tuples: each item’s priority is (7 × id + 3) mod 10, fixed so every run uses the same ones; a tie goes to the smaller id.',
  ],
  mount(ctx: DemoContext, area) {
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ producers: '3', consumers: '1', maxsize: '3', produce: '20', consume: '60' }) }, 'Slow consumer: the queue fills'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ producers: '1', consumers: '3', maxsize: '3', produce: '40', consume: '20' }) }, 'Fast consumers: the queue stays empty'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ producers: '1', consumers: '1', items: '10', maxsize: '0', order: 'lifo', produce: '0', consume: '40', stop: 'shutdown' }) }, 'LIFO: newest first'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ producers: '1', consumers: '1', items: '10', maxsize: '0', order: 'priority', produce: '0', consume: '40', stop: 'pills' }) }, 'Priority order'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ order: 'lifo', stop: 'pills', maxsize: '0', produce: '0', consume: '40' }) }, 'LIFO with poison pills'),
      ),
    );
  },
  computed(_ctx, _value, params) {
    current = params;
  },
  runBlocked: (info) => (info.poolThreads > 0 ? undefined : 'Producers and consumers wait for each other, so they need real threads, which this page does not have.'),
  live(_ctx, events, area) {
    if (!live || !area.contains(live.counts)) live = startLive(area);
    const l = live;
    for (const e of events as QueueEvent[]) {
      if (e.e === 'put') {
        l.produced += 1;
        if (!l.early.delete(e.id!)) l.inQueue.push({ id: e.id, priority: e.priority ?? 0, seq: l.seq++ });
      } else if (e.e === 'get') {
        l.consumed += 1;
        const i = l.inQueue.findIndex((x) => x.id === e.id);
        if (i >= 0) l.inQueue.splice(i, 1);
        else l.early.add(e.id!);
      } else if (e.e === 'pill') {
        l.inQueue.push({ id: null, priority: Infinity, seq: l.seq++ });
      } else if (e.e === 'stop') {
        const i = l.inQueue.findIndex((x) => x.id === null);
        if (i >= 0) l.inQueue.splice(i, 1);
      }
      l.points.push([e.t, e.size]);
      l.log.append(h('li', {}, h('span', { class: 't' }, ms(e.t)), ' ', h('b', {}, e.who), ` ${EVENT_TEXT[e.e](e)}`, h('span', { class: 'muted' }, ` (size ${e.size})`)));
    }
    while (l.log.children.length > 14) l.log.firstElementChild!.remove();
    drawLive(l);
  },
  result(_ctx, o, area) {
    live = undefined;
    const producerName = (p: number) => `P${p + 1}`;
    const consumerName = (c: number | null) => (c === null ? '—' : `C${c + 1}`);
    const byId = new Map(o.items.map((p) => [p.id, p]));
    const out = h(
      'ol',
      { class: 'queue-box order-out', 'aria-label': 'Order out: items in the order consumers got them' },
      ...o.order_out.map((id) => {
        const p = byId.get(id)!;
        const label = `made by ${producerName(p.producer)}, taken by ${consumerName(p.consumer)}`;
        return h('li', { class: 'chip-item', 'data-item': id, title: label }, itemName(id), o.order === 'priority' ? h('small', {}, ` p${p.priority}`) : null);
      }),
    );
    const paths = table(
      ['Item', ...(o.order === 'priority' ? ['Priority'] : []), 'Made by', 'Taken by', 'Waited for a slot', 'In the queue'],
      o.items.map((p) => [
        itemName(p.id),
        ...(o.order === 'priority' ? [String(p.priority)] : []),
        `${producerName(p.producer)} (${laneName(p.producer_lane)})`,
        p.consumer === null ? 'nobody: left in the queue' : `${consumerName(p.consumer)} (${laneName(p.consumer_lane ?? 0)})`,
        p.blocked ? ms(p.in_ms - p.put_ms) : '—',
        p.queued_ms === null ? '—' : ms(p.queued_ms),
      ]),
    );
    const roles = table(
      ['Thread', 'Ran on', 'Items', 'Blocked', 'Times it waited'],
      [
        ...o.producers.map((r) => [r.name, laneName(r.lane), `${r.items} put`, r.blocked_count ? `${ms(r.blocked_ms)} on a full queue` : 'never', r.blocked_count]),
        ...o.consumers.map((r) => [r.name, laneName(r.lane), `${r.items} got`, r.blocked_count ? `${ms(r.blocked_ms)} on an empty queue` : 'never', r.blocked_count]),
      ],
    );
    const all = o.left.length === 0;
    area.append(
      h(
        'div',
        { class: 'headline' },
        h('span', { class: 'big', 'data-field': 'consumed' }, `${o.consumed} of ${o.produced}`),
        h('span', {}, all ? 'items consumed, each exactly once' : `items consumed; ${o.left.length} left in the queue`),
      ),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      h('figure', { class: 'fill-figure' }, h('figcaption', {}, `Items in the queue over time (qsize() after every put and get): at most ${o.max_fill}`), fillChart(o.fill, o.maxsize, o.wall_ms)),
      h('p', { class: 'muted' }, 'Order out:'),
      out,
      h('p', { class: 'muted', 'data-field': 'left', hidden: o.left.length === 0 }, `Left in the queue, never consumed: ${o.left.map(itemName).join(', ')}`),
      roles,
      h('details', { class: 'paths', open: o.items.length <= 16 }, h('summary', {}, `The path of each item (${o.items.length})`), paths),
      h('p', { class: 'legend' }, h('span', { class: 'key work' }), ' making or processing an item  ', h('span', { class: 'key wait' }), ' blocked: a producer on a full queue, a consumer on an empty one'),
      renderTimeline(o.timeline, 'Each producer and consumer thread: making or processing items (solid), blocked on the queue (hatched)', o.timeline.wall_ms, { laneLabel: roleLabels(o), taskWord: 'item' }),
    );
  },
  summary(_v, o, params) {
    if (!o) return { demo: 'queue', params };
    return {
      demo: 'queue',
      params,
      threadsUsed: o.threads_used,
      order: o.order,
      stop: o.stop,
      produced: o.produced,
      consumed: o.consumed,
      orderOut: o.order_out,
      left: o.left,
      orderCheck: o.order_check,
      paths: o.items.map((p) => ({ id: p.id, producer: p.producer + 1, consumer: p.consumer === null ? null : p.consumer + 1, priority: p.priority, queuedMs: p.queued_ms })),
      maxsize: o.maxsize,
      maxFill: o.max_fill,
      fill: o.fill.map((f) => f[1]),
      blockedMs: { producers: o.producers.map((r) => r.blocked_ms), consumers: o.consumers.map((r) => r.blocked_ms) },
      blockedPutMs: o.blocked_put_ms,
      blockedGetMs: o.blocked_get_ms,
      lanes: [...o.producers, ...o.consumers].map((r) => ({ name: r.name, lane: r.lane })),
    };
  },
};

export default legacy(queue, snippet);
