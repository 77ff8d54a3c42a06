// Chapter 4, the with statement: what happens to a lock when its holder fails.

import type { DemoContext } from '../../demo-view';
import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/guard';
import { h, ms } from '../../dom';
import { legend, renderTimeline } from '../../timeline';
import type { Run } from '../../types';

interface Outcome {
  /** Distinct threads that ran, all alive at once (crate/src/pool.rs run_threads). */
  threads_used: number;
  style: 'manual' | 'guard';
  failure: 'error' | 'panic' | 'none';
  events: { t_ms: number; thread: string; what: string }[];
  leaked: boolean;
  watchdog: string | null;
  poisoned: boolean;
  b_got_lock: boolean;
  b_waited_ms: number;
  timeline: Run;
  explanation: string;
}

export const guard: DemoModule<null, Outcome> = {
  id: 'guard',
  steppable: true,
  runLabel: 'Run A, then B',
  notes: [
    'Released by hand, a lock stays taken when its holder leaves early: every later thread waits forever.',
    'A guard (Python’s `with lock:`, Rust’s MutexGuard) releases on every way out: return, early return, panic.',
    'After a panic Rust marks the mutex poisoned, so the next thread learns that the data may be half-updated.',
  ],
  mount(ctx: DemoContext, area) {
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ style: 'manual', failure: 'error' }) }, 'Leak it (manual, error)'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ style: 'guard', failure: 'error' }) }, 'Guard, error'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ style: 'guard', failure: 'panic' }) }, 'Guard, panic'),
      ),
    );
  },
  result(_ctx, o, area) {
    const verdict = o.leaked ? 'The lock leaked' : o.poisoned ? 'Released, and poisoned' : 'Released';
    area.append(
      h('div', { class: 'headline' }, h('span', { class: 'big', 'data-field': 'verdict' }, verdict), h('span', {}, `B waited ${ms(o.b_waited_ms)}`)),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      o.watchdog ? h('p', { class: 'watchdog', role: 'alert', 'data-field': 'watchdog' }, `Watchdog: ${o.watchdog}`) : h('span'),
      h('ol', { class: 'log', 'aria-label': 'What happened' }, ...o.events.map((e) => h('li', { 'data-thread': e.thread }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, e.thread), ` ${e.what}`))),
      legend(),
      renderTimeline(o.timeline, 'A holds the lock and fails (solid); B waits for it (hatched)'),
    );
  },
  summary(_v, o, params) {
    if (!o) return { demo: 'guard', params };
    return { demo: 'guard', params, threadsUsed: o.threads_used, style: o.style, failure: o.failure, leaked: o.leaked, poisoned: o.poisoned, bGotLock: o.b_got_lock, watchdog: o.watchdog, events: o.events.map((e) => `${e.thread}: ${e.what}`) };
  },
};

export default legacy(guard, snippet);
