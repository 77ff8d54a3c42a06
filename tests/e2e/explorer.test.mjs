// The interleaving explorer (chapter 19) as a visitor: every schedule counted, the final
// states with how many interleavings reach each, a shortest counterexample replayed step by
// step in the stepper, and the state limit. The numbers are the ones worked out by hand in
// crate/src/sched/explore/tests.rs.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';
import { treiberCounts } from './treiber.mjs';

let site;
before(async () => {
  site = await setUp({ isolation: true });
});
after(async () => {
  await site?.tearDown();
});

/** Opens the explorer at `query` and waits for the exploration and the stepper. */
async function open(query) {
  const opened = await site.open(`/?demo=explorer&${query}`);
  await waitState(opened.page, 'ready');
  await opened.page.waitForSelector('[data-stepper][data-status="running"]');
  return opened;
}

describe('interleaving explorer', () => {
  it('finds ABA on the Treiber stack that reuses a node, replays it, and calls it not linearizable', async () => {
    const [total, broken] = treiberCounts(true);
    const { page, errors } = await open('program=treiber-aba');
    const r = await result(page);
    assert.equal(r.interleavings, String(total), 'the same count as this file’s own enumerator');
    assert.equal(r.broken, String(broken));
    assert.ok(broken > 0n);
    assert.equal(r.assertion, 'top != kept');
    assert.equal(r.linearizability.linearizable, false);
    assert.equal(r.linearizability.orders, '4', 'A’s pop before, between or after B’s three operations');
    assert.equal(r.linearizability.notMatching, String(broken), 'exactly the ABA interleavings end in a result no order gives');
    assert.match(await page.textContent('[data-field="linearizability"]'), /Not linearizable: 1,160 of 146,904,795 interleavings/);
    // Replayed to the end in the stepper: B's node is on top again.
    await page.click('[data-field="counterexample"] button[data-action="replay"]');
    await page.click('[data-stepper] button[data-step="replay-all"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    const vars = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-stepper] [data-var]')].map((e) => [e.dataset.var, e.textContent])));
    await shot(page, 'explorer-aba-replayed');
    assert.equal(vars.top, '2', JSON.stringify(vars));
    assert.equal(vars.kept, '2', 'B’s node is on top of the stack again');
    assert.equal(vars.got, '1');

    // Without reuse: the same count of orders has no broken one, and it is linearizable.
    const [fresh, freshBroken] = treiberCounts(false);
    await page.selectOption('#explorer-program', 'treiber-fresh');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]')?.dataset.result ?? '{}').program === 'treiber-fresh');
    const f = await result(page);
    assert.equal(f.interleavings, String(fresh));
    assert.equal(freshBroken, 0n);
    assert.equal(f.broken, '0');
    assert.equal(f.linearizability.linearizable, true);
    assert.deepEqual(errors, []);
  });

  it('finds exactly the final values 1 and 2 for the lost update, with their counts', async () => {
    const { page, errors } = await open('program=lost-update&threads=2');
    const r = await result(page);
    assert.equal(r.interleavings, '20', 'C(6, 3) orders of two 3-step threads');
    assert.equal(r.counting, 'exact');
    assert.deepEqual(r.finalStates, { 'counter = 1': '18', 'counter = 2': '2' });
    assert.equal(r.assertion, 'counter == 2');
    assert.equal(r.broken, '18');
    assert.equal(r.counterexample.outcome, 'broken');
    assert.equal(r.counterexample.threads.length, 6);
    assert.equal(await page.textContent('[data-field="interleavings"]'), '20');
    assert.equal(await page.locator('.final-states tbody tr').count(), 2);
    // No Run button: the exploration follows the inputs.
    assert.equal(await page.isVisible('button[data-action="run"]'), false);
    await shot(page, 'explorer-lost-update');

    // Three threads: 9! / 3!^3 = 1680 interleavings, final values 1, 2 and 3.
    await page.selectOption('#explorer-program', 'lost-update');
    await page.fill('#explorer-threads', '3');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]')?.dataset.result ?? '{}').interleavings === '1680');
    const three = await result(page);
    assert.deepEqual(Object.keys(three.finalStates), ['counter = 1', 'counter = 2', 'counter = 3']);
    assert.equal(three.finalStates['counter = 3'], '6', 'only the 3! serial orders keep every update');
    assert.deepEqual(errors, []);
  });

  it('reports the opposite-order deadlock, and its replay deadlocks in the stepper', async () => {
    const { page, errors } = await open('program=opposite-locks');
    const r = await result(page);
    assert.equal(r.interleavings, '6');
    assert.equal(r.deadlocks, '2', 'some interleavings deadlock');
    assert.equal(r.finalStates['every lock free'], '4', 'and others finish');
    assert.deepEqual(r.counterexample, { outcome: 'deadlock', trace: '0.1', threads: ['A', 'B'], summary: 'a held by A, b held by B' });
    assert.match(await page.textContent('[data-field="counterexample"]'), /A shortest deadlock: 2 steps/);

    await page.click('button[data-action="replay"]');
    await page.waitForSelector('[data-stepper][data-replay="0/2"]');
    assert.match(await page.textContent('.step-replay'), /step 1 of 2 is A's/);
    await page.click('[data-stepper] button[data-step="replay-next"]');
    await page.waitForSelector('[data-stepper][data-replay="1/2"]');
    await page.click('[data-stepper] button[data-step="replay-next"]');
    await page.waitForSelector('[data-stepper][data-status="deadlocked"][data-replay="2/2"]');
    assert.equal(await page.getAttribute('[data-stepper]', 'data-trace'), '0.1');
    assert.match(await page.textContent('.step-status'), /Deadlock: no thread can take a step\. A waits for lock "b", held by B/);
    assert.match(new URL(page.url()).search, /step=0\.1(&|$)/, 'the replayed interleaving is in the link');
    await shot(page, 'explorer-deadlock-replayed');
    assert.deepEqual(errors, []);
  });

  it('finds no deadlock for philosophers who take their forks in one global order', async () => {
    const { page, errors } = await open('program=philosophers-ordered&k=4');
    const r = await result(page);
    assert.equal(r.deadlocks, '0');
    assert.equal(r.counterexample, null);
    assert.equal(r.counting, 'exact');
    assert.equal(Object.keys(r.finalStates).length, 1);
    assert.match(await page.textContent('[data-field="verdict"]'), /No interleaving deadlocks/);

    // The same table with every philosopher reaching left first: 4! orders of the left forks deadlock.
    await page.selectOption('#explorer-program', 'philosophers');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]')?.dataset.result ?? '{}').program === 'philosophers');
    const unordered = await result(page);
    assert.equal(unordered.deadlocks, '24');
    assert.deepEqual(unordered.counterexample.threads, ['P1', 'P2', 'P3', 'P4']);
    assert.deepEqual(errors, []);
  });

  it('stops at the state limit and says how far it got', async () => {
    const { page, errors } = await open('program=lost-update&threads=7&limit=1000');
    const r = await result(page);
    assert.equal(r.complete, false);
    assert.equal(r.states, 1000);
    assert.equal(r.counting, 'at_least');
    assert.match(r.stopped, /^Stopped after 1,000 states \(the limit\)\. Explored so far: at least [\d,]+ complete interleavings/);
    assert.match(await page.textContent('[data-field="stopped"]'), /Stopped after 1,000 states/);
    assert.match(await page.textContent('[data-field="interleavings"]'), /^≥ /);

    // A limit out of range is refused beside its control.
    await page.fill('#explorer-limit', '5');
    await waitState(page, 'error');
    assert.match(await page.textContent('#explorer-limit-error'), /limit must be a whole number from 10 to 500000, got 5/);
    assert.deepEqual(errors, []);
  });

  it('works without cross-origin isolation: it needs no shared memory', async () => {
    const plain = await setUp({ isolation: false });
    try {
      const { page, errors } = await plain.open('/?demo=explorer&program=philosophers&k=3');
      await waitState(page, 'ready');
      assert.equal(await page.evaluate(() => window.playground.engine.info.poolThreads), 0, 'no worker threads');
      const r = await result(page);
      assert.equal(r.deadlocks, '6', 'the 3! orders in which each philosopher takes the left fork');
      await page.waitForSelector('[data-stepper][data-status="running"]');
      await page.click('button[data-action="replay"]');
      await page.waitForSelector('[data-stepper][data-replay="0/3"]');
      await page.click('[data-stepper] button[data-step="replay-all"]');
      await page.waitForSelector('[data-stepper][data-status="deadlocked"][data-replay="3/3"]');
      assert.equal(await page.getAttribute('[data-stepper]', 'data-trace'), '0.1.2');
      assert.deepEqual(errors, []);
    } finally {
      await plain.tearDown();
    }
  });
});
