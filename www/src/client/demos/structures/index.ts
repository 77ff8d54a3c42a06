// Chapter 16, lock-based and lock-free structures: counters, stacks and queues shared by real
// threads, their throughput against threads with its spread, and what each ended with.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/structures';
import stackSnippet from 'virtual:snippets/structures-stack';
import { h } from '../../dom';
import { lineChart, type Series } from '../../chart';
import { figures, headline, presets } from '../../kit';
import { warmUpText } from '../../measure-text';
import { renderSnippets } from '../../snippets-view';
import type { Outcome } from '../../../generated/structures/Outcome';
import type { Variant } from '../../../generated/structures/Variant';
import type { Explored } from '../../../generated/structures/Explored';
import { exploredView } from './explored';
import './style.css';

const LABEL: Record<Variant, string> = {
  unlocked: 'Unlocked (load, then store)',
  mutex: 'Mutex',
  atomic: 'Atomic fetch_add',
  'sharded-padded': 'Approximate, padded shards',
  'sharded-packed': 'Approximate, packed shards',
  'locked-stack': 'Stack behind a mutex',
  treiber: 'Treiber stack (lock-free)',
  'locked-queue': 'Queue behind a mutex',
  'ms-queue': 'Michael-Scott queue (lock-free)',
};

const STYLE: Record<Variant, Pick<Series, 'stroke' | 'dash' | 'width'>> = {
  unlocked: { stroke: '#dc2626', dash: [2, 3] },
  mutex: { stroke: '#7c3aed', width: 3 },
  atomic: { stroke: '#2563eb' },
  'sharded-padded': { stroke: '#059669', width: 3 },
  'sharded-packed': { stroke: '#d97706', dash: [6, 4] },
  'locked-stack': { stroke: '#7c3aed', width: 3 },
  treiber: { stroke: '#2563eb' },
  'locked-queue': { stroke: '#d97706', dash: [6, 4] },
  'ms-queue': { stroke: '#059669', dash: [2, 3] },
};

const n = (v: number) => v.toLocaleString('en');
const mops = (v: number) => `${(v / 1e6).toFixed(2)} M/s`;

function chart(o: Outcome): HTMLElement {
  const ks = [...new Set(o.points.map((p) => p.threads))];
  const variants = [...new Set(o.points.map((p) => p.variant))];
  const c = lineChart('Throughput against threads (median of the samples; all threads together)', 'threads', 'million operations per second');
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
  return h(
    'div',
    { class: 'structures-scroll', tabindex: 0, role: 'region', 'aria-label': 'Throughput per variant and thread count' },
    figures(
      ['Variant', 'Threads', 'Throughput (median)', 'Range (slowest–fastest sample)', 'Threads that worked'],
      o.points.map((p) => [LABEL[p.variant], String(p.threads), mops(p.opsPerSec), `${mops(p.opsPerSecRange[0])} – ${mops(p.opsPerSecRange[1])}`, String(p.threadsUsed)]),
    ),
  );
}

function finalsTable(o: Outcome): HTMLElement {
  const counters = o.structure === 'counters';
  const head = counters ? ['Variant', 'Expected', 'Final count', 'Lost', 'Lag before the flush (bound)'] : ['Variant', 'Pushed', 'Popped', 'Never popped', 'Popped twice'];
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
          h('td', {}, n(f.expected)),
          h('td', {}, n(f.actual)),
          h('td', {}, f.lost === 0 ? '0 ✓' : `${n(f.lost)} ✗`),
          h('td', {}, counters ? (f.lag == null ? '—' : `${n(f.lag)} (≤ ${n(f.lagBound ?? 0)})`) : f.duplicated === 0 ? '0 ✓' : `${n(f.duplicated ?? 0)} ✗`),
        ),
      ),
    ),
  );
  return table;
}

export default {
  runLabel: 'Measure the structures',
  notes: [
    'The book’s numbers (CPython, with a 1 ms sleep inside each increment): an unlocked counter ends near 101 of 300 increments; a locked one gives 300 but takes at least 0.3 s, and longer with more threads. Its approximate counter uses a threshold of 10.',
    'Here the counters are Rust on real worker threads, with no sleep: the same laws, at millions of operations per second. The Rust beside the book’s Python is what runs.',
    'The approximate counter is fast because threads touch the shared count once every threshold increments; it reads low by what sits in the shards, at most threads × (threshold − 1), until the flush.',
    'Packed shards sit on one cache line: each thread writes only its own, yet the cores pass the line back and forth (false sharing). Padded to 128 bytes, they do not.',
    'Lock-free is about progress, not speed: no thread holding a lock can stall the rest. Here popped nodes are never freed during a run (freed once every thread has ended), which rules out reading freed memory and the ABA problem; long-lived structures use hazard pointers or epochs instead.',
    'ABA needs an address to come back: with a free list that hands a popped node out again, 1,160 of the Treiber stack’s 146,904,795 interleavings put a node that B owns back on the stack. A stress test would almost never meet them; the explorer finds the shortest at once.',
  ],
  snippet,
  create(ctx, area) {
    const explored = exploredView(ctx);
    area.append(
      presets(ctx, [
        { label: 'Counters on the pool’s threads', values: { structure: 'counters', threads: String(Math.max(1, Math.min(16, ctx.info.poolThreads || 1))), ops: '200000', threshold: '10' } },
        { label: 'Stacks and queues', values: { structure: 'stacks', threads: String(Math.max(1, Math.min(16, ctx.info.poolThreads || 1))), ops: '100000' } },
        { label: 'A wide threshold (1000): a bigger lag', values: { structure: 'counters', threshold: '1000', ops: '200500' } },
      ]),
      explored.element,
    );
    return {
      computed(v: Explored, params) {
        explored.update(v, String(params['story'] ?? 'aba'));
      },
      result(o, area) {
        const unlocked = o.finals.find((f) => f.variant === 'unlocked');
        const bad = o.finals.filter((f) => f.lost > 0 && f.variant !== 'unlocked').length + o.finals.filter((f) => (f.duplicated ?? 0) > 0).length;
        area.append(
          o.structure === 'counters' && unlocked
            ? headline(n(unlocked.lost), 'lost', h('span', {}, `increments lost unlocked, of ${n(unlocked.expected)}; the others exact`))
            : headline(String(bad), 'wrong', h('span', {}, `variants that lost or duplicated a value, of ${o.finals.length}`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          h('p', { class: 'muted', 'data-field': 'threads-used' }, o.sequential ? 'No worker threads on this page: everything ran on one thread.' : `Up to ${o.threadsUsed} pool threads ran at once, each on a worker of its own.`),
          o.warmUp ? h('p', { class: 'muted' }, warmUpText(o.warmUp, `on ${o.threads} thread${o.threads === 1 ? '' : 's'}`, { name: 'the kernels', unit: 'a pass over every kernel' })) : h('span'),
          finalsTable(o),
          chart(o),
          pointsTable(o),
          o.structure === 'stacks' ? h('details', {}, h('summary', {}, 'Treiber’s stack, as it runs here'), renderSnippets('structures-stack', { rust: stackSnippet.rust })) : h('span'),
        );
      },
    };
  },
} satisfies DemoUnit<Explored, Outcome>;
