// The same site served without the isolation headers: no SharedArrayBuffer, so no pool.
// The page must say so plainly and still work on one thread.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';

let env;
before(async () => {
  env = await setUp({ isolation: false });
});
after(async () => {
  await env?.tearDown();
});

describe('without cross-origin isolation', () => {
  it('says real threads are off and runs chapter 1 sequentially', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&tasks=4');
    await waitState(page, 'ready');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.match(await page.textContent('.banner'), /Real threads are off on this page\. The page is not cross-origin isolated/);
    assert.match(await page.textContent('.engine-pill'), /single-thread mode/);
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.check.sequential, 4);
    assert.equal(r.check.concurrent, null);
    assert.equal(r.concurrentMs, null);
    assert.match(await page.textContent('[data-field="explanation"]'), /not cross-origin isolated/);
    await shot(page, 'fallback-chapter1');
    assert.deepEqual(errors, []);
  });

  it('keeps the Amdahl calculator working and explains why it cannot measure', async () => {
    const { page, errors } = await env.open('/?demo=amdahl&serial=0.6&processors=4');
    await waitState(page, 'ready');
    assert.equal((await result(page)).speedup.toFixed(2), '1.43');
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    assert.match(await page.textContent('.status'), /Measuring needs real threads/);
    assert.deepEqual(errors, []);
  });

  it('cancels by replacing the engine worker, then runs again', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&kind=io&tasks=100&wait=100');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'running');
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled', 10_000);
    await page.waitForFunction(() => window.playground.engine.state === 'idle');
    assert.equal(await page.evaluate(() => window.playground.engine.restarts), 1);
    await page.fill('#concurrency-tasks', '2');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal((await result(page)).check.sequential, 2);
    assert.deepEqual(errors, []);
  });
});
