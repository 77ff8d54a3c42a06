// Chapters 3-4 as a visitor: countdown threads, lock contention, and the leaked lock.

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

describe('chapter 3: threads', () => {
  it('shows the countdown as it happens, then every line of every thread in order', async () => {
    const { page, errors } = await env.open('/?demo=threads&threads=3&count=5&delay=120&stagger=20');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    // Lines arrive through the live feed while the run is still going.
    await page.waitForFunction(() => {
      const live = document.querySelectorAll('[data-demo-result] ol.log li').length;
      return live > 0 && document.querySelector('[data-demo-result]').dataset.state === 'running';
    });
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.lines.length, 15);
    for (const name of ['A', 'B', 'C']) {
      assert.deepEqual(
        r.lines.filter((l) => l.startsWith(`${name}:`)),
        [5, 4, 3, 2, 1].map((n) => `${name}: ${n}`),
      );
    }
    assert.equal(new Set(r.threads.map((t) => t.lane)).size, 3, 'each thread ran on its own worker');
    assert.equal(r.peakActive, 3);
    assert.equal(r.threadsUsed, 3);
    assert.equal(await page.locator('[data-demo-result] ol.log li').count(), 15);
    await shot(page, 'chapter3-threads');
    assert.deepEqual(errors, []);
  });

  it('serialises the threads when a lock is held around the countdown', async () => {
    const { page, errors } = await env.open('/?demo=threads&threads=3&count=3&delay=20&lock=on&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.switches, 2);
    // Each thread's three lines come together.
    const blocks = r.lines.map((l) => l[0]).join('');
    assert.match(blocks, /^(AAA|BBB|CCC){3}$/);
    assert.match(await page.textContent('[data-field="explanation"]'), /lock/);
    assert.deepEqual(errors, []);
  });

  it("puts the book's countdown one click away", async () => {
    const { page, errors } = await env.open('/?demo=threads');
    await waitState(page, 'ready');
    await page.click('button[data-preset="book"]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('delay') === '500');
    assert.equal(await page.inputValue('#threads-threads'), '2');
    assert.equal(await page.inputValue('#threads-delay'), '500');
    assert.deepEqual(errors, []);
  });
});

describe('chapter 3: locks', () => {
  for (const mode of ['mutex', 'try', 'spin']) {
    it(`counts exactly with a ${mode} lock and reports each thread's waiting`, async () => {
      const { page, errors } = await env.open(`/?demo=lock&mode=${mode}&threads=4&increments=5000&hold=40&run=1`);
      await waitState(page, 'done');
      const r = await result(page);
      assert.equal(r.expected, 20000);
      assert.equal(r.actual, 20000);
      assert.equal(r.exact, true);
      assert.deepEqual(r.acquisitions, [5000, 5000, 5000, 5000]);
      assert.equal(new Set(r.lanes).size, 4);
      assert.equal(r.threadsUsed, 4);
      assert.ok(r.lanes.every((l) => l >= 1), 'pool workers, not the engine thread');
      assert.equal(await page.locator('.result table.figures tbody tr').count(), 4);
      if (mode === 'mutex') assert.deepEqual(r.failed, [0, 0, 0, 0]);
      assert.match(await page.textContent('[data-field="actual"]'), /^20,000$/);
      if (mode === 'spin') await shot(page, 'chapter3-lock-spin');
      assert.deepEqual(errors, []);
    });
  }

  it('refuses more threads than the pool has, beside the control', async () => {
    const first = await env.open('/?demo=lock');
    await waitState(first.page, 'ready');
    const pool = await first.page.evaluate(() => window.playground.engine.info.poolThreads);
    // One more than the pool has (the schema allows up to 16; a pool of 16 is refused by it).
    const asked = pool + 1;
    const { page, errors } = await env.open(`/?demo=lock&threads=${asked}&run=1`);
    await waitState(page, 'error');
    const expected = asked <= 16 ? `threads must be at most ${pool} here: the engine's pool has ${pool} workers` : 'threads must be a whole number from 1 to 16, got 17';
    assert.equal(await page.textContent('#lock-threads-error'), expected);
    assert.deepEqual(first.errors, []);
    assert.deepEqual(errors, []);
  });
});

describe('chapter 4: the with statement', () => {
  it('detects a leaked lock, names its holder, and recovers without a reload', async () => {
    const { page, errors } = await env.open('/?demo=guard&style=manual&failure=error&patience=300&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.leaked, true);
    assert.equal(r.bGotLock, true);
    assert.match(r.watchdog, /no progress for \d+ ms: B is waiting for the lock, and its holder A has already finished\. The lock leaked\./);
    assert.match(await page.textContent('[data-field="watchdog"]'), /The lock leaked/);
    assert.equal(await page.textContent('[data-field="verdict"]'), 'The lock leaked');
    await shot(page, 'chapter4-leak');
    // The engine is usable at once: the guard version runs next, on the same page.
    await page.selectOption('#guard-style', 'guard');
    await page.click('button[data-action="run"]');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]').dataset.result ?? '{}').style === 'guard');
    await waitState(page, 'done');
    const g = await result(page);
    assert.equal(g.leaked, false);
    assert.equal(g.watchdog, null);
    assert.equal(await page.textContent('[data-field="verdict"]'), 'Released');
    assert.deepEqual(errors, []);
  });

  it('shows a poisoned mutex after a panic inside a guard', async () => {
    const { page, errors } = await env.open('/?demo=guard&style=guard&failure=panic&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.poisoned, true);
    assert.equal(r.leaked, false);
    assert.ok(r.events.some((e) => e.includes('PoisonError')));
    assert.deepEqual(errors, []);
  });
});
