// The deadlock demo's table as a picture: threads round the outside, locks between them, who
// holds and who waits for what, and the watchdog's cycle. Built from the live feed as the run
// goes (apply) or from the outcome (pictureOf).

import { h, svg } from '../../dom';
import type { Cycle } from '../../../generated/deadlock/Cycle';
import type { LiveEvent } from '../../../generated/deadlock/LiveEvent';
import type { Outcome } from '../../../generated/deadlock/Outcome';
import type { Setup } from '../../../generated/deadlock/Setup';

/** One step of one thread, from the live feed. */
export type Step = Extract<LiveEvent, { kind: 'step' }>;

/** The table at one moment: what the picture draws. */
export interface Picture {
  setup: Setup;
  /** Each lock's holder, or null when it lies on the table. */
  holders: (number | null)[];
  /** The lock each thread waits for, or null. */
  waiting: (number | null)[];
  states: string[];
  meals: number[];
  mealsEach: number;
  cycle: Cycle | null;
  /** With a waiter: seats at the table (k - 1), and how many are taken. */
  seats: number | null;
  seated: number;
}

export function emptyPicture(setup: Setup, mealsEach: number, fix: string): Picture {
  const k = setup.names.length;
  return {
    setup,
    holders: setup.locks.map(() => null),
    waiting: setup.names.map(() => null),
    states: setup.names.map(() => 'waiting to start'),
    meals: Array.from({ length: k }, () => 0),
    mealsEach,
    cycle: null,
    seats: fix === 'waiter' ? k - 1 : null,
    seated: 0,
  };
}

/** What the watchdog saw (or, without a watchdog, the table at the end). */
export function pictureOf(o: Outcome): Picture {
  const p = emptyPicture(o.setup, o.meals_each, o.fix);
  const k = o.setup.names.length;
  const diners = o.watchdog?.diners ?? o.diners;
  diners.forEach((d, i) => {
    p.states[i] = d.state;
    p.meals[i] = d.meals;
  });
  for (const [f, v] of (o.watchdog?.locks ?? []).slice(0, k).entries()) {
    p.holders[f] = v.holders[0] ?? null;
    for (const w of v.waiters) p.waiting[w] = f;
  }
  p.cycle = o.watchdog?.cycle ?? null;
  p.seated = o.watchdog?.locks[k]?.holders.length ?? 0;
  return p;
}

export function apply(p: Picture, e: Step) {
  const { who, lock: f } = e;
  p.meals[who] = Math.max(p.meals[who], e.meal);
  switch (e.what) {
    case 'took':
      if (f !== null) p.holders[f] = who;
      if (p.waiting[who] === f) p.waiting[who] = null;
      p.states[who] = 'holding';
      break;
    case 'sat down':
      p.seated += 1;
      p.states[who] = 'seated';
      break;
    case 'left the table':
      p.seated = Math.max(0, p.seated - 1);
      break;
    case 'waits for':
      p.waiting[who] = f;
      p.states[who] = 'waiting';
      break;
    case 'released':
      if (f !== null && p.holders[f] === who) p.holders[f] = null;
      break;
    case 'found taken':
      p.states[who] = 'backing off';
      break;
    case 'eats':
      p.states[who] = 'eating';
      break;
    case 'done':
    case 'gave up':
    case 'cancelled':
      p.waiting[who] = null;
      p.states[who] = e.what;
      if (e.what === 'done') p.meals[who] = p.mealsEach;
      break;
    default:
      p.states[who] = e.what;
  }
}

const SIZE = 360;
const C = SIZE / 2;
/** How far the cycle's outline runs outside its nodes. */
const HALO = 28;

function at(angle: number, r: number): [number, number] {
  return [C + r * Math.cos(angle), C + r * Math.sin(angle)];
}

/** The table as an SVG: threads round the outside, locks between them; a solid line is "holds",
 *  a dashed arrow "waits for"; a cycle gets a dashed outline and a label. */
export function drawTable(p: Picture, caption: string): HTMLElement {
  const { setup } = p;
  const k = setup.names.length;
  const angle = (i: number) => -Math.PI / 2 + (2 * Math.PI * i) / k;
  const dinerAt = (i: number) => at(angle(i), 124);
  // Lock j lies between thread j - 1 and thread j (thread i's locks are i and i + 1).
  const lockAt = (j: number) => at(angle(j - 0.5), k === 2 ? 104 : 70);
  const thing = setup.two_locks ? 'lock' : 'fork';
  const root = svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, class: 'table-svg', role: 'img', 'aria-label': describe(p) });
  root.append(
    svg(
      'defs',
      {},
      svg('marker', { id: 'dl-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' })),
    ),
  );
  if (!setup.two_locks) root.append(svg('circle', { cx: C, cy: C, r: 92, class: 'table-top' }));
  const towards = (from: [number, number], to: [number, number], cut: number): [number, number] => {
    const dx = to[0] - from[0];
    const dy = to[1] - from[1];
    const d = Math.hypot(dx, dy) || 1;
    return [to[0] - (dx / d) * cut, to[1] - (dy / d) * cut];
  };
  // Holding and waiting lines under the nodes.
  p.holders.forEach((who, f) => {
    if (who === null) return;
    const [x1, y1] = dinerAt(who);
    const [x2, y2] = lockAt(f);
    root.append(svg('line', { x1, y1, x2, y2, class: 'hold', 'data-holds': `${setup.names[who]}:${setup.locks[f]}` }));
  });
  p.waiting.forEach((f, who) => {
    if (f === null) return;
    const from = dinerAt(who);
    const [x2, y2] = towards(from, lockAt(f), 16);
    root.append(svg('line', { x1: from[0], y1: from[1], x2, y2, class: 'wait', 'marker-end': 'url(#dl-arrow)', 'data-waits': `${setup.names[who]}:${setup.locks[f]}` }));
  });
  if (p.cycle) {
    // Through the cycle's threads and locks, pushed outwards from their centre so that the
    // outline runs round the holding and waiting lines rather than on top of them.
    const points = p.cycle.threads.flatMap((t, i) => [dinerAt(t), lockAt(p.cycle!.locks[i])]);
    const cx = points.reduce((a, q) => a + q[0], 0) / points.length;
    const cy = points.reduce((a, q) => a + q[1], 0) / points.length;
    const out = points.map(([x, y]) => {
      const d = Math.hypot(x - cx, y - cy) || 1;
      return `${(x + ((x - cx) / d) * HALO).toFixed(1)},${(y + ((y - cy) / d) * HALO).toFixed(1)}`;
    });
    root.append(svg('polygon', { points: out.join(' '), class: 'cycle-outline' }));
  }
  setup.locks.forEach((name, f) => {
    const [x, y] = lockAt(f);
    const held = p.holders[f] !== null;
    root.append(
      svg('g', { class: `lock ${held ? 'held' : 'free'}`, 'data-lock': name }, svg('rect', { x: x - 15, y: y - 11, width: 30, height: 22, rx: 5 }), svg('text', { x, y: y + 4, 'text-anchor': 'middle' }, name)),
    );
  });
  setup.names.forEach((name, i) => {
    const [x, y] = dinerAt(i);
    const inCycle = p.cycle?.threads.includes(i) ?? false;
    root.append(
      svg(
        'g',
        { class: `diner ${p.states[i].replace(/ /g, '-')}${inCycle ? ' in-cycle' : ''}`, 'data-diner': name },
        svg('circle', { cx: x, cy: y, r: 25 }),
        svg('text', { x, y: y - 2, 'text-anchor': 'middle', class: 'name' }, name),
        svg('text', { x, y: y + 11, 'text-anchor': 'middle', class: 'meals' }, `${p.meals[i]}/${p.mealsEach}`),
      ),
    );
  });
  if (p.cycle) {
    root.append(svg('text', { x: C, y: C + 4, 'text-anchor': 'middle', class: 'cycle-label' }, 'deadlock cycle'));
    root.append(svg('text', { x: C, y: SIZE - 4, 'text-anchor': 'middle', class: 'cycle-path' }, `cycle: ${[...p.cycle.names, p.cycle.names[0]].join(' → ')}`));
  } else if (p.seats !== null) {
    root.append(svg('text', { x: C, y: C - 2, 'text-anchor': 'middle', class: 'seats' }, 'waiter'));
    root.append(svg('text', { x: C, y: C + 13, 'text-anchor': 'middle', class: 'seats', 'data-seats': `${p.seated}/${p.seats}` }, `${p.seated}/${p.seats} seated`));
  }
  const key = h(
    'p',
    { class: 'legend' },
    h('span', { class: 'key-line hold' }),
    ` holds a ${thing}  `,
    h('span', { class: 'key-line wait' }),
    ` waits for a ${thing}  `,
    p.cycle ? h('span', { class: 'key-line cycle' }) : null,
    p.cycle ? ' the cycle of waits' : null,
    `  ·  n/m under a name: ${setup.two_locks ? 'rounds done' : 'meals eaten'}`,
  );
  return h('figure', { class: 'table-figure' }, h('figcaption', {}, caption), root, key, h('p', { class: 'muted table-states' }, states(p)));
}

function describe(p: Picture): string {
  const { names, locks } = p.setup;
  const parts = names.map((n, i) => {
    const holds = p.holders.flatMap((w, f) => (w === i ? [locks[f]] : []));
    const wait = p.waiting[i];
    return `${n} ${holds.length ? `holds ${holds.join(' and ')}` : 'holds nothing'}${wait !== null ? ` and waits for ${locks[wait]}` : ''}`;
  });
  return `${p.setup.two_locks ? 'Two threads and two locks' : `${names.length} philosophers round a table`}: ${parts.join('; ')}.${p.cycle ? ` Deadlock cycle: ${p.cycle.text}` : ''}`;
}

function states(p: Picture): string {
  return p.setup.names.map((n, i) => `${n}: ${p.states[i]}`).join(' · ');
}
