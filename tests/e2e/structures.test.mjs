// Chapter 16 as a visitor: counters, stacks and queues (written here and crossbeam's) and the
// reader racing a delete on real pool threads, what each ends with, the gap between read and
// write, a bad input, a cancel, 360 px, and the page without cross-origin isolation.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';

/** Runs `path` until `lucky(result)` holds, at most `tries` times (a race depends on timing:
 *  bounded retries, never one lucky run). Returns the page and result of the run that held. */
async function until(env, path, lucky, tries = 5) {
  let last;
  for (let i = 0; i < tries; i++) {
    const { page, errors } = await env.open(path);
    await waitState(page, 'done');
    const r = await result(page);
    if (lucky(r)) return { page, errors, r };
    last = r;
    await page.close();
  }
  assert.fail(`not once in ${tries} runs of ${path}: ${JSON.stringify(last?.final)}`);
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

describe('chapter 16: lock-based and lock-free structures', () => {
  it('counts exactly with a mutex, fetch_add and the flushed approximate counter, on two pool threads', async () => {
    // 1003 per thread, threshold 10: by hand, each thread moves 100 × 10 and keeps 3, so the
    // global count lags by 2 × 3 = 6 before the flush (bound 2 × 9 = 18).
    const { page, errors } = await env.open('/?demo=structures&structure=counters&threads=2&ops=1003&threshold=10&samples=2&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.structure, 'counters');
    assert.equal(r.threadsUsed, 2);
    const by = Object.fromEntries(r.final.map((f) => [f.variant, f]));
    for (const v of ['mutex', 'atomic', 'sharded-padded', 'sharded-packed']) {
      assert.deepEqual([by[v].expected, by[v].actual, by[v].lost, by[v].threadsUsed], [2006, 2006, 0, 2], v);
    }
    assert.deepEqual([by['sharded-padded'].lag, by['sharded-padded'].lagBound], [6, 18]);
    assert.ok(by.unlocked.actual <= 2006 && by.unlocked.lost === 2006 - by.unlocked.actual);
    assert.deepEqual(r.throughput.map((t) => t.variant), ['unlocked', 'mutex', 'atomic', 'sharded-padded', 'sharded-packed']);
    assert.ok(r.throughput.every((t) => t.opsPerSecRange[0] <= t.opsPerSec && t.opsPerSec <= t.opsPerSecRange[1]));
    // What the visitor sees: a row per variant, the unlocked loss as the headline, a chart.
    assert.equal(await page.locator('tr[data-variant]').count(), 5);
    assert.equal(await page.textContent('[data-field="lost"]'), by.unlocked.lost.toLocaleString('en'));
    assert.equal(await page.locator('tr[data-variant="sharded-padded"] td').nth(3).textContent(), '6 (≤ 18)');
    assert.equal(await page.locator('.chart-figure').count(), 1);
    // Threads are counted in whole numbers: the chart's x ticks are 1 and 2, never 1.5.
    assert.equal(await page.getAttribute('.chart-figure .chart', 'data-x-ticks'), '1,2');
    assert.equal(r.gap, 100);
    assert.equal(await page.textContent('[data-field="gap"]'), 'Between the unlocked counter’s load and its store: the book’s sleep(random) between read and write, here a spin of 100 iterations.');
    await shot(page, 'chapter16-counters');
    assert.deepEqual(errors, []);
  });

  it('loses updates unlocked with the default gap, and says the count it ended at', async () => {
    // Two threads of 200 000 increments, a spin of 100 iterations between load and store: a
    // race depends on timing, so up to 5 runs, until one loses an update.
    const { page, errors, r } = await until(env, '/?demo=structures&structure=counters&threads=2&samples=1&run=1', (r) => r.final.find((f) => f.variant === 'unlocked').lost > 0);
    const u = r.final.find((f) => f.variant === 'unlocked');
    assert.equal(u.lost, u.expected - u.actual);
    assert.equal(u.expected, 400000);
    assert.equal(await page.textContent('[data-field="lost"]'), u.lost.toLocaleString('en'));
    assert.match(await page.textContent('.headline'), new RegExp(`the count ended at ${u.actual.toLocaleString('en')} of 400,000`));
    assert.match(await page.textContent('[data-field="explanation"]'), /a spin of 100 iterations between load and store, the book's sleep/);
    assert.equal(await page.locator('tr[data-variant="unlocked"] td').nth(2).textContent(), `${u.lost.toLocaleString('en')} ✗`);
    assert.deepEqual(errors, []);
  });

  it('pops every pushed value exactly once from every stack and queue, crossbeam’s too', async () => {
    const { page, errors } = await env.open('/?demo=structures&structure=stacks&threads=2&ops=5000&samples=1&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.deepEqual(r.final.map((f) => f.variant), ['locked-stack', 'treiber', 'epoch-treiber', 'locked-queue', 'ms-queue', 'seg-queue', 'array-queue']);
    for (const f of r.final) assert.deepEqual([f.expected, f.actual, f.lost, f.duplicated, f.threadsUsed], [10000, 10000, 0, 0, 2], f.variant);
    assert.deepEqual(r.throughput.map((t) => t.variant), r.final.map((f) => f.variant));
    assert.equal(await page.textContent('[data-field="wrong"]'), '0');
    assert.equal(await page.locator('tr[data-variant]').count(), 7);
    // What each does about reclamation, said beside its counts.
    assert.match(await page.textContent('tr[data-variant="treiber"]'), /Keeps every popped node until the threads join/);
    assert.match(await page.textContent('tr[data-variant="epoch-treiber"]'), /Frees popped nodes while it runs/);
    assert.equal(await page.getAttribute('.chart-figure .chart', 'data-x-ticks'), '1,2');
    await shot(page, 'chapter16-stacks');
    assert.deepEqual(errors, []);
  });

  it('counts KeyErrors of a reader racing a delete, and none with copy-on-read', async () => {
    // 200 000 reads (the default): a shorter run can end inside one time slice of a loaded
    // machine, with the deleter descheduled, and race nothing. Up to 5 runs.
    const { page, errors, r } = await until(env, '/?demo=structures&structure=dict&threads=2&samples=1&run=1', (r) => r.final[0].keyErrors > 0);
    assert.equal(r.structure, 'dict');
    assert.equal(r.threadsUsed, 2);
    assert.deepEqual(r.final.map((f) => f.variant), ['check-then-read', 'copy-on-read']);
    for (const f of r.final) {
      assert.equal(f.expected, 200000, f.variant);
      assert.equal(f.actual + f.absent + f.keyErrors, f.expected, f.variant);
    }
    const [check, copy] = r.final;
    assert.equal(copy.keyErrors, 0);
    assert.equal(await page.textContent('[data-field="key-errors"]'), check.keyErrors.toLocaleString('en'));
    assert.equal(await page.locator('tr[data-variant="copy-on-read"] td').nth(3).textContent(), '0 ✓');
    assert.match(await page.textContent('[data-field="gap"]'), /^Between the reader’s check and its read: the book’s sleep\(random\), here a random spin of 100 iterations on average/);
    assert.match(await page.textContent('[data-field="explanation"]'), /a KeyError/);
    await shot(page, 'chapter16-dict');
    assert.deepEqual(errors, []);
  });

  it('does not scroll sideways at 360 px after a run', async () => {
    for (const structure of ['stacks', 'dict', 'counters']) {
      const { page, errors } = await env.open(`/?demo=structures&structure=${structure}&threads=2&ops=2000&samples=1&run=1`, { width: 360 });
      await waitState(page, 'done');
      assert.ok((await overflow(page)) <= 0, `${structure}: the page scrolls sideways by ${await overflow(page)} px`);
      // The wide tables scroll in focusable regions of their own instead.
      assert.ok((await page.locator('[role="region"].table-scroll').count()) >= 2, structure);
      if (structure === 'stacks') await shot(page, 'chapter16-stacks-360');
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('says beside the control what is wrong with a bad link, and does not freeze', async () => {
    const { page, errors } = await env.open('/?demo=structures&threads=999');
    await waitState(page, 'error');
    assert.match(await page.textContent('#structures-threads-error'), /threads must be a whole number from 1 to 16, got 999/);
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    await page.fill('#structures-threads', '1');
    await waitState(page, 'ready');
    assert.equal(await page.textContent('#structures-threads-error'), '');
    assert.deepEqual(errors, []);
  });

  it('says beside the control that the dict needs a reader and a deleter, and that the stacks have a limit', async () => {
    const { page, errors } = await env.open('/?demo=structures&structure=dict&threads=1');
    await waitState(page, 'error');
    assert.equal(await page.textContent('#structures-threads-error'), 'threads must be at least 2 for the dict: one deleter and at least one reader, got 1');
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    await page.fill('#structures-threads', '2');
    await waitState(page, 'ready');
    assert.equal(await page.textContent('#structures-threads-error'), '');
    await page.goto(env.url('/?demo=structures&structure=stacks&threads=3&ops=700000'));
    await waitState(page, 'error');
    assert.match(await page.textContent('#structures-ops-error'), /ops must be at most 666666 with 3 threads for the stacks/);
    assert.deepEqual(errors, []);
  });

  it('stops a long run on Cancel, then runs again', async () => {
    const { page, errors } = await env.open('/?demo=structures&structure=counters&threads=2&ops=1000000&samples=9');
    await waitState(page, 'ready');
    // 135 samples of 1 000 000 operations a thread (the mutex alone takes tens of ms a sample):
    // seconds of work, so the Cancel pressed as soon as it is offered lands while the run goes on.
    await page.click('button[data-action="run"]');
    await page.waitForSelector('button[data-action="cancel"]:enabled', { timeout: 10_000 });
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled', 10_000);
    await page.fill('#structures-samples', '1');
    await page.fill('#structures-ops', '1000');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal((await result(page)).threadsUsed, 2);
    assert.deepEqual(errors, []);
  });
});

describe('chapter 16 without cross-origin isolation', () => {
  let plain;
  before(async () => {
    plain = await setUp({ isolation: false });
  });
  after(async () => {
    await plain?.tearDown();
  });

  it('runs the threads one after another on one thread and says so', async () => {
    const { page, errors } = await plain.open('/?demo=structures&threads=2&ops=1000&samples=1&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.threadsUsed, 1);
    assert.equal(r.final.find((f) => f.variant === 'unlocked').lost, 0, 'one thread at a time loses nothing');
    assert.match(await page.textContent('[data-field="explanation"]'), /ran one after another on one thread/);
    assert.deepEqual(errors, []);
  });
});
