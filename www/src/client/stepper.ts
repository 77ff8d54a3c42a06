// The step-through view: a demo's idea as a small program on the deterministic scheduler
// (crate/src/sched). The learner picks which thread takes the next step; the page keeps
// only the trace (the chosen threads, e.g. "0.1.1") and asks the engine to replay it, so
// undo, replay and shared links are all the same operation.

import type { RawParams } from '../shared/protocol';
import { h } from './dom';
import type { Engine } from './engine';
import { readTrace } from './trace';

interface ThreadView {
  pc: number;
  locals: Record<string, number>;
  status: 'active' | 'waiting' | 'reacquiring' | 'finished' | 'failed';
  message?: string;
  cond?: string;
  lock?: string;
}

interface Blocked {
  thread: number;
  waits_for: number | null;
  message: string;
}

export interface StepView {
  program: { name: string; threads: { name: string; listing: string[] }[] };
  machine: {
    status: 'running' | 'done' | 'deadlocked';
    steps: number;
    trace: string;
    runnable: number[];
    blocked: Blocked[];
    leaked: [string, number][];
    vars: Record<string, number>;
    locks: Record<string, number | null>;
    queues: Record<string, number[]>;
    threads: ThreadView[];
    output: { thread: number; text: string }[];
  };
  story: string;
  /** Where the program is smaller than the learner's inputs (crate/src/demos/stepper.rs). */
  scaled: { what: string; asked: number; shown: number }[];
  /** One sentence saying so, or null when the step view follows the inputs exactly. */
  scaledNote: string | null;
}

export interface Stepper {
  element: HTMLElement;
  /** The inputs changed: the program may be another one, so start again from step 0. */
  reset(): void;
  /** `[['step', trace]]` while there is a trace, for links. */
  shareParams(): RawParams;
  /**
   * Replays `trace` (e.g. an explorer's counterexample) step by step: starts again from
   * step 0 and offers "Next step" along the trace, until the learner picks another thread.
   */
  show(trace: string): void;
}

/** Steps kept in a trace typed by hand (the engine also caps replays). */
const MAX_TRACE_TEXT = 4000;

export function createStepper(
  engine: Engine,
  demo: string,
  params: () => RawParams,
  initialTrace: string,
  onTrace: () => void,
): Stepper {
  let trace = initialTrace.slice(0, MAX_TRACE_TEXT);
  /** The engine's cap on a trace's steps: the page expands no trace longer than this. */
  const maxSteps = engine.info?.limits.traceSteps ?? 0;
  /** The threads of a trace, one per step; undefined if it is not a trace within the cap. */
  const stepsOf = (text: string) => readTrace(text, maxSteps);
  let view: StepView | undefined;
  let seq = 0;
  /** The threads of a trace being replayed by `show`, one per step. */
  let plan: string[] | undefined;

  const story = h('p', { class: 'muted' });
  const scaledNote = h('p', { class: 'step-scaled', 'data-step-scaled': '', hidden: true });
  const board = h('div', { class: 'step-threads' });
  const shared = h('div', { class: 'step-shared' });
  const output = h('ol', { class: 'log', 'aria-label': 'Output of the stepped program' });
  const status = h('p', { class: 'step-status', role: 'status' });
  const traceText = h('p', { class: 'muted step-trace' });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const undo = h('button', { type: 'button', 'data-step': 'undo' }, 'Undo');
  const restart = h('button', { type: 'button', 'data-step': 'reset' }, 'Start again');
  const seed = h('input', { type: 'text', inputmode: 'numeric', value: '1', id: `${demo}-step-seed`, 'aria-label': 'Seed for the random scheduler', class: 'seed' });
  const random = h('button', { type: 'button', 'data-step': 'random' }, 'Let a seeded random scheduler run it');
  const replayText = h('span', { role: 'status' });
  const replayNext = h('button', { type: 'button', class: 'primary', 'data-step': 'replay-next' }, 'Next step');
  const replayAll = h('button', { type: 'button', 'data-step': 'replay-all' }, 'Play to the end');
  const replayStop = h('button', { type: 'button', 'data-step': 'replay-stop' }, 'Stop replaying');
  const replayBar = h('div', { class: 'actions step-replay', hidden: true }, replayText, replayNext, replayAll, replayStop);

  const element = h(
    'section',
    { class: 'stepper', 'data-stepper': demo, 'aria-labelledby': `${demo}-stepper-title` },
    h('h3', { id: `${demo}-stepper-title` }, 'Step through: you are the scheduler'),
    story,
    scaledNote,
    h('div', { class: 'actions' }, undo, restart, h('label', { for: `${demo}-step-seed` }, 'Seed'), seed, random),
    replayBar,
    error,
    status,
    board,
    shared,
    output,
    traceText,
  );

  async function load(next: string, randomSeed?: number) {
    const mine = ++seq;
    const env = await engine.step<StepView>(demo, params(), next, randomSeed);
    if (mine !== seq) return;
    if (!env.ok) {
      error.textContent = env.error.errors?.find((e) => e.param === 'step')?.message ?? env.error.message;
      element.dataset.status = 'error';
      return;
    }
    error.textContent = '';
    view = env.result;
    trace = view.machine.trace;
    render(view);
    onTrace();
  }

  function name(t: number): string {
    return view?.program.threads[t]?.name ?? String(t);
  }

  function render(v: StepView) {
    const m = v.machine;
    element.dataset.status = m.status;
    element.dataset.trace = m.trace;
    story.textContent = `${v.program.name.charAt(0).toUpperCase()}${v.program.name.slice(1)}. ${v.story}`;
    scaledNote.textContent = v.scaledNote ?? '';
    scaledNote.hidden = v.scaledNote === null;
    // For tests and embeds: what the step view shows of the inputs ([] when all of them).
    element.dataset.scaled = JSON.stringify(v.scaled);
    undo.disabled = m.steps === 0;
    restart.disabled = m.steps === 0;
    board.replaceChildren(
      ...v.program.threads.map((t, i) => {
        const th = m.threads[i];
        const blocked = m.blocked.find((b) => b.thread === i);
        const can = m.runnable.includes(i);
        const state =
          th.status === 'finished' ? 'finished' : th.status === 'failed' ? `failed: ${th.message ?? ''}` : blocked ? 'blocked' : can ? 'ready' : th.status;
        const over = th.status === 'finished' || th.status === 'failed';
        return h(
          'div',
          { class: `step-thread ${can ? 'can' : ''}`, 'data-thread': t.name, 'data-state': over ? 'over' : blocked ? 'blocked' : 'ready' },
          h('h4', {}, `Thread ${t.name}`, ' ', h('span', { class: 'badge' }, state)),
          h(
            'ol',
            { class: 'listing', start: 0 },
            ...t.listing.map((line, pc) =>
              h('li', { 'aria-current': !over && pc === th.pc ? 'step' : null }, !over && pc === th.pc ? '▶ ' : '', h('code', {}, line)),
            ),
          ),
          Object.keys(th.locals).length ? h('p', { class: 'locals' }, Object.entries(th.locals).map(([k, val]) => `${k} = ${val}`).join(', ')) : null,
          blocked ? h('p', { class: 'why' }, blocked.message) : null,
          h(
            'button',
            { type: 'button', class: can ? 'primary' : '', 'data-step-thread': i, disabled: !can, onclick: () => void load(trace ? `${trace}.${i}` : String(i)) },
            `Step ${t.name}`,
          ),
        );
      }),
    );
    const rows: HTMLElement[] = [
      ...Object.entries(m.vars).map(([k, val]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { 'data-var': k }, String(val)))),
      ...Object.entries(m.locks).map(([k, owner]) => {
        const leaked = m.leaked.some(([l]) => l === k);
        return h('tr', {}, h('th', { scope: 'row' }, `lock “${k}”`), h('td', { 'data-lock': k }, owner === null ? 'free' : `held by ${name(owner)}${leaked ? ' (leaked: its holder has ended)' : ''}`));
      }),
      ...Object.entries(m.queues).map(([k, items]) => h('tr', {}, h('th', { scope: 'row' }, `queue “${k}”`), h('td', { 'data-queue': k }, items.length ? `[${items.join(', ')}]` : 'empty'))),
    ];
    shared.replaceChildren(rows.length ? h('table', { class: 'figures' }, h('caption', {}, 'Shared state'), h('tbody', {}, ...rows)) : h('span'));
    output.replaceChildren(...m.output.map((l) => h('li', {}, h('b', {}, name(l.thread)), ` ${l.text}`)));
    output.hidden = m.output.length === 0;
    status.textContent =
      m.status === 'done'
        ? `Every thread has finished after ${m.steps} steps.`
        : m.status === 'deadlocked'
          ? `Deadlock: no thread can take a step. ${m.blocked.map((b) => b.message).join('. ')}.`
          : `${m.steps} step${m.steps === 1 ? '' : 's'} so far. Threads that can step: ${m.runnable.map(name).join(', ')}.`;
    traceText.textContent = m.steps ? `Interleaving: ${m.trace} (${(stepsOf(m.trace) ?? []).map((t) => name(Number(t))).join(', ')})` : 'No step taken yet.';
    renderPlan(m);
  }

  /** The replay bar: how far along the planned trace, and which thread steps next. */
  function renderPlan(m: StepView['machine']) {
    const done = stepsOf(m.trace) ?? [];
    if (plan && (done.length > plan.length || done.some((t, i) => t !== plan![i]))) plan = undefined; // the learner chose another way
    replayBar.hidden = !plan;
    if (!plan) {
      delete element.dataset.replay;
      return;
    }
    element.dataset.replay = `${done.length}/${plan.length}`;
    const next = plan[done.length];
    replayNext.disabled = next === undefined;
    replayAll.disabled = next === undefined;
    replayText.textContent =
      next === undefined
        ? `Replayed all ${plan.length} steps of the interleaving.`
        : `Replaying an interleaving: step ${done.length + 1} of ${plan.length} is ${name(Number(next))}'s.`;
    if (next !== undefined) board.querySelector(`button[data-step-thread="${next}"]`)?.classList.add('planned');
  }

  undo.addEventListener('click', () => {
    const steps = stepsOf(trace);
    if (!steps) {
      // A trace from the link that is not one (or is longer than the engine allows) has no
      // step to take back. Ask the engine about it again: it answers at once with why, and
      // that message is shown beside the step view (nothing is expanded here).
      void load(trace);
      return;
    }
    steps.pop();
    void load(steps.join('.'));
  });
  restart.addEventListener('click', () => void load(''));
  replayNext.addEventListener('click', () => {
    const done = stepsOf(trace) ?? [];
    if (plan && done.length < plan.length) void load(plan.slice(0, done.length + 1).join('.'));
  });
  replayAll.addEventListener('click', () => {
    if (plan) void load(plan.join('.'));
  });
  replayStop.addEventListener('click', () => {
    plan = undefined;
    if (view) render(view);
  });
  random.addEventListener('click', () => {
    const n = Number(seed.value);
    if (!Number.isInteger(n) || n < 0 || n > 4294967295) {
      error.textContent = `the seed must be a whole number from 0 to 4294967295, got "${seed.value.slice(0, 24)}"`;
      return;
    }
    void load('', n);
  });

  void load(trace);
  return {
    element,
    reset() {
      plan = undefined;
      void load('');
    },
    shareParams: () => (trace ? [['step', trace]] : []),
    show(next) {
      plan = next ? stepsOf(next.slice(0, MAX_TRACE_TEXT)) : undefined;
      void load('');
      element.scrollIntoView({ block: 'start' });
    },
  };
}
