// Chapter 19's scheduler as a visitor: the book's cases as presets, each run time's outcome
// against a timeline worked out by hand from APScheduler 3.x's rules, the step-through, a bad
// cron expression, the real clock's drift and the book's tests of fib on real threads.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, result, setUp, shot, waitState } from './harness.mjs';

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

/** Clicks the preset labelled `label` and waits for the result of the inputs it sets. */
async function preset(page, label, expect) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.waitForFunction(
    (want) => {
      const r = JSON.parse(document.querySelector('[data-demo-result]')?.getAttribute('data-result') || 'null');
      return r && Object.entries(want).every(([k, v]) => String(r.params[k]) === v);
    },
    expect,
  );
  await waitState(page, 'ready');
  return result(page);
}

const outcomes = (r) => r.jobs[0].runs.map((x) => [x.scheduledMs / 1000, x.outcome]);

describe('chapter 19: the scheduler', () => {
  it('gives the book’s cases the outcomes worked out by hand', async () => {
    const { page, errors } = await env.open('/?demo=scheduler');
    await waitState(page, 'ready');

    // Example 1: start() never returns; example 2: main prints every 2 s up to 20 s.
    let r = await preset(page, 'Blocking scheduler (example 1)', { scheduler: 'blocking' });
    assert.equal(r.mainLines, 2);
    assert.match(await page.textContent('[data-field="main-says"]'), /never returns/);
    r = await preset(page, 'Background scheduler (example 2)', { scheduler: 'background' });
    assert.equal(r.mainLines, 11);
    // A tick every 3 s to 20 s: 3, 6, …, 18, each 0.5 s on one worker, all ran.
    assert.deepEqual(outcomes(r), [3, 6, 9, 12, 15, 18].map((t) => [t, 'ran']));

    // Example 3: a 4 s job every 3 s ends 1 s after the next starts: two at once, never three.
    r = await preset(page, 'A 4 s job, max_instances 3 (example 3)', { duration: '4', instances: '3' });
    assert.equal(r.peakInstances, 2);
    assert.equal(r.counts.skipped, 0);
    // A 10 s job: 3, 6 and 9 run; at 12 three run, so 12 is skipped; each end frees a slot
    // for the next (13 → 15, 16 → 18, 19 → 21); at 24, 15, 18 and 21 run: skipped again.
    r = await preset(page, 'A 10 s job: skips', { duration: '10', horizon: '30' });
    assert.deepEqual(outcomes(r), [[3, 'ran'], [6, 'ran'], [9, 'ran'], [12, 'skipped'], [15, 'ran'], [18, 'ran'], [21, 'ran'], [24, 'skipped'], [27, 'ran'], [30, 'ran']]);
    assert.deepEqual(r.jobs[0].runs[0], { scheduledMs: 3000, startMs: 3000, endMs: 13000, outcome: 'ran', worker: 0 });
    assert.equal(await page.locator('.sc-gantt .sc-mark[data-outcome="skipped"]').count(), 2);
    assert.equal(await page.locator('.sc-gantt .sc-bar').count(), 8);

    // Held up from 5 s to 11 s: at 11, 6, 8 and 10 are due. Coalesce keeps 10 (1 s late, not
    // more than the 1 s grace: it runs); without coalescing 6 and 8 are missed one by one.
    const held = [[2, 'ran'], [4, 'ran'], [6, 'X'], [8, 'X'], [10, 'ran'], [12, 'ran'], [14, 'ran'], [16, 'ran'], [18, 'ran'], [20, 'ran']];
    r = await preset(page, 'Held up: coalesced', { stall: '6', coalesce: 'on' });
    assert.deepEqual(outcomes(r), held.map(([t, o]) => [t, o === 'X' ? 'coalesced' : o]));
    assert.equal(r.jobs[0].runs[4].startMs, 11000);
    r = await preset(page, 'Held up: missed', { stall: '6', coalesce: 'off' });
    assert.deepEqual(outcomes(r), held.map(([t, o]) => [t, o === 'X' ? 'missed' : o]));

    // Example 4: 2024-03-01 was a Friday.
    r = await preset(page, 'Cron, Mon-Fri 17:00 (example 4)', { program: 'cron' });
    assert.deepEqual(r.nextFires, ['Fri 2024-03-01 17:00', 'Mon 2024-03-04 17:00', 'Tue 2024-03-05 17:00', 'Wed 2024-03-06 17:00', 'Thu 2024-03-07 17:00', 'Fri 2024-03-08 17:00']);
    assert.equal(r.jobs[0].runs[0].scheduledMs, 5 * 3_600_000);
    assert.equal(await page.locator('[data-field="next-fires"] li').count(), 6);
    assert.deepEqual(errors, []);
  });

  it('steps through the virtual clock event by event', async () => {
    const { page, errors } = await env.open('/?demo=scheduler&every=3&duration=10&instances=3&horizon=12');
    await waitState(page, 'ready');
    const next = page.getByRole('button', { name: 'Next event', exact: true });
    for (let i = 0; i < 4; i++) await next.click();
    // Events: 3 (wake), 6 (wake), 9 (wake), 12 (wake: three run, so skipped).
    assert.equal(await page.textContent('[data-field="step-where"]'), 'Step 4 of 7: t = 12 s');
    assert.match(await page.textContent('[data-field="decision"]'), /Execution of job "job" skipped: maximum number of running instances reached \(3\)/);
    assert.equal(await page.textContent('[data-field="instances"]'), 'Running instances: 3; waiting for a worker: 0');
    assert.equal(await page.textContent('[data-field="job-store"]'), 'Job store: next run time 15 s');
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    assert.equal(await page.textContent('[data-field="step-where"]'), 'Step 3 of 7: t = 9 s');
    assert.equal(await page.textContent('[data-field="job-store"]'), 'Job store: next run time 12 s');
    assert.equal(await page.locator('[data-field="cursor"]').count(), 1);
    assert.deepEqual(await axe(page), []);
    await shot(page, 'chapter19-scheduler-steps');
    assert.deepEqual(errors, []);
  });

  it('shows a bad cron expression’s message beside the control', async () => {
    const { page, errors } = await env.open('/?demo=scheduler&program=cron');
    await waitState(page, 'ready');
    await page.fill('#scheduler-cron', '0 24 * * mon-fri');
    await page.waitForFunction(() => document.querySelector('#scheduler-cron-error')?.textContent);
    assert.equal(await page.textContent('#scheduler-cron-error'), 'the hour field must be 0-23, got 24');
    assert.equal(await page.getAttribute('#scheduler-cron', 'aria-invalid'), 'true');
    await page.fill('#scheduler-cron', '30 9 * * sat,sun');
    await waitState(page, 'ready');
    await page.waitForFunction(() => document.querySelector('#scheduler-cron-error')?.textContent === '');
    const r = await result(page);
    assert.equal(r.nextFires[0], 'Sat 2024-03-02 09:30');
    assert.equal(r.nextFires[1], 'Sun 2024-03-03 09:30');
    assert.deepEqual(errors, []);
  });

  it('plays the schedule on the real clock and reports drift and threadsUsed', async () => {
    const { page, errors } = await env.open('/?demo=scheduler&program=interval&every=3&duration=10&instances=3&workers=3&horizon=15&scale=10&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.clock, 'real');
    assert.deepEqual(outcomes(r), [[3, 'ran'], [6, 'ran'], [9, 'ran'], [12, 'skipped'], [15, 'ran']]);
    // Five wakeups of the scheduler's thread (3, 6, 9, 12, 15) and four starts.
    assert.equal(r.driftMs.count, 9);
    assert.ok(r.driftMs.min >= 0 && r.driftMs.median >= r.driftMs.min && r.driftMs.max >= r.driftMs.p99);
    assert.equal(r.threads, 4);
    assert.equal(r.threadsUsed, 4);
    assert.equal(await page.textContent('[data-field="threads-used"]'), '4');
    assert.equal(await page.isHidden('[data-field="hidden-flag"]'), true);
    // The page's own timers ticked beside the run, at one virtual second (10 ms).
    assert.match(await page.textContent('[data-field="page-timers"]'), /setTimeout, chained every 10 ms during the run on the page’s main thread: \d+ timers, late by a median /);
    assert.deepEqual(await axe(page), []);
    await shot(page, 'chapter19-scheduler-real');
    assert.deepEqual(errors, []);
  });

  it('runs the book’s tests of fib concurrently on real threads', async () => {
    const { page, errors } = await env.open('/?demo=scheduler&program=fibtests&threads=4&rounds=5&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.clock, 'tests');
    assert.deepEqual(r.tests.map((t) => [t.name, t.passed]), ['test_start_values', 'test_other_values', 'test_big_value_v1', 'test_big_value_v2', 'test_big_value_v3'].map((n) => [n, true]));
    assert.deepEqual([r.passed, r.failed, r.threads, r.threadsUsed], [5, 0, 4, 4]);
    assert.equal(new Set(r.tests.map((t) => t.lane)).size, 4, 'four workers, each starting with a test of its own');
    assert.equal(await page.textContent('[data-field="tests-passed"]'), '5 passed, 0 failed');
    assert.deepEqual(errors, []);
  });

  it('without isolation keeps the virtual clock, runs the tests on one thread and says why the real clock cannot run', async () => {
    const plain = await setUp({ isolation: false });
    try {
      const { page, errors } = await plain.open('/?demo=scheduler&program=fibtests&threads=4&rounds=2&run=1');
      await waitState(page, 'done');
      const r = await result(page);
      assert.deepEqual([r.passed, r.failed, r.threadsUsed], [5, 0, 1]);
      assert.equal(await page.isVisible('[data-field="no-pool"]'), true);
      const other = await plain.open('/?demo=scheduler&program=interval&duration=10&instances=3&horizon=12');
      await waitState(other.page, 'ready');
      assert.equal((await result(other.page)).counts.skipped, 1);
      await other.page.getByRole('button', { name: 'Run on the real clock', exact: true }).click();
      await waitState(other.page, 'error');
      assert.match(await other.page.textContent('.status'), /cross-origin isolated page; the virtual clock above shows the same schedule/);
      assert.deepEqual([errors, other.errors], [[], []]);
    } finally {
      await plain.tearDown();
    }
  });
});
