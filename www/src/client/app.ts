// The page: a list of chapters, the selected demo, and the engine's status.
// URL scheme: ?demo=<id>&<param>=<value>…&run=1 (see README, "Deep links").

import type { ReadyInfo } from '../shared/protocol';
import { createDemoView } from './demo-view';
import { h } from './dom';
import { startEngine, type Engine, type EngineState } from './engine';
import { failureBox } from './failure';
import { VIEWS } from './demos/registry';

/** The book's chapters, for the list of chapters: a chapter with a demo in the schema links to
 *  it (by the demo's `nav`, in registry order); one without is listed as coming. */
const BOOK: [number, string][] = [
  [1, 'Concurrent vs sequential'],
  [2, "Amdahl's law"],
  [3, 'Threads'],
  [4, 'The with statement'],
  [5, 'Concurrent web requests'],
  [6, 'Processes'],
  [7, 'Reduction operators'],
  [8, 'Image processing'],
  [9, 'Asynchronous programming'],
  [10, 'Coroutines and blocking'],
  [11, 'asyncio channels'],
  [12, 'Deadlocks'],
  [13, 'Starvation'],
  [14, 'Race conditions'],
  [15, 'The GIL'],
  [16, 'Lock-based and lock-free structures'],
  [17, 'Memory models and atomics'],
  [18, 'A server from scratch'],
  [19, 'Testing, debugging, scheduling'],
];

/** One entry of the list of chapters: a live demo's link (`href`), or a chapter still to come. */
interface NavEntry {
  n: number;
  title: string;
  id?: string;
  href?: string;
  /** The inputs the link sets beyond the demo (a spec's `also`), to tell which entry is open. */
  sets?: [string, string][];
}

/** The list of chapters: every live demo under its chapter, and under each chapter its
 *  spec's `also` names (the event loop's countdowns under chapter 10), and the chapters
 *  still to come. */
function chapterList(info: ReadyInfo): NavEntry[] {
  return BOOK.flatMap(([n, title]): NavEntry[] => {
    const live: NavEntry[] = info.schema.filter((d) => d.chapter === n).map((d) => ({ n, title: d.nav, id: d.id, href: `?demo=${d.id}` }));
    for (const d of info.schema) {
      for (const a of d.also) {
        if (a.chapter !== n) continue;
        const q = new URLSearchParams([['demo', d.id], ...a.params]);
        live.push({ n, title: a.nav, id: d.id, href: `?${q}`, sets: [...a.params] });
      }
    }
    return live.length ? live : [{ n, title }];
  });
}

/** The entry the page shows: of the entries of demo `wanted`, the one whose inputs the link
 *  carries (most of them), else the demo's own. */
function currentEntry(entries: NavEntry[], wanted: string, q: URLSearchParams): NavEntry | undefined {
  const mine = entries.filter((e) => e.id === wanted);
  const matching = mine.filter((e) => e.sets?.length && e.sets.every(([k, v]) => q.get(k) === v));
  matching.sort((a, b) => (b.sets?.length ?? 0) - (a.sets?.length ?? 0));
  return matching[0] ?? mine.find((e) => !e.sets);
}

/** The page code of demo `id`, loaded on demand; `undefined` for an id with none. */
export async function loadView(id: string) {
  const load = Object.hasOwn(VIEWS, id) ? VIEWS[id] : undefined;
  return load ? (await load()).default : undefined;
}

export function startApp(root: HTMLElement) {
  const engine = startEngine(new URLSearchParams(location.search).get('demo') ?? 'concurrency');
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
    void render(engine, info, nav, main);
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

async function render(engine: Engine, info: ReadyInfo, nav: HTMLElement, main: HTMLElement) {
  const q = new URLSearchParams(location.search);
  const wanted = q.get('demo') ?? 'concurrency';
  const spec = info.schema.find((d) => d.id === wanted);

  const entries = chapterList(info);
  const current = currentEntry(entries, wanted, q);
  nav.replaceChildren(
    h(
      'ol',
      {},
      ...entries.map((e) =>
        h(
          'li',
          { class: e.href ? 'live' : 'soon' },
          e.href
            ? h('a', { href: e.href, 'aria-current': e === current ? 'page' : null }, h('span', { class: 'n' }, String(e.n)), e.title)
            : h('span', {}, h('span', { class: 'n' }, String(e.n)), e.title, h('small', {}, ' coming')),
        ),
      ),
    ),
  );

  const unit = spec && (await loadView(spec.id));
  if (!spec || !unit) {
    main.replaceChildren(noSuchDemo(wanted, info));
    return;
  }
  const view = createDemoView(engine, spec, unit, q);
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
