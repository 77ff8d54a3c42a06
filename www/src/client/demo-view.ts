// One demo on the page: its controls, Run and Cancel, progress, the result region, and the
// code it runs. What is particular to a demo (how its result looks) is a DemoModule.
//
// The result region is one element with `data-demo-result`. It carries `data-state`
// (idle | computing | ready | running | done | cancelled | error) and, once there is an
// outcome, `data-result`: the numbers the learner sees, as JSON, for tests and embeds.

import snippets from 'virtual:snippets';
import type { DemoSpec, EngineError, Envelope, RawParams, ReadyInfo } from '../shared/protocol';
import { renderControls, type ControlSet } from './controls';
import { h } from './dom';
import type { Engine, RunHandle } from './engine';
import { playgroundUrl, shareControl } from './share';
import { createStepper, type Stepper } from './stepper';

/** What `compute` answers for every demo (crate/src/demos/mod.rs). */
export interface Computed<V> {
  params: Record<string, number | string>;
  ignored: string[];
  value: V;
}

export interface DemoContext {
  info: ReadyInfo;
  /** Sets control values (e.g. "the book's example") and recomputes. */
  setParams(values: Record<string, string>): void;
  /** Computes another configuration of this demo without touching the controls. */
  compute<V>(params: RawParams): Promise<Envelope<Computed<V>>>;
  /** Replays a trace (`0.1.1`) step by step in the demo's step-through view, if it has one. */
  replay?(trace: string): void;
}

export interface DemoModule<V = unknown, R = unknown> {
  id: string;
  /** The label of the Run button. */
  runLabel: string;
  /** Sentences on what to notice. */
  notes: string[];
  /** Built once: elements shown above the result (e.g. buttons, the calculator). */
  mount(ctx: DemoContext, area: HTMLElement): void;
  /** Called with every fresh instant value (after each valid change of the controls). */
  computed?(ctx: DemoContext, value: V, params: Computed<V>['params']): void;
  /** Called while a run goes on with events from the live feed (only on an isolated page);
   *  `area` is the result area, emptied when the run starts. */
  live?(ctx: DemoContext, events: unknown[], area: HTMLElement): void;
  /** Renders a finished run into `area` (which is emptied first). */
  result(ctx: DemoContext, result: R, area: HTMLElement): void;
  /** The outcome as data, for `data-result`. */
  summary(value: V | undefined, result: R | undefined, params: Computed<V>['params']): unknown;
  /** Why Run is not possible here, if it is not (e.g. no threads without isolation). */
  runBlocked?(info: ReadyInfo): string | undefined;
  /**
   * Page keys a shared link carries beyond the inputs, so that it reopens the same view:
   * step-through demos return their interleaving as `[['step', trace]]` (`step` is reserved
   * in crate/src/params.rs PAGE_KEYS). Inputs are always included.
   */
  shareParams?(): RawParams;
  /** The demo has a step-through view on the deterministic scheduler (crate/src/demos/stepper.rs). */
  steppable?: boolean;
  /**
   * The whole result comes from `compute`, as the inputs change (the explorer): there is no
   * Run or Cancel, and `result` renders the computed value into the result region.
   */
  instant?: boolean;
}

export interface DemoViewOptions {
  /** Embeds: no code panel, notes folded away, a smaller header. */
  compact?: boolean;
  /** Called after every change of the inputs or page keys such as `step` (the embed keeps
   *  its "open in the full playground" link in step). */
  onParams?(params: RawParams, pageParams: RawParams): void;
}

export interface DemoView {
  element: HTMLElement;
  run(): void;
  /** Resolves after the first compute has settled (so `run=1` can follow it). */
  firstCompute: Promise<void>;
}

const PAGE_KEYS = ['demo', 'run', 'embed', 'step', 'theme'];

export function createDemoView(
  engine: Engine,
  spec: DemoSpec,
  mod: DemoModule<any, any>,
  initial: URLSearchParams,
  options: DemoViewOptions = {},
): DemoView {
  const info = engine.info!;
  const given = new Map<string, string>();
  for (const [k, v] of initial) if (!PAGE_KEYS.includes(k)) given.set(k, v);

  const region = h('section', {
    class: 'result',
    'data-demo-result': spec.id,
    'data-state': 'idle',
    'aria-label': 'Result',
  });
  const status = h('p', { class: 'status', role: 'status' });
  const notice = h('p', { class: 'notice', hidden: true });
  const progressBar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Run progress' });
  const runButton = h('button', { type: 'button', class: 'primary', 'data-action': 'run' }, mod.runLabel);
  const cancelButton = h('button', { type: 'button', 'data-action': 'cancel', disabled: true }, 'Cancel');
  let stepper: Stepper | undefined;
  const pageParams = (): RawParams => [...(mod.shareParams?.() ?? []), ...(stepper?.shareParams() ?? [])];
  const share = shareControl(spec.id, () => playgroundUrl(spec.id, params(), pageParams()));
  const custom = h('div', { class: 'demo-custom' });
  const resultArea = h('div', { class: 'result-body' });
  region.append(resultArea);

  let computed: Computed<unknown> | undefined;
  let lastResult: unknown;
  let handle: RunHandle<unknown> | undefined;
  let computeSeq = 0;
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
  };

  function params(): RawParams {
    return controls.values();
  }

  function setState(state: string) {
    region.dataset.state = state;
  }

  function publish() {
    if (!computed) return;
    region.dataset.result = JSON.stringify(mod.summary(computed.value, lastResult, computed.params));
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
    if (mod.instant) {
      status.className = 'status';
      status.textContent = 'Working it out…';
    }
    const env = await engine.compute<Computed<unknown>>(spec.id, params());
    if (seq !== computeSeq) return;
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
    notice.textContent = computed.ignored.length
      ? `Ignored ${computed.ignored.length === 1 ? 'a parameter this demo does not have' : 'parameters this demo does not have'}: ${computed.ignored.join(', ')}.`
      : '';
    const blocked = mod.runBlocked?.(info);
    runButton.disabled = Boolean(blocked) || handle !== undefined;
    status.className = 'status';
    status.textContent = blocked ?? 'Ready.';
    mod.computed?.(ctx, computed.value, computed.params);
    if (mod.instant) {
      resultArea.replaceChildren();
      mod.result(ctx, computed.value, resultArea);
    }
    // New inputs may mean another program: the stepper starts again from its first step.
    const now = JSON.stringify(params());
    if (stepper && now !== stepperInputs) {
      stepperInputs = now;
      stepper.reset();
    }
    publish();
    setState('ready');
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
    if (mod.live) {
      const f = engine.feed(feedAt);
      if (f) {
        feedAt = f.next;
        if (f.events.length) mod.live(ctx, f.events, resultArea);
      }
    }
    const p = engine.progress();
    if (p && p.total > 0 && p.done !== lastDrawn) {
      lastDrawn = p.done;
      progressBar.max = p.total;
      progressBar.value = p.done;
      status.textContent = `Running… ${p.done} of ${p.total} tasks`;
    }
    setTimeout(pollProgress, mod.live ? LIVE_EVERY_MS : PROGRESS_EVERY_MS);
  }

  async function run() {
    if (handle || mod.instant) return;
    // A change still waiting for its debounce is validated first, so the run uses exactly
    // what the controls show, and its result is not overwritten by a late compute.
    if (debounce !== undefined) {
      clearTimeout(debounce);
      debounce = undefined;
      await recompute();
    }
    if (handle || runButton.disabled || !computed) return;
    const started = performance.now();
    handle = engine.run(spec.id, params());
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
    if (mod.live) resultArea.replaceChildren();
    setTimeout(pollProgress, PROGRESS_EVERY_MS);
    const env = await handle.result;
    handle = undefined;
    region.removeAttribute('aria-busy');
    progressBar.hidden = true;
    cancelButton.disabled = true;
    controls.setDisabled(false);
    runButton.disabled = false;
    if (env.ok) {
      lastResult = env.result;
      resultArea.replaceChildren();
      mod.result(ctx, env.result, resultArea);
      // The status line is what a screen reader announces: the time and the headline figure.
      const headline = [...resultArea.querySelectorAll('.headline > *')].map((e) => e.textContent?.trim()).filter(Boolean).join(' ');
      status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(2)} s.${headline ? ` ${headline}.` : ''}`;
      publish();
      setState('done');
    } else if (env.error.kind === 'cancelled') {
      status.textContent = 'Cancelled. The engine is ready for another run.';
      setState('cancelled');
    } else {
      showError(env.error);
      setState('error');
    }
  }

  cancelButton.addEventListener('click', () => {
    status.textContent = 'Cancelling…';
    handle?.cancel();
  });
  runButton.addEventListener('click', () => void run());

  const compact = options.compact === true;
  const notes = h('ul', { class: 'notes' }, ...mod.notes.map((n) => h('li', {}, n)));
  const snippet = compact ? null : renderSnippets(spec.id);
  let stepperInputs = JSON.stringify(params());
  if (mod.steppable) stepper = createStepper(engine, spec.id, params, initial.get('step') ?? '', syncUrl);
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
  runButton.hidden = cancelButton.hidden = mod.instant === true;
  mod.mount(ctx, custom);
  const firstCompute = recompute();
  return { element, run: () => void run(), firstCompute };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1) + (s.endsWith('.') ? '' : '.');
}

function renderSnippets(id: string): HTMLElement {
  const s = snippets[id];
  if (!s) return h('div');
  const tabs: [string, { html: string; path: string } | undefined][] = [
    ['Rust that runs here', s.rust],
    ["Python: the book's idea", s.python],
  ];
  const present = tabs.filter((t): t is [string, { html: string; path: string }] => Boolean(t[1]));
  const panels = present.map(([label, code], i) => {
    const panel = h('div', { class: 'code', role: 'tabpanel', id: `code-${id}-${i}`, hidden: i !== 0 }, h('p', { class: 'code-path' }, code.path));
    // Shiki's output, produced at build time from files in this repository.
    panel.insertAdjacentHTML('beforeend', code.html);
    return panel;
  });
  const buttons = present.map(([label], i) =>
    h('button', { type: 'button', role: 'tab', 'aria-selected': i === 0 ? 'true' : 'false', 'aria-controls': `code-${id}-${i}` }, label),
  );
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      buttons.forEach((o, j) => o.setAttribute('aria-selected', String(i === j)));
      panels.forEach((p, j) => (p.hidden = i !== j));
    }),
  );
  return h('section', { class: 'snippets', 'aria-label': 'Code' }, h('div', { role: 'tablist' }, ...buttons), ...panels);
}
