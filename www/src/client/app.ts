// The page: a list of chapters, the selected demo, and the engine's status.
// URL scheme: ?demo=<id>&<param>=<value>…&run=1 (see README, "Deep links").

import type { ReadyInfo } from '../shared/protocol';
import { createDemoView, type DemoModule } from './demo-view';
import { h } from './dom';
import { startEngine, type Engine, type EngineState } from './engine';
import { failureBox } from './failure';
import { amdahl } from './demos/amdahl';
import { concurrency } from './demos/concurrency';
import { deadlock } from './demos/deadlock';
import { explorer } from './demos/explorer';
import { guard } from './demos/guard';
import { lock } from './demos/lock';
import { pool } from './demos/pool';
import { queue } from './demos/queue';
import { race } from './demos/race';
import { starvation } from './demos/starvation';
import { threads } from './demos/threads';

/** How each demo looks on the page, by id (the embed page uses the same map). */
export const MODULES: Record<string, DemoModule<any, any>> = { concurrency, amdahl, threads, lock, queue, pool, guard, deadlock, starvation, race, explorer };

/** The book's chapters, in order; the ones with a demo id are live. */
const CHAPTERS: [number, string, string?][] = [
  [1, 'Concurrent vs sequential', 'concurrency'],
  [2, "Amdahl's law", 'amdahl'],
  [3, 'Threads', 'threads'],
  [3, 'Locks', 'lock'],
  [3, 'Queues', 'queue'],
  [3, 'Thread pools', 'pool'],
  [4, 'The with statement', 'guard'],
  [5, 'Concurrent web requests'],
  [6, 'Processes'],
  [7, 'Reduction operators'],
  [8, 'Image processing'],
  [9, 'Asynchronous programming'],
  [12, 'Deadlocks', 'deadlock'],
  [13, 'Starvation', 'starvation'],
  [14, 'Race conditions', 'race'],
  [15, 'The GIL'],
  [16, 'Lock-based and lock-free structures'],
  [17, 'Memory models and atomics'],
  [18, 'A server from scratch'],
  [19, 'Interleaving explorer', 'explorer'],
];

export function startApp(root: HTMLElement) {
  const engine = startEngine();
  const pill = h('span', { class: 'engine-pill', 'data-engine': 'starting', role: 'status' }, 'Starting the engine…');
  const banner = h('div', { class: 'banner', hidden: true, role: 'note' });
  const nav = h('nav', { class: 'chapters', 'aria-label': 'Chapters' });
  const main = h('main', { id: 'main' }, h('p', { class: 'loading' }, 'Loading the WebAssembly engine…'));
  root.replaceChildren(
    h('a', { class: 'skip', href: '#main' }, 'Skip to the demo'),
    h(
      'header',
      { class: 'top' },
      h('h1', {}, h('a', { href: '?' }, 'concurrency', h('span', {}, '-playground'))),
      h('p', { class: 'tagline' }, 'Real threads in your browser, chapter by chapter through ', h('cite', {}, 'Mastering Concurrency in Python'), '.'),
      pill,
    ),
    banner,
    h('div', { class: 'layout' }, nav, main),
  );

  // Once the engine is up the demo is rendered, once; a later failure (a replaced engine that
  // cannot start again) shows the same box above the demo, and Retry brings it back.
  let rendered = false;
  const failed = h('div', { class: 'engine-failed', hidden: true });
  banner.after(failed);
  const up = (info: ReadyInfo) => {
    root.removeAttribute('aria-busy');
    failed.hidden = true;
    if (rendered) return;
    rendered = true;
    showIsolation(banner, info);
    render(engine, info, nav, main);
  };
  engine.onState = (s) => {
    showEngine(pill, engine, s);
    if (s !== 'failed') return;
    root.removeAttribute('aria-busy');
    const box = failureBox(engine, up, 'If it keeps failing, this browser may not support WebAssembly threads.');
    if (rendered) {
      failed.replaceChildren(box);
      failed.hidden = false;
    } else {
      main.replaceChildren(box);
    }
  };
  engine.ready().then(up, () => {}); // a failed start is shown by onState('failed')
  // Tests and the benchmark drive the engine through this handle; learners never need it.
  (window as unknown as { playground: unknown }).playground = { engine };
}

function showEngine(pill: HTMLElement, engine: Engine, s: EngineState) {
  pill.dataset.engine = s;
  const info = engine.info;
  const threads = info && info.poolThreads > 0 ? `${info.poolThreads} worker threads on ${info.cores} cores` : 'single-thread mode';
  pill.textContent = {
    starting: 'Starting the engine…',
    idle: `Engine ready: ${threads}`,
    busy: `Engine busy: ${threads}`,
    restarting: 'Restarting the engine…',
    retrying: 'The engine did not start; trying again…',
    failed: 'Engine failed',
  }[s];
}

function showIsolation(banner: HTMLElement, info: ReadyInfo) {
  if (info.poolThreads > 0) return;
  banner.hidden = false;
  banner.dataset.isolation = 'off';
  banner.replaceChildren(
    h('strong', {}, 'Real threads are off on this page. '),
    info.isolated
      ? `The thread pool could not start (${info.poolError ?? 'unknown reason'}). `
      : 'The page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer and no shared memory between workers. ',
    'Everything still works on one thread: calculators, sequential runs and step-through views. ',
    'To see real threads, serve the playground with the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers (npm start does).',
  );
}

function render(engine: Engine, info: ReadyInfo, nav: HTMLElement, main: HTMLElement) {
  const q = new URLSearchParams(location.search);
  const wanted = q.get('demo') ?? 'concurrency';
  const spec = info.schema.find((d) => d.id === wanted);

  nav.replaceChildren(
    h(
      'ol',
      {},
      ...CHAPTERS.map(([n, title, id]) =>
        h(
          'li',
          { class: id ? 'live' : 'soon' },
          id
            ? h('a', { href: `?demo=${id}`, 'aria-current': id === wanted ? 'page' : null }, h('span', { class: 'n' }, String(n)), title)
            : h('span', {}, h('span', { class: 'n' }, String(n)), title, h('small', {}, ' coming')),
        ),
      ),
    ),
  );

  if (!spec || !MODULES[spec.id]) {
    main.replaceChildren(noSuchDemo(wanted, info));
    return;
  }
  const view = createDemoView(engine, spec, MODULES[spec.id], q);
  main.replaceChildren(view.element);
  if (q.get('run') === '1') void view.firstCompute.then(() => view.run());
}

/** The message for an unknown demo id (the id is shown as text, shortened, never as HTML). */
export function noSuchDemo(wanted: string, info: ReadyInfo): HTMLElement {
  const ids = info.schema.map((d) => d.id).join(', ');
  return h(
    'div',
    { class: 'fatal', role: 'alert', 'data-demo-result': '', 'data-state': 'error' },
    h('h2', {}, 'No such demo'),
    h('p', {}, `There is no demo called "${wanted.slice(0, 40)}". The demos are ${ids}.`),
  );
}
