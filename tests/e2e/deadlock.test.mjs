// Chapter 12 as a visitor: philosophers deadlock on real threads, the watchdog shows the
// cycle and recovers the engine without a reload, the fixes eat every meal, and the
// step-through reaches the same deadlock by hand.

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

const RESULT = '[data-demo-result]';

describe('chapter 12: deadlocks', () => {
  it('detects the deadlock, names the cycle, and recovers: the ordered table then eats every meal', async () => {
    // A long pause (each philosopher holds its left fork until all do) makes the deadlock
    // certain; a patient watchdog leaves time to see the stuck table while the run goes on.
    const { page, errors } = await env.open('/?demo=deadlock&scenario=philosophers&philosophers=5&fix=none&meals=2&pause=400&patience=1500');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    // The live table: every philosopher holds one fork and waits for the next, as it happens.
    await page.waitForFunction(
      (sel) => {
        const r = document.querySelector(sel);
        return r.dataset.state === 'running' && r.querySelectorAll('svg.table-svg line.wait').length === 5 && r.querySelectorAll('svg.table-svg line.hold').length === 5;
      },
      RESULT,
    );
    assert.ok((await page.locator(`${RESULT} ol.log li`).count()) >= 10, 'the live log shows the steps');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.deadlocked, true);
    assert.equal(r.livelocked, false);
    assert.deepEqual(r.cycle, ['P1', 'P2', 'P3', 'P4', 'P5']);
    assert.equal(
      r.cycleText,
      'P1 holds f1 and waits for f2, held by P2; P2 holds f2 and waits for f3, held by P3; P3 holds f3 and waits for f4, held by P4; P4 holds f4 and waits for f5, held by P5; P5 holds f5 and waits for f1, held by P1.',
    );
    assert.match(r.watchdog, /^no meal for \d+ ms, and the wait-for graph has a cycle of 5: P1 → P2 → P3 → P4 → P5 → P1\. Nobody on it can move: a deadlock\./);
    assert.equal(r.mealsEaten, 0);
    assert.deepEqual(r.meals.map((m) => m.ended), ['gave up', 'gave up', 'gave up', 'gave up', 'gave up']);
    // What the learner sees: the verdict, the cycle in words, and the table with the cycle
    // outlined and labelled (not colour alone).
    assert.equal(await page.textContent('[data-field="verdict"]'), 'Deadlock');
    assert.match(await page.textContent('[data-field="cycle"]'), /P5 holds f5 and waits for f1, held by P1\./);
    assert.equal(await page.locator(`${RESULT} svg.table-svg polygon.cycle-outline`).count(), 1);
    assert.equal(await page.textContent(`${RESULT} svg.table-svg .cycle-label`), 'deadlock cycle');
    assert.equal(await page.locator(`${RESULT} svg.table-svg line.wait`).count(), 5);
    assert.match(await page.getAttribute(`${RESULT} svg.table-svg`, 'aria-label'), /P1 holds f1 and waits for f2/);
    await shot(page, 'chapter12-deadlock');

    // Same page, same engine: the watchdog's recovery left every pool thread free.
    await page.selectOption('#deadlock-fix', 'ordered');
    await page.click('button[data-action="run"]');
    await page.waitForFunction((sel) => JSON.parse(document.querySelector(sel).dataset.result ?? '{}').fix === 'ordered', RESULT);
    await waitState(page, 'done');
    const o = await result(page);
    assert.equal(o.deadlocked, false);
    assert.equal(o.cycle, null);
    assert.equal(o.allAte, true);
    assert.equal(o.mealsGoal, 10);
    assert.equal(o.mealsEaten, 10);
    assert.deepEqual(o.meals.map((m) => m.meals), [2, 2, 2, 2, 2]);
    assert.equal(await page.textContent('[data-field="verdict"]'), 'Every meal eaten');
    assert.equal(await page.evaluate(() => window.playground.engine.restarts), 0, 'no worker was replaced');
    await shot(page, 'chapter12-ordered');
    assert.deepEqual(errors, []);
  });

  it('deadlocks two threads that take two locks in opposite order', async () => {
    const { page, errors } = await env.open('/?demo=deadlock&scenario=two-locks&fix=none&pause=400&patience=300&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.deadlocked, true);
    assert.deepEqual(r.cycle, ['A', 'B']);
    assert.equal(r.cycleText, 'A holds a and waits for b, held by B; B holds b and waits for a, held by A.');
    assert.match(await page.textContent('[data-field="explanation"]'), /A took lock a and B took lock b/);
    await shot(page, 'chapter12-two-locks');
    assert.deepEqual(errors, []);
  });

  it('reaches the deadlock by hand in the step-through, and the ordered forks refuse it', async () => {
    const { page, errors } = await env.open('/?demo=deadlock&philosophers=3&fix=none');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    const step = async (i, trace) => {
      await page.click(`[data-stepper] button[data-step-thread="${i}"]`);
      await page.waitForFunction((t) => document.querySelector('[data-stepper]')?.dataset.trace === t, trace);
    };
    await step(0, '0');
    await step(1, '0.1');
    await step(2, '0.1.2');
    await page.waitForSelector('[data-stepper][data-status="deadlocked"]');
    assert.match(await page.textContent('.step-status'), /Deadlock: no thread can take a step\. P1 waits for lock "f2", held by P2\. P2 waits for lock "f3", held by P3\. P3 waits for lock "f1", held by P1/);
    assert.match(page.url(), /step=0\.1\.2/);
    await shot(page, 'chapter12-stepper');

    // With the ordered fix, P3 reaches for f1 first, which P1 holds: it cannot step.
    await page.selectOption('#deadlock-fix', 'ordered');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.trace === '');
    await step(0, '0');
    await step(1, '0.1');
    assert.equal(await page.isDisabled('[data-stepper] button[data-step-thread="2"]'), true);
    assert.equal(await page.getAttribute('[data-stepper]', 'data-status'), 'running');
    assert.deepEqual(errors, []);
  });
});
