// Chapter 19's scheduler, for npm run bench (scripts/bench.mjs), in the primitives engine:
//   - timer drift: a schedule played on the real clock (one virtual second = 25 real ms, a
//     run every virtual second, 40 s: 40 wakeups of the scheduler's thread and 40 starts on
//     two pool workers), how late each timed wait came back; median and p99 of each run, the
//     median of the runs' medians and the largest p99;
//   - the book's tests of fib run concurrently: wall time on 1 thread against k (the pool's
//     cores, at most 4), 100 rounds per test, one page, a warm-up run first, then 1 and k in
//     rotation, `runs` times each; median and range.
// Standalone: `node scripts/bench-scheduler.mjs` serves dist/ itself and prints the rows.

import { launch } from '../tests/e2e/browser.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Presses Run on `page` and returns the new data-result once the run is done. */
async function runAgain(page, timeout) {
  const before = await page.getAttribute('[data-demo-result]', 'data-result');
  await page.getByRole('button', { name: 'Run on the real clock', exact: true }).click();
  await page.waitForFunction(
    (prev) => {
      const el = document.querySelector('[data-demo-result]');
      return el && ['done', 'error'].includes(el.dataset.state) && el.getAttribute('data-result') !== prev;
    },
    before,
    { timeout },
  );
  const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
  if (r.clock === 'virtual') throw new Error(`the scheduler's run gave no result: ${JSON.stringify(r).slice(0, 300)}`);
  return r;
}

async function open(context, base, query, timeout) {
  const page = await context.newPage();
  await page.goto(`${base}?demo=scheduler&${query}`);
  await page.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout });
  return page;
}

export async function schedulerBench({ base, runs, timeout, row, cores }) {
  const b = await launch();
  const drift = [];
  const walls = { 1: [], k: [] };
  const used = { 1: [], k: [] };
  const k = Math.max(2, Math.min(4, cores));
  try {
    const page = await open(b.context, base, 'program=interval&every=1&duration=0.5&instances=1&workers=2&stall=0&horizon=40&scale=25', timeout);
    await runAgain(page, timeout); // warm-up
    for (let i = 0; i < runs; i++) drift.push((await runAgain(page, timeout)).driftMs);
    await page.close();
    // Rotation on two pages (one per thread count), so neither always runs on a warmer machine.
    const pages = { 1: await open(b.context, base, 'program=fibtests&threads=1&rounds=100', timeout), k: await open(b.context, base, `program=fibtests&threads=${k}&rounds=100`, timeout) };
    for (const key of ['1', 'k']) await runAgain(pages[key], timeout);
    for (let i = 0; i < runs; i++) {
      for (const key of ['1', 'k']) {
        const r = await runAgain(pages[key], timeout);
        if (r.failed !== 0) throw new Error(`the book's tests failed: ${JSON.stringify(r.tests)}`);
        walls[key].push(r.wallMs);
        used[key].push(r.threadsUsed);
      }
    }
  } finally {
    await b.close();
  }
  const ms = (x) => `${x.toFixed(2)} ms`;
  const range = (xs) => `${ms(Math.min(...xs))} … ${ms(Math.max(...xs))}`;
  const med = median(drift.map((d) => d.median));
  const p99 = Math.max(...drift.map((d) => d.p99));
  const one = median(walls[1]);
  const many = median(walls.k);
  const rows = [
    row(`scheduler: timed-wait drift at 25 ms a virtual second, median of ${runs} runs' medians`, med, `${ms(med)} (runs' medians ${range(drift.map((d) => d.median))}; ${drift[0].count} waits a run)`, undefined, false),
    row('  largest p99 of the runs', p99, `${ms(p99)} (largest single wait ${ms(Math.max(...drift.map((d) => d.max)))})`, undefined, false),
    row(`scheduler: the book's 5 fib tests × 100 rounds, 1 thread (median of ${runs})`, one, `${ms(one)} (${range(walls[1])})`, undefined, false),
    row(`  the same on ${k} threads`, many, `${ms(many)} (${range(walls.k)}; threads used ${used.k.join(', ')})`, undefined, false),
    row(`  1 thread / ${k} threads`, one / many, `${(one / many).toFixed(2)}× (3 of the 5 tests hold nearly all the work: on ${k} threads at most ${(3 / Math.ceil(3 / k)).toFixed(1)}×)`, undefined, true),
  ];
  return { rows, measured: { drift, walls, threadsUsed: used, k } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { serve } = await import('./serve.mjs');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const os = await import('node:os');
  const server = await serve({ dir: join(fileURLToPath(new URL('..', import.meta.url)), 'dist') });
  const load = os.loadavg()[0];
  try {
    const row = (measure, value, shown) => ({ measure, value, shown });
    const { rows } = await schedulerBench({ base: server.url, runs: Number(process.env.RUNS ?? 5), timeout: 120_000, row, cores: os.availableParallelism() });
    console.log(`load average before: ${load.toFixed(2)}, after: ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores`);
    for (const r of rows) console.log(`${r.measure} | ${r.shown}`);
  } finally {
    await server.close();
  }
}
