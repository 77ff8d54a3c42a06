// Chapter 16's structures, for npm run bench (scripts/bench.mjs): throughput of every counter
// variant (unlocked with the default gap of 100 spins between load and store, mutex,
// fetch_add, the approximate counter with padded and with packed shards) and every stack and
// queue (mutex, Treiber and Michael-Scott as written here; crossbeam-epoch's Treiber stack,
// crossbeam-queue's SegQueue and ArrayQueue) on 1 and 2 pool threads, as the demo measures it
// (warm-up, samples in rotation, median); the unlocked counter's lost updates; and the reader
// racing a delete on 2 threads (a reader and the deleter), its KeyErrors against copy-on-read.
// One fresh page per structure and thread count.

import { launch } from '../tests/e2e/browser.mjs';

async function once(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=structures&${query}&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (!r.throughput) throw new Error(`the structures run gave no throughput for ${query}: ${JSON.stringify(r).slice(0, 300)}`);
    return r;
  } finally {
    await page.close();
  }
}

export async function structuresBench({ base, timeout, row, threads = 2 }) {
  const b = await launch();
  const measured = {};
  const rows = [];
  const rate = (x) => `${(x / 1e6).toFixed(2)} M ops/s`;
  try {
    for (const structure of ['counters', 'stacks', 'dict']) {
      const per = {};
      // The dict needs its deleter beside a reader: it is measured at 2 threads only.
      const counts = structure === 'dict' ? [threads] : [1, threads];
      for (const k of counts) {
        const r = await once(b.context, base, `structure=${structure}&threads=${k}&ops=200000&samples=5`, timeout);
        if (r.threadsUsed !== k) throw new Error(`structures ${structure}: asked ${k} threads, ${r.threadsUsed} worked`);
        per[k] = r;
      }
      measured[structure] = per;
      if (structure === 'dict') {
        for (const t of per[threads].throughput) {
          const f = per[threads].final.find((x) => x.variant === t.variant);
          rows.push(
            row(
              `structures: ${t.variant}, reads/s and KeyErrors at ${threads} threads (1 deleter; median of 5)`,
              t.opsPerSec,
              `${rate(t.opsPerSec).replace('ops', 'reads')} (${rate(t.opsPerSecRange[0])}–${rate(t.opsPerSecRange[1])}); ${f.keyErrors.toLocaleString('en')} KeyErrors in ${f.expected.toLocaleString('en')} reads`,
              undefined,
              true,
            ),
          );
        }
        continue;
      }
      if (structure === 'counters') {
        const u = per[threads].final.find((x) => x.variant === 'unlocked');
        rows.push(row(`structures: unlocked counter at ${threads} threads, gap ${per[threads].gap}: updates lost (last sample)`, u.lost, `${u.lost.toLocaleString('en')} of ${u.expected.toLocaleString('en')} (ended at ${u.actual.toLocaleString('en')})`, undefined, false));
      }
      for (const t of per[1].throughput) {
        const top = per[threads].throughput.find((x) => x.variant === t.variant);
        rows.push(
          row(
            `structures: ${t.variant}, ops/s at 1 and ${threads} threads (median of 5)`,
            top.opsPerSec,
            `1: ${rate(t.opsPerSec)} (${rate(t.opsPerSecRange[0])}–${rate(t.opsPerSecRange[1])}); ${threads}: ${rate(top.opsPerSec)} (${rate(top.opsPerSecRange[0])}–${rate(top.opsPerSecRange[1])})`,
            undefined,
            true,
          ),
        );
      }
    }
  } finally {
    await b.close();
  }
  return { rows, measured };
}
