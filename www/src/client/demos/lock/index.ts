// Chapter 3, locks: the exact total, and who waited how long for the lock.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/lock';
import { h, ms } from '../../dom';
import { figures, headline, presets } from '../../kit';
import { legend, laneName, renderTimeline } from '../../timeline';
import type { LockMode } from '../../../generated/lock/LockMode';
import type { Outcome } from '../../../generated/lock/Outcome';

const FAILED: Record<LockMode, string> = { mutex: '—', try: 'Failed try_lock', spin: 'Spins' };

export default {
  runLabel: 'Run the threads',
  notes: [
    'The total is exact with every kind of lock: only one thread at a time reads, computes and writes.',
    'Make the work inside the lock longer, or add threads, and the waiting grows: the lock is a one-lane bridge.',
    'A spin lock never sleeps: on few cores, spinning threads take turns away from the thread holding the lock.',
    'In Rust the Mutex owns the counter: there is no way to touch it without locking. Python’s Lock guards nothing by itself; it only works if every thread remembers to take it.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'Long critical section', values: { hold: '2000', outside: '50' } },
        { label: 'try_lock', values: { mode: 'try' } },
        { label: 'Spin lock, more threads than cores', values: { mode: 'spin', threads: String(Math.min(8, ctx.info.poolThreads || 8)) } },
      ]),
    );
    return {
      result(o, area) {
        area.append(
          headline(o.actual.toLocaleString('en'), 'actual', h('span', {}, `of ${o.expected.toLocaleString('en')} expected ${o.exact ? '✓ exact' : '✗ wrong'}`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          figures(
            ['Thread', 'Ran on', 'Lock taken', 'Waited in all', 'Longest wait', FAILED[o.mode]],
            o.stats.map((s) => [s.name, laneName(s.lane), s.acquisitions.toLocaleString('en'), ms(s.wait_ms), ms(s.max_wait_ms), o.mode === 'mutex' ? '—' : s.failed.toLocaleString('en')]),
          ),
          h('p', { class: 'muted' }, `${ms(o.wall_ms)} in all; ${Math.round(o.throughput).toLocaleString('en')} increments per ms; ${(o.wait_share * 100).toFixed(0)} % of the threads' time went to getting the lock.`),
          legend(),
          renderTimeline(o.timeline, '40 acquisitions of each thread, spread over the run: waiting for the lock (hatched), holding it (solid)'),
        );
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
