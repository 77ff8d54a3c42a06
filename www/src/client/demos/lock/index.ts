// Chapter 3, locks: the exact total, and who waited how long for the lock.

import type { DemoContext } from '../../demo-view';
import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/lock';
import { h, ms } from '../../dom';
import { legend, laneName, renderTimeline } from '../../timeline';
import type { Run } from '../../types';

interface Stats {
  name: string;
  lane: number;
  acquisitions: number;
  wait_ms: number;
  max_wait_ms: number;
  failed: number;
  busy_ms: number;
}

interface Outcome {
  /** Distinct threads that ran, all alive at once (crate/src/pool.rs run_threads). */
  threads_used: number;
  mode: 'mutex' | 'try' | 'spin';
  threads: number;
  expected: number;
  actual: number;
  exact: boolean;
  wall_ms: number;
  throughput: number;
  stats: Stats[];
  total_wait_ms: number;
  wait_share: number;
  timeline: Run;
  explanation: string;
}

const FAILED: Record<Outcome['mode'], string> = { mutex: '—', try: 'Failed try_lock', spin: 'Spins' };

export const lock: DemoModule<null, Outcome> = {
  id: 'lock',
  steppable: true,
  runLabel: 'Run the threads',
  notes: [
    'The total is exact with every kind of lock: only one thread at a time reads, computes and writes.',
    'Make the work inside the lock longer, or add threads, and the waiting grows: the lock is a one-lane bridge.',
    'A spin lock never sleeps: on few cores, spinning threads take turns away from the thread holding the lock.',
    'In Rust the Mutex owns the counter: there is no way to touch it without locking. Python’s Lock guards nothing by itself; it only works if every thread remembers to take it.',
  ],
  mount(ctx: DemoContext, area) {
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ hold: '2000', outside: '50' }) }, 'Long critical section'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ mode: 'try' }) }, 'try_lock'),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ mode: 'spin', threads: String(Math.min(8, ctx.info.poolThreads || 8)) }) }, 'Spin lock, more threads than cores'),
      ),
    );
  },
  result(_ctx, o, area) {
    area.append(
      h(
        'div',
        { class: 'headline' },
        h('span', { class: 'big', 'data-field': 'actual' }, o.actual.toLocaleString('en')),
        h('span', {}, `of ${o.expected.toLocaleString('en')} expected ${o.exact ? '✓ exact' : '✗ wrong'}`),
      ),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      h(
        'table',
        { class: 'figures' },
        h('thead', {}, h('tr', {}, ...['Thread', 'Ran on', 'Lock taken', 'Waited in all', 'Longest wait', FAILED[o.mode]].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          ...o.stats.map((s) =>
            h('tr', {}, h('th', { scope: 'row' }, s.name), h('td', {}, laneName(s.lane)), h('td', {}, s.acquisitions.toLocaleString('en')), h('td', {}, ms(s.wait_ms)), h('td', {}, ms(s.max_wait_ms)), h('td', {}, o.mode === 'mutex' ? '—' : s.failed.toLocaleString('en'))),
          ),
        ),
      ),
      h('p', { class: 'muted' }, `${ms(o.wall_ms)} in all; ${Math.round(o.throughput).toLocaleString('en')} increments per ms; ${(o.wait_share * 100).toFixed(0)} % of the threads' time went to getting the lock.`),
      legend(),
      renderTimeline(o.timeline, '40 acquisitions of each thread, spread over the run: waiting for the lock (hatched), holding it (solid)'),
    );
  },
  summary(_v, o, params) {
    if (!o) return { demo: 'lock', params };
    return {
      demo: 'lock',
      params,
      threadsUsed: o.threads_used,
      mode: o.mode,
      threads: o.threads,
      expected: o.expected,
      actual: o.actual,
      exact: o.exact,
      waitMs: o.stats.map((s) => s.wait_ms),
      failed: o.stats.map((s) => s.failed),
      acquisitions: o.stats.map((s) => s.acquisitions),
      lanes: o.stats.map((s) => s.lane),
    };
  },
};

export default legacy(lock, snippet);
