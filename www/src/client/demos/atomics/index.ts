// Chapter 17, memory models and atomics: litmus tests counted on real threads, the outcomes
// SC and x86-TSO allow (found by the Rust model), wasm's one atomic ordering, and n += 1.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/atomics';
import { h, ms, svg } from '../../dom';
import { figures, headline, presets, scrolling } from '../../kit';
import type { Models } from '../../../generated/atomics/Models';
import type { Outcome } from '../../../generated/atomics/Outcome';
import type { Row } from '../../../generated/atomics/Row';
import type { Verdict } from '../../../generated/atomics/Verdict';
import './style.css';

const n = (v: number | string) => Number(v).toLocaleString('en');

const VERDICT: Record<Verdict, string> = {
  sc: 'allowed by SC (and TSO), seen or not',
  'tso-seen': 'allowed by TSO only, and seen',
  'tso-not-seen': 'allowed by TSO only, not seen',
  forbidden: 'forbidden by SC and TSO, not seen',
  'forbidden-seen': 'FORBIDDEN, and seen',
};

const TEST_NAME: Record<string, string> = {
  sb: 'Store buffering (SB)',
  mp: 'Message passing (MP)',
  lb: 'Load buffering (LB)',
  iriw: 'Independent reads of independent writes (IRIW)',
};

/** A bar whose length is log10(count + 1) over log10(iterations + 1). */
function bar(count: number, iterations: number): SVGElement {
  const w = 160;
  const frac = Math.log10(count + 1) / Math.log10(iterations + 1);
  return svg(
    'svg',
    { class: 'at-bar', width: w, height: 12, viewBox: `0 0 ${w} 12`, role: 'img', 'aria-label': `${count} on a log scale` },
    svg('rect', { class: 'at-track', x: 0.5, y: 0.5, width: w - 1, height: 11 }),
    svg('rect', { class: 'at-fill', x: 0, y: 0, width: Math.max(0, frac * w), height: 12 }),
  );
}

function verdictCell(r: Row): HTMLElement {
  return h('span', { class: `at-verdict-${r.verdict}`, 'data-verdict': r.verdict }, VERDICT[r.verdict]);
}

/** What native Rust orderings allow on x86 and Arm against what wasm gives. */
function orderingTable(): HTMLElement {
  return scrolling('Orderings', figures(
    ['Rust ordering', 'Weak outcomes Rust’s model allows', 'Native x86 shows', 'WebAssembly (this page)'],
    [
      ['Relaxed', 'SB, MP, LB and IRIW', 'SB only (a plain mov)', 'none: i32.atomic.load / store are SC'],
      ['Acquire / Release', 'SB and IRIW; MP and LB forbidden', 'SB only', 'none: the same SC instructions'],
      ['SeqCst', 'none', 'none (the store is an xchg)', 'none: the same SC instructions'],
      ['Plain (volatile)', 'a data race: outside the model', 'SB only (TSO)', 'plain i32.load / store: whatever the CPU does'],
    ],
    'Orderings: what native Rust may show, and what wasm gives (its atomics are all sequentially consistent)',
  ));
}

export default {
  runLabel: 'Run the litmus test',
  notes: [
    'Each iteration the threads meet at a rendezvous, start together and run two or so instructions: every iteration is a real race.',
    'SB with plain accesses on an x86 CPU: both threads can read 0, because each store waits in a store buffer while the load after it goes ahead. No interleaving gives that.',
    'With atomics only sequentially consistent outcomes can appear: WebAssembly has one atomic ordering, and Relaxed, Acquire and Release compile to it.',
    'The allowed sets beside each count come from a model machine that tries every schedule: under SC, and under x86-TSO with a FIFO store buffer per thread.',
    'The book’s n += 1 is LOAD, ADD, STORE: step it below, and see every interleaving counted in the table.',
  ],
  snippet,
  create(ctx, area) {
    const model = h('div', { class: 'at-model' });
    area.append(
      presets(ctx, [
        { label: 'SB, plain: store buffering shows', values: { test: 'sb', access: 'plain' } },
        { label: 'SB, atomic: never both 0', values: { test: 'sb', access: 'atomic' } },
        { label: 'MP, plain', values: { test: 'mp', access: 'plain' } },
        { label: 'LB, plain', values: { test: 'lb', access: 'plain' } },
        { label: 'IRIW (4 threads)', values: { test: 'iriw', access: 'plain' } },
      ]),
      model,
      orderingTable(),
      h(
        'p',
        { class: 'muted' },
        'Plain accesses are read_volatile / write_volatile: the compiler may not remove, merge or reorder them with each other, and each is one load or store; the CPU may still reorder them. ',
        'The book’s numbers (998 and 1000) are the book’s, from CPython; this page runs Rust, with the book’s Python beside it.',
      ),
    );
    return {
      computed(m: Models) {
        model.replaceChildren(
          h('h3', {}, TEST_NAME[m.test] ?? m.test),
          figures(
            ['Thread', 'Code'],
            m.code.map((c, i) => [`T${i}`, h('span', { class: 'at-code' }, c)]),
            `All variables start at 0. The outcome the test is about: ${m.weak}.`,
          ),
          h('p', { 'data-field': 'allowed' }, `Allowed under SC: ${m.allowed.sc.length} outcomes; under x86-TSO: ${m.allowed.tso.length}. `, m.allowed.tso.includes(m.weak) ? `TSO allows ${m.weak}; SC does not.` : `Both forbid ${m.weak}.`),
          scrolling('n += 1, every interleaving', figures(
            ['n += 1', 'Interleavings', 'Losing an update', 'Final n: interleavings'],
            m.counted.map((c) => [
              `${c.threads} threads × ${c.increments}`,
              n(c.interleavings),
              n(c.lost),
              c.finals.map(([v, k]) => `${v}: ${n(k)}`).join(', '),
            ]),
            'Every interleaving of LOAD, ADD, STORE counted by the explorer',
          )),
        );
      },
      result(o: Outcome, out: HTMLElement) {
        const weak = o.rows.find((r) => r.weak)!;
        const bad = o.rows.filter((r) => r.verdict === 'forbidden-seen' || (o.access === 'atomic' && !r.sc && r.count > 0));
        out.append(
          bad.length ? h('p', { class: 'at-alarm', role: 'alert', 'data-field': 'alarm' }, `Forbidden outcome seen: ${bad.map((r) => `${r.name} (${n(r.count)} times)`).join(', ')}. That is a bug, or a machine weaker than the model.`) : h('span'),
          headline(n(weak.count), 'weak', h('span', {}, `times ${weak.name} of ${n(o.iterations)} iterations (${o.access}, ${o.threadsUsed} threads)`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          h(
            'table',
            { class: 'figures' },
            h('caption', {}, `${TEST_NAME[o.test]}: every outcome counted, bars on a log scale (${ms(o.wallMs)})`),
            h('thead', {}, h('tr', {}, ...['Outcome', 'Count', 'Log scale', 'SC', 'TSO', 'Verdict'].map((t) => h('th', { scope: 'col' }, t)))),
            h(
              'tbody',
              {},
              ...o.rows.map((r) =>
                h(
                  'tr',
                  { 'data-outcome': r.name },
                  h('th', { scope: 'row' }, r.weak ? `${r.name} (weak)` : r.name),
                  h('td', {}, n(r.count)),
                  h('td', {}, bar(r.count, o.iterations)),
                  h('td', {}, r.sc ? 'allowed' : 'forbidden'),
                  h('td', {}, r.tso ? 'allowed' : 'forbidden'),
                  h('td', { class: `at-verdict-${r.verdict}` }, verdictCell(r)),
                ),
              ),
            ),
          ),
          o.add
            ? figures(
                ['n += 1 on 2 threads', 'Total', 'Expected', 'Lost'],
                [
                  ['LOAD, ADD, STORE', n(o.add.split), n(o.add.expected), n(o.add.expected - Math.min(o.add.split, o.add.expected))],
                  ['fetch_add', n(o.add.atomic), n(o.add.expected), n(o.add.expected - o.add.atomic)],
                ],
                `The book’s race on ${o.add.threadsUsed} real threads`,
              )
            : h('span'),
        );
      },
    };
  },
} satisfies DemoUnit<Models, Outcome>;
