// Chapter 12, deadlocks: the dining philosophers on real threads. The table is drawn as it
// happens from the live feed (who holds which fork, who waits for which), then the outcome:
// the watchdog's cycle, meals, waits and retries, and the timeline.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/deadlock';
import { h, ms } from '../../dom';
import { laneName, legend, renderTimeline } from '../../timeline';
import type { LiveEvent } from '../../../generated/deadlock/LiveEvent';
import type { Outcome } from '../../../generated/deadlock/Outcome';
import { liveTable } from './live';
import { drawTable, pictureOf } from './table';
import './style.css';

export default {
  runLabel: 'Seat the philosophers',
  snippet,
  notes: [
    'A deadlock needs four things at once (Coffman): mutual exclusion, hold and wait, no preemption, and a circle of waits. Each fix takes one away.',
    'Ordered forks make a circle impossible; the waiter keeps it from closing; try-lock gives up hold-and-wait, paying in retries, with a livelock risk.',
    'The watchdog does not judge by time alone: it reads who holds and who waits for every fork, and calls it a deadlock only when the waits form a cycle that stayed still between two looks.',
    'A deadlock on std’s Mutex could not be undone: its waiters sleep for ever. These forks wait in short naps and check an abort flag, so the engine recovers without a reload.',
  ],
  create(ctx, area) {
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
    const live = liveTable();
    return {
      live: (events, area) => live.show(events as LiveEvent[], area),
      result(o, area) {
        live.reset();
        result(o, area);
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;

function result(o: Outcome, area: HTMLElement) {
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
}
