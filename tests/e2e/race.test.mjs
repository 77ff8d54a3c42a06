// Chapter 14 as a visitor: lost updates on real threads, exact fixes, and the stepper.

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

describe('chapter 14: race conditions', () => {
  it('loses updates without protection and is exact with a mutex and with fetch_add', async () => {
    // A race is probabilistic: each press of Run races 10 times, and Run is pressed again, at
    // most 5 times, until some run loses an update.
    const { page, errors } = await env.open('/?demo=race&threads=2&increments=100000&gap=100&repeats=10&run=1');
    await waitState(page, 'done');
    let r = await result(page);
    for (let tries = 1; tries < 5 && Math.min(...r.actuals) === r.expected; tries++) {
      const before = await page.getAttribute('[data-demo-result]', 'data-result');
      await page.click('button[data-action="run"]');
      await page.waitForFunction((old) => {
        const el = document.querySelector('[data-demo-result]');
        return el.dataset.state === 'done' && el.dataset.result !== old;
      }, before, { timeout: 60_000 });
      r = await result(page);
    }
    assert.equal(r.expected, 200000);
    const by = Object.fromEntries(r.runs.map((x) => [x.method, x]));
    assert.equal(by.mutex.actual, 200000);
    assert.equal(by.atomic.actual, 200000);
    assert.equal(by.mutex.lost + by.atomic.lost, 0);
    // Two threads, each with a wide window between read and write, 100 000 times: they
    // overlap, and when they do an update is lost.
    assert.deepEqual(r.runs.map((x) => x.threadsUsed), [2, 2, 2]);
    assert.ok(Math.min(...r.actuals) < 200000, `no update lost in any run: ${JSON.stringify(r.actuals)}`);
    assert.equal(r.actuals.length, 10);
    assert.equal(await page.textContent('[data-field="lost"]'), by.unprotected.lost.toLocaleString('en'));
    assert.equal(await page.locator('tr[data-method]').count(), 3);
    await shot(page, 'chapter14-race');
    assert.deepEqual(errors, []);
  });

  it('loses an update in the stepper when both threads read before either writes', async () => {
    const { page, errors } = await env.open('/?demo=race&threads=2&step=0.1.0.0.1.1');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await page.textContent('[data-var="counter"]'), '1');
    // The other order keeps both updates.
    const other = await env.open('/?demo=race&threads=2&step=0.0.0.1.1.1');
    await other.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await other.page.textContent('[data-var="counter"]'), '2');
    assert.deepEqual(errors, []);
    assert.deepEqual(other.errors, []);
  });

  it('sends the learner to the explorer, which finds the shortest losing interleaving', async () => {
    const { page, errors } = await env.open('/?demo=race');
    await waitState(page, 'ready');
    await page.click('a[data-link="explorer"]');
    await page.waitForURL(/demo=explorer/);
    await waitState(page, 'ready');
    const r = await result(page);
    assert.equal(r.program, 'lost-update');
    assert.equal(r.interleavings, '20');
    assert.equal(r.counterexample.threads.length, 6);
    assert.equal(r.counterexample.outcome, 'broken');
    assert.deepEqual(errors, []);
  });
});
