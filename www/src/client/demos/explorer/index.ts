// Chapter 19, the interleaving explorer: every schedule of a step-through program, counted,
// with its final states and a shortest counterexample to replay in the stepper below.
// The engine explores (crate/src/sched/explore/) as the inputs change; this only draws.

import type { DemoContext, DemoUnit } from '../../demo-module';
import { presets, scrolling } from '../../kit';
import snippet from 'virtual:snippets/explorer';
import { h } from '../../dom';
import type { FinalState } from '../../../generated/FinalState';
import type { Outcome } from '../../../generated/Outcome';
import type { Report } from '../../../generated/explorer/Report';
import type { Linearizability } from '../../../generated/Linearizability';
import type { Fuzzing } from '../../../generated/explorer/Fuzzing';
import type { Strategy } from '../../../generated/explorer/Strategy';

const OUTCOME: Record<Outcome, string> = {
  ok: 'finishes',
  broken: 'breaks the assertion',
  failed: 'ends in an error',
  deadlock: 'deadlocks',
};

/** What `n of m interleavings …` do. */
const DO: Record<Outcome, string> = {
  ok: 'finish',
  broken: 'break the assertion',
  failed: 'end in an error',
  deadlock: 'deadlock',
};

/** "155117520" → "155,117,520" (exact: no trip through a float). */
function grouped(n: string): string {
  return n.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The thread names of a trace: "0.1*3" → "A, B, B, B". */
export function traceNames(trace: string, threads: string[]): string[] {
  if (!trace) return [];
  return trace.split('.').flatMap((item) => {
    const [t, n] = item.split('*');
    const name = threads[Number(t)] ?? t;
    return Array.from({ length: n === undefined ? 1 : Number(n) }, () => name);
  });
}

/** Share of `part` in `whole`, both decimal strings: "90 %", "33.3 %", "< 0.01 %". */
export function share(part: string | null, whole: string | null): string {
  if (part === null || whole === null || whole === '0') return '';
  const [p, w] = [BigInt(part), BigInt(whole)];
  if (p === 0n || p === w) return p === 0n ? '0 %' : '100 %';
  const pct = Number((p * 1_000_000n) / w) / 10_000; // exact to 4 decimals, however big the counts
  if (pct < 0.01) return '< 0.01 %';
  if (pct > 99.99) return '> 99.99 %';
  const shown = pct.toFixed(pct < 1 ? 2 : 1);
  return `${shown.endsWith('.0') ? shown.slice(0, -2) : shown} %`;
}

function replayButton(ctx: DemoContext, trace: string, label: string, extra: Record<string, string> = {}) {
  return h('button', { type: 'button', ...extra, disabled: !ctx.replay, onclick: () => ctx.replay?.(trace) }, label);
}

function counterexample(ctx: DemoContext, r: Report, c: FinalState): HTMLElement {
  const names = traceNames(c.trace, r.threads);
  const kind = c.outcome === 'deadlock' ? 'deadlock' : c.outcome === 'broken' ? `interleaving that breaks ${r.assertion ?? 'the assertion'}` : 'interleaving that ends in an error';
  // After the state limit, shorter ones may hide in the part not explored.
  const what = r.complete ? `A shortest ${kind}` : `${kind === 'deadlock' ? 'A' : 'An'} ${kind}, the shortest found so far`;
  return h(
    'section',
    { class: 'counterexample', 'data-field': 'counterexample', 'aria-label': 'Counterexample' },
    h('h3', {}, `${what}: ${c.steps} step${c.steps === 1 ? '' : 's'}`),
    h('ol', { class: 'trace-steps' }, ...names.map((n) => h('li', {}, n))),
    h('p', {}, `Ends with: ${c.summary}.`),
    ...c.detail.map((d) => h('p', { class: 'why' }, d)),
    h('p', {}, replayButton(ctx, c.trace, 'Replay this counterexample step by step', { class: 'primary', 'data-action': 'replay' })),
  );
}

function finalStates(ctx: DemoContext, r: Report): HTMLElement {
  const rows = r.final_states.map((f) =>
    h(
      'tr',
      { 'data-outcome': f.outcome },
      h('th', { scope: 'row' }, f.summary),
      h('td', {}, h('span', { class: `outcome ${f.outcome}` }, OUTCOME[f.outcome])),
      h('td', { class: 'num' }, f.interleavings === null ? '∞' : grouped(f.interleavings)),
      h('td', { class: 'num' }, share(f.interleavings, r.interleavings)),
      h('td', {}, replayButton(ctx, f.trace, `Replay (${f.steps} steps)`, { class: 'chip', 'aria-label': `Replay a shortest interleaving that ends with ${f.summary}` })),
    ),
  );
  const more = r.final_states_total - r.final_states.length;
  const table = h(
    'table',
    { class: 'figures final-states', 'data-field': 'final-states' },
    h('caption', {}, `Final states (${r.final_states_total})`),
    h('thead', {}, h('tr', {}, ...['Final state', 'The run', 'Interleavings', 'Share', 'Shortest'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
    more > 0 ? h('tfoot', {}, h('tr', {}, h('td', { colspan: 5 }, `and ${more} more final states, not listed`))) : null,
  );
  if (rows.length <= FOLDED_ROWS) return h('div', { class: 'table-scroll' }, table);
  // Long lists (the countdown prints 252 different ways) open folded.
  table.classList.add('folded');
  const toggle = h('button', { type: 'button', class: 'chip', 'aria-expanded': 'false', 'data-action': 'all-final-states' }, `Show all ${rows.length} final states`);
  toggle.addEventListener('click', () => {
    const folded = table.classList.toggle('folded');
    toggle.setAttribute('aria-expanded', String(!folded));
    toggle.textContent = folded ? `Show all ${rows.length} final states` : `Show the first ${FOLDED_ROWS}`;
  });
  return h('div', { class: 'table-scroll' }, table, toggle);
}

/**
 * The linearizability check (crate/src/sched/ops.rs): the results the operations give one
 * at a time, and the interleavings whose result is none of them.
 */
function linear(ctx: DemoContext, r: Report, l: Linearizability): HTMLElement {
  const orders = l.orders === null ? 'every' : grouped(l.orders);
  const verdict = l.linearizable
    ? l.complete
      ? `Linearizable: each of the ${r.interleavings === null ? '' : `${grouped(r.interleavings)} `}interleavings ends in one of these results.`
      : 'Every interleaving explored ends in one of these results; the search stopped early, so this is no proof.'
    : `Not linearizable: ${l.not_matching === null ? 'some' : grouped(l.not_matching)} of ${r.interleavings === null ? 'the' : grouped(r.interleavings)} interleavings (${share(l.not_matching, r.interleavings)}) end in a result that no order of the operations gives.`;
  return h(
    'section',
    { class: 'linearizability', 'data-field': 'linearizability', 'data-linearizable': String(l.linearizable), 'aria-label': 'Linearizability' },
    h('h3', {}, 'Linearizable?'),
    h(
      'p',
      {},
      `Each thread’s operations done one at a time, the others waiting (the same program with every operation inside one lock): ${orders} orders, which give `,
      l.sequential.length === 1 ? 'one result:' : `${l.sequential.length} results:`,
    ),
    h('ul', { class: 'sequential-results' }, ...l.sequential.map((s) => h('li', {}, s))),
    h('p', { class: l.linearizable ? 'ok' : 'why' }, verdict),
    l.witness
      ? h('p', {}, `The shortest of them, in ${l.witness.steps} steps, ends with ${l.witness.summary}. `, replayButton(ctx, l.witness.trace, 'Replay it step by step', { class: 'chip', 'data-action': 'replay-witness' }))
      : null,
    h('p', { class: 'muted' }, 'Compared by result (the shared variables at the end, which hold what each operation returned), not by real-time order: here every operation overlaps the others, so the two agree.'),
  );
}

const STRATEGY: Record<Strategy, string> = {
  naive: 'Naive: any runnable thread, evenly',
  pct: 'PCT: random priorities, changed at random steps',
  uniform: 'Uniform: weighted by the interleavings below',
};

/** A rate as the page shows it: "33.4 %", "0.42 %" (the same rule as the engine's headline). */
export function percent(x: number): string {
  if (x <= 0) return '0 %';
  if (x >= 1) return '100 %';
  const pct = x * 100;
  if (pct < 0.01) return '< 0.01 %';
  const shown = pct.toFixed(pct < 1 ? 2 : 1);
  return `${shown.endsWith('.0') ? shown.slice(0, -2) : shown} %`;
}

/**
 * The schedule fuzzer (crate/src/sched/explore/fuzz.rs): each strategy's failure rate over the
 * same number of seeded random schedules, beside the exhaustive count, with a replay of the
 * first failing schedule.
 */
function fuzzer(ctx: DemoContext, r: Report, z: Fuzzing): HTMLElement {
  const total = r.counting === 'exact' ? r.interleavings : null;
  const rows = z.runs.map((f) =>
    h(
      'tr',
      { 'data-strategy': f.strategy, class: f.strategy === z.strategy ? 'chosen' : '' },
      h('th', { scope: 'row' }, STRATEGY[f.strategy]),
      h('td', { class: 'num' }, `${f.failures.toLocaleString('en')} of ${f.schedules.toLocaleString('en')}`),
      h('td', { class: 'num', 'data-field': 'rate' }, percent(f.rate)),
      h('td', { class: 'num' }, f.expected === null ? '—' : percent(f.expected)),
      h('td', { class: 'num' }, `${f.distinct.toLocaleString('en')}${total ? ` of ${grouped(total)}` : ''}`),
      h(
        'td',
        {},
        f.first_failing
          ? replayButton(ctx, f.first_failing.trace, `Replay #${f.first_failing.index + 1}`, {
              class: 'chip',
              'data-action': 'replay-fuzzed',
              'aria-label': `Replay #${f.first_failing.index + 1}, the first failing schedule of the ${f.strategy} fuzzer`,
            })
          : 'none met',
      ),
    ),
  );
  return h(
    'section',
    { class: 'fuzzer', 'data-field': 'fuzzer', 'aria-label': 'Schedule fuzzer' },
    h('h3', {}, 'Random schedules instead of all of them'),
    h('p', { class: 'headline-text', 'data-field': 'fuzz-headline', 'aria-live': 'polite' }, z.headline),
    z.runs.length
      ? scrolling(
          'The fuzzer’s strategies',
          h(
            'table',
            { class: 'figures fuzz-runs' },
            h('caption', {}, `The same ${z.runs[0]!.schedules.toLocaleString('en')} seeded schedules per strategy (seed ${z.seed}, PCT depth ${z.depth} over k = ${z.steps} steps)`),
            h('thead', {}, h('tr', {}, ...['Strategy', 'Failing schedules', 'Rate', 'Converges to', 'Interleavings met', 'First failing'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...rows),
          ),
        )
      : null,
    z.unavailable && z.strategy !== 'uniform' ? h('p', { class: 'muted' }, z.unavailable) : null,
    z.why ? h('p', { class: 'fuzz-why', 'data-field': 'fuzz-why' }, z.why) : null,
    h(
      'p',
      { class: 'muted' },
      `PCT (Burckhardt et al., 2010) finds a bug that needs d ordering constraints with probability at least 1 / (n·k^(d−1)) per schedule; the lost update needs 2 (B reads between A’s read and write), so at depth 1 PCT runs every thread to the end in turn and never finds it. Runs on ${z.host}.`,
    ),
  );
}

/** Final states shown before "Show all". */
const FOLDED_ROWS = 10;

/** The top bit of the control block's limit word: set while the engine runs the fuzzer. */
const FUZZING = 2 ** 31;

function growth(r: Report): HTMLElement {
  const cell = (n: string | null) => (n === null ? 'more than 10^38' : grouped(n));
  return h(
    'details',
    { class: 'growth', 'data-field': 'growth' },
    h('summary', {}, 'Why that count grows so fast'),
    h(
      'p',
      {},
      'Two threads of a and b steps can interleave in C(a + b, a) ways: choose which a of the a + b steps are the first thread’s. ',
      'Each added step multiplies the count, and each added thread multiplies it again: k threads of n steps have (kn)! / (n!)^k interleavings. ',
      'The explorer does not run them one by one. Different orders of independent steps reach the same state, so it visits each distinct state once and adds up the ways into it. ',
      'States grow too, but far more slowly: about (n + 1)^k, one for each combination of where the threads are.',
    ),
    h(
      'table',
      { class: 'figures' },
      h('caption', {}, 'Independent threads of n steps: interleavings (and states a cache visits)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'n steps each'), ...['2 threads', '3 threads', '4 threads'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...r.growth.map((g) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, String(g.steps)),
            ...g.interleavings.map((n, i) => h('td', { class: 'num' }, cell(n), h('small', { class: 'muted' }, ` (${grouped(String(g.states[i]))})`))),
          ),
        ),
      ),
    ),
  );
}

export default {
  runLabel: 'Explore',
  snippet,
  notes: [
    'A test that passes once proves little: most interleavings of a racy program may be fine. The explorer tries every one.',
    'The shortest counterexample is the clearest story of a bug: replay it step by step below and watch where it goes wrong.',
    'Ordering the locks by one global key (take the lower-numbered fork first) removes every deadlock, in every interleaving, not just in the ones you happened to try.',
    'The counts pass billions quickly, yet the explorer visits only thousands of states: many orders lead to the same state.',
    'ABA hides in 1,160 of the Treiber stack’s 146,904,795 interleavings: a stress test would almost never meet it, and the explorer finds the shortest at once.',
    'A random scheduler that picks any runnable thread does not pick interleavings evenly: a run where one thread finishes early is forced from then on. Its failure rate is its own, not the share of failing interleavings.',
    'Where the explorer gives up (seven threads), the fuzzer still finds the lost update: PCT at depth 2 in about one schedule in three.',
  ],
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'Lost update, 2 threads', values: { program: 'lost-update', threads: '2' } },
        { label: 'Lost update, 3 threads', values: { program: 'lost-update', threads: '3' } },
        { label: 'Locks in opposite order', values: { program: 'opposite-locks' } },
        { label: 'Five philosophers', values: { program: 'philosophers', k: '5' } },
        { label: 'Forks in one global order', values: { program: 'philosophers-ordered', k: '5' } },
        { label: 'ABA on a Treiber stack', values: { program: 'treiber-aba' } },
        { label: 'Treiber stack, no reuse', values: { program: 'treiber-fresh' } },
        { label: 'Reader racing a delete', values: { program: 'dict-delete' } },
        { label: 'Copy-on-read', values: { program: 'dict-copy' } },
        { label: 'Too big: 7 threads, 10,000 states', values: { program: 'lost-update', threads: '7', limit: '10000' } },
        { label: 'Fuzz: uniform, 100,000 schedules', values: { program: 'lost-update', threads: '3', strategy: 'uniform', schedules: '100000' } },
      ]),
    );
    return {
      result: (r, area) => result(ctx, r, area),
      // The top bit of the limit word says the engine is fuzzing, not exploring (control.rs, FUZZING).
      progressText: (done, total) =>
        total >= FUZZING
          ? `Fuzzing… ${done.toLocaleString('en')} of ${(total - FUZZING).toLocaleString('en')} random schedules.`
          : `Exploring… ${done.toLocaleString('en')} states so far, of at most ${total.toLocaleString('en')}.`,
    };
  },
} satisfies DemoUnit<Report, Report>;

function result(ctx: DemoContext, r: Report, area: HTMLElement) {
  const total = r.interleavings === null ? 'infinitely many' : `${r.counting === 'at_least' ? '≥ ' : ''}${grouped(r.interleavings)}`;
  // Uncounted when the program can loop: then the outcomes that occur are the bad ones.
  const bad = (['deadlock', 'broken', 'failed'] as const).filter((o) =>
    r.by_outcome[o] === null ? r.final_states.some((f) => f.outcome === o) : r.by_outcome[o] !== '0',
  );
  const parts: (HTMLElement | null)[] = [
    h(
      'div',
      { class: 'headline', 'aria-live': 'polite', 'aria-atomic': 'true' },
      h('span', { class: 'big', 'data-field': 'interleavings' }, total),
      h('span', {}, `interleavings of ${r.program}, through ${r.states.toLocaleString('en')} distinct states`),
    ),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, r.explanation),
    r.stopped ? h('p', { class: 'watchdog', role: 'alert', 'data-field': 'stopped' }, r.stopped) : null,
    h(
      'p',
      { class: 'verdict', 'data-field': 'verdict' },
      bad.length === 0
        ? r.complete
          ? `No interleaving deadlocks${r.assertion ? ` or breaks ${r.assertion}` : ''}.`
          : 'No deadlock or broken assertion in the part explored.'
        : bad
            .map((o) => {
              const n = r.by_outcome[o];
              const of = r.interleavings === null ? 'Some interleavings' : `${r.counting === 'at_least' ? 'At least ' : ''}${grouped(n!)} of ${grouped(r.interleavings)} interleavings`;
              return `${n === null ? 'Some interleavings' : of} ${DO[o]}`;
            })
            .join('; ') + '.',
    ),
    r.counterexample ? counterexample(ctx, r, r.counterexample) : null,
    fuzzer(ctx, r, r.fuzzing),
    r.linearizability ? linear(ctx, r, r.linearizability) : null,
    finalStates(ctx, r),
    growth(r),
  ];
  area.append(...parts.filter((p): p is HTMLElement => p !== null));
}
