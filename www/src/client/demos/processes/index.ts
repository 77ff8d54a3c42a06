// Chapter 6, processes that share nothing: every process of the run with its pid and how it
// ended, the consumers' shares of the queue as bars, and what passing bytes and passing many
// small tasks cost between processes against threads that share one memory.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/processes';
import { h } from '../../dom';
import { figures, headline, presets } from '../../kit';
import { spreadText } from '../../measure-text';
import type { Outcome } from '../../../generated/processes/Outcome';
import type { Plan } from '../../../generated/processes/Plan';
import type { Samples } from '../../../generated/Samples';
import type { Worker } from '../../../generated/processes/Worker';
import './style.css';

const ENDED: Record<Worker['exitedBy'], string> = {
  finished: 'finished (returned)',
  terminated: 'terminated by main',
  timeout: 'join timed out, then terminated',
};

function ms(x: number): string {
  return x < 0.1 ? `${(x * 1000).toFixed(0)} µs` : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`;
}

/** A median with the range of its samples. */
function timed(s: Samples): string {
  return `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
}

/** A table that may be wider than a phone: it scrolls inside its own box, from the keyboard too. */
function scroller(label: string, table: HTMLElement): HTMLElement {
  return h('div', { class: 'processes-scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

function processTable(mainPid: number, workers: Worker[]): HTMLElement {
  return scroller(
    'The processes',
    figures(
      ['pid', 'Name', 'Daemon', 'Ended', 'Items or tasks', 'Start'],
      [
        [String(mainPid), 'main (the engine worker)', 'no', 'ran the run', '—', '—'],
        ...workers.map((w) => [String(w.pid), w.name, w.daemon ? 'yes' : 'no', ENDED[w.exitedBy], String(w.tasks), w.startMs === null ? 'never ready' : ms(w.startMs)]),
      ],
      'Every process of the run, each a Web Worker with its own wasm instance and memory',
    ),
  );
}

/** The consumers' shares as bars, the number beside each. */
function shares(o: Outcome): HTMLElement {
  const consumers = o.workers.filter((w) => w.name.startsWith('consumer-'));
  const most = Math.max(1, o.left, ...consumers.map((w) => w.tasks));
  const bar = (label: string, n: number) =>
    h('li', {}, h('span', {}, label), h('span', { class: `bar${n === 0 ? ' none' : ''}`, style: `width: ${(100 * n) / most}%` }), h('span', { class: 'count' }, String(n)));
  return h(
    'figure',
    { class: 'processes-figure' },
    h('ol', { class: 'processes-shares', 'data-field': 'shares', 'aria-label': 'Items each consumer took' }, ...consumers.map((w) => bar(w.name, w.tasks)), bar('left in queue', o.left)),
    h('figcaption', { class: 'muted' }, `How the producer's items were shared out (${o.ending === 'poll' ? 'consumers stop when empty() says so' : 'consumers stop at a poison pill'})`),
  );
}

function copyTable(o: Outcome): HTMLElement {
  const mb = (o.copy.bytes / (1024 * 1024)).toFixed(0);
  return scroller(
    'Passing the bytes',
    figures(
      ['Way', 'Median (range)', 'What moves'],
      [
        ['Structured clone (pickling)', timed(o.copy.clone), 'a copy of every byte'],
        ['Transfer', timed(o.copy.transfer), o.copy.detached ? 'the buffer itself: main’s is empty after' : 'the buffer (it was not emptied)'],
        ['Shared memory (pool thread)', timed(o.copy.shared), 'nothing: the thread reads the bytes where they are'],
        ['Start a process', o.processStart ? timed(o.processStart) : '—', 'a worker, its own wasm instance and memory'],
        ['An empty task on the pool', timed(o.taskStart), 'a job into threads that are already running'],
      ],
      `${mb} MB to another process and back, and to a pool thread; the receiver reads a byte of every page. Each pass: the median and range of ${o.copy.clone.ms.length} samples after a warm-up round; a start: over the run's processes`,
    ),
  );
}

function dispatchTable(o: Outcome): HTMLElement {
  return scroller(
    'Fine-grained tasks',
    figures(
      ['Task', 'Tasks', 'Messages', 'Shared-memory pool', 'Messages ÷ pool'],
      o.dispatch.map((d) => [`${d.taskUs < 10 ? d.taskUs.toFixed(1) : d.taskUs.toFixed(0)} µs`, d.tasks.toLocaleString('en'), timed(d.message), timed(d.pool), `${d.ratio.toFixed(1)}× (${spreadText(d.ratioRange)})`]),
      `The same job on ${o.workers.filter((w) => w.name.startsWith('pool-')).length} processes, a message per task, and on ${o.threadsUsed} pool threads; each after a warm-up round, the median and range of ${o.dispatch[0].message.ms.length} samples`,
    ),
  );
}

export default {
  runLabel: 'Start the processes',
  notes: [
    'Each process is a Web Worker with its own wasm instance and memory: it shares nothing with main and hears from it only by messages.',
    'A daemon never finishes: main terminates it when main ends. join(timeout) returns after the timeout whether or not the process ended.',
    'The book’s consumers loop while not queue.empty(): whenever they are faster than the producer they see an empty queue and stop, and some take nothing. Poison pills fix it.',
    'A structured clone copies every byte, like pickling; a transfer moves the buffer and leaves the sender’s empty; threads that share memory pass nothing at all.',
    'The step-through is the race between empty() and get(): both consumers see one item, one takes it, and the other waits in get() forever.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'The book’s consumers', values: { ending: 'poll', consumers: '3', tasks: '20' } },
        { label: 'Poison pills', values: { ending: 'pills', consumers: '3', tasks: '20' } },
        { label: '64 MB', values: { megabytes: '64' } },
      ]),
    );
    return {
      result(o: Outcome, out: HTMLElement) {
        const fine = o.dispatch[0];
        out.append(
          headline(`${fine.ratio.toFixed(0)}×`, 'ratio', h('span', {}, `faster on the shared-memory pool than through messages: ${fine.tasks.toLocaleString('en')} tasks of ${fine.taskUs.toFixed(1)} µs`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          processTable(o.mainPid, o.workers),
          shares(o),
          copyTable(o),
          dispatchTable(o),
        );
      },
    };
  },
} satisfies DemoUnit<Plan, Outcome>;
