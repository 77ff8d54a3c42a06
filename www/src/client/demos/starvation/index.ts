// Chapter 13, starvation: readers and writers on one lock (or tasks on a priority CPU) for a
// fixed time. While it runs, the live feed moves the per-thread counts and Jain's index;
// afterwards: the starvation meter, the table, fairness over time and the timeline.

import { lineChart, type Chart } from '../../chart';
import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/starvation';
import { h, ms } from '../../dom';
import { laneName, legend, renderTimeline } from '../../timeline';
import type { LiveEvent } from '../../../generated/starvation/LiveEvent';
import type { Meter } from '../../../generated/starvation/Meter';
import type { Outcome } from '../../../generated/starvation/Outcome';
import type { Role } from '../../../generated/starvation/Role';
import type { Sample } from '../../../generated/starvation/Sample';
import './style.css';

const POLICY: Record<Outcome['policy'], string> = {
  readers: 'reader preference',
  writers: 'writer preference',
  fair: 'fair (ticket) lock',
  priority: 'priority scheduling',
  aging: 'priority scheduling with aging',
};

const ROLE: Record<Role, string> = { reader: 'reader', writer: 'writer', high: 'high priority', low: 'low priority' };

const n = (v: number) => v.toLocaleString('en');
const pct = (v: number) => `${Math.round(v * 100)} %`;

const starving = (role: Role) => role === 'writer' || role === 'low';

/** A bar that shows a share (0..1) with its number beside it, never colour alone. */
function bar(share: number, label: string, hungry: boolean): HTMLElement {
  const w = Math.max(0, Math.min(1, share)) * 100;
  return h(
    'span',
    { class: 'share' },
    h('span', { class: `share-track${hungry ? ' hungry' : ''}`, 'aria-hidden': 'true' }, h('span', { class: 'share-fill', style: `width: ${w.toFixed(1)}%` })),
    h('span', { class: 'share-label' }, label),
  );
}

function meterRows(m: Meter, budget: number, all: number): HTMLElement {
  const waitShare = budget > 0 ? Math.min(1, m.longest_wait_ms / budget) : 0;
  return h(
    'div',
    { class: 'meter-group', 'data-group': m.group },
    h('h4', {}, capital(m.group)),
    h('p', {}, h('span', { class: 'meter-name' }, 'Share of all accesses'), bar(m.share, `${pct(m.share)} (${n(m.accesses)} of ${n(all)})`, m.starved)),
    h('p', {}, h('span', { class: 'meter-name' }, 'Longest wait'), bar(waitShare, `${ms(m.longest_wait_ms)} of the ${ms(budget)} run`, waitShare > 0.5)),
  );
}

/** The starvation meter: both sides' share and longest wait, and who never got in. */
function meterView(o: Outcome): HTMLElement {
  const all = o.meter.accesses + o.others.accesses;
  const starved = o.threads.filter((t) => t.starved).map((t) => (t.accesses === 0 ? `${t.name} never got in` : `${t.name} once waited ${ms(t.max_wait_ms)} for a turn`));
  return h(
    'div',
    { class: 'starvation-meter', 'data-field': 'meter', 'data-starved': String(starved.length > 0) },
    h('h3', {}, 'Starvation meter'),
    h('div', { class: 'meter-groups' }, meterRows(o.meter, o.budget_ms, all), meterRows(o.others, o.budget_ms, all)),
    starved.length
      ? h('p', { class: 'starved-note', 'data-field': 'starved' }, `✕ Starved: ${list(starved)}.`)
      : h('p', { class: 'fed-note', 'data-field': 'starved' }, '✓ Every thread got in at least once.'),
  );
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function list(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "writers' share", "low task's share". */
const shareOf = (group: string) => (group.endsWith('s') ? `${group}' share` : `${group}'s share`);

function jainChart(samples: Sample[], group: string, chart?: Chart): Chart {
  const c = chart ?? lineChart(`Fairness over time: Jain's index of the access counts so far, and the ${shareOf(group)}`, 'ms', 'index / share', { yRange: [0, 1] });
  c.update(
    samples.map((s) => s.t_ms),
    [
      { label: "Jain's index", values: samples.map((s) => s.jain), stroke: '#0b6bcb', width: 2.5, points: samples.length < 3, endLabel: 'Jain' },
      { label: shareOf(group), values: samples.map((s) => s.share), stroke: '#b35900', width: 1.5, dash: [6, 4], endLabel: 'share' },
    ],
  );
  return c;
}

/** The live view's parts, kept per result area (a new run empties the area). */
interface LiveView {
  names: string[];
  roles: Role[];
  group: string;
  cells: { accesses: HTMLElement; longest: HTMLElement; share: HTMLElement }[];
  jain: HTMLElement;
  waiting: HTMLElement;
  samples: Sample[];
  chart: Chart;
}

function liveView(area: HTMLElement, names: string[], roles: Role[], group: string, views: WeakMap<HTMLElement, LiveView>): LiveView {
  const cells = names.map(() => ({ accesses: h('td', {}, '0'), longest: h('td', {}, '—'), share: h('td', {}) }));
  const jain = h('span', { class: 'big', 'data-field': 'live-jain' }, '1.00');
  const waiting = h('span', { class: 'muted' });
  const chart = lineChart(`Fairness so far: Jain's index and the ${shareOf(group)}`, 'ms', 'index / share', { yRange: [0, 1] });
  area.replaceChildren(
    h('div', { class: 'headline' }, jain, h('span', {}, "Jain's fairness index so far (1: equal shares)"), waiting),
    h(
      'div',
      { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Accesses so far' },
      h(
        'table',
        { class: 'figures', 'aria-label': 'Accesses so far' },
        h('thead', {}, h('tr', {}, ...['Thread', 'Accesses so far', 'Share', 'Longest wait so far'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...names.map((name, i) => h('tr', { 'data-thread': name }, h('th', { scope: 'row' }, name), cells[i].accesses, cells[i].share, cells[i].longest))),
      ),
    ),
    chart.element,
  );
  const v = { names, roles, group, cells, jain, waiting, samples: [], chart };
  views.set(area, v);
  return v;
}

/** Every thread: its role, where it ran, its accesses and share, and its waits. */
function threadTable(o: Outcome): HTMLElement {
  const total = o.threads.reduce((a, t) => a + t.accesses, 0);
  return h(
    'table',
    { class: 'figures' },
    h('thead', {}, h('tr', {}, ...['Thread', 'Role', 'Ran on', 'Accesses', 'Share', 'Waited in all', 'Longest wait'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...o.threads.map((t) =>
        h(
          'tr',
          { 'data-thread': t.name, 'data-role': t.role },
          h('th', { scope: 'row' }, t.name),
          h('td', {}, ROLE[t.role]),
          h('td', {}, laneName(t.lane)),
          h('td', { 'data-field': 'accesses' }, n(t.accesses)),
          h('td', {}, bar(total ? t.accesses / total : 0, total ? pct(t.accesses / total) : '—', t.accesses === 0)),
          h('td', {}, ms(t.wait_ms)),
          h('td', {}, `${ms(t.max_wait_ms)}${t.accesses === 0 ? ' (never got in)' : ''}`),
        ),
      ),
    ),
  );
}

export default {
  runLabel: 'Let them compete',
  snippet,
  notes: [
    'With reader preference a reader never waits for a waiting writer. Readers whose reads overlap keep the lock busy for ever: the writers wait through the whole run.',
    'Writer preference fixes the writers and moves the problem: writers that come back at once keep new readers out. Give them a pause, or use the fair lock.',
    'The fair lock hands out tickets: every thread waits only for those that arrived before it, so Jain’s index stays near 1.',
    'Priority scheduling starves the low-priority task while higher ones keep arriving; aging raises a waiting task’s priority until it gets its turn.',
  ],
  create(ctx, area) {
    const chip = (label: string, values: Record<string, string>, preset: string) =>
      h('button', { type: 'button', class: 'chip', 'data-preset': preset, onclick: () => ctx.setParams(values) }, label);
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        chip("The book: 3 readers, 2 writers, readers first", { scenario: 'readers-writers', policy: 'readers', readers: '3', writers: '2', pause: '0' }, 'book'),
        chip('Writers first', { scenario: 'readers-writers', policy: 'writers', pause: '0' }, 'writers'),
        chip('Writers first, with pauses', { scenario: 'readers-writers', policy: 'writers', pause: '10' }, 'writers-pause'),
        chip('Fair: a ticket each', { scenario: 'readers-writers', policy: 'fair', pause: '0' }, 'fair'),
        chip('Priority: the low task starves', { scenario: 'priority', aging: 'off', high: '2', pause: '0' }, 'priority'),
        chip('Priority with aging', { scenario: 'priority', aging: 'on', high: '2', pause: '0' }, 'aging'),
      ),
    );
    // The live view's parts, kept per result area (a new run empties the area).
    const views = new WeakMap<HTMLElement, LiveView>();
    return {
      live: (events, area) => live(events as LiveEvent[], area, views),
      result: (o, area) => result(o, area),
    };
  },
} satisfies DemoUnit<null, Outcome>;

function live(events: LiveEvent[], area: HTMLElement, views: WeakMap<HTMLElement, LiveView>) {
  let v = views.get(area);
  for (const e of events) {
    if (e.kind === 'start') v = liveView(area, e.names, e.roles, e.group === 'writers' ? 'writers' : 'low task', views);
    else if (v && area.contains(v.jain)) v.samples.push(e);
  }
  if (!v || !area.contains(v.jain) || !v.samples.length) return;
  const last = v.samples[v.samples.length - 1];
  const total = last.accesses.reduce((a, b) => a + b, 0);
  v.jain.textContent = last.jain.toFixed(2);
  last.accesses.forEach((a, i) => {
    const c = v!.cells[i];
    if (!c) return;
    c.accesses.textContent = n(a);
    c.share.replaceChildren(bar(total ? a / total : 0, total ? pct(a / total) : '—', starving(v!.roles[i]) && a === 0));
    c.longest.textContent = ms(last.longest_ms[i]);
  });
  const priority = v.roles.includes('low');
  const [r, w] = last.waiting;
  v.waiting.textContent = priority
    ? `at ${ms(last.t_ms)}: ${w} task${w === 1 ? '' : 's'} waiting for the CPU`
    : `at ${ms(last.t_ms)}: ${r} reader${r === 1 ? '' : 's'} and ${w} writer${w === 1 ? '' : 's'} waiting`;
  jainChart(v.samples, v.group, v.chart);
}

function result(o: Outcome, area: HTMLElement) {
  const group = o.scenario === 'priority' ? 'low task' : 'writers';
  const byLane = new Map(o.threads.map((t) => [t.lane, t.name]));
  area.append(
    h(
      'div',
      { class: 'headline' },
      h('span', { class: 'big', 'data-field': 'starving-accesses' }, n(o.meter.accesses)),
      h('span', {}, `${o.scenario === 'priority' ? 'turns for the low-priority task' : 'writes'} against ${n(o.others.accesses)} ${o.scenario === 'priority' ? 'for the high-priority tasks' : 'reads'}, with ${POLICY[o.policy]}`),
    ),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
    meterView(o),
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Accesses and waits of every thread' }, threadTable(o)),
    h('p', { class: 'muted' }, `Jain's fairness index over the whole run: `, h('strong', { 'data-field': 'jain' }, o.jain.toFixed(2)), ` (1: equal shares; ${(1 / Math.max(1, o.threads.length)).toFixed(2)}: one thread got everything).`),
    jainChart(o.samples, group).element,
    legend(),
    renderTimeline(o.timeline, `Each thread: ${o.scenario === 'priority' ? 'on the CPU' : 'reading or writing'} (solid), waiting to get in (hatched)`, o.timeline.wall_ms, {
      laneLabel: (lane) => byLane.get(lane) ?? laneName(lane),
      taskWord: 'thread',
    }),
  );
}
