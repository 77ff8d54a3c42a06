// Chapter 16 as a visitor: counters, stacks and queues on real pool threads, what each ends
// with, a bad input, a cancel, and the page without cross-origin isolation.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';

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
    await shot(page, 'chapter16-counters');
    assert.deepEqual(errors, []);
  });

  it('pops every pushed value exactly once from every stack and queue', async () => {
    const { page, errors } = await env.open('/?demo=structures&structure=stacks&threads=2&ops=5000&samples=1&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.deepEqual(r.final.map((f) => f.variant), ['locked-stack', 'treiber', 'locked-queue', 'ms-queue']);
    for (const f of r.final) assert.deepEqual([f.expected, f.actual, f.lost, f.duplicated, f.threadsUsed], [10000, 10000, 0, 0, 2], f.variant);
    assert.equal(await page.textContent('[data-field="wrong"]'), '0');
    await shot(page, 'chapter16-stacks');
    assert.deepEqual(errors, []);
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
