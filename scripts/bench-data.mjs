#!/usr/bin/env node
// Chapters 7 and 8 in the browser against the same code natively (part of npm run bench).
//
//   node scripts/bench-data.mjs      expects dist/ built and the run_demo example compiled
//                                    (cargo build --release --example run_demo); prints its rows
//
// Settings (environment): BENCH_IMAGE_SIZE (the test picture's width, 2048: 2048 × 1536),
// BENCH_THREADS (the largest thread count, default: every core).
//
// 1. Images: each filter over the test picture in 128 px tiles, k = 1..threads, through the
//    page's engine (window.playground.engine.run), and natively with the same inputs
//    (crate/examples/run_demo.rs on a rayon pool of as many threads). The demo itself warms
//    up and measures each k 3 times in rotation; a row takes its best times. wasm/native is
//    best wasm T(1) over best native T(1): the kernels alone, no thread in the way.
//    A small picture (64 × 48 in 16 px tiles) shows where threads stop paying.
// 2. Reduction: a million floats summed three ways (the tree with a barrier per round,
//    rayon's reduce, one thread), wasm and native; each way's wall time as the demo measured it.

import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = Number(process.env.BENCH_IMAGE_SIZE ?? 2048);
const FILTERS = ['grayscale', 'threshold', 'adaptive-mean', 'adaptive-gaussian'];
/** Keys of an outcome that are pixels or per-tile lists, left out of what is kept. */
const HEAVY = ['input', 'output', 'timeline', 'tile_lanes'];

function nativeRun(demo, params) {
  const args = ['run', '--release', '--quiet', '--example', 'run_demo', '--', demo, ...params.map(([k, v]) => `${k}=${v}`), `--drop=${HEAVY.join(',')}`];
  const out = execFileSync('cargo', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()).outcome;
}

async function wasmRun(page, demo, params) {
  const env = await page.evaluate(
    async ({ demo, params, heavy }) => {
      const e = await window.playground.engine.run(demo, params).result;
      if (e.ok) for (const k of heavy) delete e.result.outcome[k];
      return e;
    },
    { demo, params, heavy: HEAVY },
  );
  if (!env.ok) throw new Error(`${demo} failed in the browser: ${env.error.message}`);
  return env.result.outcome;
}

/** Measures; returns the raw outcomes and the table's rows (`row` as in scripts/bench.mjs). */
export async function dataBench({ launch, base, log, row, timeout = 180_000 }) {
  const b = await launch();
  const rows = [];
  const raw = { images: [], small: null, reduction: null };
  try {
    const page = await b.context.newPage();
    page.on('pageerror', (e) => log('pageerror:', e.message));
    await page.goto(`${base}?demo=images`);
    await page.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout });
    const info = await page.evaluate(() => ({ cores: window.playground.engine.info.cores, poolThreads: window.playground.engine.info.poolThreads }));
    if (info.poolThreads === 0) throw new Error('no pool in the page: is dist/ served cross-origin isolated?');
    const threads = Math.min(Number(process.env.BENCH_THREADS ?? info.cores), info.poolThreads);
    const ms = (x) => `${x.toFixed(1)} ms`;
    for (const filter of FILTERS) {
      const params = [['filter', filter], ['size', String(SIZE)], ['tile', '128'], ['threads', String(threads)]];
      log(`images ${filter} ${SIZE} px, k = 1..${threads}: wasm, then native`);
      const w = await wasmRun(page, 'images', params);
      const n = nativeRun('images', params);
      raw.images.push({ filter, wasm: w, native: n });
      const [w1, wk, n1, nk] = [w.points[0], w.points[w.points.length - 1], n.points[0], n.points[n.points.length - 1]];
      const ratio = w1.wall_ms / n1.wall_ms;
      rows.push(row(`images ${filter} ${w.plan.width}×${w.plan.height}, 1 thread: wasm/native`, ratio, `${ratio.toFixed(2)}× (wasm ${ms(w1.wall_ms)}, native ${ms(n1.wall_ms)}; identical ${w.identical && n.identical}, same checksum ${w.checksum === n.checksum})`, undefined, false));
      rows.push(row(`  speedup on ${wk.threads} threads (wasm / native)`, wk.speedup, `${wk.speedup.toFixed(2)}× / ${nk.speedup.toFixed(2)}× (wasm ${ms(wk.wall_ms)}, ${wk.threads_used} threads worked)`, undefined, true));
    }
    const small = [['filter', 'threshold'], ['size', '64'], ['tile', '16'], ['threads', String(threads)]];
    log('images, a small picture');
    const s = await wasmRun(page, 'images', small);
    raw.small = s;
    const sk = s.points[s.points.length - 1];
    rows.push(row(`images threshold 64×48 in 16 px tiles: speedup on ${sk.threads} threads`, sk.speedup, `${sk.speedup.toFixed(2)}× (1 thread ${(s.points[0].wall_ms * 1000).toFixed(0)} µs, ${sk.threads} threads ${(sk.wall_ms * 1000).toFixed(0)} µs)`, undefined, true));

    await page.goto(`${base}?demo=reduction`);
    await page.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout });
    const red = [['values', '0.1*1000000'], ['operator', 'sum'], ['threads', String(threads)]];
    log('reduction of a million floats: wasm, then native');
    const rw = await wasmRun(page, 'reduction', red);
    const rn = nativeRun('reduction', red);
    raw.reduction = { wasm: rw, native: rn };
    const way = (o, name) => o.ways.find((x) => x.way === name);
    for (const name of ['tree', 'rayon', 'sequential']) {
      const [a, c] = [way(rw, name), way(rn, name)];
      const label = { tree: `tree, a barrier per round, ${threads} threads`, rayon: "rayon's reduce", sequential: 'sequential, one thread' }[name];
      rows.push(row(`reduction of 1,000,000 floats, ${label}`, a.wall_ms, `wasm ${ms(a.wall_ms)}, native ${ms(c.wall_ms)} (wasm/native ${(a.wall_ms / c.wall_ms).toFixed(2)}×)`, undefined, false));
    }
    await page.close();
  } finally {
    await b.close();
  }
  return { raw, rows };
}

// Alone: node scripts/bench-data.mjs (dist/ built, the run_demo example compiled).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { launch } = await import('../tests/e2e/browser.mjs');
  const { serve } = await import('./serve.mjs');
  const log = (...a) => console.error('bench-data:', ...a);
  const server = await serve({ dir: join(ROOT, 'dist') });
  try {
    const row = (measure, value, shown, goal, higher, target) => ({ measure, value, shown, target: target ?? '—', met: goal === undefined ? 'n/a' : (higher ? value >= goal : value <= goal) ? 'yes' : 'no' });
    const { rows } = await dataBench({ launch, base: server.url, log, row });
    for (const r of rows) console.log(`${r.measure} | ${r.shown}`);
  } finally {
    await server.close();
  }
}
