// The event-loop view of one trace on the virtual clock: the lanes with a cursor at the step
// shown, the loop's state at that step (who runs, the ready queue, the timer heap, every
// task's state, the output so far, as Rust replayed it up to `at`), the events with the
// current one marked, per-task busy / idle / scheduled, and what the program adds (the
// cooking schedules, the channel's items, the echo clients).

import { h, ms } from '../../dom';
import { figures, headline } from '../../kit';
import { laneLegend, lanes } from './lanes';
import type { Channel, Client, Event, LoopState, PerTask, Schedule, Trace } from './types';

/** Cooking counts in the dishes' minutes: one minute of the recipe is a second of the clock. */
export function timeFormat(program: string): (t: number) => string {
  if (program !== 'cooking') return ms;
  return (t) => `${+(t / 1000).toFixed(1)} min`;
}

export function eventText(e: Event): string {
  return `${e.task} ${e.what}${e.detail ? `: ${e.detail}` : ''}`;
}

export function perTaskTable(rows: PerTask[], caption: string, fmt: (t: number) => string = ms): HTMLElement {
  return h(
    'div',
    { class: 'el-per-task' },
    h('p', { class: 'muted' }, 'Busy while polled, scheduled while ready but another task has the loop, idle while waiting at an await, as tokio-console counts them.'),
    h(
      'div',
      { class: 'el-scroll', tabindex: 0, role: 'region', 'aria-label': caption },
      figures(['Task', 'Busy', 'Idle', 'Scheduled'], rows.map((r) => [r.name, fmt(r.busyMs), fmt(r.idleMs), fmt(r.scheduledMs)]), caption),
    ),
  );
}

function chips(items: string[], empty: string, field: string): HTMLElement {
  return h(
    'span',
    { class: 'el-chips', 'data-field': field },
    ...(items.length ? items.map((i) => h('span', { class: 'chip-item' }, i)) : [h('span', { class: 'chip-item empty' }, empty)]),
  );
}

function statePanel(s: LoopState, fmt: (t: number) => string): HTMLElement {
  const timers = [...s.timers].sort((a, b) => a.at - b.at);
  return h(
    'div',
    { class: 'el-state', 'data-field': 'state', 'data-step': s.step, 'aria-label': 'The loop at this step', role: 'region' },
    h('p', {}, h('strong', {}, 'Clock: '), h('span', { 'data-field': 'clock' }, fmt(s.t)), ' · ', h('strong', {}, 'running: '), h('span', { 'data-field': 'running' }, s.running ?? 'nobody (the loop waits)')),
    h('p', {}, h('strong', {}, 'Ready queue: '), chips(s.ready, 'empty', 'ready')),
    h('p', {}, h('strong', {}, 'Timer heap: '), chips(timers.map((t) => `${fmt(t.at)} ${t.task}`), 'no timers', 'timers')),
    h(
      'div',
      { class: 'el-scroll', tabindex: 0, role: 'region', 'aria-label': 'Every task at this step' },
      s.tasks.length ? figures(['Task', 'State', 'On'], s.tasks.map((t) => [t.name, h('span', { class: `el-task-state ${t.state}` }, t.state), t.on || '—']), 'Every task at this step') : h('p', { class: 'muted' }, 'No task yet.'),
    ),
    h('p', { class: 'el-output-title' }, h('strong', {}, 'Printed so far')),
    h('pre', { class: 'el-output', 'data-field': 'output', tabindex: 0 }, s.output.length ? s.output.join('\n') : '(nothing yet)'),
  );
}

/** The events in order, those before step `at` done and the last of them marked; a real run
 *  passes `at` = all of them and no mark. */
export function eventLog(events: Event[], at: number, fmt: (t: number) => string, field = 'events', mark = true): HTMLElement {
  const list = h(
    'ol',
    { class: 'el-events', 'data-field': field },
    ...events.map((e, i) =>
      h(
        'li',
        { class: i < at ? 'past' : 'future', 'aria-current': mark && i === at - 1 ? 'step' : null, 'data-what': e.what, 'data-task': e.task },
        h('span', { class: 'el-t' }, fmt(e.t)),
        ' ',
        eventText(e),
      ),
    ),
  );
  const box = h('div', { class: 'el-events-box', tabindex: 0, role: 'region', 'aria-label': `Events, ${at} of ${events.length} done` }, list);
  // Keep the current event in view, without moving the page itself.
  requestAnimationFrame(() => {
    const cur = list.querySelector<HTMLElement>('[aria-current]');
    if (cur) box.scrollTop = Math.max(0, cur.offsetTop - box.clientHeight / 2);
  });
  return box;
}

function scheduleView(list: Schedule[], fmt: (t: number) => string): HTMLElement {
  const end = Math.max(...list.map((s) => s.totalMs), 1);
  return h(
    'section',
    { class: 'el-schedules', 'aria-label': 'Three schedules of the same dishes' },
    h('h3', {}, 'One cook, three schedules'),
    // The totals side by side, to compare at a glance; their lanes below on one time axis.
    h(
      'div',
      { class: 'el-schedule-grid' },
      ...list.map((s) =>
        h(
          'div',
          { class: 'el-schedule', 'data-field': 'schedule', 'data-name': s.name, 'data-total': s.totalMs },
          h('h4', {}, s.name),
          headline(fmt(s.totalMs), undefined),
          h('p', { class: 'muted' }, 'Order: ', s.order.join(' → ')),
        ),
      ),
    ),
    ...list.map((s, i) => lanes([...new Set(s.spans.map((x) => x.task))], s.spans, { title: `${s.name}, ${s.order.join(' → ')}: ${fmt(s.totalMs)}`, scaleMs: end, loopLane: true, format: fmt, id: `el-sched-${i}` })),
    h('p', { class: 'muted' }, 'The book’s totals are 28, 17 and 15 minutes. Its exact dishes are not given, so these three are this page’s own, chosen to give the same totals. The best order is found by trying every order.'),
  );
}

function channelView(c: Channel): HTMLElement {
  return h(
    'section',
    { class: 'el-channel', 'aria-label': 'The queue' },
    h('h3', {}, 'The queue'),
    figures(['Measure', 'Value'], [
      ['Items produced', h('span', { 'data-field': 'produced' }, String(c.produced.length))],
      ['Items consumed', h('span', { 'data-field': 'consumed' }, String(c.consumed.length))],
      ['Most items in the queue at once', String(c.peak)],
    ]),
    h('p', {}, 'Put in this order: ', h('span', { class: 'el-order' }, c.produced.join(', ') || '—')),
    h('p', {}, 'Got in this order: ', h('span', { 'data-field': 'order', class: 'el-order' }, c.consumed.join(', ') || '—')),
  );
}

function echoView(clients: Client[]): HTMLElement {
  return h(
    'section',
    { class: 'el-echo', 'aria-label': 'The echo clients' },
    h('h3', {}, 'Echo server: each client'),
    h(
      'div',
      { class: 'el-scroll', tabindex: 0, role: 'region', 'aria-label': 'Echo clients' },
      figures(
        ['Client', 'Sent', 'Echoed', 'Round trips'],
        clients.map((c) => [c.name, String(c.sent), String(c.echoed), c.rttMs.map(ms).join(', ') || '—']),
        'Each client: messages sent, echoes received, and each round trip on the virtual clock',
      ),
    ),
  );
}

export function renderTrace(t: Trace, into: HTMLElement) {
  const fmt = timeFormat(t.program);
  const s = t.state;
  const parts: (HTMLElement | null)[] = [
    headline(fmt(t.totalMs), 'virtual-total', h('span', {}, ` on the virtual clock for ${t.tasks.length} task${t.tasks.length === 1 ? '' : 's'}${t.blocking ? ', with a blocking call' : ''}; ${fmt(t.sequentialMs)} one after another`)),
    laneLegend(),
    lanes(t.tasks, t.spans, {
      title: `Each task on the virtual clock, the loop’s lane on top (a tick where it takes a task from the ready queue); the red line marks step ${s.step} at ${fmt(s.t)}`,
      cursor: s.t,
      loopLane: true,
      format: fmt,
      id: 'el-trace',
      runs: t.events.filter((e) => e.what === 'run'),
    }),
    h('div', { class: 'el-two' }, statePanel(s, fmt), eventLog(t.events, t.at, fmt)),
    perTaskTable(t.perTask, 'Per task, virtual clock', fmt),
    t.schedules ? scheduleView(t.schedules, fmt) : null,
    t.channel ? channelView(t.channel) : null,
    t.echo ? echoView(t.echo) : null,
  ];
  into.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}
