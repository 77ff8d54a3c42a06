// Chapter 19, scheduling: the book's APScheduler examples on a scheduler written in Rust to
// APScheduler 3.x's rules. Every compute is the virtual clock: the timeline of run times and
// their outcomes on a Gantt chart, stepped through event by event. Run plays it on the real
// clock on pool workers and measures how late the timed waits come back, or runs the book's
// tests of fib concurrently.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/scheduler';
import { h, ms } from '../../dom';
import { figures, headline, presets } from '../../kit';
import type { Computed } from '../../../generated/scheduler/Computed';
import type { Outcome } from '../../../generated/scheduler/Outcome';
import type { RealRun } from '../../../generated/scheduler/RealRun';
import type { TestsRun } from '../../../generated/scheduler/TestsRun';
import { barsOf, fmtTime, gantt } from './gantt';
import './style.css';

function counts(c: Computed): Record<string, number> {
  const n: Record<string, number> = { ran: 0, missed: 0, coalesced: 0, skipped: 0 };
  for (const j of c.timeline.jobs) for (const r of j.runs) n[r.outcome] = (n[r.outcome] ?? 0) + 1;
  return n;
}

const LEGEND = 'Bars: runs on the executor’s workers. On the scheduler’s lane, a tick is a wakeup; S = skipped (max_instances running), C = coalesced, M = missed (started later than misfire_grace_time after its time).';

/** A cron timeline's time as the Rust side writes dates: "Mon 2024-03-04 17:00" (UTC, as the
 *  virtual clock has no time zone). */
function dateOf(originMin: number, tMs: number): string {
  const d = new Date(originMin * 60_000 + tMs);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${d.toISOString().slice(0, 16).replace('T', ' ')}`;
}

function stepper(area: HTMLElement) {
  let c: Computed | null = null;
  let at = 0;
  const range = h('input', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'Step of the virtual clock', 'data-field': 'step-range' });
  const where = h('p', { class: 'sc-where', 'data-field': 'step-where', 'aria-live': 'polite' });
  const decision = h('p', { class: 'sc-decision', 'data-field': 'decision' });
  const state = h('div', { class: 'sc-state' });
  // Focusable, so that a keyboard can scroll it sideways on a narrow screen.
  const chart = h('div', { class: 'sc-figure', tabindex: 0, role: 'region', 'aria-label': 'Gantt chart of the virtual clock' });
  const go = (i: number) => {
    if (!c) return;
    at = Math.max(0, Math.min(i, c.timeline.steps.length));
    draw();
  };
  const button = (label: string, f: () => number) => h('button', { type: 'button', onclick: () => go(f()) }, label);
  const buttons = h(
    'div',
    { class: 'sc-step-buttons' },
    button('First', () => 0),
    button('Back', () => at - 1),
    button('Next event', () => at + 1),
    button('Last', () => c?.timeline.steps.length ?? 0),
    range,
  );
  range.addEventListener('input', () => go(Number(range.value)));
  const el = h('section', { class: 'sc-steps', 'aria-label': 'Step through the virtual clock' }, h('h3', {}, 'The virtual clock, event by event'), buttons, where, decision, state, chart);
  area.append(el);

  function draw() {
    if (!c) return;
    const steps = c.timeline.steps;
    const unit = c.program === 'cron' ? 'day' : 's';
    range.max = String(steps.length);
    range.value = String(at);
    const step = at > 0 ? steps[at - 1] : null;
    const when = (t: number) => (c!.originMin === null ? fmtTime(t, unit) : dateOf(c!.originMin, t));
    where.textContent = step ? `Step ${at} of ${steps.length}: t = ${when(step.tMs)}` : `Before the first event (${steps.length} events in all)`;
    decision.textContent = step ? step.decision : 'Press Next event: the clock jumps to the next wakeup or the next end of a run.';
    const busy = step ? step.workers.map((w, i) => `worker ${i + 1}: ${w ? `job (due ${when(w[1])})` : 'idle'}`).join(' · ') : '';
    const next = step ? step.nextRunMs[0] : c.timeline.jobs[0]?.runs[0]?.scheduledMs;
    state.replaceChildren(
      h('p', { 'data-field': 'job-store' }, `Job store: next run time ${next === null || next === undefined ? 'none' : when(next)}`),
      h('p', { 'data-field': 'instances' }, `Running instances: ${step ? step.instances[0] : 0}; waiting for a worker: ${step ? step.queued : 0}`),
      h('p', { 'data-field': 'workers', hidden: !busy }, busy),
    );
    const { bars, marks } = barsOf(c.timeline.jobs);
    const t = step?.tMs;
    chart.replaceChildren(
      gantt({
        title: 'Runs on the virtual clock',
        workers: c.workers,
        endMs: Math.max(c.timeline.endMs, c.horizonMs),
        bars,
        marks,
        wakeups: steps.filter((s) => s.wake).map((s) => s.tMs),
        main: c.program === 'interval' ? { blocking: c.blocking, lines: c.main } : undefined,
        cursorMs: t,
        unit,
      }),
    );
  }
  return {
    element: el,
    show(next: Computed) {
      c = next;
      el.hidden = next.program === 'fibtests';
      at = Math.min(at, next.timeline.steps.length);
      draw();
    },
  };
}

function virtualView(c: Computed, view: HTMLElement) {
  const n = counts(c);
  const total = n.ran + n.missed + n.coalesced + n.skipped;
  if (c.program === 'fibtests') {
    view.replaceChildren(
      h('p', {}, `The book’s ${c.tests.length} tests of fib, as its example 7 runs them with ConcurrentTestSuite(suite, fork_for_tests(4)): press Run to run them on real threads, each worker taking the next test.`),
      h('ul', { 'data-field': 'test-names' }, ...c.tests.map((t) => h('li', {}, h('code', {}, t)))),
    );
    return;
  }
  const parts: (HTMLElement | null)[] = [
    headline(`${n.ran} of ${total}`, 'ran', h('span', {}, ` run times ran · ${n.skipped} skipped · ${n.coalesced} coalesced · ${n.missed} missed · at most ${c.timeline.peakInstances} instance${c.timeline.peakInstances === 1 ? '' : 's'} at once`)),
    h('p', { class: 'sc-legend' }, LEGEND),
  ];
  if (c.program === 'interval') {
    parts.push(
      h(
        'p',
        { 'data-field': 'main-says' },
        c.blocking
          ? 'BlockingScheduler: start() runs the scheduler’s loop in the main thread and never returns, so the book’s print("Printing in the main thread.") never runs (the main lane is taken for good). The jobs themselves run on the executor’s workers.'
          : `BackgroundScheduler: start() starts the loop in a thread of its own and returns; main goes on and prints every 2 s (${c.main.length - 1} times on this timeline, the dots on the main lane).`,
      ),
    );
  }
  if (c.program === 'cron') {
    parts.push(
      h('h3', {}, 'The next fire times'),
      h('ol', { class: 'sc-fires', 'data-field': 'next-fires' }, ...c.nextFires.map((f) => h('li', {}, f))),
      h(
        'p',
        { class: 'sc-note' },
        'Weekday numbers here count as a crontab does: 0 or 7 is Sunday, 1 Monday. APScheduler 3.x counts day_of_week from Monday = 0, even in CronTrigger.from_crontab, so "0 17 * * 1-5" there fires Tuesday to Saturday; names (mon-fri) mean the same in both. When both day and day_of_week are restricted a time must match both, as in APScheduler (a crontab takes either).',
      ),
    );
  }
  view.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

function realView(o: RealRun, c: Computed | null, hidden: boolean, page: HTMLElement, out: HTMLElement) {
  const d = o.driftMs;
  const bars = o.runs.map((r) => ({ lane: r.worker, startMs: r.startMs, endMs: r.endMs, label: `due ${+(r.scheduledMs / 1000).toFixed(3)} s, ${ms(r.driftMs)} late` }));
  out.append(
    headline(ms(d.median), 'drift-median', h('span', {}, ` median lateness of ${d.count} timed waits on the real clock (1 virtual s = ${o.scale} ms)`)),
    h('p', { class: 'notice', role: 'note', 'data-field': 'hidden-flag', hidden: !hidden }, 'This tab was hidden during the run: browsers throttle hidden tabs’ timers, so these numbers may not be what a visible tab gets.'),
    figures(
      ['Measure', 'Value'],
      [
        ['Late by, median', h('span', { 'data-field': 'drift-median-ms' }, ms(d.median))],
        ['Late by, 99th percentile', ms(d.p99)],
        ['Late by, least … most', `${ms(d.min)} … ${ms(d.max)}`],
        ['Timed waits (wakeups and starts)', String(d.count)],
        ['Pool threads alive (workers + the scheduler’s)', String(o.threads)],
        ['Threads used', h('span', { 'data-field': 'threads-used' }, String(o.threadsUsed))],
        ['Wall time', ms(o.wallMs)],
      ],
    ),
    page,
    h('div', { class: 'sc-figure', tabindex: 0, role: 'region', 'aria-label': 'Gantt chart of the real clock' }, gantt({ title: 'Runs on the real clock', workers: c?.workers ?? 1, endMs: Math.max(c?.timeline.endMs ?? 0, ...o.runs.map((r) => r.endMs)), bars, marks: c ? barsOf(c.timeline.jobs).marks : [], wakeups: o.wakeups.map((w) => w[0]), unit: 's' })),
    h(
      'p',
      { class: 'sc-note' },
      'What ran, and on which worker, is the virtual clock’s decision; the real clock adds only its lateness. Each wait here is a pool thread’s sleep (Atomics.wait in a Web Worker), not the page’s setTimeout. The page’s own timers fare worse when the tab is hidden: Chrome and Firefox run a hidden tab’s timers at most once a second; Chrome 88 and later align chained timers to one minute after the page has been hidden for 5 minutes (developer.chrome.com/blog/timer-throttling-in-chrome-88); and the HTML standard clamps timers nested more than 5 deep to at least 4 ms. A scheduler whose thread sleeps through that wakes late, and then its run times are coalesced or missed, as the “held up” presets show.',
    ),
  );
}

/** This page's own setTimeout, chained at one virtual second of the real run, while the run
 *  goes on: how late each fired (ms). Chained timers are what browsers throttle in a hidden
 *  tab; the engine's pool threads wait with Atomics.wait, which they do not. */
function pageTimers() {
  let late: number[] = [];
  let id: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (id !== undefined) clearTimeout(id);
    id = undefined;
  };
  return {
    start(tickMs: number) {
      stop();
      late = [];
      const began = performance.now();
      let due = began + tickMs;
      const tick = () => {
        const now = performance.now();
        late.push(now - due);
        due += tickMs;
        // At most 30 s, whatever happens to the run.
        id = now - began < 30_000 ? setTimeout(tick, Math.max(0, due - now)) : undefined;
      };
      id = setTimeout(tick, tickMs);
    },
    stop,
    take(): number[] {
      stop();
      return late;
    },
  };
}

function pageTimersLine(late: number[], tickMs: number): HTMLElement {
  const s = [...late].sort((a, b) => a - b);
  const text = s.length
    ? `This page’s own setTimeout, chained every ${tickMs} ms during the run on the page’s main thread: ${s.length} timers, late by a median ${ms(s[s.length >> 1])} (most ${ms(s[s.length - 1])})${s[0] < 0 ? '; a negative lateness is a timer that fired a hair before its time as performance.now() reads it' : ''}.`
    : 'This page’s own setTimeout did not fire during the run.';
  return h('p', { 'data-field': 'page-timers' }, text);
}

function testsView(t: TestsRun, out: HTMLElement) {
  out.append(
    headline(`${t.passed} passed, ${t.failed} failed`, 'tests-passed', h('span', {}, ` on ${t.threadsUsed} thread${t.threadsUsed === 1 ? '' : 's'} in ${ms(t.wallMs)}`)),
    h('p', { class: 'notice', role: 'note', hidden: !t.sequential }, 'This page has no thread pool (it is not cross-origin isolated): the tests ran one after another on the engine’s thread.'),
    figures(
      ['Test', 'Result', 'Thread', 'Checks', 'Time'],
      t.results.map((r) => [h('code', {}, r.name), r.passed ? 'ok' : 'FAIL', r.lane === 0 ? 'engine thread' : `worker ${r.lane}`, r.detail, ms(r.endMs - r.startMs)]),
    ),
    h('p', {}, 'Threads used: ', h('span', { 'data-field': 'threads-used' }, String(t.threadsUsed)), `. The book forks 4 processes; here k pool threads each take the next test. fib works modulo 10^10, so the last ten digits it compares are the book’s.`),
  );
}

export default {
  runLabel: 'Run on the real clock',
  notes: [
    'The rules are APScheduler 3.x’s (schedulers/base.py _process_jobs, executors/base.py submit_job and run_job): a due run while max_instances run is skipped (“maximum number of running instances reached”); with coalesce, several due run times run once; a run that starts more than misfire_grace_time after its time is missed.',
    'The book’s example 3 runs a 4 s job every 3 s with max_instances = 3: at most 2 overlap, so nothing is skipped. Make the job 10 s long to see skips.',
    'The virtual clock is exact: waiting costs nothing and the same inputs give the same timeline. The real clock is what a thread actually gets.',
    'Held up: the scheduler’s thread sleeps (a suspended laptop, a throttled tab) and wakes with several run times due at once: coalesced, or missed one by one.',
  ],
  snippet,
  create(ctx, area) {
    const noPool = h(
      'p',
      { class: 'notice', role: 'note', 'data-field': 'no-pool', hidden: ctx.info.poolThreads > 0 },
      'This page has no thread pool (it is not cross-origin isolated): the virtual clock works, the book’s tests run one after another on one thread, and the real-clock run, which needs pool workers, is not offered.',
    );
    const view = h('div', { class: 'sc-virtual', 'data-field': 'virtual' });
    area.append(
      presets(ctx, [
        { label: 'Blocking scheduler (example 1)', values: { program: 'interval', scheduler: 'blocking', every: '3', duration: '0.5', instances: '1', stall: '0', horizon: '20' } },
        { label: 'Background scheduler (example 2)', values: { program: 'interval', scheduler: 'background', every: '3', duration: '0.5', instances: '1', stall: '0', horizon: '20' } },
        { label: 'A 4 s job, max_instances 3 (example 3)', values: { program: 'interval', scheduler: 'background', every: '3', duration: '4', instances: '3', stall: '0', horizon: '20' } },
        { label: 'A 10 s job: skips', values: { program: 'interval', every: '3', duration: '10', instances: '3', stall: '0', horizon: '30' } },
        { label: 'Held up: coalesced', values: { program: 'interval', every: '2', duration: '0.5', instances: '1', coalesce: 'on', grace: '1', stallat: '5', stall: '6', horizon: '20' } },
        { label: 'Held up: missed', values: { program: 'interval', every: '2', duration: '0.5', instances: '1', coalesce: 'off', grace: '1', stallat: '5', stall: '6', horizon: '20' } },
        { label: 'Cron, Mon-Fri 17:00 (example 4)', values: { program: 'cron', cron: '0 17 * * mon-fri', start: '2024-03-01 12:00' } },
        { label: 'The tests of fib (examples 5-7)', values: { program: 'fibtests', threads: '4' } },
      ]),
      noPool,
      view,
    );
    const steps = stepper(area);
    let last: Computed | null = null;
    // A run that overlapped a hidden tab is flagged: the time it was last hidden is kept.
    let hiddenAt = document.hidden ? performance.now() : -Infinity;
    const onVisibility = () => {
      if (document.hidden) hiddenAt = performance.now();
    };
    document.addEventListener('visibilitychange', onVisibility);
    // While a run goes on (the result region says `running`), this page's timers tick too.
    const timers = pageTimers();
    const region = area.closest('article')?.querySelector<HTMLElement>('[data-demo-result]');
    const scaleNow = () => Number(area.closest('article')?.querySelector<HTMLInputElement>('input[name="scale"]')?.value) || 25;
    let tickMs = 25;
    const watch = new MutationObserver(() => {
      if (region?.dataset.state === 'running') {
        tickMs = scaleNow();
        timers.start(tickMs);
      } else timers.stop();
    });
    if (region) watch.observe(region, { attributes: true, attributeFilter: ['data-state'] });
    return {
      computed(c: Computed) {
        last = c;
        virtualView(c, view);
        steps.show(c);
      },
      result(o: Outcome, out: HTMLElement) {
        if (o.real) {
          const hidden = document.hidden || hiddenAt >= performance.now() - o.real.wallMs - 50;
          realView(o.real, o.computed ?? last, hidden, pageTimersLine(timers.take(), tickMs), out);
        }
        if (o.tests) testsView(o.tests, out);
      },
      dispose() {
        watch.disconnect();
        timers.stop();
        document.removeEventListener('visibilitychange', onVisibility);
      },
    };
  },
} satisfies DemoUnit<Computed, Outcome>;
