// Chapter 3, queues: producers and consumers around one queue. While the run goes on, the
// queue's contents, its fill level and the events as the threads report them; afterwards,
// each item's path, the order out, who was blocked and for how long, and a timeline.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/queue';
import { presets } from '../../kit';
import type { Event as QueueEvent } from '../../../generated/queue/Event';
import type { Outcome } from '../../../generated/queue/Outcome';
import { feedLive, startLive, type Live } from './live';
import { resultView } from './result';

export default {
  runLabel: 'Start producers and consumers',
  notes: [
    'A bounded queue (maxsize > 0) makes a producer wait while it is full: the queue slows the fast side down to the pace of the slow one.',
    'Make consumers slower than producers and the queue fills up; make them faster and they wait on an empty queue.',
    'Poison pills are the book’s way to stop consumers: one per consumer, after the last item. In a LIFO queue the pills come out first, and items are left behind.',
    'join() then shutdown() (Python 3.13) stops consumers whatever the order: join waits until every item put was marked with task_done().',
    'The priority queue orders (priority, id) tuples: each item’s priority is (7 × id + 3) mod 10, fixed so every run uses the same ones; a tie goes to the smaller id.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'Slow consumer: the queue fills', values: { producers: '3', consumers: '1', maxsize: '3', produce: '20', consume: '60' } },
        { label: 'Fast consumers: the queue stays empty', values: { producers: '1', consumers: '3', maxsize: '3', produce: '40', consume: '20' } },
        { label: 'LIFO: newest first', values: { producers: '1', consumers: '1', items: '10', maxsize: '0', order: 'lifo', produce: '0', consume: '40', stop: 'shutdown' } },
        { label: 'Priority order', values: { producers: '1', consumers: '1', items: '10', maxsize: '0', order: 'priority', produce: '0', consume: '40', stop: 'pills' } },
        { label: 'LIFO with poison pills', values: { order: 'lifo', stop: 'pills', maxsize: '0', produce: '0', consume: '40' } },
      ]),
    );
    /** The inputs of the last valid compute: the live view needs maxsize and the order. */
    let current: Record<string, number | string> = {};
    let live: Live | undefined;
    return {
      computed(_value, params) {
        current = params;
      },
      live(events, area) {
        if (!live || !area.contains(live.counts)) live = startLive(area);
        feedLive(live, events as QueueEvent[], current);
      },
      result(o, area) {
        live = undefined;
        area.append(...resultView(o));
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
