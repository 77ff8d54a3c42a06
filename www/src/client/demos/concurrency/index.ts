// Chapter 1 on the page: two timelines (sequential, then k threads), the times, and why.

import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/concurrency';
import { h, ms, times } from '../../dom';
import { legend, renderTimeline } from '../../timeline';
import { spreadText, warmUpText, type Run, type Samples, type WarmUp } from '../../types';

interface Outcome {
  kind: 'cpu' | 'io' | 'chain';
  tasks: number;
  threads: number;
  wait_ms: number | null;
  cores: number;
  warm_up: WarmUp | null;
  repeats: number;
  sequential: Run;
  sequential_ms: Samples;
  concurrent: Run | null;
  concurrent_ms: Samples | null;
  speedup: number | null;
  speedup_range: [number, number] | null;
  threads_used: number;
  check: { what: string; sequential: number; concurrent: number | null };
  explanation: string;
}

export const concurrency: DemoModule<null, Outcome> = {
  id: 'concurrency',
  runLabel: 'Run both ways',
  notes: [
    'CPU-bound tasks get faster with threads up to the number of cores, and no further.',
    'I/O-bound tasks get faster even past the core count: a waiting thread needs no core.',
    'A chain where each step needs the one before cannot be split: threads only take turns.',
    'Run the same settings twice: the timelines differ, because the operating system decides which thread runs when.',
  ],
  mount(ctx, area) {
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        preset(ctx, 'CPU-bound', { kind: 'cpu', tasks: '32', threads: String(Math.min(4, ctx.info.poolThreads || 4)) }),
        preset(ctx, 'I/O-bound, 8 threads', { kind: 'io', tasks: '32', threads: String(Math.min(8, ctx.info.poolThreads || 8)), wait: '40' }),
        preset(ctx, 'Sequential chain', { kind: 'chain', tasks: '20', threads: String(Math.min(4, ctx.info.poolThreads || 4)) }),
      ),
    );
  },
  runBlocked: () => undefined,
  result(_ctx, o, area) {
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
      h(
        'div',
        { class: 'headline' },
        h('span', { class: 'big', 'data-field': 'speedup' }, o.speedup === null ? '—' : times(o.speedup)),
        h('span', {}, o.speedup === null ? 'no threaded run' : 'speedup from threads'),
      ),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      h('p', { class: 'muted', 'data-field': 'method' }, how + warm),
      h(
        'table',
        { class: 'figures' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Wall time'), h('th', { scope: 'col' }, 'Speedup'))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), h('td', {}, r[1]), h('td', {}, r[2])))),
      ),
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
    area.append(...parts.filter((p): p is HTMLElement => p !== null));
  },
  summary(_value, o, params) {
    if (!o) return { demo: 'concurrency', params };
    return {
      demo: 'concurrency',
      params,
      kind: o.kind,
      tasks: o.tasks,
      threads: o.threads,
      threadsUsed: o.threads_used,
      sequentialMs: o.sequential_ms.min,
      concurrentMs: o.concurrent_ms?.min ?? null,
      samples: { sequential: o.sequential_ms.ms, concurrent: o.concurrent_ms?.ms ?? [] },
      speedup: o.speedup,
      speedupRange: o.speedup_range,
      repeats: o.repeats,
      warmUp: o.warm_up,
      check: o.check,
      lanes: { sequential: o.sequential.lanes, concurrent: o.concurrent?.lanes ?? [] },
      spans: { sequential: o.sequential.spans.length, concurrent: o.concurrent?.spans.length ?? 0 },
      order: o.concurrent?.order ?? o.sequential.order,
    };
  },
};

function preset(ctx: Parameters<DemoModule['mount']>[0], label: string, values: Record<string, string>) {
  return h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams(values) }, label);
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

export default legacy(concurrency, snippet);
