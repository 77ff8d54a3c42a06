// Chapter 13 as a visitor: readers and writers on real threads, starving and then served,
// the priority CPU without and with aging, the live counts, cancel, and the step-through.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';

let env;
let plain;
before(async () => {
  env = await setUp({ isolation: true });
  plain = await setUp({ isolation: false });
});
after(async () => {
  await env?.tearDown();
  await plain?.tearDown();
});

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** Accesses of the threads whose role is `role`. */
const of = (r, role) => r.accesses.filter((_, i) => r.roles[i] === role);

describe('chapter 13: starvation', () => {
  it('starves the writers with reader preference, live and in the table', async () => {
    const { page, errors } = await env.open('/?demo=starvation&scenario=readers-writers&policy=readers&readers=3&writers=2&budget=1000&hold=5&pause=0');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    // The counts move while it runs: the live table is there before the run is done.
    await page.waitForFunction(() => {
      const region = document.querySelector('[data-demo-result]');
      return region.dataset.state === 'running' && region.querySelectorAll('tr[data-thread]').length === 5;
    });
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.policy, 'readers');
    assert.deepEqual(r.names, ['R1', 'R2', 'R3', 'W1', 'W2']);
    const reads = sum(of(r, 'reader'));
    const writes = sum(of(r, 'writer'));
    assert.ok(reads > 0);
    assert.ok(writes * 10 < reads, `writers got ${writes} accesses against ${reads} reads`);
    assert.equal(r.starving.group, 'writers');
    assert.equal(r.starving.accesses, writes);
    assert.ok(r.jain > 0 && r.jain < 1);
    assert.equal(r.longestWaitMs.length, 5);
    // The table shows the same numbers.
    for (const [i, name] of r.names.entries()) {
      assert.equal(await page.textContent(`[data-demo-result] tr[data-thread="${name}"] [data-field="accesses"]`), r.accesses[i].toLocaleString('en'));
    }
    assert.match(await page.textContent('[data-field="explanation"]'), /reader preference/i);
    assert.equal(r.starving.starved, true, 'a writer waited at least half the run, or never got in');
    assert.ok(await page.isVisible('[data-field="meter"]'));
    await shot(page, 'chapter13-readers-starve-writers');
    assert.deepEqual(errors, []);
  });

  for (const policy of ['fair', 'writers']) {
    it(`lets the writers in with the ${policy === 'fair' ? 'fair (ticket)' : 'writer-preferring'} lock`, async () => {
      const { page, errors } = await env.open(`/?demo=starvation&scenario=readers-writers&policy=${policy}&readers=3&writers=2&budget=1000&hold=5&pause=0&run=1`);
      await waitState(page, 'done');
      const r = await result(page);
      assert.equal(r.policy, policy);
      assert.ok(r.starving.accesses > 0, `${policy}: the writers got in`);
      assert.equal(r.starving.accesses, sum(of(r, 'writer')));
      if (policy === 'fair') {
        // Tickets: everyone is served, readers and writers alike.
        assert.ok(r.accesses.every((a) => a > 0), `every thread got in: ${r.accesses}`);
        assert.equal(r.starving.starved, false);
        assert.equal(r.others.starved, false);
        assert.ok(r.jain > 0.8, `near-equal shares: J = ${r.jain}`);
        assert.match(await page.textContent('[data-field="starved"]'), /Every thread got in/);
        await shot(page, 'chapter13-fair');
      }
      assert.deepEqual(errors, []);
    });
  }

  it('starves the low-priority task, and aging lets it run', async () => {
    const { page, errors } = await env.open('/?demo=starvation&scenario=priority&high=2&aging=off&budget=1000&hold=5&pause=0&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.scenario, 'priority');
    assert.equal(r.policy, 'priority');
    assert.deepEqual(r.names, ['H1', 'H2', 'L']);
    const [low] = of(r, 'low');
    const high = of(r, 'high');
    assert.ok(low * 10 < Math.min(...high), `the low task ran ${low} times against ${high}`);
    assert.equal(r.starving.group, 'low-priority task');

    await page.selectOption('#starvation-aging', 'on');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]').dataset.result ?? '{}').policy === 'aging');
    await waitState(page, 'done');
    const a = await result(page);
    assert.ok(of(a, 'low')[0] > 0, 'with aging the low-priority task gets the CPU');
    assert.equal(a.starving.starved, false);
    assert.match(await page.textContent('[data-field="explanation"]'), /aging/);
    await shot(page, 'chapter13-priority-aging');
    assert.deepEqual(errors, []);
  });

  it('cancels a long run at once, waiting writers included, and runs again', async () => {
    const { page, errors } = await env.open('/?demo=starvation&policy=readers&budget=5000');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await page.waitForSelector('[data-demo-result] [data-field="live-jain"]');
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled', 10_000);
    await page.fill('#starvation-budget', '300');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal((await result(page)).accesses.length, 5);
    assert.deepEqual(errors, []);
  });

  it('keeps a writer waiting in the step-through while readers overlap', async () => {
    // R1 takes 7 steps (in, about to read: the check for a writer jumps over the wait), then
    // W takes 4 (it sees readers = 1 and waits).
    const trace = [...Array(7).fill(0), ...Array(4).fill(2)].join('.');
    const { page, errors } = await env.open(`/?demo=starvation&policy=readers&step=${trace}`);
    await page.waitForSelector('[data-stepper][data-status="running"]');
    assert.equal(await page.textContent('[data-var="readers"]'), '1');
    assert.equal(await page.isDisabled('[data-stepper] button[data-step-thread="2"]'), true, 'W is waiting');
    assert.equal(await page.isDisabled('[data-stepper] button[data-step-thread="1"]'), false, 'R2 may walk in');
    assert.deepEqual(errors, []);
  });

  it('says why it cannot run without threads, and the step-through still works', async () => {
    const { page, errors } = await plain.open('/?demo=starvation');
    await waitState(page, 'ready');
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    assert.match(await page.textContent('.status'), /Starvation needs threads/);
    await page.waitForSelector('[data-stepper][data-status="running"]');
    assert.deepEqual(errors, []);
  });
});
