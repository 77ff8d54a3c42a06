// Chapter 14, race conditions: lost updates on real threads, and the two fixes.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/race';
import { h, ms } from '../../dom';
import { headline } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import type { Outcome } from '../../../generated/race/Outcome';
import type { Version } from '../../../generated/race/Version';

const LABEL: Record<Version, string> = {
  unprotected: 'Unprotected (load, then store)',
  mutex: 'Mutex around read and write',
  atomic: 'Atomic fetch_add',
};

const n = (v: number) => v.toLocaleString('en');

export default {
  runLabel: 'Race the threads',
  notes: [
    'counter += 1 is three steps: read, add, write. Another thread can run between them.',
    'The number lost changes from run to run: a race depends on timing, which is why tests miss it.',
    'Both fixes are exact. The atomic add is one instruction; the mutex makes threads take turns.',
    'In the step-through below, find an order of steps that loses an update: A reads, B reads, both write.',
  ],
  snippet,
  create(ctx, area) {
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
    return {
      result(o, area) {
        const racy = o.runs.find((r) => r.method === 'unprotected');
        area.append(
          headline(racy ? n(racy.lost) : '0', 'lost', h('span', {}, racy ? `updates lost of ${n(o.expected)} (unprotected)` : 'updates lost')),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          // Not kit's figures(): each row carries its version (data-method), which tests count.
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
    };
  },
} satisfies DemoUnit<null, Outcome>;
