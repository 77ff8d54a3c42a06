// The embed page (embed.html?demo=<id>&<input>=<value>…): one demo, compact, for a course
// page to frame. Same engine, same validation and the same demo view as the playground
// (createDemoView with `compact`), plus a bar with "Open in the full playground".
//
// Threads: a host that sends dist/_headers gives this page Document-Isolation-Policy, so
// Chromium isolates it inside any parent page and the pool starts. Elsewhere it runs on one
// thread and says so, with a link that opens the full playground in a new tab.
//
// Height: when the framing page says hello (the <concurrency-demo> element does), this page
// answers with its content height whenever it changes (www/src/shared/embed.ts).

import { isHelloMessage, SIZE, type SizeMessage } from '../shared/embed';
import type { ReadyInfo } from '../shared/protocol';
import { loadView, noSuchDemo } from './app';
import { createDemoView } from './demo-view';
import { h } from './dom';
import { startEngine, type Engine, type EngineState } from './engine';
import { failureBox } from './failure';
import { playgroundUrl } from './share';

/** Page keys that make no sense in the full playground's link. */
const EMBED_ONLY = ['demo', 'run', 'embed'];

export function startEmbed(root: HTMLElement) {
  const q = new URLSearchParams(location.search);
  const wanted = q.get('demo') ?? '';
  const given = [...q].filter(([k]) => !EMBED_ONLY.includes(k));
  const engine = startEngine(new URLSearchParams(location.search).get('demo'));

  const open = h(
    'a',
    { class: 'embed-open', href: wanted ? playgroundUrl(wanted, given) : new URL('./', location.href).toString(), target: '_blank', rel: 'noopener' },
    'Open in the full playground',
    h('span', { 'aria-hidden': 'true' }, ' ↗'),
    h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'),
  );
  const threads = h('span', { class: 'embed-threads', 'data-engine': 'starting', role: 'status' }, 'Starting the engine…');
  const note = h('p', { class: 'embed-note', hidden: true, role: 'note' });
  const main = h('main', { class: 'embed-main' }, h('p', { class: 'loading' }, 'Loading the WebAssembly engine…'));
  root.replaceChildren(
    h('header', { class: 'embed-bar' }, h('h1', { class: 'embed-brand' }, 'concurrency-playground'), threads, open),
    note,
    main,
  );
  sizeForParent(root);

  let rendered = false;
  engine.onState = (s) => {
    showThreads(threads, engine, s);
    if (s !== 'failed') return;
    root.removeAttribute('aria-busy');
    // Before the demo is shown the box takes its place; after, it goes above it.
    const box = failureBox(engine, up);
    if (rendered) main.prepend(box);
    else main.replaceChildren(box);
  };
  const up = async (info: ReadyInfo) => {
    if (rendered) return;
    rendered = true;
    root.removeAttribute('aria-busy');
    const spec = info.schema.find((d) => d.id === wanted);
    const unit = spec && (await loadView(spec.id));
    if (!spec || !unit) {
      main.replaceChildren(noSuchDemo(wanted, info));
      open.href = new URL('./', location.href).toString();
      return;
    }
    document.title = `${spec.title} · concurrency-playground`;
    showIsolation(note, info, open.href);
    const view = createDemoView(engine, spec, unit, q, {
      compact: true,
      onParams(params, pageParams) {
        open.href = playgroundUrl(spec.id, params, pageParams);
        const tab = note.querySelector('a');
        if (tab) tab.href = open.href;
      },
    });
    main.replaceChildren(view.element);
    if (q.get('run') === '1') void view.firstCompute.then(() => view.run());
  };
  engine.ready().then(up, () => {}); // a failed start is shown by onState('failed')
  (window as unknown as { playground: unknown }).playground = { engine };
}

function showThreads(el: HTMLElement, engine: Engine, s: EngineState) {
  el.dataset.engine = s;
  const n = engine.info?.poolThreads ?? 0;
  el.dataset.pool = String(n);
  el.textContent = {
    starting: 'Starting the engine…',
    idle: n > 0 ? `Real threads: ${n} workers` : 'Single-thread mode',
    busy: n > 0 ? `Running on ${n} workers` : 'Running on one thread',
    restarting: 'Restarting the engine…',
    retrying: 'Trying the engine again…',
    failed: 'Engine failed',
  }[s];
}

function showIsolation(note: HTMLElement, info: ReadyInfo, href: string) {
  if (info.poolThreads > 0) return;
  note.hidden = false;
  note.dataset.isolation = 'off';
  note.replaceChildren(
    h('strong', {}, 'Single-thread mode. '),
    info.isolated
      ? `The thread pool could not start here (${info.poolError ?? 'unknown reason'}). `
      : 'This page cannot give the demo real threads (it is framed without cross-origin isolation). ',
    'Calculators and sequential runs still work. ',
    h('a', { href, target: '_blank', rel: 'noopener' }, 'Open in a new tab for real threads', h('span', { 'aria-hidden': 'true' }, ' ↗')),
  );
}

/** Tells the framing page this page's height, once it has said hello (and only to it). */
function sizeForParent(root: HTMLElement) {
  if (window.parent === window) return;
  let target: string | undefined;
  let last = -1;
  const post = () => {
    if (target === undefined) return;
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    const msg: SizeMessage = { type: SIZE, height };
    window.parent.postMessage(msg, target);
  };
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || !isHelloMessage(e.data)) return;
    // A sandboxed parent has an opaque origin ("null") that cannot be addressed; the height
    // is not a secret, so it goes to that window whatever its origin.
    target = e.origin === 'null' ? '*' : e.origin;
    last = -1;
    post();
  });
  new ResizeObserver(post).observe(root);
}
