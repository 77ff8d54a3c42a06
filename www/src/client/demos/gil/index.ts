// Chapter 15, the GIL: a countdown on real threads that must hold one simulated GIL to run,
// against a free-threaded run and pool workers standing in for processes; who held the GIL
// when; the convoy an I/O-bound thread joins; and, in the step-through, where a switch may fall.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/gil';
import { h, ms, times } from '../../dom';
import { figures, headline, presets, scrolling } from '../../kit';
import { renderTimeline } from '../../timeline';
import type { Outcome } from '../../../generated/gil/Outcome';
import type { Enumerated } from '../../../generated/gil/Enumerated';
import type { Mode } from '../../../generated/gil/Mode';
import type { Run } from '../../../generated/Run';

const MODE: Record<Mode, string> = {
  gil: 'with the GIL',
  'free-threaded': 'free-threaded (no GIL)',
  processes: 'pool workers standing in for processes',
};

const range = (lo: number, hi: number, f: (v: number) => string) => `${f(lo)} to ${f(hi)}`;

export default {
  runLabel: 'Count down',
  notes: [
    'There is no Python in a browser: this interpreter is a Rust countdown, and its GIL is a simulated one (a mutex and two condition variables following CPython’s protocol) held by real threads.',
    'The book’s numbers: 50,000,000 counted down in 2.80 s on one thread, 2.74 s on two threads, 1.54 s on two processes.',
    'The book gives the switch interval as 15 ms; CPython’s default is 5 ms (sys.getswitchinterval() returns 0.005), which is this page’s default too.',
    '“Processes” here are pool workers, each with its own interpreter state and no lock: they stand in for processes, but start no process and copy nothing.',
    'Chapter 17’s race (n += 1 in 1,000 threads, setswitchinterval(1e-6)) printed 998 in the book and usually prints 1000 today: since 3.10 CPython switches only at back-edges and calls. The step-through shows both rules.',
  ],
  snippet,
  create(ctx, area) {
    const counts = h('div', { class: 'gil-policies', 'data-field': 'policies' });
    area.append(
      presets(ctx, [
        { label: 'The book: two threads with the GIL', values: { mode: 'gil', threads: '2' } },
        { label: 'Free-threaded, two threads', values: { mode: 'free-threaded', threads: '2' } },
        { label: 'Two processes', values: { mode: 'processes', threads: '2' } },
        { label: 'The book’s 15 ms interval', values: { interval: '15' } },
      ]),
      counts,
    );
    return {
      computed(v: Enumerated) {
        counts.replaceChildren(
          scrolling('Every order of n += 1, enumerated', figures(
            ['Switch points', 'Threads', 'Interleavings', 'Lose an update', 'Final n (how many orders)'],
            v.policies.map((o) => [
              o.policy === 'any' ? 'Any bytecode (the book’s run)' : 'Back-edges and calls (CPython 3.10+)',
              String(o.threads),
              h('span', { 'data-policy': o.policy, 'data-count': 'interleavings' }, o.interleavings.toLocaleString('en')),
              h('span', { 'data-policy': o.policy, 'data-count': 'lost' }, o.lost.toLocaleString('en')),
              o.finals.map(([n, c]) => `n = ${n}: ${c.toLocaleString('en')}`).join(', '),
            ]),
            'Every order of n += 1 the step-through allows, enumerated',
          )),
        );
      },
      result(o, area) {
        const ideal = o.mode === 'gil' ? 1 : Math.min(o.threads, Math.max(1, ctx.info.cores));
        const holdsRun: Run = {
          threads: o.threads,
          lanes: [...new Set(o.holds.map((x) => x.lane))].sort((a, b) => a - b),
          wall_ms: o.wallMs,
          spans: o.holds.map((x, i) => ({ lane: x.lane, task: i, kind: 'work', start_ms: x.startMs, end_ms: x.endMs })),
          order: [],
        };
        area.append(
          headline(times(o.speedup), 'speedup', h('span', {}, `speedup of ${o.threads} thread${o.threads === 1 ? '' : 's'} ${MODE[o.mode]} over one (ideal here ${times(ideal)})`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          figures(
            ['Threads', 'Threads used', 'Median', 'Fastest to slowest', 'Samples'],
            [o.one, ...(o.many.threads === o.one.threads ? [] : [o.many])].map((c) => [
              String(c.threads),
              String(c.threadsUsed),
              ms(c.samples.median),
              range(c.samples.min, c.samples.max, ms),
              String(c.samples.ms.length),
            ]),
            `Wall time of ${o.steps.toLocaleString('en')} bytecodes, measured warm (${o.warmUp.rounds} warm-up rounds), in rotation`,
          ),
          h(
            'p',
            { class: 'muted', 'data-field': 'speedup-range' },
            `Speedup ${times(o.speedup)} (fastest against fastest); the samples allow ${range(o.speedupRange[0], o.speedupRange[1], times)}.`,
          ),
          h('p', { 'data-field': 'switches' }, o.mode === 'gil' ? `The GIL changed hands ${o.switches.toLocaleString('en')} times in the run drawn below.` : 'No GIL: each bar is one thread running its whole share.'),
          renderTimeline(
            holdsRun,
            o.mode === 'gil' ? `Who held the GIL, run of ${o.threads} threads${o.holdsDropped ? ` (first ${o.holds.length} holds)` : ''}` : `Each thread running, run of ${o.threads} threads`,
            o.wallMs,
            { taskWord: o.mode === 'gil' ? 'hold' : 'run' },
          ),
          o.convoy
            ? h(
                'p',
                { 'data-field': 'convoy' },
                `The convoy: an I/O-bound thread beside one CPU-bound thread waited ${ms(o.convoy.medianMs)} (median; at most ${ms(o.convoy.maxMs)}) to run again after each of its ${o.convoy.latenciesMs.length} I/O waits.`,
              )
            : h('p', { class: 'muted', 'data-field': 'convoy' }, 'The convoy needs two threads at once: this page has no pool of two, so it was not measured.'),
        );
      },
    };
  },
} satisfies DemoUnit<Enumerated, Outcome>;
