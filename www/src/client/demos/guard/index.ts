// Chapter 4, the with statement: what happens to a lock when its holder fails.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/guard';
import { h, ms } from '../../dom';
import { headline, presets } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import type { Outcome } from '../../../generated/guard/Outcome';

export default {
  runLabel: 'Run A, then B',
  notes: [
    'Released by hand, a lock stays taken when its holder leaves early: every later thread waits forever.',
    'A guard (Python’s `with lock:`, Rust’s MutexGuard) releases on every way out: return, early return, panic.',
    'After a panic Rust marks the mutex poisoned, so the next thread learns that the data may be half-updated.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'Leak it (manual, error)', values: { style: 'manual', failure: 'error' } },
        { label: 'Guard, error', values: { style: 'guard', failure: 'error' } },
        { label: 'Guard, panic', values: { style: 'guard', failure: 'panic' } },
      ]),
    );
    return {
      result(o, area) {
        const verdict = o.leaked ? 'The lock leaked' : o.poisoned ? 'Released, and poisoned' : 'Released';
        area.append(
          headline(verdict, 'verdict', h('span', {}, `B waited ${ms(o.b_waited_ms)}`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          o.watchdog ? h('p', { class: 'watchdog', role: 'alert', 'data-field': 'watchdog' }, `Watchdog: ${o.watchdog}`) : h('span'),
          h('ol', { class: 'log', 'aria-label': 'What happened' }, ...o.events.map((e) => h('li', { 'data-thread': e.thread }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, e.thread), ` ${e.what}`))),
          legend(),
          renderTimeline(o.timeline, 'A holds the lock and fails (solid); B waits for it (hatched)'),
        );
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
