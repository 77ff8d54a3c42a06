// The queue while the run goes on: what is in it (next out first), its fill level, and the
// events as the threads report them.

import { h, ms } from '../../dom';
import type { Event as QueueEvent } from '../../../generated/queue/Event';
import type { EventKind } from '../../../generated/queue/EventKind';
import { fillChart } from './fill-chart';

export const itemName = (id: number) => `#${id}`;

export interface Live {
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

export function startLive(area: HTMLElement): Live {
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

const EVENT_TEXT: Record<EventKind, (e: QueueEvent) => string> = {
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

/** Takes in events of the live feed and redraws; `params` are the run's inputs (its order
 *  and maxsize). */
export function feedLive(l: Live, events: QueueEvent[], params: Record<string, number | string>) {
  for (const e of events) {
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
  drawLive(l, String(params.order ?? 'fifo'), Number(params.maxsize ?? 0));
}

function drawLive(l: Live, order: string, maxsize: number) {
  l.counts.textContent = `Produced ${l.produced} · consumed ${l.consumed} · in the queue ${l.inQueue.length}${maxsize > 0 ? ` of ${maxsize}` : ''}`;
  const chips = nextOutFirst(l.inQueue, order).map((i) => chip(i.id, i.priority, order));
  for (let s = l.inQueue.length; s < maxsize; s++) chips.push(h('li', { class: 'chip-item empty', 'aria-hidden': 'true' }, '·'));
  l.box.replaceChildren(...chips);
  l.chart.replaceChildren(fillChart(l.points, maxsize, l.points[l.points.length - 1][0]));
}
