// Chapter 5, concurrent web requests: real requests from real threads against the status
// route this site answers itself (a service worker, or scripts/serve.mjs), or the same plan
// on a virtual clock. The view says who answers the route here, and offers the simulated
// server where nobody can; a run draws each request on the thread that sent it.

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/requests';
import { h, ms } from '../../dom';
import { ensureStatusServer, type StatusServer } from '../../isolation';
import { figures, headline, presets } from '../../kit';
import type { Outcome } from '../../../generated/requests/Outcome';
import type { PlanView } from '../../../generated/requests/PlanView';
import { laneLabel, requestLanes } from './lanes';
import './style.css';

const SERVER_TEXT: Record<StatusServer | 'checking', string> = {
  checking: 'Checking who answers the status route here…',
  'service-worker': 'The status route is answered by this site’s service worker: real requests, on any host.',
  'next-visit':
    'The service worker that answers the status route is installed but does not control this page yet: until you reload, requests go to the host (scripts/serve.mjs answers them; a plain static host does not).',
  blocked:
    'Service workers are blocked here, so this page cannot answer its status route itself: requests go to the host, which may not answer them (scripts/serve.mjs does). The simulated server always works.',
};

function requestRows(o: Outcome): HTMLElement {
  const rows = o.requests.map((r) => [
    `#${r.n + 1} ${r.asked}`,
    ms(r.serverSleepMs),
    laneLabel(o, r.lane),
    ms(r.startMs),
    ms(r.endMs),
    r.outcome === 'ok' ? `${r.code} ${r.reason ?? ''}` : r.outcome === 'timeout' ? 'timed out' : `error: ${r.error ?? 'no answer'}`,
    r.serverDoneMs === null ? '—' : ms(r.serverDoneMs),
  ]);
  return h(
    'div',
    { class: 'requests-table', tabindex: 0, role: 'region', 'aria-label': 'Each request' },
    figures(['Request', 'Server wait', 'Thread', 'Sent', 'Ended', 'Status', 'Server done'], rows, 'Each request: sent, ended for the client, finished on the server'),
  );
}

export default {
  runLabel: 'Send the requests',
  notes: [
    'The book’s timings, on its machine against httpstat.us: 0.82 s one after another, 0.14 s with one thread per URL. Yours are measured below against this site’s own status route.',
    'A thread per URL helps because each thread spends its time waiting on the network, not computing: the waits overlap.',
    'A slow page (the book’s 20 s) makes join() wait for it; a timeout makes the client give up, but the server finishes its work anyway: its log says when.',
    'A pool of k threads caps how many requests are in flight: the rest queue until a thread is free.',
    'Async sends every request from one thread: no thread per request, one event loop waiting on all of them.',
    'Rendezvous on: the server holds every answer until all requests have arrived. Threads pass; one after another, the first request waits for a second that never comes, and times out.',
    'Without a service worker, requests go to the host: a browser opens at most 6 connections to one host, so a seventh request waits for a free one.',
  ],
  snippet,
  create(ctx, area) {
    const server = h('p', { class: 'requests-server', 'data-field': 'status-server', 'data-server': 'checking', role: 'status' }, SERVER_TEXT.checking);
    const simulate = h('button', { type: 'button', class: 'chip', hidden: true, onclick: () => ctx.setParams({ server: 'simulated' }) }, 'Use the simulated server');
    const urls = h('p', { class: 'muted', 'data-field': 'urls' });
    area.append(
      h('p', { class: 'requests-book' }, 'The book’s timings: 0.82 s one after another, 0.14 s with one thread per URL (its machine, httpstat.us).'),
      h('div', {}, server, simulate),
      presets(ctx, [
        { label: 'One after another', values: { mode: 'sequential', slow: '0', hold: 'off' } },
        { label: 'One thread per URL', values: { mode: 'threads', slow: '0', hold: 'off' } },
        { label: 'A 20 s page makes join wait', values: { mode: 'threads', slow: '20000', timeout: '30000', hold: 'off', compare: 'off' } },
        { label: 'Custom timeout (5 s)', values: { mode: 'threads', slow: '20000', timeout: '5000', hold: 'off', compare: 'off' } },
        { label: 'A pool of 2', values: { mode: 'pool', workers: '2', slow: '0', hold: 'off' } },
        { label: 'Async, one thread', values: { mode: 'async', slow: '0', hold: 'off' } },
        { label: 'Rendezvous: proof of overlap', values: { mode: 'threads', slow: '0', hold: 'on' } },
      ]),
      urls,
    );
    let disposed = false;
    void ensureStatusServer().then((s) => {
      if (disposed) return;
      server.dataset.server = s;
      server.textContent = SERVER_TEXT[s];
      simulate.hidden = s === 'service-worker';
    });
    return {
      computed(plan: PlanView[]) {
        urls.textContent = `${plan.length} request${plan.length === 1 ? '' : 's'}: ${plan.map((p) => `${p.code} (${ms(p.sleepMs)})`).join(', ')}`;
      },
      result(o: Outcome, out: HTMLElement) {
        const seq = o.sequentialMs === null ? (o.sequentialSkipped ? `not measured: ${o.sequentialSkipped}` : '—') : ms(o.sequentialMs);
        out.append(
          headline(ms(o.wallMs), 'wall', h('span', {}, ` for ${o.requests.length} requests, ${o.mode}, on ${o.threadsUsed} thread${o.threadsUsed === 1 ? '' : 's'}`)),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          figures(
            ['Measure', 'Value'],
            [
              ['Wall time', ms(o.wallMs)],
              ['One after another', seq],
              ['Threads that sent requests', String(o.threadsUsed)],
              ['Answered by', o.answeredBy.join(', ') || 'nobody'],
              ['Client timeout', ms(o.timeoutMs)],
            ],
          ),
          requestLanes(o),
          requestRows(o),
        );
      },
      dispose() {
        disposed = true;
      },
    };
  },
} satisfies DemoUnit<PlanView[], Outcome>;
