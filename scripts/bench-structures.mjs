// Chapter 16's structures, for npm run bench (scripts/bench.mjs): throughput of every counter
// variant (unlocked, mutex, fetch_add, the approximate counter with padded and with packed
// shards) and every stack and queue (mutex, Treiber, Michael-Scott) on 1 and 2 pool threads,
// as the demo measures it (warm-up, samples in rotation, median). One fresh page per structure.

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
    for (const structure of ['counters', 'stacks']) {
      const per = {};
      for (const k of [1, threads]) {
        const r = await once(b.context, base, `structure=${structure}&threads=${k}&ops=200000&samples=5`, timeout);
        if (r.threadsUsed !== k) throw new Error(`structures ${structure}: asked ${k} threads, ${r.threadsUsed} worked`);
        per[k] = r;
      }
      measured[structure] = per;
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
