// Chapter 19's schedule fuzzer, for npm run bench (scripts/bench.mjs): schedules per second
// of each strategy (naive, PCT, uniform) on the explorer's engine thread, wasm, from the
// fuzzer's own wall time per strategy (`fuzzer.strategies.<s>.ms`). One page per program;
// the first seed warms the code up and is not counted, then five more seeds, median and range.

import { launch } from '../tests/e2e/browser.mjs';

const PROGRAMS = [
  { label: 'lost update, 3 threads (9 steps)', query: 'program=lost-update&threads=3' },
  { label: 'five philosophers (up to 20 steps)', query: 'program=philosophers&k=5' },
];
const SCHEDULES = 100_000;
const SEEDS = [1, 2, 3, 4, 5, 6];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=explorer&${query}&schedules=${SCHEDULES}&seed=${SEEDS[0]}`);
    const rs = [];
    for (const seed of SEEDS) {
      if (seed !== SEEDS[0]) await page.fill('#explorer-seed', String(seed));
      await page.waitForFunction(
        (s) => {
          const el = document.querySelector('[data-demo-result]');
          return el?.dataset.state === 'ready' && JSON.parse(el.dataset.result ?? '{}').fuzzer?.seed === s;
        },
        seed,
        { timeout },
      );
      rs.push(JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result')).fuzzer);
    }
    return rs.slice(1);
  } finally {
    await page.close();
  }
}

export async function fuzzerBench({ base, timeout, row }) {
  const b = await launch();
  const measured = {};
  try {
    for (const p of PROGRAMS) measured[p.label] = await measure(b.context, base, p.query, timeout);
  } finally {
    await b.close();
  }
  const rows = [];
  const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);
  const summary = {};
  for (const p of PROGRAMS) {
    for (const strategy of ['naive', 'pct', 'uniform']) {
      const perSec = measured[p.label].map((f) => f.strategies[strategy].schedules / (f.strategies[strategy].ms / 1000));
      const m = median(perSec);
      summary[`${p.label} ${strategy}`] = { median: m, min: Math.min(...perSec), max: Math.max(...perSec), runs: perSec };
      rows.push(row(`fuzzer: ${strategy}, ${p.label}, schedules/s`, m, `${rate(m)} (range ${rate(Math.min(...perSec))}-${rate(Math.max(...perSec))} over ${perSec.length} seeds of ${SCHEDULES.toLocaleString('en')} schedules)`, undefined, true));
    }
  }
  return { rows, measured: { schedules: SCHEDULES, seeds: SEEDS, perStrategy: summary } };
}
