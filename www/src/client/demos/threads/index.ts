// Chapter 3, threads: the countdown log as it happens, then lifetimes and a timeline.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/threads';
import { h, ms } from '../../dom';
import { figures, headline } from '../../kit';
import { legend, laneName, renderTimeline } from '../../timeline';
import type { Line } from '../../../generated/threads/Line';
import type { Outcome } from '../../../generated/threads/Outcome';

/** Python's thread API, and what does that job in the Rust that runs here. */
const API: [string, string][] = [
  ['t = Thread(target=countdown, name="A"); t.start()', 's.spawn(|_| countdown("A")) inside rayon::scope: a pool worker picks the job up'],
  ['t.join()', 'the end of the scope: the engine thread waits for every job'],
  ['t.name', 'the name passed to each countdown (A, B, C…)'],
  ['t.is_alive()', 'true between the job’s first and last step (see the lifetimes below)'],
  ['threading.active_count()', 'how many lifetimes cover a moment (the step line below)'],
  ['threading.enumerate()', 'the threads alive at a moment: read down the timeline'],
];

function logLine(l: Line): HTMLElement {
  return h('li', { 'data-thread': l.thread }, h('span', { class: 't' }, ms(l.t_ms)), ' ', h('b', {}, l.thread), ` ${l.text.slice(l.thread.length + 1)}`, h('span', { class: 'muted' }, ` (${laneName(l.lane)})`));
}

export default {
  runLabel: 'Start the threads',
  notes: [
    'Without the lock, the lines of different threads interleave: each sleep lets another thread run.',
    'Run it twice: the interleaving changes, because nothing decides which thread goes first.',
    'With the lock around the whole countdown, threads print one after another: the lock serialises them.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      // Not kit's presets(): the book's button carries data-preset, which tests click.
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        h('button', { type: 'button', class: 'chip', 'data-preset': 'book', onclick: () => ctx.setParams({ threads: '2', count: '5', delay: '500', stagger: '0', lock: 'off' }) }, "The book's countdown: A and B, 0.5 s"),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ lock: 'on' }) }, 'With a lock'),
      ),
      h(
        'details',
        { class: 'api' },
        h('summary', {}, "Python's thread API, and what plays its part here"),
        h('table', { class: 'figures' }, h('tbody', {}, ...API.map(([py, rs]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, py)), h('td', {}, rs))))),
      ),
    );
    return {
      live(events, area) {
        let log = area.querySelector<HTMLElement>('ol.log');
        if (!log) {
          area.append(h('p', { class: 'muted' }, 'Output as it happens:'));
          log = h('ol', { class: 'log', 'aria-label': 'Output as it happens' });
          area.append(log);
        }
        for (const e of events as Line[]) log.append(logLine(e));
      },
      result(o, area) {
        const peak = Math.max(0, ...o.active.map((a) => a[1]));
        area.append(
          headline(String(o.switches), 'switches', h('span', {}, 'switches between threads in the output')),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          h('ol', { class: 'log', 'aria-label': 'Output' }, ...o.lines.map(logLine)),
          h('p', { class: 'muted' }, `threading.active_count() peaked at ${peak} worker thread${peak === 1 ? '' : 's'} (plus the engine thread that joined them).`),
          figures(
            ['Thread', 'Ran on', 'Started', 'Ended', 'Alive for'],
            o.lives.map((l) => [l.name, laneName(l.lane), ms(l.start_ms), ms(l.end_ms), ms(l.end_ms - l.start_ms)]),
          ),
          legend(),
          renderTimeline(o.timeline, 'Each thread: printing (solid) and sleeping or waiting for the lock (hatched)'),
        );
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
