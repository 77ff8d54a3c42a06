// Chapter 15's GIL, for npm run bench (scripts/bench.mjs): the countdown on real threads in
// the memory engine, measured by the demo itself (warm-up, then 1 thread and k threads in
// rotation; speedup = fastest 1-thread time / fastest k-thread time):
//   - speedup at threads = 2 (and at the core count, when that is more) in each mode: with the
//     simulated GIL about 1×, free-threaded and "processes" (pool workers) about the cores;
//   - the convoy: the I/O-bound thread's median wait to run again, with and without the GIL.
// Each configuration is one fresh page with run=1; the demo repeats its samples itself.

import { launch } from '../tests/e2e/browser.mjs';

async function once(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=gil&${query}&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (r.threadsUsed === undefined) throw new Error(`the GIL demo gave no run for ${query}: ${JSON.stringify(r).slice(0, 300)}`);
    return r;
  } finally {
    await page.close();
  }
}

export async function gilBench({ base, timeout, row, cores }) {
  const b = await launch();
  const ks = [...new Set([2, Math.min(16, Math.max(2, cores ?? 2))])];
  const rs = {};
  try {
    for (const mode of ['gil', 'free-threaded', 'processes']) {
      for (const k of ks) rs[`${mode}-${k}`] = await once(b.context, base, `mode=${mode}&threads=${k}&work=3000&interval=5`, timeout);
    }
  } finally {
    await b.close();
  }
  const rows = [];
  for (const mode of ['gil', 'free-threaded', 'processes']) {
    for (const k of ks) {
      const r = rs[`${mode}-${k}`];
      rows.push(row(`GIL demo: ${mode}, ${k} threads, speedup over 1`, r.speedup, `${r.speedup.toFixed(2)}× (threads used ${r.threadsUsed}, ${r.switches} switches, k-thread run ${r.wallMs.toFixed(0)} ms)`, undefined, true));
    }
  }
  const gil = rs['gil-2'].ioLatencyMs;
  const free = rs['free-threaded-2'].ioLatencyMs;
  const fmt = (x) => (x === null ? 'not measured' : `${x.toFixed(3)} ms`);
  rows.push(row('GIL demo: convoy, I/O thread\'s median wait to run again, with the GIL', gil ?? NaN, `${fmt(gil)} (switch interval 5 ms)`, undefined, false));
  rows.push(row('  the same without a GIL (free-threaded)', free ?? NaN, fmt(free), undefined, false));
  return { rows, measured: { runs: Object.fromEntries(Object.entries(rs).map(([key, r]) => [key, { speedup: r.speedup, threadsUsed: r.threadsUsed, switches: r.switches, wallMs: r.wallMs, ioLatencyMs: r.ioLatencyMs }])) } };
}
