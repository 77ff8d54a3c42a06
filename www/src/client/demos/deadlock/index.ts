// Chapter 12, deadlocks: the dining philosophers on real threads. The table is drawn as it
// happens from the live feed (who holds which fork, who waits for which), then the outcome:
// the watchdog's cycle, meals, waits and retries, and the timeline.

import type { DemoContext } from '../../demo-view';
import { legacy, type DemoModule } from '../../legacy';
import snippet from 'virtual:snippets/deadlock';
import { h, ms, svg } from '../../dom';
import { laneName, legend, renderTimeline } from '../../timeline';
import type { Run } from '../../types';
import './style.css';

interface Setup {
  two_locks: boolean;
  names: string[];
  locks: string[];
  first: number[];
  second: number[];
}

interface LockView {
  holders: number[];
  waiters: number[];
  permits: number;
  changes: number;
}

interface Cycle {
  threads: number[];
  names: string[];
  locks: number[];
  lock_names: string[];
  text: string;
}

interface Diner {
  name: string;
  lane: number;
  meals: number;
  waits: number;
  wait_ms: number;
  retries: number;
  state: string;
}

interface Report {
  kind: 'deadlock' | 'livelock';
  quiet_ms: number;
  message: string;
  cycle: Cycle | null;
  locks: LockView[];
  edges: { from: number; lock: number; to: number }[];
  diners: Diner[];
}

interface Outcome {
  /** Distinct threads that ran, all alive at once (crate/src/pool.rs run_threads). */
  threads_used: number;
  scenario: 'philosophers' | 'two-locks';
  fix: 'none' | 'ordered' | 'trylock' | 'waiter';
  setup: Setup;
  meals_each: number;
  pause_ms: number;
  patience_ms: number;
  deadlocked: boolean;
  livelocked: boolean;
  watchdog: Report | null;
  diners: Diner[];
  meals_eaten: number;
  meals_goal: number;
  all_ate: boolean;
  retries: number;
  waits: number;
  timeline: Run;
  explanation: string;
}

type LiveEvent =
  | { kind: 'table'; setup: Setup; fix: string; meals: number }
  | { kind: 'step'; t_ms: number; who: number; what: string; lock: number | null; meal: number }
  | { kind: 'watchdog'; t_ms: number; verdict: string; cycle: Cycle | null; message: string };

/** The table at one moment: what the picture draws. */
interface Picture {
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

function emptyPicture(setup: Setup, mealsEach: number, fix: string): Picture {
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
function pictureOf(o: Outcome): Picture {
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

function apply(p: Picture, e: Extract<LiveEvent, { kind: 'step' }>) {
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

// ---- the live view ------------------------------------------------------------------------

let live: { picture: Picture; log: HTMLOListElement; figure: HTMLElement; host: HTMLElement } | undefined;

function logLine(setup: Setup, e: Extract<LiveEvent, { kind: 'step' }>): HTMLElement {
  const lock = e.lock !== null ? ` ${setup.locks[e.lock]}` : '';
  return h('li', { 'data-thread': setup.names[e.who] }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, setup.names[e.who]), ` ${e.what}${lock}`);
}

const LOG_KEEP = 80;

export const deadlock: DemoModule<null, Outcome> = {
  id: 'deadlock',
  steppable: true,
  runLabel: 'Seat the philosophers',
  notes: [
    'A deadlock needs four things at once (Coffman): mutual exclusion, hold and wait, no preemption, and a circle of waits. Each fix takes one away.',
    'Ordered forks make a circle impossible; the waiter keeps it from closing; try-lock gives up hold-and-wait, paying in retries, with a livelock risk.',
    'The watchdog does not judge by time alone: it reads who holds and who waits for every fork, and calls it a deadlock only when the waits form a cycle that stayed still between two looks.',
    'A deadlock on std’s Mutex could not be undone: its waiters sleep for ever. These forks wait in short naps and check an abort flag, so the engine recovers without a reload.',
  ],
  mount(ctx: DemoContext, area) {
    const chip = (label: string, values: Record<string, string>, preset: string) =>
      h('button', { type: 'button', class: 'chip', 'data-preset': preset, onclick: () => ctx.setParams(values) }, label);
    area.after(
      h(
        'p',
        { class: 'muted' },
        'Let the computer find it: ',
        h('a', { href: '?demo=explorer&program=opposite-locks', 'data-link': 'explorer' }, 'the interleaving explorer'),
        ' tries every schedule of the two-lock program (or of the philosophers) and replays the shortest one that deadlocks.',
      ),
    );
    area.append(
      h(
        'p',
        { class: 'presets' },
        'Try: ',
        chip('Five philosophers, no fix', { scenario: 'philosophers', philosophers: '5', fix: 'none', pause: '100' }, 'deadlock'),
        chip('Ordered forks', { scenario: 'philosophers', fix: 'ordered' }, 'ordered'),
        chip('Try-lock and back off', { scenario: 'philosophers', fix: 'trylock' }, 'trylock'),
        chip('A waiter (k − 1 seats)', { scenario: 'philosophers', fix: 'waiter' }, 'waiter'),
        chip('Two locks, opposite order', { scenario: 'two-locks', fix: 'none', pause: '100' }, 'two-locks'),
      ),
    );
  },
  live(_ctx, events, area) {
    for (const e of events as LiveEvent[]) {
      if (e.kind === 'table') {
        const picture = emptyPicture(e.setup, e.meals, e.fix);
        const log = h('ol', { class: 'log', 'aria-label': 'What the threads did, as it happens' });
        const figure = h('div', { class: 'live-table' });
        const host = h('div', { class: 'deadlock-live' }, figure, h('p', { class: 'muted' }, 'As it happens:'), log);
        area.replaceChildren(host);
        live = { picture, log, figure, host };
      } else if (live && e.kind === 'step') {
        apply(live.picture, e);
        live.log.append(logLine(live.picture.setup, e));
      } else if (live && e.kind === 'watchdog') {
        live.picture.cycle = e.cycle;
        live.log.append(h('li', { 'data-thread': 'watchdog' }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, 'watchdog'), ` ${e.message}`));
      }
    }
    if (!live) return;
    while (live.log.children.length > LOG_KEEP) live.log.firstElementChild?.remove();
    live.log.scrollTop = live.log.scrollHeight;
    live.figure.replaceChildren(drawTable(live.picture, 'The table now'));
  },
  result(_ctx, o, area) {
    live = undefined;
    const thing = o.setup.two_locks ? 'rounds' : 'meals';
    const verdict = o.deadlocked ? 'Deadlock' : o.livelocked ? 'Livelock' : o.all_ate ? 'Every meal eaten' : 'Finished';
    const rows = o.diners.map((d) =>
      h(
        'tr',
        { 'data-diner': d.name },
        h('th', { scope: 'row' }, d.name),
        h('td', {}, d.lane ? laneName(d.lane) : '—'),
        h('td', {}, `${d.meals} of ${o.meals_each}`),
        h('td', {}, String(d.waits)),
        h('td', {}, ms(d.wait_ms)),
        h('td', {}, String(d.retries)),
        h('td', {}, d.state),
      ),
    );
    const caption = o.watchdog
      ? `What the watchdog saw after ${ms(o.watchdog.quiet_ms)} without a ${o.setup.two_locks ? 'finished round' : 'meal'}`
      : `The table at the end: every ${o.setup.two_locks ? 'lock' : 'fork'} is back`;
    const parts: (HTMLElement | null)[] = [
      h(
        'div',
        { class: 'headline' },
        h('span', { class: 'big', 'data-field': 'verdict' }, verdict),
        h('span', { 'data-field': 'meals' }, `${o.meals_eaten} of ${o.meals_goal} ${thing} eaten`),
        o.fix === 'trylock' ? h('span', {}, `${o.retries} retr${o.retries === 1 ? 'y' : 'ies'}`) : null,
      ),
      h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
      o.watchdog ? h('p', { class: 'watchdog', role: 'alert', 'data-field': 'watchdog' }, `Watchdog: ${o.watchdog.message}`) : null,
      o.watchdog?.cycle ? h('p', { class: 'cycle-text', 'data-field': 'cycle' }, h('b', {}, 'The cycle: '), o.watchdog.cycle.text) : null,
      drawTable(pictureOf(o), caption),
      h(
        'div',
        { class: 'diners-scroll' },
        h(
          'table',
          { class: 'figures' },
          h('thead', {}, h('tr', {}, ...[o.setup.two_locks ? 'Thread' : 'Philosopher', 'Ran on', o.setup.two_locks ? 'Rounds' : 'Meals', 'Waits', 'Time waiting', 'Retries', 'Ended'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...rows),
        ),
      ),
      legend(),
      renderTimeline(o.timeline, 'Each thread: thinking and eating (solid); waiting for a lock, pausing and backing off (hatched)'),
    ];
    area.append(...parts.filter((p): p is HTMLElement => p !== null));
  },
  summary(_v, o, params) {
    if (!o) return { demo: 'deadlock', params };
    return {
      demo: 'deadlock',
      params,
      threadsUsed: o.threads_used,
      scenario: o.scenario,
      fix: o.fix,
      deadlocked: o.deadlocked,
      livelocked: o.livelocked,
      cycle: o.watchdog?.cycle?.names ?? null,
      cycleText: o.watchdog?.cycle?.text ?? null,
      watchdog: o.watchdog?.message ?? null,
      meals: o.diners.map((d) => ({ name: d.name, meals: d.meals, waits: d.waits, retries: d.retries, ended: d.state })),
      mealsEaten: o.meals_eaten,
      mealsGoal: o.meals_goal,
      allAte: o.all_ate,
      retries: o.retries,
    };
  },
  runBlocked: (info) => (info.poolThreads > 0 ? undefined : 'The philosophers need real threads, which this page does not have; the step-through below works without them.'),
};

export default legacy(deadlock, snippet);
