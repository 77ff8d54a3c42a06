// Chapters 9-11's event loop, for npm run bench (scripts/bench.mjs): the loop written in Rust
// (crate/src/aio) running on the real clock in the io engine's worker.
//   - timer lateness: the book's countdowns (3 s, nine timers), how late each timer fired;
//   - CPU work: the countdowns with 600 ms of work after every tick, on the loop against
//     handed to the pool with run_in_executor. The virtual clock says 5.9 s against 4.8 s
//     (crate/src/demos/eventloop/tests.rs works both out by hand); the real clock measures it.
// Median of `runs` of each; every run is a fresh page with run=1, warm after its first run.

import { launch } from '../tests/e2e/browser.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function once(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=eventloop&${query}&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (!r.real) throw new Error(`the event loop's run gave no real-clock result for ${query}: ${JSON.stringify(r).slice(0, 300)}`);
    return r;
  } finally {
    await page.close();
  }
}

export async function eventloopBench({ base, runs, timeout, row }) {
  const b = await launch();
  const rs = {};
  try {
    for (const [key, query] of [
      ['ticks', 'program=countdowns&speed=1'],
      ['onLoop', 'program=countdowns&cpu=600&offload=off&speed=1'],
      ['offloaded', 'program=countdowns&cpu=600&offload=on&speed=1'],
    ]) {
      rs[key] = [];
      for (let i = 0; i < runs; i++) rs[key].push(await once(b.context, base, query, timeout));
    }
  } finally {
    await b.close();
  }
  const real = (key) => rs[key].map((r) => r.real);
  const late = real('ticks').map((r) => r.lateMs);
  const onLoop = median(real('onLoop').map((r) => r.totalMs));
  const offloaded = median(real('offloaded').map((r) => r.totalMs));
  const threads = real('offloaded').map((r) => r.threadsUsed);
  const ms = (x) => `${x.toFixed(1)} ms`;
  const rows = [
    row(`event loop: countdowns on the real clock (median of ${runs})`, median(real('ticks').map((r) => r.totalMs)), `${ms(median(real('ticks').map((r) => r.totalMs)))} (virtual clock: 3000 ms)`, undefined, false),
    row('  timer lateness, median of the runs\' medians', median(late.map((l) => l.median)), `${ms(median(late.map((l) => l.median)))} (worst timer ${ms(Math.max(...late.map((l) => l.max)))})`, undefined, false),
    row('event loop: 600 ms of work per tick, on the loop', onLoop, `${ms(onLoop)} (virtual clock: 5900 ms)`, undefined, false),
    row('  the same work offloaded to the pool', offloaded, `${ms(offloaded)} (virtual clock: 4800 ms; threads used ${threads.join(', ')})`, undefined, false),
    row('  on the loop / offloaded', onLoop / offloaded, `${(onLoop / offloaded).toFixed(2)}× (virtual clock: ${(5900 / 4800).toFixed(2)}×)`, undefined, true),
  ];
  return { rows, measured: { runs: rs, onLoopMs: onLoop, offloadedMs: offloaded } };
}
