// Chapter 3, thread pools: k workers and one task queue, then the same tasks by rayon's work
// stealing on the same k threads. Live: a grid of tasks per strategy, filled in with the
// worker that took each; afterwards, who ran what, idle time per worker, and timelines.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/pool';
import { h, ms } from '../../dom';
import { headline, presets } from '../../kit';
import { laneName, renderTimeline } from '../../timeline';
import { warmUpText } from '../../measure-text';
import type { Event as PoolEvent } from '../../../generated/pool/Event';
import type { Outcome } from '../../../generated/pool/Outcome';
import type { Strategy } from '../../../generated/pool/Strategy';

const TITLES = { queue: 'Task queue: k workers, one shared FIFO queue', steal: 'Work stealing: rayon, on the same k threads' } as const;

/** A hue per thread, so neighbouring cells of one worker read as one block (the number in
 *  each cell says the same without colour). */
function hue(lane: number): string {
  return `--hue: ${Math.round((lane * 137.5) % 360)}`;
}

function cell(task: number, size: number | undefined): HTMLElement {
  return h('li', { class: 'task-cell', 'data-task': task, title: `task ${task}${size === undefined ? '' : `, size ${size}`}: not taken yet` }, '');
}

function mark(cellEl: HTMLElement, state: 'running' | 'done', lane: number) {
  cellEl.className = `task-cell ${state}`;
  cellEl.setAttribute('style', hue(lane));
  cellEl.dataset.lane = String(lane);
  cellEl.textContent = String(lane);
  cellEl.title = `task ${cellEl.dataset.task}: ${state === 'done' ? 'ran on' : 'running on'} ${laneName(lane)}`;
}

function grid(label: string, n: number, sizes?: number[]): HTMLOListElement {
  return h('ol', { class: 'task-grid', 'aria-label': label }, ...Array.from({ length: n }, (_, t) => cell(t, sizes?.[t])));
}

/** The grid of a finished run: every task, labelled with the worker thread that ran it. */
function finalGrid(s: Strategy, sizes: number[]): HTMLOListElement {
  const g = grid(`${TITLES[s.name === 'queue' ? 'queue' : 'steal']}: the thread that ran each task`, sizes.length, sizes);
  for (const r of s.runs) mark(g.children[r.task] as HTMLElement, 'done', r.lane);
  return g;
}

function workersTable(s: Strategy): HTMLElement {
  return h(
    'table',
    { class: 'figures' },
    h('thead', {}, h('tr', {}, ...['Worker thread', 'Tasks', 'Busy', 'Idle'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...s.workers.map((w) => h('tr', { 'data-lane': w.lane }, h('th', { scope: 'row' }, laneName(w.lane)), h('td', {}, String(w.tasks)), h('td', {}, ms(w.busy_ms)), h('td', {}, ms(w.idle_ms)))),
    ),
  );
}

export default {
  runLabel: 'Run both pools',
  notes: [
    'The task queue hands out tasks one at a time, in order: whichever worker is free takes the next. Every take goes through the queue’s lock.',
    'Work stealing gives each thread its own piece of the tasks; a thread that runs dry steals half of what another has left. Neighbouring tasks stay on one thread.',
    'With a large spread, a few long tasks decide when the run ends: the other workers sit idle at the end.',
    'Python could also start one new thread per task. A WebAssembly program cannot create threads at all (std::thread::spawn is unsupported there): every thread here is a Web Worker started once, with the page. So that is not shown; the cost of handing a task to an idle worker is measured instead.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'Many tiny tasks', values: { tasks: '400', size: '1', spread: '0' } },
        { label: 'A few big, uneven tasks', values: { tasks: '12', size: '40', spread: '100' } },
        { label: 'One worker', values: { workers: '1' } },
      ]),
    );
    /** The inputs of the last valid compute: the live grids need the number of tasks. */
    let current: Record<string, number | string> = {};
    let grids: { queue: HTMLOListElement; steal: HTMLOListElement } | undefined;
    return {
      computed(_value, params) {
        current = params;
      },
      live(events, area) {
        if (!grids || !area.contains(grids.queue)) {
          const n = Number(current.tasks ?? 0);
          grids = { queue: grid(`${TITLES.queue}: tasks as they are taken`, n), steal: grid(`${TITLES.steal}: tasks as they are taken`, n) };
          area.append(
            h('p', { class: 'muted' }, 'Each cell is a task, in order; the number is the worker thread that took it (outlined while it runs).'),
            h('h3', { class: 'strategy' }, TITLES.queue),
            grids.queue,
            h('h3', { class: 'strategy' }, TITLES.steal),
            grids.steal,
          );
        }
        for (const e of events as PoolEvent[]) {
          const c = grids[e.run].children[e.task] as HTMLElement | undefined;
          if (c) mark(c, e.e === 'take' ? 'running' : 'done', e.lane);
        }
      },
      result(o, area) {
        grids = undefined;
        area.append(...resultView(o));
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;

function resultView(o: Outcome): HTMLElement[] {
  const scale = Math.max(o.queue.wall_ms, o.stealing.wall_ms);
  const section = (s: Strategy, title: string, extra: string) =>
    h(
      'section',
      { class: 'strategy', 'data-strategy': s.name },
      h('h3', { class: 'strategy' }, `${title}: ${ms(s.wall_ms)}`),
      h('p', { class: 'muted' }, extra),
      finalGrid(s, o.sizes),
      workersTable(s),
      renderTimeline(s.timeline, `${title}: each worker thread, one bar per task`, scale),
    );
  const held = o.held_aside.length
    ? `rayon's pool has ${o.pool_threads} threads; ${o.held_aside.length} of them (${o.held_aside.map(laneName).join(', ')}) were held aside for this run, so that rayon had exactly ${o.workers}.`
    : `rayon used all ${o.pool_threads} of its threads.`;
  const handoff = o.handoff
    ? `Handing one task to an idle pool worker (put into an empty queue, the sleeping worker wakes and gets it) took ${o.handoff.median_us.toFixed(0)} µs (median of ${o.handoff.samples}; fastest ${o.handoff.min_us.toFixed(0)} µs).`
    : 'With a single pool thread there is no idle worker to hand a task to.';
  return [
    headline(
      ms(o.queue.wall_ms),
      'queue-ms',
      h('span', {}, 'with a task queue,'),
      h('span', { class: 'big', 'data-field': 'stealing-ms' }, ms(o.stealing.wall_ms)),
      h('span', {}, `with work stealing (${o.tasks} tasks on ${o.workers} worker${o.workers === 1 ? '' : 's'})`),
    ),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
    h('p', { class: 'muted', 'data-field': 'method' }, `${warmUpText(o.warm_up, `on the ${o.workers} workers`)} Each strategy then ran once.`),
    section(o.queue, 'Task queue', `${o.workers} workers took tasks from one queue; pills ended them. On average ${o.queue.streak.toFixed(1)} neighbouring tasks in a row on one worker; ${ms(o.queue.idle_ms)} idle in all.`),
    section(o.stealing, 'Work stealing', `(0..${o.tasks}).into_par_iter().for_each(…). ${held} On average ${o.stealing.streak.toFixed(1)} neighbouring tasks in a row on one worker; ${ms(o.stealing.idle_ms)} idle in all.`),
    h(
      'p',
      { class: 'muted', 'data-field': 'no-thread-per-task' },
      'One new thread per task, as Python can do, is not possible here: WebAssembly cannot create threads (std::thread::spawn is unsupported on wasm32); every thread is a Web Worker started with the page. ',
      handoff,
    ),
  ];
}
