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

  it('fuzzes random schedules beside the exhaustive count and replays a failing one', async () => {
    // Worked out here, apart from the engine: two 3-step increments, every order of AAABBB.
    // The naive scheduler halves each step's chance while both threads can step; only the
    // two serial orders keep both updates.
    let [orders, lost, naiveLost] = [0, 0, 0];
    for (let mask = 0; mask < 64; mask++) {
      const steps = [...Array(6).keys()].map((i) => (mask >> i) & 1);
      if (steps.reduce((a, b) => a + b) !== 3) continue;
      let [counter, chance] = [0, 1];
      const [pc, tmp] = [[0, 0], [0, 0]];
      for (const t of steps) {
        if (pc[0] < 3 && pc[1] < 3) chance /= 2;
        if (pc[t] === 0) tmp[t] = counter;
        else if (pc[t] === 1) tmp[t] += 1;
        else counter = tmp[t];
        pc[t] += 1;
      }
      orders += 1;
      if (counter !== 2) [lost, naiveLost] = [lost + 1, naiveLost + chance];
    }
    assert.deepEqual([orders, lost, naiveLost], [20, 18, 0.75]);

    const { page, errors } = await open('program=lost-update&threads=2&schedules=2000&seed=7');
    const { fuzzer: f } = await result(page);
    assert.deepEqual(f.exhaustive, { interleavings: String(orders), failing: String(lost), exact: true });
    assert.equal(f.strategy, 'pct');
    assert.equal(f.schedules, 2000);
    assert.equal(f.rate, f.failures / 2000);
    assert.equal(f.naiveExact, naiveLost);
    assert.equal(f.strategies.uniform.expected, lost / orders);
    // Seeded, so these hold or fail the same way every run: within 5 standard errors.
    const near = (rate, p) => Math.abs(rate - p) <= 5 * Math.sqrt((p * (1 - p)) / 2000);
    assert.ok(near(f.strategies.uniform.rate, lost / orders), `uniform ${f.strategies.uniform.rate}`);
    assert.ok(near(f.strategies.naive.rate, naiveLost), `naive ${f.strategies.naive.rate}`);
    assert.ok(near(f.rate, 1 / 3), `PCT at depth 2 over k = 6 steps: 2 change points in 6 lose the update (${f.rate})`);
    assert.match(await page.textContent('[data-field="fuzz-headline"]'), new RegExp(`^The PCT fuzzer \\(depth 2\\) broke counter == 2 in ${f.failures} of 2,000 schedules \\([\\d.]+ %\\); exhaustively, 18 of 20 interleavings break it \\(90 %\\)\\.$`));
    assert.match(await page.textContent('[data-field="fuzz-why"]'), /Here its exact chance of failing is 75 % \([\d.]+ % measured over 2,000 schedules\), while 18 of the 20 interleavings fail \(90 %\)/);
    await shot(page, 'explorer-fuzzer');

    // The PCT row's first failing schedule, replayed to the end in the stepper, loses an update.
    await page.click('tr[data-strategy="pct"] button[data-action="replay-fuzzed"]');
    await page.waitForSelector(`[data-stepper][data-replay="0/6"]`);
    await page.click('[data-stepper] button[data-step="replay-all"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await page.getAttribute('[data-stepper]', 'data-trace'), f.firstFailing.trace);
    assert.equal(await page.textContent('[data-stepper] [data-var="counter"]'), '1');

    // Past the explorer's state limit there is no uniform sampler, and the page says why.
    await page.fill('#explorer-threads', '7');
    await page.fill('#explorer-limit', '10000');
    await page.selectOption('#explorer-strategy', 'uniform');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]')?.dataset.result ?? '{}').fuzzer?.unavailable);
    const big = await result(page);
    assert.equal(big.fuzzer.schedules, null);
    assert.deepEqual(Object.keys(big.fuzzer.strategies), ['naive', 'pct']);
    assert.ok(big.fuzzer.strategies.pct.failures > 0, 'PCT still finds the lost update');
    assert.match(await page.textContent('[data-field="fuzz-headline"]'), /^The uniform sampler weighs each choice by the interleavings below it/);

    // Bad input is refused beside its control.
    await page.fill('#explorer-schedules', '0');
    await waitState(page, 'error');
    assert.match(await page.textContent('#explorer-schedules-error'), /schedules must be a whole number from 1 to 100000, got 0/);
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
