// Chapter 18's server, for npm run bench (scripts/bench.mjs): requests per second and latency
// percentiles of each server (blocking, a thread per connection, the reactor) at 1 and 3
// clients, and the fib experiment (fast requests per second before and while client 1 asks
// for fib(30)) for the reactor and a thread per connection. Each configuration is a fresh
// page with run=1 (the demo warms its threads first), three times: median and range.

import { launch } from '../tests/e2e/browser.mjs';

const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=server&${query}&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (r.rps === undefined) throw new Error(`the server demo gave no run for ${query}: ${JSON.stringify(r).slice(0, 300)}`);
    if (!r.exactlyOnce) throw new Error(`${query}: not every request was answered exactly once`);
    return r;
  } finally {
    await page.close();
  }
}

export async function serverBench({ base, timeout, row }) {
  const b = await launch();
  const configs = [];
  for (const server of ['blocking', 'threads', 'reactor']) for (const clients of [1, 3]) configs.push({ key: `${server}-${clients}`, query: `server=${server}&clients=${clients}&load=mixed&duration=1000` });
  for (const server of ['threads', 'reactor']) configs.push({ key: `fib-${server}`, query: `server=${server}&clients=3&load=fib&fib=30&duration=1500` });
  const rs = {};
  try {
    for (const c of configs) {
      rs[c.key] = [];
      for (let i = 0; i < RUNS; i++) rs[c.key].push(await once(b.context, base, c.query, timeout));
    }
  } finally {
    await b.close();
  }
  const rows = [];
  const spread = (xs, f) => `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
  const k = (x) => (x >= 1000 ? `${(x / 1000).toFixed(1)} k/s` : `${x.toFixed(0)}/s`);
  const msf = (x) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);
  for (const server of ['blocking', 'threads', 'reactor']) {
    for (const clients of [1, 3]) {
      const runs = rs[`${server}-${clients}`];
      const rps = runs.map((r) => r.rps);
      rows.push(row(`server: ${server}, ${clients} client${clients > 1 ? 's' : ''}, requests/s (median of ${RUNS})`, median(rps), `${spread(rps, k)}; p50 ${spread(runs.map((r) => r.latencyMs.p50), msf)}, p99 ${spread(runs.map((r) => r.latencyMs.p99), msf)}, slowest ${spread(runs.map((r) => r.latencyMs.max), msf)}; threads used ${runs[0].threadsUsed}`, undefined, true));
    }
  }
  for (const server of ['threads', 'reactor']) {
    const runs = rs[`fib-${server}`];
    const before = runs.map((r) => r.fib.fastRpsBefore ?? NaN);
    const during = runs.map((r) => r.fib.fastRpsDuring ?? NaN);
    rows.push(row(`server: fib(30) experiment, ${server}, fast requests/s during / before`, median(during) / median(before), `${spread(during, k)} during, ${spread(before, k)} before (${runs[0].fib.slowAnswered} fib(30) answered in the first run)`, undefined, true));
  }
  const measured = Object.fromEntries(Object.entries(rs).map(([key, runs]) => [key, runs.map((r) => ({ rps: r.rps, latencyMs: r.latencyMs, threadsUsed: r.threadsUsed, requests: r.requests, fib: r.fib && { fastRpsBefore: r.fib.fastRpsBefore, fastRpsDuring: r.fib.fastRpsDuring, slowAnswered: r.fib.slowAnswered } }))]));
  return { rows, measured: { runs: measured } };
}
