// Chapter 17's litmus tests, for npm run bench (scripts/bench.mjs): how often this machine's
// CPU shows each outcome of store buffering (SB) and message passing (MP), with plain
// (volatile) and with atomic accesses, in wasm on real pool threads, and how many
// iterations (rendezvous + test) a second the run makes. No published count from wasm in a
// browser was found, so these are this machine's own, with its CPU named.
// Run alone: node scripts/bench-atomics.mjs (reads dist/, like the e2e tests).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/e2e/browser.mjs';

const ITERATIONS = Number(process.env.BENCH_ATOMICS_ITERATIONS ?? 200_000);

/** The CPU's model name from /proc/cpuinfo ('unknown' where there is none). */
export function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function once(context, base, query, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?demo=atomics&${query}&adds=0&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (!r.outcomes) throw new Error(`the atomics run gave no outcomes for ${query}: ${JSON.stringify(r).slice(0, 300)}`);
    return r;
  } finally {
    await page.close();
  }
}

export async function atomicsBench({ base, timeout, row }) {
  const b = await launch();
  const cpu = cpuModel();
  const measured = { cpu, iterations: ITERATIONS, runs: {} };
  const rows = [];
  try {
    for (const test of ['sb', 'mp']) {
      for (const access of ['plain', 'atomic']) {
        const t0 = Date.now();
        const r = await once(b.context, base, `test=${test}&access=${access}&iterations=${ITERATIONS}`, timeout);
        const seconds = (Date.now() - t0) / 1000;
        const weak = test === 'sb' ? 'r0=0,r1=0' : 'r0=1,r1=0';
        const perSecond = ITERATIONS / (r.wallMs / 1000);
        measured.runs[`${test}-${access}`] = { outcomes: r.outcomes, threadsUsed: r.threadsUsed, wallMs: r.wallMs, iterationsPerSecond: perSecond, pageSeconds: seconds };
        const counts = Object.entries(r.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ');
        rows.push(row(`litmus ${test.toUpperCase()}, ${access}: weak outcome ${weak} of ${ITERATIONS}`, r.outcomes[weak], `${r.outcomes[weak]} (${counts}; ${r.threadsUsed} threads; ${Math.round(perSecond).toLocaleString('en')} iterations/s)`, undefined, false));
      }
    }
  } finally {
    await b.close();
  }
  rows.push(row('  litmus CPU', 0, cpu, undefined, false));
  return { rows, measured };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { serve } = await import('./serve.mjs');
  const { join } = await import('node:path');
  const server = await serve({ dir: join(fileURLToPath(new URL('..', import.meta.url)), 'dist'), isolation: true });
  try {
    const row = (measure, value, shown) => ({ measure, value, shown });
    const { rows, measured } = await atomicsBench({ base: server.url, timeout: 300_000, row });
    for (const r of rows) console.log(`${r.measure}: ${r.shown}`);
    console.log(JSON.stringify(measured));
  } finally {
    await server.close();
  }
}
