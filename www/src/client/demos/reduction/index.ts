// Chapter 7, reduction operators: the rounds of the tree as a tree (each number under the two
// it came from, with the worker that combined them), the three ways side by side, and for float
// sums the running, pairwise and per-thread sums.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/reduction';
import { h } from '../../dom';
import { figures, headline, presets } from '../../kit';
import { legend, renderTimeline } from '../../timeline';
import type { Outcome } from '../../../generated/reduction/Outcome';
import type { Floats } from '../../../generated/reduction/Floats';
import type { Way } from '../../../generated/reduction/Way';
import './style.css';

/** A number as the page shows it: integers grouped, others in full (shortest round trip). */
function num(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toLocaleString('en') : String(v);
}

const WAY_NAMES: Record<string, string> = { tree: 'Tree, a barrier per round', rayon: "rayon's reduce", sequential: 'Sequential, left to right' };

/** The rounds as a grid: number i of round r spans the inputs it stands for, i·2^r to (i+1)·2^r. */
function tree(o: Outcome): HTMLElement {
  const rounds = o.rounds!;
  const n = rounds[0].length;
  const rows = rounds.map((round, r) => {
    const span = 2 ** r;
    const cells = round.map((v, i) => {
      const worker = r === 0 ? undefined : o.combined_by![r - 1][i];
      const from = i * span;
      const to = Math.min((i + 1) * span, n);
      const note = r === 0 ? 'input' : worker === null || worker === undefined ? 'carried over' : `W${worker + 1}`;
      return h(
        'li',
        {
          class: `node${r > 0 && worker === null ? ' carried' : ''}`,
          style: `grid-column: ${from + 1} / ${to + 1}`,
          'data-round': r,
          'data-worker': worker ?? null,
          title: r === 0 ? `number ${i + 1}` : worker === null ? 'the odd one out, carried to the next round as it is' : `combined by worker W${worker! + 1}`,
        },
        h('span', { class: 'value' }, num(v)),
        r > 0 ? h('span', { class: 'who' }, note) : null,
      );
    });
    return h(
      'li',
      { class: 'round', 'data-round': r },
      h('span', { class: 'round-label' }, r === 0 ? 'Numbers' : `Round ${r}`),
      h('ol', { class: 'round-nodes', style: `grid-template-columns: repeat(${n}, minmax(2.2em, 1fr))` }, ...cells),
    );
  });
  return h('figure', { class: 'reduction-tree', tabindex: 0 }, h('ol', { class: 'rounds', 'data-field': 'rounds' }, ...rows), h('figcaption', {}, 'Each number sits under the two it came from; Wk is the pool thread that combined them.'));
}

/** A table that may be wider than a phone: it scrolls inside its own box, from the keyboard too. */
function scroller(label: string, table: HTMLElement): HTMLElement {
  return h('div', { class: 'reduction-scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

function waysTable(ways: Way[]): HTMLElement {
  const combinations = ways[0]?.additions ?? 0;
  return scroller(
    'The three ways',
    figures(
      ['Way', 'Result', 'Steps in a row', 'Threads', 'Time'],
      ways.map((w) => [
        WAY_NAMES[w.way] ?? w.way,
        w.skipped ? `not run: ${w.skipped}` : num(w.result),
        w.depth === null ? 'as rayon splits' : w.depth.toLocaleString('en'),
        w.skipped ? '—' : String(w.threads_used),
        w.skipped ? '—' : `${w.wall_ms.toFixed(2)} ms`,
      ]),
      `The same numbers three ways, ${combinations.toLocaleString('en')} combinations each`,
    ),
  );
}

function floatsTable(f: Floats): HTMLElement {
  const rows = [
    ['Running sum (one thread)', String(f.sequential)],
    ['Pairwise (the tree)', String(f.pairwise)],
    ...Object.entries(f.byThreads).map(([k, v]) => [`${k} thread${k === '1' ? '' : 's'}, a running sum each`, `${v} (ran on ${f.threadsUsed[k]})`]),
  ];
  return scroller('The float sums', figures(['Float sum', 'Result'], rows, 'Where the roundings go'));
}

export default {
  runLabel: 'Reduce',
  notes: [
    'The book’s list [1, 4, 8, 3, 2, 5] takes 3 rounds instead of 5 additions one after another: each round halves the list, and the pairs of a round are independent.',
    'A barrier ends each round: no thread reads a number of the next round before every thread has written its pairs.',
    'Subtraction and a mean of means are not associative: a different tree (the tree, rayon’s splits, left to right) gives a different answer.',
    'Float addition is not associative either: a running sum of half a million 0.1s drifts; the pairwise sum stays within a few roundings.',
    'The step-through is the book’s queue version: task_done() before the partial sum is put lets the main thread finish the round without it.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'The book’s list', values: { values: '1,4,8,3,2,5', operator: 'sum' } },
        { label: '0 to 19', values: { values: Array.from({ length: 20 }, (_, i) => i).join(','), operator: 'sum' } },
        { label: 'Subtraction', values: { values: '1,4,8,3,2,5', operator: 'subtract' } },
        { label: 'Mean of means', values: { values: '1,4,8,3,2,5', operator: 'mean' } },
        { label: 'numpy’s 0.1 × 500,000 − 50,000', values: { values: '0.1*500000,-50000', operator: 'sum' } },
      ]),
    );
    return {
      result(o: Outcome, out: HTMLElement) {
        out.append(
          headline(num(o.result), 'result', h('span', {}, `in ${o.depth} round${o.depth === 1 ? '' : 's'} of ${o.additions.toLocaleString('en')} combinations, on ${o.threads_used} thread${o.threads_used === 1 ? '' : 's'}`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          o.rounds ? tree(o) : h('p', { class: 'muted', 'data-field': 'round-sizes' }, `${o.count.toLocaleString('en')} numbers, too many to draw; the rounds hold ${o.round_sizes.map((s) => s.toLocaleString('en')).join(' → ')}.`),
          waysTable(o.ways),
          ...(o.floats ? [floatsTable(o.floats)] : []),
          legend(),
          renderTimeline(o.timeline, 'The tree’s threads: each round’s pairs (solid), then the wait at the barrier (hatched)', o.timeline.wall_ms, { taskWord: 'thread' }),
        );
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
