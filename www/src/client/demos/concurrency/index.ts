// Chapter 1 on the page: two timelines (sequential, then k threads), the times, and why.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/concurrency';
import { h, ms, times } from '../../dom';
import { figures, headline, presets } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import { spreadText, warmUpText } from '../../measure-text';
import type { Outcome } from '../../../generated/concurrency/Outcome';
import type { Run } from '../../../generated/Run';
import type { Samples } from '../../../generated/Samples';

export default {
  runLabel: 'Run both ways',
  notes: [
    'CPU-bound tasks get faster with threads up to the number of cores, and no further.',
    'I/O-bound tasks get faster even past the core count: a waiting thread needs no core.',
    'A chain where each step needs the one before cannot be split: threads only take turns.',
    'Run the same settings twice: the timelines differ, because the operating system decides which thread runs when.',
  ],
  snippet,
  create(ctx, area) {
    const upTo = (n: number) => String(Math.min(n, ctx.info.poolThreads || n));
    area.append(
      presets(ctx, [
        { label: 'CPU-bound', values: { kind: 'cpu', tasks: '32', threads: upTo(4) } },
        { label: 'I/O-bound, 8 threads', values: { kind: 'io', tasks: '32', threads: upTo(8), wait: '40' } },
        { label: 'Sequential chain', values: { kind: 'chain', tasks: '20', threads: upTo(4) } },
      ]),
    );
    return { result: (o, area) => area.append(...view(o)) };
  },
} satisfies DemoUnit<null, Outcome>;

function view(o: Outcome): HTMLElement[] {
  const scale = Math.max(o.sequential.wall_ms, o.concurrent?.wall_ms ?? 0);
  const range = (s: Samples) => (o.repeats > 1 ? ` (${ms(s.min)}–${ms(s.max)})` : '');
  const rows = [
    ['Sequential (1 thread)', ms(o.sequential_ms.min) + range(o.sequential_ms), ''],
    o.concurrent && o.concurrent_ms
      ? [
          `Concurrent (${o.threads} threads asked, ${o.threads_used} used)`,
          ms(o.concurrent_ms.min) + range(o.concurrent_ms),
          times(o.speedup ?? 0) + (o.repeats > 1 && o.speedup_range ? ` (${spreadText(o.speedup_range)})` : ''),
        ]
      : ['Concurrent', 'not available without cross-origin isolation', ''],
  ];
  const how =
    o.repeats > 1
      ? `Each run was measured ${o.repeats} times, taking turns; the table shows the best time (noise only adds time) and the range.`
      : 'Measured once: waits take as long as they take.';
  const warm = o.warm_up
    ? ` ${warmUpText(o.warm_up, o.concurrent ? 'on the sequential thread, then on the pool threads' : 'on the sequential thread')}`
    : '';
  const parts: (HTMLElement | null)[] = [
    headline(o.speedup === null ? '—' : times(o.speedup), 'speedup', h('span', {}, o.speedup === null ? 'no threaded run' : 'speedup from threads')),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
    h('p', { class: 'muted', 'data-field': 'method' }, how + warm),
    figures(['Run', 'Wall time', 'Speedup'], rows),
    h(
      'p',
      { class: 'check' },
      `Check — ${o.check.what}: sequential ${o.check.sequential}`,
      o.check.concurrent === null ? '' : `, concurrent ${o.check.concurrent}`,
      o.check.concurrent === null || o.check.concurrent === o.check.sequential ? ' ✓ the runs agree' : ' ✗ the runs disagree',
    ),
    legend(),
    renderTimeline(o.sequential, `Sequential: ${o.tasks} tasks one after another`, scale),
    o.concurrent ? renderTimeline(o.concurrent, `${o.threads} threads: same tasks, same time axis`, scale) : null,
    o.concurrent ? completionOrder(o.concurrent) : null,
  ];
  return parts.filter((p): p is HTMLElement => p !== null);
}

function completionOrder(run: Run): HTMLElement {
  return h(
    'details',
    { class: 'order' },
    h('summary', {}, 'Order in which the threaded tasks finished'),
    h('p', {}, run.order.join(', ')),
    h('p', { class: 'muted' }, 'Like the book’s as_completed list, results arrive in completion order, not submission order.'),
  );
}
