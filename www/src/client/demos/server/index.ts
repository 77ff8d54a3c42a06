// Chapter 18, a server from scratch: clients on real threads against a blocking server, a
// thread per connection or a select() reactor, over simulated sockets (byte rings in shared
// memory); requests per second, latency percentiles, the reactor's ready sets, and the
// fast requests' rate while one client asks for fib(n).

import type { DemoUnit } from '../../demo-module';
import snippet from 'virtual:snippets/server';
import { h, ms, svg } from '../../dom';
import { figures, headline, presets, scrolling } from '../../kit';
import type { Outcome } from '../../../generated/server/Outcome';
import type { Variant } from '../../../generated/server/Variant';
import './style.css';

const SERVER: Record<Variant, string> = {
  blocking: 'a blocking server (one connection at a time)',
  threads: 'a thread per connection',
  reactor: 'a select() reactor (one thread)',
};

const SHORT: Record<Variant, string> = { blocking: 'blocking', threads: 'thread per connection', reactor: 'reactor' };

const n = (x: number) => x.toLocaleString('en');

/** Fast requests per second in each slice of the run, with the slow fib requests shaded. */
function rateChart(o: Outcome): Element {
  const [w, hgt] = [600, 120];
  const top = Math.max(1, ...o.fastRpsBins);
  const bw = w / o.fastRpsBins.length;
  const x = (t: number) => (t / (o.binMs * o.fastRpsBins.length)) * w;
  // Back-to-back fib requests merge into one shaded stretch (the gaps between them are a
  // round trip, far below a pixel).
  const spans: [number, number][] = [];
  for (const [a, b] of o.fib?.slowSpans ?? []) {
    const last = spans[spans.length - 1];
    if (last && a - last[1] < o.binMs / 4) last[1] = b;
    else spans.push([a, b]);
  }
  return svg(
    'svg',
    { class: 'server-rate', viewBox: `0 0 ${w} ${hgt + 18}`, role: 'img', 'aria-label': `Fast requests per second over the run, ${o.fastRpsBins.length} slices; highest ${Math.round(top)} per second` },
    ...spans.map(([a, b]) => svg('rect', { class: 'slow-span', x: x(a), y: 0, width: Math.max(1, x(b) - x(a)), height: hgt })),
    ...o.fastRpsBins.map((r, i) => svg('rect', { class: 'rate-bar', x: i * bw + 1, y: hgt - (r / top) * hgt, width: bw - 2, height: (r / top) * hgt })),
    svg('text', { x: 0, y: hgt + 14, class: 'axis' }, '0'),
    svg('text', { x: w, y: hgt + 14, class: 'axis', 'text-anchor': 'end' }, ms(o.binMs * o.fastRpsBins.length)),
  );
}

export default {
  runLabel: 'Start the load',
  notes: [
    'A page has no raw sockets. A connection here is two rings of 256 bytes in the shared wasm memory, one each way, between a client worker and the server: bytes arrive in order and in pieces, a full ring holds the writer back, a read blocks or says “would block”. No network lies between them.',
    'Each client sends one request, waits for its reply and checks it against a value it works out itself (the echoed text, the sum done by plain arithmetic, fib from a table), then sends the next.',
    'The blocking server is the book’s first: it serves one client until that client hangs up. The others are connected and waiting, and it does not read a byte from them.',
    'The reactor computes every request on its one thread. One fib(30) there stops every other connection; the book’s remedy is to hand such work to a pool and go on looping.',
    'Requests per second and latencies are this machine’s, on its own threads; the clients share the cores with the server, as they would on one machine.',
  ],
  snippet,
  create(ctx, area) {
    area.append(
      presets(ctx, [
        { label: 'The book: a blocking server, 3 clients', values: { server: 'blocking', clients: '3', load: 'mixed' } },
        { label: 'A thread per connection', values: { server: 'threads', clients: '3', load: 'mixed' } },
        { label: 'The reactor', values: { server: 'reactor', clients: '3', load: 'mixed' } },
        { label: 'fib(30) against the reactor', values: { server: 'reactor', clients: '3', load: 'fib', fib: '30' } },
        { label: 'fib(30) against threads', values: { server: 'threads', clients: '3', load: 'fib', fib: '30' } },
        { label: 'Every server, 1 to 3 clients', values: { clients: '3', load: 'mixed', sweep: 'on' } },
      ]),
    );
    return {
      result(o, area) {
        const once = o.exactlyOnce;
        const lp = o.reactor;
        const parts: (Element | null)[] = [
          headline(n(Math.round(o.rps)), 'rps', h('span', {}, `requests per second from ${o.clients} client${o.clients === 1 ? '' : 's'} to ${SERVER[o.server]}`)),
          h(
            'p',
            { 'data-field': 'latency' },
            `Latency per request: median ${ms(o.latencyMs.p50)}, 99th percentile ${ms(o.latencyMs.p99)}, slowest ${ms(o.latencyMs.max)}; ${o.threadsUsed} threads did the work (measured warm, after ${o.warmUp.rounds} warm-up rounds).`,
          ),
          h(
            'p',
            { class: once ? 'ok' : 'why', 'data-field': 'exactly-once' },
            once
              ? `Answered ${n(o.answered)} of ${n(o.requests)} requests, each exactly once and correctly (0 wrong, 0 stray replies).`
              : `Answered ${n(o.answered)} of ${n(o.requests)} requests: ${o.wrong} wrong, ${o.stray} stray replies.`,
          ),
          h('p', { class: 'explanation', 'data-field': 'explanation' }, o.explanation),
          scrolling(
            'Per client',
            figures(
              ['Client', 'Requests', 'Answered', 'Served (server’s count)', 'Median', '99th percentile', 'Sends'],
              o.perClient.map((c) => [
                String(c.client),
                n(c.requests),
                n(c.answered),
                n(c.served),
                ms(c.p50Ms),
                ms(c.p99Ms),
                c.slow ? `fib(${o.fib?.n}) after ${ms(o.fib?.fromMs ?? 0)}` : o.load === 'mixed' ? 'echo, calc, fib(18)' : 'echo, calc',
              ]),
              'Each client, checked against its own expected replies',
            ),
          ),
          h('figure', { 'data-field': 'rate-chart' }, rateChart(o), h('figcaption', {}, o.fib ? `Fast requests answered per second in each twentieth of the run; shaded: client 1’s fib(${o.fib.n}) requests in flight.` : 'Requests answered per second in each twentieth of the run.')),
          o.fib && o.fib.fastRpsBefore !== null && o.fib.fastRpsDuring !== null
            ? h(
                'p',
                { 'data-field': 'fib-experiment' },
                `Fast requests per second: ${n(Math.round(o.fib.fastRpsBefore))} before client 1 asked for fib(${o.fib.n}), ${n(Math.round(o.fib.fastRpsDuring))} while it did (${n(o.fib.slowAnswered)} fib(${o.fib.n}) answered).`,
              )
            : null,
          o.sweep
            ? h(
                'section',
                { 'data-field': 'sweep', 'aria-label': 'Every server as clients grow' },
                h('h3', {}, 'Every server as clients grow'),
                scrolling(
                  'Every server as clients grow',
                  figures(
                    ['Server', 'Clients', 'Requests/s', 'Median', '99th percentile', 'Answered', 'Threads used'],
                    o.sweep.points.map((x) => [SHORT[x.server], String(x.clients), n(Math.round(x.rps)), ms(x.p50Ms), ms(x.p99Ms), `${n(x.answered)} of ${n(x.requests)}${x.exactlyOnce ? ', each once' : ''}`, String(x.threadsUsed)]),
                    `The mixed load, ${ms(o.sweep.durationMs)} per row, each row a fresh run after its own warm-up`,
                  ),
                ),
                o.sweep.skipped.length ? h('p', { class: 'muted' }, `Not run: ${o.sweep.skipped.join('; ')}.`) : null,
              )
            : null,
          lp
            ? h(
                'section',
                { 'data-field': 'ready-sets', 'aria-label': 'The reactor’s ready sets' },
                h('h3', {}, 'What select() found ready, turn by turn'),
                h('p', {}, `${n(lp.ticks)} turns found something ready; ${n(lp.sleeps)} times nothing was and the loop slept. ` + lp.bySize.map((c, i) => (i === 0 ? '' : `${n(c)} turn${c === 1 ? '' : 's'} with ${i} ready`)).filter(Boolean).join(', ') + '.'),
                h(
                  'ol',
                  { class: 'ready-ticks' },
                  ...lp.first.slice(0, 24).map((t) => h('li', {}, `${ms(t.atMs)}: {${t.ready.map((c) => c + 1).join(', ')}}${t.answered ? `, answered ${t.answered}` : ''}`)),
                ),
                lp.first.length > 24 ? h('p', { class: 'muted' }, `The first 24 of ${n(lp.ticks)} turns; clients numbered from 1.`) : null,
              )
            : null,
        ];
        area.append(...parts.filter((p): p is Element => p !== null));
      },
    };
  },
} satisfies DemoUnit<null, Outcome>;
