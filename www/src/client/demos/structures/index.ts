// Chapter 16, lock-based and lock-free structures: counters, stacks, queues and the reader
// racing a delete, shared by real threads; their throughput against threads with its spread,
// and what each ended with.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/structures';
import stackSnippet from 'virtual:snippets/structures-stack';
import epochSnippet from 'virtual:snippets/structures-epoch';
import dictSnippet from 'virtual:snippets/structures-dict';
import { h } from '../../dom';
import { lineChart, type Series } from '../../chart';
import { figures, headline, presets, scrolling } from '../../kit';
import { warmUpText } from '../../measure-text';
import { renderSnippets } from '../../snippets-view';
import type { Outcome } from '../../../generated/structures/Outcome';
import type { Variant } from '../../../generated/structures/Variant';
import type { Explored } from '../../../generated/structures/Explored';
import { exploredView } from './explored';

const LABEL: Record<Variant, string> = {
  unlocked: 'Unlocked (load, then store)',
  mutex: 'Mutex',
  atomic: 'Atomic fetch_add',
  'sharded-padded': 'Approximate, padded shards',
  'sharded-packed': 'Approximate, packed shards',
  'locked-stack': 'Stack behind a mutex',
  treiber: 'Treiber stack (lock-free, written here)',
  'epoch-treiber': 'Treiber stack, crossbeam-epoch',
  'locked-queue': 'Queue behind a mutex',
  'ms-queue': 'Michael-Scott queue (lock-free, written here)',
  'seg-queue': 'crossbeam SegQueue',
  'array-queue': 'crossbeam ArrayQueue',
  'check-then-read': 'Check, then read (two locked steps)',
  'copy-on-read': 'Copy-on-read (a snapshot)',
};

/** What each stack or queue does with a node it pops, and what that costs. */
const RECLAIM: Partial<Record<Variant, string>> = {
  'locked-stack': 'Nothing to reclaim: values sit in one Vec behind the lock.',
  treiber: 'Keeps every popped node until the threads join (no use-after-free, no ABA); costs memory: every node the run made.',
  'epoch-treiber': 'Frees popped nodes while it runs, once no pinned thread can hold them; costs a pin per operation and a deferred free per pop.',
  'locked-queue': 'Nothing to reclaim: values sit in one VecDeque behind the lock.',
  'ms-queue': 'Keeps every dequeued node until the threads join; costs memory: every node the run made.',
  'seg-queue': 'Frees a segment of 31 values once all of them are read.',
  'array-queue': 'Allocates one ring at the start and nothing after; bounded (here twice the threads).',
};

const STYLE: Record<Variant, Pick<Series, 'stroke' | 'dash' | 'width'>> = {
  unlocked: { stroke: '#dc2626', dash: [2, 3] },
  mutex: { stroke: '#7c3aed', width: 3 },
  atomic: { stroke: '#2563eb' },
  'sharded-padded': { stroke: '#059669', width: 3 },
  'sharded-packed': { stroke: '#d97706', dash: [6, 4] },
  'locked-stack': { stroke: '#7c3aed', width: 3 },
  treiber: { stroke: '#2563eb' },
  'epoch-treiber': { stroke: '#0891b2', width: 3, dash: [8, 3] },
  'locked-queue': { stroke: '#d97706', dash: [6, 4] },
  'ms-queue': { stroke: '#059669', dash: [2, 3] },
  'seg-queue': { stroke: '#be185d', width: 2 },
  'array-queue': { stroke: '#4b5563', dash: [1, 3], width: 2 },
  'check-then-read': { stroke: '#dc2626', dash: [2, 3] },
  'copy-on-read': { stroke: '#059669', width: 3 },
};

const n = (v: number) => v.toLocaleString('en');
const mops = (v: number) => `${(v / 1e6).toFixed(2)} M/s`;

function chart(o: Outcome): HTMLElement {
  const ks = [...new Set(o.points.map((p) => p.threads))];
  const variants = [...new Set(o.points.map((p) => p.variant))];
  // One thread count is a table, not a line.
  if (ks.length < 2) return h('span');
  const what = o.structure === 'dict' ? 'the readers together' : 'all threads together';
  const c = lineChart(`Throughput against threads (median of the samples; ${what})`, 'threads', 'million operations per second', { integerX: true });
  c.update(
    ks,
    variants.map((v) => ({
      label: LABEL[v],
      values: ks.map((k) => (o.points.find((p) => p.variant === v && p.threads === k)?.opsPerSec ?? 0) / 1e6),
      points: true,
      ...STYLE[v],
    })),
  );
  return c.element;
}

function pointsTable(o: Outcome): HTMLElement {
  return scrolling(
    'Throughput per variant and thread count',
    figures(
      ['Variant', 'Threads', 'Throughput (median)', 'Range (slowest–fastest sample)', 'Threads that worked'],
      o.points.map((p) => [LABEL[p.variant], String(p.threads), mops(p.opsPerSec), `${mops(p.opsPerSecRange[0])} – ${mops(p.opsPerSecRange[1])}`, String(p.threadsUsed)]),
    ),
  );
}

const ok = (v: number | null | undefined, good = 0) => (v === good ? `${n(v)} ✓` : `${n(v ?? 0)} ✗`);

/** The cells after the variant's name, per structure. */
function finalCells(o: Outcome, f: Outcome['finals'][number]): string[] {
  switch (o.structure) {
    case 'counters':
      return [n(f.expected), n(f.actual), ok(f.lost), f.lag == null ? '—' : `${n(f.lag)} (≤ ${n(f.lagBound ?? 0)})`];
    case 'stacks':
      return [n(f.expected), n(f.actual), ok(f.lost), ok(f.duplicated), RECLAIM[f.variant] ?? ''];
    case 'dict':
      return [n(f.expected), n(f.actual), n(f.absent ?? 0), f.variant === 'copy-on-read' ? ok(f.keyErrors) : n(f.keyErrors ?? 0)];
  }
}

const HEAD: Record<Outcome['structure'], string[]> = {
  counters: ['Variant', 'Expected', 'Final count', 'Lost', 'Lag before the flush (bound)'],
  stacks: ['Variant', 'Pushed', 'Popped', 'Never popped', 'Popped twice', 'Popped nodes: reclaimed how, at what cost'],
  dict: ['Reader', 'Reads', 'Value read', 'Key absent at the check', 'KeyErrors (there at the check, gone at the read)'],
};

function finalsTable(o: Outcome): HTMLElement {
  const head = HEAD[o.structure];
  const table = h(
    'table',
    { class: 'figures' },
    h('caption', {}, `What each ended with, at ${o.threads} thread${o.threads === 1 ? '' : 's'}`),
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...o.finals.map((f) =>
        h(
          'tr',
          { 'data-variant': f.variant },
          h('th', { scope: 'row' }, LABEL[f.variant]),
          ...finalCells(o, f).map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
  return scrolling('What each variant ended with', table);
}

/** The gap, said where the learner reads the unlocked counter's and the reader's results. */
function gapText(o: Outcome): string {
  if (o.structure === 'dict') {
    return o.gap === 0
      ? 'Nothing between the reader’s check and its read: the bare race, with a window of a few instructions.'
      : `Between the reader’s check and its read: the book’s sleep(random), here a random spin of ${n(o.gap)} iterations on average (the same before each check, and after each of the deleter’s changes).`;
  }
  return o.gap === 0
    ? 'Nothing between the unlocked counter’s load and its store: the bare race, with a window of a few instructions.'
    : `Between the unlocked counter’s load and its store: the book’s sleep(random) between read and write, here a spin of ${n(o.gap)} iterations.`;
}

function headlineOf(o: Outcome): HTMLElement {
  if (o.structure === 'counters') {
    const u = o.finals.find((f) => f.variant === 'unlocked');
    if (u) return headline(n(u.lost), 'lost', h('span', {}, `increments lost unlocked: the count ended at ${n(u.actual)} of ${n(u.expected)}; the others exact`));
  }
  if (o.structure === 'dict') {
    const c = o.finals.find((f) => f.variant === 'check-then-read');
    const s = o.finals.find((f) => f.variant === 'copy-on-read');
    if (c && s) return headline(n(c.keyErrors ?? 0), 'key-errors', h('span', {}, `KeyErrors in ${n(c.expected)} check-then-read reads; copy-on-read ${n(s.keyErrors ?? 0)}`));
  }
  const bad = o.finals.filter((f) => f.lost > 0 || (f.duplicated ?? 0) > 0).length;
  return headline(String(bad), 'wrong', h('span', {}, `variants that lost or duplicated a value, of ${o.finals.length}`));
}

export default {
  runLabel: 'Measure the structures',
  notes: [
    'The book’s numbers (CPython, with a 1 ms sleep inside each increment): an unlocked counter ends near 101 of 300 increments; a locked one gives 300 but takes at least 0.3 s, and longer with more threads. Its approximate counter uses a threshold of 10.',
    'Here the counters are Rust on real worker threads, with no sleep: the same laws, at millions of operations per second. The Rust beside the book’s Python is what runs.',
    'The approximate counter is fast because threads touch the shared count once every threshold increments; it reads low by what sits in the shards, at most threads × (threshold − 1), until the flush.',
    'Packed shards sit on one cache line: each thread writes only its own, yet the cores pass the line back and forth (false sharing). Padded to 128 bytes, they do not.',
    'The book widens the unlocked counter’s window with a sleep between read and write; here the gap is a spin of that many iterations (the input “Gap”), and the unlocked counter’s throughput includes it. Gap 0 is the bare load, then store.',
    'Lock-free is about progress, not speed: no thread holding a lock can stall the rest. The Treiber stack and Michael-Scott queue written here never free a popped node during a run (freed once every thread has ended), which rules out reading freed memory and the ABA problem but holds every node the run made. Beside them, measured the same way: a Treiber stack whose popped nodes crossbeam-epoch frees as it goes (a pin per operation), and crossbeam-queue’s SegQueue and ArrayQueue.',
    'The reader racing a delete (dict): readers ask “key in d”, then read d[key], each step under the lock, while one thread deletes the key and puts it back, each of them spinning a random gap as the book’s threads sleep; a read that finds the key gone is the book’s KeyError. Copy-on-read reads a snapshot taken under the lock, and has none. Short runs can end inside one time slice of a loaded machine and race nothing: 200,000 reads race.',
    'ABA needs an address to come back: with a free list that hands a popped node out again, 1,160 of the Treiber stack’s 146,904,795 interleavings put a node that B owns back on the stack. A stress test would almost never meet them; the explorer finds the shortest at once (the step-through below replays it).',
  ],
  snippet,
  create(ctx, area) {
    const explored = exploredView(ctx);
    area.append(
      presets(ctx, [
        { label: 'Counters on the pool’s threads', values: { structure: 'counters', threads: String(Math.max(1, Math.min(16, ctx.info.poolThreads || 1))), ops: '200000', threshold: '10' } },
        { label: 'Stacks and queues', values: { structure: 'stacks', threads: String(Math.max(1, Math.min(16, ctx.info.poolThreads || 1))), ops: '100000' } },
        { label: 'A wide threshold (1000): a bigger lag', values: { structure: 'counters', threshold: '1000', ops: '200500' } },
        { label: 'No gap: the bare load, then store', values: { structure: 'counters', gap: '0' } },
        { label: 'A reader racing a delete', values: { structure: 'dict', threads: String(Math.max(2, Math.min(16, ctx.info.poolThreads || 2))), ops: '200000' } },
      ]),
      explored.element,
    );
    return {
      computed(v: Explored, params) {
        explored.update(v, String(params['story'] ?? 'aba'));
      },
      result(o, area) {
        area.append(
          headlineOf(o),
          o.structure === 'stacks' ? h('span') : h('p', { 'data-field': 'gap' }, gapText(o)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          h('p', { class: 'muted', 'data-field': 'threads-used' }, o.sequential ? 'No worker threads on this page: everything ran on one thread.' : `Up to ${o.threadsUsed} pool threads ran at once, each on a worker of its own.`),
          o.warmUp ? h('p', { class: 'muted' }, warmUpText(o.warmUp, `on ${o.threads} thread${o.threads === 1 ? '' : 's'}`, { name: 'the kernels', unit: 'a pass over every kernel' })) : h('span'),
          finalsTable(o),
          chart(o),
          pointsTable(o),
          o.structure === 'stacks'
            ? h(
                'div',
                {},
                h('details', {}, h('summary', {}, 'Treiber’s stack, as written here'), renderSnippets('structures-stack', { rust: stackSnippet.rust })),
                h('details', {}, h('summary', {}, 'Treiber’s stack with crossbeam-epoch'), renderSnippets('structures-epoch', { rust: epochSnippet.rust })),
              )
            : h('span'),
          o.structure === 'dict' ? h('details', {}, h('summary', {}, 'The reader and the deleter, as they run here'), renderSnippets('structures-dict', { rust: dictSnippet.rust })) : h('span'),
        );
      },
    };
  },
} satisfies DemoUnit<Explored, Outcome>;
