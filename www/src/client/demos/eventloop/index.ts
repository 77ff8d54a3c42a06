// Chapters 9-11, asynchronous programming on an event loop written in Rust: the cooking
// idea, the book's countdowns (overlapped, made sequential again by a blocking sleep, CPU
// work on the loop or offloaded to the pool), asyncio queues and an echo server. Every
// compute is the program on the virtual clock, a replayable trace the learner steps through
// both ways; Run is the same program on the real clock. Below, the page's own event loop,
// blocked on request, to feel what a blocking call does to a loop.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/eventloop';
import { h, ms } from '../../dom';
import { figures, headline, presets } from '../../kit';
import { blockPanel } from './block';
import { laneLegend, lanes } from './lanes';
import { stepControls } from './stepper';
import { eventLog, perTaskTable, renderTrace, timeFormat } from './trace-view';
import type { Outcome, Trace } from './types';
import './style.css';

function realRun(o: Outcome, out: HTMLElement) {
  const fmt = timeFormat(o.program);
  // The run's times are the program's own (real milliseconds times the speed), so they
  // compare with the virtual clock directly; the wall time is that over the speed.
  out.append(
    headline(fmt(o.totalMs), 'real-total', h('span', {}, ` of the program’s time on the real clock, against ${fmt(o.virtualMs)} on the virtual clock (${ms(o.totalMs / o.speed)} of wall time at ${o.speed}× speed)`)),
    h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
    figures(
      ['Measure', 'Value'],
      [
        ['Real clock, the program’s time', fmt(o.totalMs)],
        ['Virtual clock', fmt(o.virtualMs)],
        ['Wall time', ms(o.totalMs / o.speed)],
        ['Timers fired late by (median, real ms)', o.lateMs.count ? ms(o.lateMs.median) : '—'],
        ['Timers fired late by (most, real ms)', o.lateMs.count ? ms(o.lateMs.max) : '—'],
        ['Pieces of work offloaded to the pool', String(o.offloaded)],
        ['Threads used (the loop’s and the pool’s)', h('span', { 'data-field': 'threads-used' }, String(o.threadsUsed))],
      ],
    ),
    laneLegend(),
    lanes(o.tasks, o.spans, { title: 'Each task on the real clock, as measured (the program’s time); the loop’s lane on top', loopLane: true, format: fmt, id: 'el-real' }),
    perTaskTable(o.perTask, 'Per task, real clock', fmt),
    h('h3', {}, 'Every event of the run, in the order the loop logged it'),
    eventLog(o.events, o.events.length, fmt, 'real-events', false),
  );
}

export default {
  runLabel: 'Run on the real clock',
  notes: [
    'The book’s numbers: the three countdowns take 6.9 s one after another (3 × (1 + 0.8 + 0.5) s), and overlapped they end when A’s last tick does, at 3 s.',
    'The cooking totals in the book are 28, 17 and 15 minutes; its exact dishes are not given, so the dishes here are this page’s own (a minute of the kitchen is a second of the loop’s clock).',
    'One task runs at a time: while it runs, nobody else does. An await is where a task lets the loop run someone else.',
    'Blocking on: the countdown’s one sleep is time.sleep instead of await asyncio.sleep. Each countdown then keeps the loop for its whole count, the loop’s lane goes solid, and the others wait their turn: 6.9 s again.',
    'CPU work on the loop gets no faster with async; with offload on, run_in_executor sends it to the pool’s threads and the loop keeps firing timers meanwhile.',
    'Five downloads: one after another their waits add up; on the loop they overlap, and the longest file sets the total. Blocking on makes each chunk’s write a plain f.write(), which holds the loop.',
    'Step back and forward: each step is replayed afresh from the start, so a shared link with at= reopens exactly that state.',
    'The button under the demo blocks this page’s own main thread: the one place the page blocks, and only when you ask.',
  ],
  snippet,
  create(ctx, area) {
    const noPool = h(
      'p',
      { class: 'notice', role: 'note', 'data-field': 'no-pool', hidden: ctx.info.poolThreads > 0 },
      'This page has no thread pool (it is not cross-origin isolated), so real offloading with run_in_executor cannot run here: it needs pool threads that share memory. Everything on the virtual clock works, and so do real runs that do not offload.',
    );
    const steps = stepControls(ctx);
    const view = h('div', { class: 'el-trace', 'data-field': 'trace' });
    const block = blockPanel();
    area.append(
      presets(ctx, [
        { label: 'Countdowns, overlapped', values: { program: 'countdowns', blocking: 'off', cpu: '0', offload: 'off', at: '0' } },
        { label: 'A blocking sleep', values: { program: 'countdowns', blocking: 'on', cpu: '0', offload: 'off', at: '0' } },
        { label: 'CPU work on the loop', values: { program: 'countdowns', blocking: 'off', cpu: '200', offload: 'off', at: '0' } },
        { label: 'CPU work offloaded', values: { program: 'countdowns', blocking: 'off', cpu: '200', offload: 'on', at: '0' } },
        { label: 'Cooking', values: { program: 'cooking', at: '0' } },
        { label: 'Queues', values: { program: 'channels', at: '0' } },
        { label: 'Echo server', values: { program: 'echo', at: '0' } },
        { label: 'Five downloads', values: { program: 'downloads', blocking: 'off', at: '0' } },
      ]),
      noPool,
      steps.element,
      view,
    );
    // The page's own loop sits after the real run's result, apart from the engine's loop
    // (the frame has built the article around `area` by now; an embed without one keeps it here).
    const region = area.closest('article')?.querySelector('[data-demo-result]');
    if (region) region.after(block.element);
    else area.append(block.element);
    // Another input may make another program, with fewer events: the step-through starts
    // again from its first step (as the generic stepper does) rather than refusing `at`.
    // `speed` only changes real runs, so it keeps the step.
    const form = area.closest('article')?.querySelector('form');
    const onInput = (e: Event) => {
      const name = (e.target as HTMLElement).closest<HTMLElement>('.field')?.dataset.param;
      const at = form?.querySelector<HTMLInputElement>('.field[data-param="at"] input[name="at"]');
      if (name && name !== 'at' && name !== 'speed' && at && at.value !== '0') ctx.setParams({ at: '0' });
    };
    form?.addEventListener('input', onInput);
    return {
      computed(t: Trace) {
        steps.show(t);
        renderTrace(t, view);
      },
      result(o: Outcome, out: HTMLElement) {
        realRun(o, out);
      },
      dispose() {
        form?.removeEventListener('input', onInput);
        block.dispose();
      },
    };
  },
} satisfies DemoUnit<Trace, Outcome>;
