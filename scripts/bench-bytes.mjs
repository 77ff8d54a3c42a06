#!/usr/bin/env node
// What a first visit costs, and how long one call into the engine takes (part of npm run bench).
//
//   node scripts/bench-bytes.mjs      expects dist/ built; prints its rows, writes nothing
//
// Settings (environment): BENCH_CALLS (calls per per-call measurement, 200).
//
// 1. The engine: the .wasm in dist/assets, raw and gzip -9.
// 2. A first visit to each demo (`/?demo=<id>`, a fresh browser profile per demo): every
//    request any context of the page makes (page, engine worker, the pool's nested workers,
//    the service worker) passes through a recording proxy in front of the static server; each
//    URL is counted once, as its body gzipped with zlib level 9, the way a static host that
//    compresses would send it. Counted until the demo is `ready` and no request has been made
//    for QUIET_MS. The largest of these is the number the 300 KB goal is about.
// 3. Per-call time of `compute` and `step`, through the page's engine (window.playground.engine,
//    www/src/client/engine.ts): the time from the call to its answer on the page, so the
//    message round trip is included, as it is for a learner moving a control. Median of
//    BENCH_CALLS calls after a warm-up. Going through the engine rather than the wasm exports
//    keeps this working whatever the boundary passes (JSON text or JS objects).

import http from 'node:http';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';

const CALLS = Math.max(5, Number(process.env.BENCH_CALLS ?? 200));
const QUIET_MS = 700;
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The largest of the engines' .wasm files in `dist` (one per engine): raw and gzip -9 bytes,
 *  and how many engines there are. */
export async function wasmSize(dist) {
  const dir = join(dist, 'assets');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.wasm'));
  if (!files.length) throw new Error(`no .wasm in ${dir}: build the site first`);
  const sized = await Promise.all(files.map(async (f) => ({ file: f, raw: (await stat(join(dir, f))).size })));
  const { file, raw } = sized.sort((a, b) => b.raw - a.raw)[0];
  return { file: `assets/${file}`, raw, gzip: gz(await readFile(join(dir, file))), engines: files.length };
}

/**
 * A proxy in front of `target` (a server from serve.mjs) that records every URL asked for and
 * the gzip -9 size of its body. It asks upstream for identity bodies and passes the headers
 * (COOP, COEP, ...) through unchanged.
 */
export async function recordingProxy(target) {
  let seen = new Map();
  let last = Date.now();
  const server = http.createServer((req, res) => {
    last = Date.now();
    const headers = { ...req.headers, host: `127.0.0.1:${target.port}` };
    delete headers['accept-encoding'];
    const up = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers }, (ur) => {
      const chunks = [];
      ur.on('data', (c) => chunks.push(c));
      ur.on('end', () => {
        const body = Buffer.concat(chunks);
        last = Date.now();
        if (!seen.has(req.url)) seen.set(req.url, { url: req.url, status: ur.statusCode, raw: body.length, gzip: body.length ? gz(body) : 0 });
        res.writeHead(ur.statusCode, ur.headers);
        res.end(body);
      });
    });
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    reset: () => (seen = new Map()),
    entries: () => [...seen.values()],
    idleFor: () => Date.now() - last,
    close: () => {
      server.closeAllConnections?.();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}

async function waitReady(page, timeout) {
  await page.waitForSelector('[data-demo-result][data-state="ready"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
}

/** The demo ids, from the schema a ready engine sends. */
export async function demoIds({ launch, base, timeout = 120_000 }) {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    await page.goto(`${base}?demo=amdahl`);
    await waitReady(page, timeout);
    return await page.evaluate(() => window.playground.engine.info.schema.map((d) => d.id));
  } finally {
    await b.close();
  }
}

/** One first visit per demo, each in a fresh profile: the gzipped bytes of all it fetched. */
export async function firstVisits({ launch, proxy, demos, timeout = 120_000, log = () => {} }) {
  const visits = [];
  for (const demo of demos) {
    const b = await launch();
    try {
      const page = await b.context.newPage();
      proxy.reset();
      await page.goto(`${proxy.url}?demo=${encodeURIComponent(demo)}`);
      await waitReady(page, timeout);
      // The pool's workers and any lazy chunks come after `ready`: wait for the wire to settle.
      const t0 = Date.now();
      while (proxy.idleFor() < QUIET_MS && Date.now() - t0 < 15_000) await page.waitForTimeout(100);
      const entries = proxy.entries().sort((x, y) => y.gzip - x.gzip);
      const sum = (k) => entries.reduce((s, e) => s + e[k], 0);
      const wasm = entries.filter((e) => /\.wasm(\?|$)/.test(e.url)).reduce((s, e) => s + e.gzip, 0);
      visits.push({ demo, gzip: sum('gzip'), raw: sum('raw'), wasmGzip: wasm, otherGzip: sum('gzip') - wasm, requests: entries.length, entries });
      log(`first visit ${demo}: ${(sum('gzip') / 1000).toFixed(1)} KB gzipped in ${entries.length} requests (wasm ${(wasm / 1000).toFixed(1)} KB)`);
    } finally {
      await b.close();
    }
  }
  return visits;
}

/** What the per-call measurement asks: a few calculators and step-through views. */
export const CALL_CASES = [
  { kind: 'compute', demo: 'amdahl', params: [['serial', '0.6'], ['processors', '4']] },
  { kind: 'compute', demo: 'concurrency', params: [] },
  { kind: 'compute', demo: 'explorer', params: [['program', 'lost-update'], ['threads', '2']] },
  { kind: 'step', demo: 'race', params: [], trace: '' },
  { kind: 'step', demo: 'deadlock', params: [], trace: '' },
  // One step of the event loop's step-through: three virtual runs (the trace, the sequential
  // time, the replay that stops at the step) of its largest channels program.
  { kind: 'compute', demo: 'eventloop', params: [['program', 'channels'], ['items', '40'], ['consumers', '4'], ['at', '200']] },
];

/** Median per-call time (ms) of each case on one ready page, through window.playground.engine. */
export async function callTimes({ launch, base, cases = CALL_CASES, calls = CALLS, timeout = 120_000, log = () => {} }) {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const out = [];
    for (const c of cases) {
      // The demo's own page, so the call goes to the engine that runs it.
      await page.goto(`${base}?demo=${c.demo}`);
      await waitReady(page, timeout);
      const times = await page.evaluate(
        async ({ c, calls }) => {
          const engine = window.playground.engine;
          const once = () => (c.kind === 'step' ? engine.step(c.demo, c.params, c.trace) : engine.compute(c.demo, c.params));
          for (let i = 0; i < 10; i++) await once(); // warm up
          const ms = [];
          for (let i = 0; i < calls; i++) {
            const t0 = performance.now();
            const env = await once();
            ms.push(performance.now() - t0);
            if (!env.ok) throw new Error(`${c.kind} ${c.demo}: ${env.error.message}`);
          }
          return ms;
        },
        { c, calls },
      );
      const r = { ...c, calls, medianMs: median(times), minMs: Math.min(...times), p90Ms: [...times].sort((x, y) => x - y)[Math.floor(times.length * 0.9)] };
      out.push(r);
      log(`${c.kind} ${c.demo}: median ${r.medianMs.toFixed(3)} ms per call (min ${r.minMs.toFixed(3)}, p90 ${r.p90Ms.toFixed(3)})`);
    }
    return out;
  } finally {
    await b.close();
  }
}

/** The rows (in bench.mjs's `row` form) for the sizes, the first visits and the call times. */
export function bytesRows({ wasm, visits, calls, row }) {
  const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
  const rows = [];
  rows.push(row(`largest of the ${wasm.engines ?? 1} engines' wasm, gzip -9`, wasm.gzip, `${kb(wasm.gzip)} (${kb(wasm.raw)} raw)`, undefined, false));
  for (const v of visits) {
    rows.push(row(`first visit ?demo=${v.demo}, gzip -9 of all fetched`, v.gzip, `${kb(v.gzip)} (wasm ${kb(v.wasmGzip)}, other ${kb(v.otherGzip)}; ${v.requests} requests)`, 300_000, false, '<= 300 KB'));
  }
  if (visits.length) {
    const worst = visits.reduce((a, v) => (v.gzip > a.gzip ? v : a));
    rows.push(row(`largest first visit (${worst.demo})`, worst.gzip, kb(worst.gzip), 300_000, false, '<= 300 KB'));
  }
  for (const c of calls) {
    rows.push(row(`${c.kind} ${c.demo}, per call through the engine (median of ${c.calls})`, c.medianMs, `${c.medianMs < 1 ? (c.medianMs * 1000).toFixed(0) + ' µs' : c.medianMs.toFixed(2) + ' ms'}`, undefined, false));
  }
  return rows;
}

// Alone: node scripts/bench-bytes.mjs (dist/ built).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { dirname, resolve } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { launch } = await import('../tests/e2e/browser.mjs');
  const { serve } = await import('./serve.mjs');
  const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const log = (...a) => console.error('bench-bytes:', ...a);
  const server = await serve({ dir: join(ROOT, 'dist') });
  const proxy = await recordingProxy(server);
  try {
    const wasm = await wasmSize(join(ROOT, 'dist'));
    const demos = process.env.BENCH_DEMOS ? process.env.BENCH_DEMOS.split(',') : await demoIds({ launch, base: server.url });
    const visits = await firstVisits({ launch, proxy, demos, log });
    const calls = await callTimes({ launch, base: server.url, log });
    const row = (measure, value, shown, goal, higher, target) => ({ measure, value, shown, target: target ?? '—', met: goal === undefined ? 'n/a' : (higher ? value >= goal : value <= goal) ? 'yes' : 'no' });
    for (const r of bytesRows({ wasm, visits, calls, row })) console.log(`${r.measure} | ${r.shown} | ${r.target} | ${r.met}`);
  } finally {
    await proxy.close();
    await server.close();
  }
}
