// One demo on the page: its controls, Run and Cancel, progress, the result region, and the
// code it runs. What is particular to a demo (how its result looks) is its DemoUnit; what it
// can do (instant, steppable, live, needs a pool) is its spec's `caps`, from Rust.
//
// The result region is one element with `data-demo-result`. It carries `data-state`
// (idle | computing | ready | running | done | cancelled | error) and, once there is an
// outcome, `data-result`: the numbers the learner sees, as JSON, for tests and embeds.

import type { DemoSpec, EngineError, RawParams } from '../shared/protocol';
import type { Computed, DemoContext, DemoInstance, DemoUnit, DemoView, DemoViewOptions, Ran } from './demo-module';
import { renderControls, type ControlSet } from './controls';
import { h } from './dom';
import type { Engine, RunHandle } from './engine';
import { playgroundUrl, shareControl } from './share';
import { renderSnippets } from './snippets-view';
import { createStepper, type Stepper } from './stepper';

export type { Computed, DemoContext, DemoInstance, DemoUnit, DemoView, DemoViewOptions } from './demo-module';

export function createDemoView(
  engine: Engine,
  spec: DemoSpec,
  mod: DemoUnit,
  initial: URLSearchParams,
  options: DemoViewOptions = {},
): DemoView {
  const info = engine.info!;
  const caps = spec.caps;
  const PAGE_KEYS = info.limits.pageKeys;
  // Built at the end, once the frame exists; everything that calls it runs after that.
  let view!: DemoInstance;
  const given = new Map<string, string>();
  for (const [k, v] of initial) if (!PAGE_KEYS.includes(k)) given.set(k, v);
  // Keys of the link that are no input of this demo have no control to live in. They go to
  // the engine with every compute, so that Rust (the one validator) names them in `ignored`
  // and the learner reads "Ignored: colour" beside the demo.
  const extra: RawParams = [...given].filter(([k]) => !spec.params.some((p) => p.name === k)).slice(0, MAX_EXTRA_KEYS);

  const region = h('section', {
    class: 'result',
    'data-demo-result': spec.id,
    'data-state': 'idle',
    'aria-label': 'Result',
  });
  const status = h('p', { class: 'status', role: 'status' });
  const notice = h('p', { class: 'notice', hidden: true, 'data-field': 'ignored' });
  const progressBar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Run progress' });
  const runButton = h('button', { type: 'button', class: 'primary', 'data-action': 'run' }, mod.runLabel);
  const cancelButton = h('button', { type: 'button', 'data-action': 'cancel', disabled: true }, 'Cancel');
  let stepper: Stepper | undefined;
  const pageParams = (): RawParams => [...(view?.shareParams?.() ?? []), ...(stepper?.shareParams() ?? [])];
  const share = shareControl(spec.id, () => playgroundUrl(spec.id, params(), pageParams()));
  const custom = h('div', { class: 'demo-custom' });
  const resultArea = h('div', { class: 'result-body' });

  let computed: Computed<unknown> | undefined;
  let lastResult: Ran<unknown> | undefined;
  let handle: RunHandle<unknown> | undefined;
  /** The compute in flight (the newest: an older one is superseded in the engine). */
  let computing: RunHandle<Computed<unknown>> | undefined;
  let computeSeq = 0;
  /** Says when the live view could not show every event (the feed was full). */
  const feedNote = h('p', { class: 'notice', hidden: true, role: 'note', 'data-field': 'feed-dropped' });
  let debounce: ReturnType<typeof setTimeout> | undefined;

  const controls: ControlSet = renderControls(spec.id, spec.params, given, () => {
    syncUrl();
    clearTimeout(debounce);
    debounce = setTimeout(recompute, 120);
  });

  const ctx: DemoContext = {
    info,
    setParams(values) {
      for (const [k, v] of Object.entries(values)) controls.set(k, v);
      syncUrl();
      void recompute();
    },
    compute: (params) => engine.compute(spec.id, params),
    attach: (bitmap) => engine.attach(spec.id, bitmap),
  };

  function params(): RawParams {
    return controls.values();
  }

  function setState(state: string) {
    region.dataset.state = state;
  }

  function publish() {
    if (!computed) return;
    // Built in Rust next to the outcome (the demo's summary.rs): the page only copies it.
    region.dataset.result = JSON.stringify(lastResult ? lastResult.summary : computed.summary);
  }

  function syncUrl() {
    const url = new URL(location.href);
    const q = new URLSearchParams();
    q.set('demo', spec.id);
    // Every input goes into the link, defaults too, so a shared link means the same thing
    // even if a default changes later.
    for (const [k, v] of params()) q.set(k, v);
    for (const [k, v] of pageParams()) q.set(k, v);
    url.search = q.toString();
    history.replaceState(null, '', url);
    share.reset();
    options.onParams?.(params(), pageParams());
  }

  function showError(error: EngineError) {
    controls.showErrors(error.errors ?? []);
    const general = (error.errors ?? []).filter((e) => !e.param).map((e) => e.message);
    if (error.kind !== 'invalid' || general.length) {
      status.textContent = error.kind === 'invalid' ? general.join('; ') : capital(error.message);
    } else {
      status.textContent = 'Fix the highlighted input to continue.';
    }
    status.className = 'status error';
  }

  async function recompute() {
    debounce = undefined;
    const seq = ++computeSeq;
    setState('computing');
    const mine = engine.latest<Computed<unknown>>(spec.id, [...params(), ...extra]);
    computing = mine;
    if (caps.instant) {
      status.className = 'status';
      status.textContent = 'Working it out…';
      cancelButton.disabled = false;
      progressBar.removeAttribute('value');
      setTimeout(() => pollCompute(mine), PROGRESS_EVERY_MS);
    }
    const env = await mine.result;
    if (computing === mine) {
      computing = undefined;
      if (caps.instant) {
        cancelButton.disabled = true;
        progressBar.hidden = true;
      }
    }
    if (seq !== computeSeq) return;
    if (!env.ok && env.error.kind === 'cancelled') {
      status.className = 'status';
      status.textContent = 'Cancelled before it began. Change an input to work it out again.';
      setState('cancelled');
      return;
    }
    if (!env.ok) {
      computed = undefined;
      runButton.disabled = true;
      showError(env.error);
      setState('error');
      return;
    }
    controls.showErrors([]);
    computed = env.result;
    lastResult = undefined;
    notice.hidden = computed.ignored.length === 0;
    notice.textContent = ignoredText(computed.ignored);
    const blocked = info.poolThreads > 0 ? undefined : (caps.noPool ?? undefined);
    runButton.disabled = Boolean(blocked) || handle !== undefined;
    status.className = 'status';
    status.textContent = env.result.cancelled ? 'Cancelled: what was found before the cancel is below.' : (blocked ?? 'Ready.');
    view.computed?.(computed.value, computed.params);
    if (caps.instant) {
      resultArea.replaceChildren();
      view.result(computed.value, resultArea);
    }
    // New inputs may mean another program: the stepper starts again from its first step.
    const now = JSON.stringify(params());
    if (stepper && now !== stepperInputs) {
      stepperInputs = now;
      stepper.reset();
    }
    publish();
    setState(env.result.cancelled ? 'cancelled' : 'ready');
  }

  /** While a long compute runs (the explorer), how far it got, from the shared memory. */
  function pollCompute(mine: RunHandle<unknown>) {
    if (computing !== mine) return;
    const p = engine.computeProgress();
    if (p && p.done > 0) {
      progressBar.hidden = false;
      progressBar.max = Math.max(p.total, 1);
      progressBar.value = p.done;
      status.textContent = view.progressText?.(p.done, p.total) ?? `Working it out… ${p.done} of ${p.total}`;
    }
    setTimeout(() => pollCompute(mine), PROGRESS_EVERY_MS);
  }

  // Progress is read from shared memory, but the page redraws it only when it changed and at
  // most a few times a second: on a machine with few cores, redrawing every frame takes CPU
  // from the very threads being measured.
  const PROGRESS_EVERY_MS = 250;
  /** Demos with a live feed are read more often: their events are the point. */
  const LIVE_EVERY_MS = 100;
  let lastDrawn = -1;
  let feedAt = 0;
  function pollProgress() {
    if (!handle) return;
    if (caps.live && view.live) {
      const f = engine.feed(feedAt);
      if (f) {
        feedAt = f.next;
        if (f.events.length) view.live(f.events, resultArea);
      }
      showDropped(false);
    }
    const p = engine.progress();
    if (p && p.total > 0 && p.done !== lastDrawn) {
      lastDrawn = p.done;
      progressBar.max = p.total;
      progressBar.value = p.done;
      status.textContent = `Running… ${p.done} of ${p.total} tasks`;
    }
    setTimeout(pollProgress, caps.live ? LIVE_EVERY_MS : PROGRESS_EVERY_MS);
  }

  /** The live feed is a fixed buffer (crate/src/live.rs); events past it are counted, and the
   *  page says so, during the run and beside the result, which never goes through the feed. */
  function showDropped(finished: boolean) {
    const n = engine.feedDropped() ?? 0;
    feedNote.hidden = n === 0;
    region.dataset.feedDropped = String(n);
    const events = `${n.toLocaleString('en')} event${n === 1 ? '' : 's'}`;
    feedNote.textContent = n === 0 ? '' : finished ? `The live view skipped ${events}; the result below is complete.` : `The live view is skipping events (${events} so far): the result will be complete.`;
  }

  async function run() {
    if (handle || caps.instant) return;
    // A change still waiting for its debounce is validated first, so the run uses exactly
    // what the controls show, and its result is not overwritten by a late compute.
    if (debounce !== undefined) {
      clearTimeout(debounce);
      debounce = undefined;
      await recompute();
    }
    if (handle || runButton.disabled || !computed) return;
    const started = performance.now();
    handle = engine.run<Ran<unknown>>(spec.id, params());
    setState('running');
    region.setAttribute('aria-busy', 'true');
    runButton.disabled = true;
    cancelButton.disabled = false;
    controls.setDisabled(true);
    progressBar.hidden = false;
    progressBar.removeAttribute('value');
    status.className = 'status';
    status.textContent = engine.progress() ? 'Running…' : 'Running on one thread (no live progress without shared memory)…';
    lastDrawn = -1;
    feedAt = 0;
    feedNote.hidden = true;
    delete region.dataset.feedDropped;
    if (caps.live) resultArea.replaceChildren();
    setTimeout(pollProgress, PROGRESS_EVERY_MS);
    const env = await handle.result;
    handle = undefined;
    region.removeAttribute('aria-busy');
    progressBar.hidden = true;
    cancelButton.disabled = true;
    controls.setDisabled(false);
    runButton.disabled = false;
    // Skipped events are worth a sentence only beside a result; a cancelled run has none.
    if (caps.live && env.ok) showDropped(true);
    else feedNote.hidden = true;
    if (env.ok) {
      lastResult = env.result as Ran<unknown>;
      resultArea.replaceChildren();
      view.result(lastResult.outcome, resultArea);
      // The status line is what a screen reader announces: the time and the headline figure.
      const headline = [...resultArea.querySelectorAll('.headline > *')].map((e) => e.textContent?.trim()).filter(Boolean).join(' ');
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(2)} s.${headline ? ` ${headline}.` : ''}`;
      publish();
      setState('done');
    } else if (env.error.kind === 'cancelled') {
      status.textContent = /before it started/.test(env.error.message)
        ? 'Cancelled before it started: nothing ran. The engine is ready for another run.'
        : 'Cancelled. The engine is ready for another run.';
      setState('cancelled');
    } else {
      showError(env.error);
      setState('error');
    }
  }

  cancelButton.addEventListener('click', () => {
    status.textContent = 'Cancelling…';
    if (handle) handle.cancel();
    else computing?.cancel();
  });
  runButton.addEventListener('click', () => void run());

  const compact = options.compact === true;
  const notes = h('ul', { class: 'notes' }, ...mod.notes.map((n) => h('li', {}, n)));
  const snippet = compact ? null : renderSnippets(spec.id, mod.snippet);
  let stepperInputs = JSON.stringify(params());
  if (caps.steppable) stepper = createStepper(engine, spec.id, params, initial.get('step') ?? '', syncUrl);
  const element = h(
    'article',
    { class: compact ? 'demo compact' : 'demo', id: `demo-${spec.id}`, 'aria-labelledby': `title-${spec.id}` },
    h('header', {}, h('p', { class: 'chapter' }, `Chapter ${spec.chapter}`), h('h2', { id: `title-${spec.id}` }, spec.title)),
    h('p', { class: 'summary' }, spec.summary),
    h(
      'form',
      { class: 'panel', onsubmit: ((e: Event) => { e.preventDefault(); void run(); }) as EventListener },
      controls.element,
      h('div', { class: 'actions' }, runButton, cancelButton, progressBar, share.element),
      status,
      notice,
    ),
    custom,
    region,
    stepper?.element,
    compact ? h('details', { class: 'notes-folded' }, h('summary', {}, 'What to notice'), notes) : notes,
    snippet,
  );
  if (stepper) {
    const s = stepper;
    ctx.replay = (trace) => s.show(trace);
  }
  region.append(feedNote, resultArea);
  // An instant demo has no Run; its Cancel stops a long compute (the explorer's search).
  runButton.hidden = caps.instant;
  view = mod.create(ctx, custom);
  const firstCompute = recompute();
  return { element, run: () => void run(), firstCompute, dispose: () => view.dispose?.() };
}

/** Keys of a link that are not inputs, sent to the engine to be named (more are dropped). */
const MAX_EXTRA_KEYS = 20;
/** Ignored keys named at most, and the characters shown of each. */
const SHOWN_KEYS = 5;
const SHOWN_KEY_CHARS = 24;

/** "Ignored: colour, size (this demo has no inputs of those names)." Keys come from the URL:
 *  they are only ever set as text, and shortened so that a long one cannot fill the page. */
export function ignoredText(keys: string[]): string {
  if (keys.length === 0) return '';
  const short = (k: string) => ([...k].length > SHOWN_KEY_CHARS ? `${[...k].slice(0, SHOWN_KEY_CHARS).join('')}…` : k);
  const shown = keys.slice(0, SHOWN_KEYS).map(short).join(', ');
  const more = keys.length > SHOWN_KEYS ? ` and ${keys.length - SHOWN_KEYS} more` : '';
  const one = keys.length === 1;
  return `Ignored: ${shown}${more} (this demo has no ${one ? 'input of that name' : 'inputs of those names'}).`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1) + (s.endsWith('.') ? '' : '.');
}
