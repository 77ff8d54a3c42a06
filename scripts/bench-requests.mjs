// Chapter 5's web requests, for npm run bench (scripts/bench.mjs): the book's six status
// pages (200, 400, 404, 408, 500, 524; each answer waits 100 ms plus a seeded jitter of at
// most 40 ms, 682 ms of waits in all) sent by real threads to the site's own status route,
// one thread per URL against one after another, in one run of the demo (`compare=on`: the
// sequential pass follows the threaded one). Once with the service worker answering (a page
// opened after it was installed), once with service workers blocked (scripts/serve.mjs
// answers, over the browser's HTTP connections). Median of `runs` of each; the ratio is the
// median of the runs' own ratios. The book's timings (0.82 s against 0.14 s, 5.9×) are on its
// machine against httpstat.us, shown for comparison only.

import { launch } from '../tests/e2e/browser.mjs';

const QUERY = 'demo=requests&mode=threads&compare=on&hold=off&slow=0&sleep=100&jitter=40&seed=1';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function once(context, base, timeout) {
  const page = await context.newPage();
  try {
    await page.goto(`${base}?${QUERY}&run=1`);
    await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
    const r = JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result'));
    if (!r.requests || r.requests.some((q) => q.outcome !== 'ok')) throw new Error(`the requests run did not answer every request: ${JSON.stringify(r)}`);
    return r;
  } finally {
    await page.close();
  }
}

async function measure(serviceWorkers, base, runs, timeout) {
  const b = await launch({ serviceWorkers });
  try {
    // The first visit installs the service worker (where allowed); the pages after it are controlled.
    const first = await b.context.newPage();
    await first.goto(`${base}?demo=requests`);
    if (serviceWorkers === 'allow') await first.evaluate(() => navigator.serviceWorker.ready);
    await first.close();
    const out = [];
    for (let i = 0; i < runs; i++) out.push(await once(b.context, base, timeout));
    return out;
  } finally {
    await b.close();
  }
}

/** The table's rows: sequential and threaded wall time, and their ratio, for both servers. */
export async function requestsRows({ base, runs, timeout, row }) {
  const rows = [];
  const measured = {};
  for (const serviceWorkers of ['allow', 'block']) {
    const rs = await measure(serviceWorkers, base, runs, timeout);
    const by = [...new Set(rs.flatMap((r) => r.answeredBy))].join(', ');
    const seq = median(rs.map((r) => r.sequentialMs));
    const thr = median(rs.map((r) => r.wallMs));
    const ratio = median(rs.map((r) => r.sequentialMs / r.wallMs));
    measured[serviceWorkers] = { answeredBy: by, sequentialMs: seq, threadsMs: thr, ratio, threadsUsed: rs.map((r) => r.threadsUsed) };
    rows.push(
      row(
        `web requests, 6 URLs (682 ms of waits), answered by ${by}: sequential vs one thread per URL (median of ${runs})`,
        ratio,
        `${seq.toFixed(0)} ms vs ${thr.toFixed(0)} ms, ${ratio.toFixed(2)}× (threads used ${rs[0].threadsUsed}; the book: 820 vs 140 ms, 5.9×)`,
        undefined,
        true,
      ),
    );
  }
  return { measured, rows };
}
