// Step-through mode as a visitor: the learner is the scheduler. Works with and without
// cross-origin isolation (it needs no shared memory).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shot, waitState } from './harness.mjs';

let isolated;
let plain;
before(async () => {
  isolated = await setUp({ isolation: true });
  plain = await setUp({ isolation: false });
});
after(async () => {
  await isolated?.tearDown();
  await plain?.tearDown();
});

const stepper = (page) => page.locator('[data-stepper]');
const trace = async (page) => (await stepper(page).getAttribute('data-trace')) ?? '';

async function stepThread(page, i, expectTrace) {
  await page.click(`[data-stepper] button[data-step-thread="${i}"]`);
  await page.waitForFunction((t) => document.querySelector('[data-stepper]')?.dataset.trace === t, expectTrace);
}

describe('step-through', () => {
  it("uses the learner's inputs, and says so where it shows fewer", async () => {
    const { page, errors } = await isolated.open('/?demo=race&threads=8');
    await waitState(page, 'ready');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.scaled !== undefined);
    assert.deepEqual(JSON.parse(await stepper(page).getAttribute('data-scaled')), [{ what: 'threads', asked: 8, shown: 4 }]);
    assert.equal(await page.locator('[data-stepper] .step-thread').count(), 4, 'the board shows the 4 it says');
    assert.equal(await page.isVisible('[data-step-scaled]'), true);
    assert.equal(await page.textContent('[data-step-scaled]'), 'The step view shows 4 of your 8 threads, to tell the idea in a few clicks; the real run uses your inputs.');
    // Three threads fit: all three are on the board, and nothing is said.
    await page.fill('#race-threads', '3');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.scaled === '[]');
    assert.equal(await page.locator('[data-stepper] .step-thread').count(), 3);
    assert.equal(await page.isVisible('[data-step-scaled]'), false);
    assert.deepEqual(errors, []);
  });

  it('reaches the leaked-lock deadlock by hand, undoes a step, and shares the interleaving', async () => {
    const { page, errors } = await isolated.open('/?demo=guard&style=manual&failure=error');
    await waitState(page, 'ready');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    await stepThread(page, 0, '0');
    assert.match(page.url(), /step=0(&|$)/);
    await stepThread(page, 0, '0.0');
    await page.waitForSelector('[data-stepper][data-status="deadlocked"]');
    assert.match(await page.textContent('.step-status'), /Deadlock: no thread can take a step\. B waits for lock "lock", held by A, which has finished without releasing it/);
    assert.equal(await page.isDisabled('[data-stepper] button[data-step-thread="1"]'), true);
    assert.match(await page.textContent('[data-lock="lock"]'), /held by A \(leaked/);
    await shot(page, 'stepper-leaked-lock');

    await page.click('[data-stepper] button[data-step="undo"]');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.trace === '0');
    assert.equal(await stepper(page).getAttribute('data-status'), 'running');

    // The URL now carries the interleaving; opening it elsewhere shows the same state.
    await stepThread(page, 0, '0.0');
    const shared = new URL(page.url());
    assert.equal(shared.searchParams.get('step'), '0.0');
    const other = await isolated.open(`/${shared.search}`);
    await other.page.waitForSelector('[data-stepper][data-status="deadlocked"]');
    assert.equal(await trace(other.page), '0.0');
    assert.deepEqual(errors, []);
    assert.deepEqual(other.errors, []);
  });

  it('lets the learner choose who prints first', async () => {
    const { page, errors } = await isolated.open('/?demo=threads');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    await stepThread(page, 1, '1');
    const first = await page.locator('[data-stepper] ol.log li').first().textContent();
    assert.equal(first, 'B B: 5');
    assert.deepEqual(errors, []);
  });

  it('replays a seeded random schedule the same way every time', async () => {
    const { page, errors } = await isolated.open('/?demo=lock&threads=3');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    await page.fill('[data-stepper] input.seed', '42');
    await page.click('[data-stepper] button[data-step="random"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    const first = await trace(page);
    assert.equal(await page.textContent('[data-var="counter"]'), '3', 'the lock keeps every increment');
    await page.click('[data-stepper] button[data-step="reset"]');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.trace === '');
    await page.click('[data-stepper] button[data-step="random"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await trace(page), first);
    assert.deepEqual(errors, []);
  });

  it('says what is wrong with a bad interleaving in a link', async () => {
    const { page, errors } = await isolated.open('/?demo=guard&step=0.x.1');
    await page.waitForSelector('[data-stepper][data-status="error"]');
    assert.match(await page.textContent('[data-stepper] .field-error'), /^step: /);
    assert.deepEqual(errors, []);
  });

  it('works without cross-origin isolation, as the fallback', async () => {
    const { page, errors } = await plain.open('/?demo=guard&step=0');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    assert.equal(await page.evaluate(() => window.playground.engine.info.poolThreads), 0, 'no worker threads');
    await stepThread(page, 0, '0.0');
    await page.waitForSelector('[data-stepper][data-status="deadlocked"]');
    assert.deepEqual(errors, []);
  });
});
