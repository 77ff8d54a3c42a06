// The queue after a run: how many were consumed, the fill level, the order out, who was
// blocked and for how long, each item's path, and a timeline.

import { h, ms } from '../../dom';
import { figures, headline } from '../../kit';
import { laneName, renderTimeline } from '../../timeline';
import type { Outcome } from '../../../generated/queue/Outcome';
import { fillChart } from './fill-chart';
import { itemName } from './live';

/** A table that scrolls sideways on its own on a narrow screen, instead of the page. */
function table(head: string[], rows: (string | number)[][]): HTMLElement {
  return h('div', { class: 'table-scroll' }, figures(head, rows.map((r) => r.map(String))));
}

/** Row labels of the timeline: the roles that ran on each thread. */
function roleLabels(o: Outcome): (lane: number) => string {
  const byLane = new Map<number, string[]>();
  for (const r of [...o.producers, ...o.consumers]) byLane.set(r.lane, [...(byLane.get(r.lane) ?? []), r.name]);
  return (lane) => `${(byLane.get(lane) ?? []).join(', ')} · ${laneName(lane).replace('worker ', 'w')}`;
}

export function resultView(o: Outcome): HTMLElement[] {
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
  return [
    headline(`${o.consumed} of ${o.produced}`, 'consumed', h('span', {}, all ? 'items consumed, each exactly once' : `items consumed; ${o.left.length} left in the queue`)),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
    h('figure', { class: 'fill-figure' }, h('figcaption', {}, `Items in the queue over time (qsize() after every put and get): at most ${o.max_fill}`), fillChart(o.fill, o.maxsize, o.wall_ms)),
    h('p', { class: 'muted' }, 'Order out:'),
    out,
    h('p', { class: 'muted', 'data-field': 'left', hidden: o.left.length === 0 }, `Left in the queue, never consumed: ${o.left.map(itemName).join(', ')}`),
    roles,
    h('details', { class: 'paths', open: o.items.length <= 16 }, h('summary', {}, `The path of each item (${o.items.length})`), paths),
    h('p', { class: 'legend' }, h('span', { class: 'key work' }), ' making or processing an item  ', h('span', { class: 'key wait' }), ' blocked: a producer on a full queue, a consumer on an empty one'),
    renderTimeline(o.timeline, 'Each producer and consumer thread: making or processing items (solid), blocked on the queue (hatched)', o.timeline.wall_ms, { laneLabel: roleLabels(o), taskWord: 'item' }),
  ];
}
