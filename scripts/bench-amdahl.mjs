// Amdahl on a fresh page, for npm run bench (scripts/bench.mjs): does a fresh engine measure
// what the law predicts? For B = 0.2, 0.6 and 0.9 at k = 1..cores, two paths, each in a page
// loaded for it (a fresh engine and pool, the engine's code on the browser's first tier):
//   - "fresh engine": the page loads, the engine becomes ready, then Run is pressed;
//   - "run=1 (embed path)": the deep link runs as soon as the engine is ready, as embeds do.
// Each gives measured speedup / predicted speedup per k (target 0.9 to 1.1), and the warm-up
// the engine ran before measuring (rounds, ms, time per unit before and after).

export const FRESH_FRACTIONS = [0.2, 0.6, 0.9];

async function waitDone(page, timeout) {
  await page.waitForSelector('[data-demo-result][data-state="done"], [data-demo-result][data-state="error"]', { state: 'attached', timeout });
  const state = await page.getAttribute('[data-demo-result]', 'data-state');
  if (state !== 'done') throw new Error(`the Amdahl run ended in state ${state}`);
  return JSON.parse(await page.getAttribute('[data-demo-result]', 'data-result')).measured;
}

/** One measurement on a page loaded for it; `embed` uses run=1. */
async function once(context, base, b, cores, work, embed, timeout) {
  const page = await context.newPage();
  try {
    const url = `${base}?demo=amdahl&serial=${b}&work=${work}&threads=${cores}${embed ? '&run=1' : ''}`;
    await page.goto(url);
    if (!embed) {
      await page.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout });
      await page.click('button[data-action="run"]');
    }
    const m = await waitDone(page, timeout);
    return {
      b,
      path: embed ? 'run=1' : 'fresh engine',
      ratios: m.points.map((p) => ({ threads: p.threads, ratio: p.speedup / p.predicted, speedup: p.speedup, predicted: p.predicted, range: p.speedupRange })),
      warmUp: m.warmUp,
    };
  } finally {
    await page.close();
  }
}

/** Every fraction on both paths; returns the measurements and the table's rows. */
export async function freshAmdahl({ context, base, cores, work, timeout, row }) {
  // row(measure, value, shown, goal, higher, target) is bench.mjs's table row.
  const runs = [];
  for (const embed of [false, true]) {
    for (const b of FRESH_FRACTIONS) runs.push(await once(context, base, b, cores, work, embed, timeout));
  }
  const rows = [];
  for (const r of runs) {
    for (const p of r.ratios.filter((x) => x.threads > 1)) {
      // Checked from both sides: 0.9 <= measured / predicted <= 1.1.
      const shown = `${p.ratio.toFixed(2)} (${p.speedup.toFixed(2)}× of ${p.predicted.toFixed(2)}×; range ${p.range[0].toFixed(2)}-${p.range[1].toFixed(2)}×)`;
      const met = p.ratio < 0.9 ? `no (${((0.9 - p.ratio) * 100).toFixed(0)} % short)` : p.ratio > 1.1 ? `no (${((p.ratio - 1.1) * 100).toFixed(0)} % over)` : 'yes';
      rows.push({ measure: `Amdahl on a fresh page, ${r.path}, B=${r.b}, k=${p.threads}: measured/predicted`, value: p.ratio, shown, target: '0.9 to 1.1', met });
    }
  }
  const warm = runs.map((r) => r.warmUp);
  const worst = warm.reduce((a, w) => (w.ms > a.ms ? w : a));
  const median = [...warm].sort((a, c) => a.ms - c.ms)[Math.floor(warm.length / 2)];
  rows.push(
    row(
      'warm-up before measuring (median of fresh pages)',
      median.ms,
      `${median.ms.toFixed(0)} ms, ${median.rounds} rounds: ${(median.first_unit_us / 1000).toFixed(2)} -> ${(median.last_unit_us / 1000).toFixed(2)} ms a unit`,
      undefined,
      false,
    ),
    row('  worst warm-up', worst.ms, `${worst.ms.toFixed(0)} ms, ${worst.rounds} rounds${worst.settled ? '' : ' (stopped at the time bound)'}`, undefined, false),
  );
  return { runs, rows };
}
