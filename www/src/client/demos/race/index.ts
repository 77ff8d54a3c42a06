// Chapter 14, race conditions: lost updates on real threads, and the two fixes.

import type { DemoContext } from '../../demo-view';
import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/race';
import { h, ms } from '../../dom';
import { legend, renderTimeline } from '../../timeline';
import type { Run } from '../../types';

interface MethodRun {
  method: 'unprotected' | 'mutex' | 'atomic';
  actual: number;
  lost: number;
  wall_ms: number;
  threads_used: number;
}

interface Outcome {
  threads: number;
  increments: number;
  expected: number;
  runs: MethodRun[];
  spread: { actuals: number[]; min: number; max: number; mean: number } | null;
  timeline: Run | null;
  explanation: string;
}

const LABEL: Record<MethodRun['method'], string> = {
  unprotected: 'Unprotected (load, then store)',
  mutex: 'Mutex around read and write',
  atomic: 'Atomic fetch_add',
};

const n = (v: number) => v.toLocaleString('en');

export const race: DemoModule<null, Outcome> = {
  id: 'race',
  steppable: true,
  runLabel: 'Race the threads',
  notes: [
    'counter += 1 is three steps: read, add, write. Another thread can run between them.',
    'The number lost changes from run to run: a race depends on timing, which is why tests miss it.',
    'Both fixes are exact. The atomic add is one instruction; the mutex makes threads take turns.',
    'In the step-through below, find an order of steps that loses an update: A reads, B reads, both write.',
  ],
  mount(ctx: DemoContext, area) {
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        h('button', { type: 'button', class: 'chip', 'data-preset': 'book', onclick: () => ctx.setParams({ threads: String(Math.max(1, Math.min(16, ctx.info.poolThreads))), increments: '1', gap: '1000', repeats: '5', method: 'all' }) }, "The book: many threads, one slow increment each"),
        h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams({ gap: '200', increments: '20000' }) }, 'Wider window between read and write'),
      ),
      h(
        'p',
        { class: 'muted' },
        'Let the computer find it: ',
        h('a', { href: '?demo=explorer&program=lost-update&threads=2', 'data-link': 'explorer' }, 'the interleaving explorer'),
        ' tries every order of the two threads’ steps and replays the shortest one that loses an update.',
      ),
    );
  },
  result(_ctx, o, area) {
    const racy = o.runs.find((r) => r.method === 'unprotected');
    area.append(
      h(
        'div',
        { class: 'headline' },
        h('span', { class: 'big', 'data-field': 'lost' }, racy ? n(racy.lost) : '0'),
        h('span', {}, racy ? `updates lost of ${n(o.expected)} (unprotected)` : 'updates lost'),
      ),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      h(
        'table',
        { class: 'figures' },
        h('thead', {}, h('tr', {}, ...['Version', 'Total', 'Expected', 'Lost', 'Time'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          ...o.runs.map((r) =>
            h(
              'tr',
              { 'data-method': r.method },
              h('th', { scope: 'row' }, LABEL[r.method]),
              h('td', {}, n(r.actual)),
              h('td', {}, n(o.expected)),
              h('td', {}, r.lost === 0 ? '0 ✓' : `${n(r.lost)} ✗`),
              h('td', {}, ms(r.wall_ms)),
            ),
          ),
        ),
      ),
      o.spread && o.spread.actuals.length > 1
        ? h('p', { class: 'muted', 'data-field': 'spread' }, `Unprotected totals over ${o.spread.actuals.length} runs: ${o.spread.actuals.map(n).join(', ')} (from ${n(o.spread.min)} to ${n(o.spread.max)}).`)
        : h('span'),
      o.timeline ? legend() : h('span'),
      o.timeline ? renderTimeline(o.timeline, 'The unprotected run: each thread’s increments, overlapping in time') : h('span'),
    );
  },
  summary(_v, o, params) {
    if (!o) return { demo: 'race', params };
    return {
      demo: 'race',
      params,
      expected: o.expected,
      runs: o.runs.map((r) => ({ method: r.method, actual: r.actual, lost: r.lost, wallMs: r.wall_ms, threadsUsed: r.threads_used })),
      actuals: o.spread?.actuals ?? [],
    };
  },
};

export default legacy(race, snippet);
