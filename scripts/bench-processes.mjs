// Processes against threads, for npm run bench (scripts/bench.mjs): the processes demo
// (crate/src/demos/processes/) run through the page's engine, on one page, BENCH_RUNS times
// at 1 MB and at 64 MB. Each run measures, on warm code with samples: a worker process's start
// (new Worker to its own wasm instance ready) against an empty task on the shared-memory pool;
// the bytes passed by structured clone, by transfer and through shared memory; and the same
// fine-grained job (10,000 tasks of a few µs) through a message per task to the pool
// processes, as JS worker pools dispatch, against k self-scheduling pool threads, then bigger
// tasks until messages stop mattering. Medians of the runs' medians.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const ms = (x) => (x < 0.1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);

/** The runs' outcomes: `{mb: [outcome, …]}`. */
export async function measureProcesses({ launch, base, runs, timeout, log, workers = 2 }) {
  const b = await launch();
  try {
    const page = await b.context.newPage();
    await page.goto(`${base}?demo=processes`);
    await page.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout });
    const out = {};
    for (const mb of [1, 64]) {
      out[mb] = [];
      for (let r = 0; r < runs; r++) {
        const params = [['megabytes', String(mb)], ['fine', '10000'], ['workers', String(workers)], ['ending', 'pills']];
        const env = await page.evaluate((p) => window.playground.engine.run('processes', p).result, params);
        if (!env.ok) throw new Error(`the processes run failed: ${env.error.message}`);
        const o = env.result.outcome;
        out[mb].push(o);
        const d = o.dispatch[0];
        log(`processes ${mb} MB run ${r + 1}/${runs}: clone ${ms(o.copy.clone.median)}, transfer ${ms(o.copy.transfer.median)}, shared ${ms(o.copy.shared.median)}; ${d.tasks} tasks: messages ${ms(d.message.median)}, pool ${ms(d.pool.median)} (${d.ratio.toFixed(1)}×)`);
      }
    }
    return out;
  } finally {
    await b.close();
  }
}

/** The bench table's rows for `measured` (see measureProcesses). */
export function processesRows(measured, row) {
  const rows = [];
  const all = [...measured[1], ...measured[64]];
  const fine = all.map((o) => o.dispatch[0]);
  const ratio = median(fine.map((d) => d.ratio));
  const taskUs = median(fine.map((d) => d.taskUs));
  rows.push(row(`fine-grained: ${fine[0].tasks} tasks of ~${taskUs.toFixed(1)} µs, messages / shared-memory pool`, ratio, `${ratio.toFixed(1)}× (${ms(median(fine.map((d) => d.message.median)))} vs ${ms(median(fine.map((d) => d.pool.median)))})`, 20, true, '>= 20×'));
  for (let i = 1; i < all[0].dispatch.length; i++) {
    const ds = all.map((o) => o.dispatch[i]);
    rows.push(row(`  ${ds[0].tasks} tasks of ~${median(ds.map((d) => d.taskUs)).toFixed(0)} µs`, median(ds.map((d) => d.ratio)), `${median(ds.map((d) => d.ratio)).toFixed(2)}×`, undefined, true));
  }
  const stop = all.map((o) => o.messagesStopMatteringUs).filter((x) => x !== null);
  rows.push(row('  task size where messages add at most 25 %', stop.length ? median(stop) : null, stop.length ? `${median(stop).toFixed(0)} µs of work (${stop.length} of ${all.length} runs)` : 'beyond the sweep', undefined, false));
  const start = median(all.filter((o) => o.processStart).map((o) => o.processStart.median));
  const task = median(all.map((o) => o.taskStart.median));
  rows.push(row('worker process start (new Worker to its wasm ready)', start, ms(start), undefined, false));
  rows.push(row('  empty task on the shared-memory pool', task, `${ms(task)} (${(start / task).toFixed(0)}× less)`, undefined, false));
  for (const mb of [1, 64]) {
    const os = measured[mb];
    const c = (k) => median(os.map((o) => o.copy[k].median));
    rows.push(row(`pass ${mb} MB: clone / transfer / shared memory`, c('clone'), `${ms(c('clone'))} / ${ms(c('transfer'))} / ${ms(c('shared'))}`, undefined, false));
  }
  return rows;
}
