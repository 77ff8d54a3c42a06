// status-route.js: the status route this site answers itself, for chapter 5's web requests
// (crate/src/demos/requests/status.rs is the Rust side and says what the route is for).
//
//   status/<code>?sleep=<ms>&jitter=<ms>&seed=<s>&n=<i>&run=<token>[&hold=<k>]
//   status/log?run=<token>&count=<n>&wait=<ms>
//
// One file, two servers: www/public/coi-sw.js loads it with importScripts (the service worker
// answers the route on any static host), and scripts/serve.mjs runs it in Node. Both call
// `statusRoute.answer(url, now, sleep)` and turn what it resolves to into a response, so the
// two behave the same. The codes and limits match the Rust ones (a unit test reads this file).
//
// The server never waits past SLEEP_MAX_MS: not for a sleep, not for a rendezvous. Its log
// keeps when each request finished, also when the client had stopped waiting: a client's
// timeout does not stop the server's work. Written for concurrency-playground (MIT).

(function (root) {
  const REASONS = {
    200: 'OK',
    201: 'Created',
    202: 'Accepted',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    408: 'Request Timeout',
    418: 'I\'m a teapot',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
    524: 'A Timeout Occurred',
  };
  const SLEEP_MAX_MS = 20000;
  const JITTER_MAX_MS = 1000;
  const MAX_REQUESTS = 16;
  /** Runs whose rendezvous and log are kept (the oldest go first). */
  const RUNS_KEPT = 64;

  /** murmur3's finaliser over seed ^ n·φ, in 32-bit integers: status.rs `mix`. */
  function mix(seed, n) {
    let x = (seed ^ Math.imul(n, 0x9e3779b9)) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x ^= x >>> 16;
    return x >>> 0;
  }

  /** run token → { arrived, waiting: [resolve], log: [[n, code, received, finished]] } */
  const runs = new Map();
  function runOf(token) {
    let r = runs.get(token);
    if (!r) {
      r = { arrived: 0, waiting: [], log: [], watchers: [] };
      runs.set(token, r);
      while (runs.size > RUNS_KEPT) runs.delete(runs.keys().next().value);
    }
    return r;
  }

  function whole(text, min, max) {
    if (text === null || !/^\d+$/.test(text)) return null;
    const v = Number(text);
    return v >= min && v <= max ? v : null;
  }

  function refuse(why) {
    return { status: 400, reason: 'Bad Request', body: `refused: ${why}\n`, headers: { 'X-Status-Refused': why } };
  }

  /**
   * The answer to `url` (a URL object), as { status, reason, body, headers }, resolved when the
   * server is done waiting; null when the path is not the route's. `now()` is the clock in
   * epoch milliseconds, `sleep(ms)` a promise of a timer.
   */
  async function answer(url, now, sleep) {
    const m = /\/status\/(log|\d{3})$/.exec(url.pathname);
    if (!m) return null;
    const q = url.searchParams;
    if (m[1] === 'log') return log(q, now, sleep);
    const code = Number(m[1]);
    if (!(code in REASONS)) return refuse(`the route answers ${Object.keys(REASONS).join(', ')}, not ${code}`);
    const ms = whole(q.get('sleep') ?? '0', 0, SLEEP_MAX_MS);
    if (ms === null) return refuse(`sleep must be a whole number from 0 to ${SLEEP_MAX_MS}`);
    const jitter = whole(q.get('jitter') ?? '0', 0, JITTER_MAX_MS);
    if (jitter === null) return refuse(`jitter must be a whole number from 0 to ${JITTER_MAX_MS}`);
    const seed = whole(q.get('seed') ?? '0', 0, 0xffffffff) ?? 0;
    const n = whole(q.get('n') ?? '0', 0, 0xffffffff) ?? 0;
    const hold = whole(q.get('hold') ?? '0', 0, MAX_REQUESTS);
    if (hold === null) return refuse(`hold must be a whole number from 0 to ${MAX_REQUESTS}`);
    const run = runOf(q.get('run') ?? '');
    const received = now();
    run.arrived += 1;
    if (run.arrived >= hold) for (const release of run.waiting.splice(0)) release();
    // The rendezvous: hold this answer until `hold` requests of the run have arrived.
    if (run.arrived < hold) {
      await Promise.race([new Promise((release) => run.waiting.push(release)), sleep(SLEEP_MAX_MS)]);
    }
    const slept = Math.min(ms + (mix(seed, n) % (jitter + 1)), SLEEP_MAX_MS);
    await sleep(slept);
    run.log.push([n, code, received, now()]);
    for (const watch of run.watchers.splice(0)) watch();
    return { status: code, reason: REASONS[code], body: `${code} ${REASONS[code]}\n`, headers: { 'X-Slept-Ms': String(slept) } };
  }

  /** When the server finished each request of a run: waits until `count` have, or `wait` ms. */
  async function log(q, now, sleep) {
    const run = runOf(q.get('run') ?? '');
    const count = whole(q.get('count') ?? '0', 0, MAX_REQUESTS) ?? 0;
    const wait = Math.min(whole(q.get('wait') ?? '0', 0, 2 * SLEEP_MAX_MS) ?? 0, 2 * SLEEP_MAX_MS);
    const until = now() + wait;
    while (run.log.length < count && now() < until) {
      await Promise.race([new Promise((watch) => run.watchers.push(watch)), sleep(until - now())]);
    }
    const body = run.log.map((e) => e.join(' ') + '\n').join('');
    return { status: 200, reason: 'OK', body, headers: {} };
  }

  root.statusRoute = { answer, mix, REASONS, SLEEP_MAX_MS, JITTER_MAX_MS, MAX_REQUESTS };
})(typeof self !== 'undefined' ? self : globalThis);
