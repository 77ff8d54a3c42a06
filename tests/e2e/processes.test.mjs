// Chapter 6 as a visitor: worker processes with pids and names that share nothing, a daemon
// terminated when main ends, join with a timeout, terminate, consumers that share a queue
// badly (empty()) and well (poison pills), the costs measured beside the shared-memory pool,
// no worker left behind after 10 runs, a bad input refused beside its control, and the race
// between empty() and get() in the step-through.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, result, setUp, shot, waitState } from './harness.mjs';

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const consumers = (r) => r.workers.filter((w) => w.name.startsWith('consumer-'));
/** A process worker of the demo (www/src/engine/processes/process.ts), as the browser lists it. */
const isProcess = (w) => /\/assets\/process-[^/]*\.js$/.test(w.url());

// The plain worker has 5 s to start and work 20 ms before main's join gives up on it; the
// slow one never ends, so its join always times out.
const LIFE = 'timeout=5000&megabytes=2&fine=500&workers=2';

describe('chapter 6: processes that share nothing', () => {
  it('names every process, ends each the way main says, and shares the items out with poison pills', async () => {
    const { page, errors } = await env.open(`/?demo=processes&${LIFE}&ending=pills&consumers=3&tasks=12`);
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done', 120_000);
    const r = await result(page);
    assert.equal(r.demo, 'processes');
    const lines = r.workers.map((w) => [w.pid, w.name, w.daemon, w.exitedBy]);
    assert.deepEqual(lines, [
      [1001, 'worker', false, 'finished'],
      [1002, 'background', true, 'terminated'],
      [1003, 'slow', false, 'timeout'],
      [1004, 'killed', false, 'terminated'],
      [1005, 'producer', false, 'finished'],
      [1006, 'consumer-1', false, 'finished'],
      [1007, 'consumer-2', false, 'finished'],
      [1008, 'consumer-3', false, 'finished'],
      [1009, 'pool-1', false, 'finished'],
      [1010, 'pool-2', false, 'finished'],
    ]);
    assert.equal(r.workers[4].tasks, 12, 'the producer put every item');
    assert.equal(sum(consumers(r).map((w) => w.tasks)), 12, 'every item taken once');
    assert.equal(r.left, 0);
    assert.equal(r.sharedMemory, false, 'a process’s write into its copy never reached main');
    assert.equal(r.copy.bytes, 2 * 1024 * 1024);
    for (const k of ['cloneMs', 'transferMs', 'sharedMs']) assert.ok(Number.isFinite(r.copy[k]) && r.copy[k] >= 0, `${k} ${r.copy[k]}`);
    assert.equal(r.dispatch.tasks, 500);
    assert.ok(r.dispatch.messageMs > 0 && r.dispatch.poolMs > 0, JSON.stringify(r.dispatch));
    assert.equal(r.dispatch.ratio, r.dispatch.messageMs / r.dispatch.poolMs);
    assert.equal(r.threadsUsed, 2);
    // What the page shows is what the engine said.
    assert.equal(await page.textContent('[data-field="ratio"]'), `${r.dispatch.ratio.toFixed(0)}×`);
    assert.equal(await page.locator('.processes-shares li').count(), 4, 'three consumers and the items left');
    assert.deepEqual(page.workers().filter(isProcess), [], 'no process is left');
    await shot(page, 'chapter6-processes');
    assert.deepEqual(errors, []);
  });

  it('lets the book’s consumers stop at the first empty queue: every item is taken at most once or left', async () => {
    const { page, errors } = await env.open(`/?demo=processes&${LIFE}&ending=poll&consumers=3&tasks=20&run=1`);
    await waitState(page, 'done', 120_000);
    const r = await result(page);
    assert.equal(r.ending, 'poll');
    assert.equal(sum(consumers(r).map((w) => w.tasks)) + r.left, 20);
    // A consumer either saw an empty queue and returned, or lost the race between empty()
    // and get() and waited in get() until main's join gave up.
    for (const w of consumers(r)) assert.ok(['finished', 'timeout'].includes(w.exitedBy), JSON.stringify(w));
    assert.deepEqual(errors, []);
  });

  // Ten runs: a leak of one worker a run would show as 10 left (CI time, 2026-12-02: 20 runs
  // took 24 s and proved no more).
  const RUNS = 10;
  it('leaves no worker behind after 10 runs back to back', async () => {
    const { page, errors } = await env.open('/?demo=processes&timeout=50&megabytes=1&fine=100&workers=1&consumers=1&tasks=4&ending=pills');
    await waitState(page, 'ready');
    // Every worker the page holds, as the browser reports them (the engine, its pool, and
    // each process the engine starts, nested in it), not a count the page keeps.
    const before = page.workers().length;
    const closes = [];
    page.on('worker', (w) => {
      if (isProcess(w)) closes.push(new Promise((resolve) => w.on('close', resolve)));
    });
    for (let run = 1; run <= RUNS; run++) {
      await page.click('button[data-action="run"]');
      await waitState(page, 'running');
      await waitState(page, 'done', 120_000);
      const r = await result(page);
      assert.equal(r.workers.length, 7, `run ${run}`);
    }
    assert.equal(closes.length, RUNS * 7, 'each run started its 7 processes');
    // A terminated worker's close can reach the test just after the run's answer: wait for
    // the browser's word on every one (bounded, so that a leak fails instead of hanging).
    const ended = await Promise.race([Promise.all(closes).then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    assert.ok(ended, 'every process ended');
    assert.deepEqual(page.workers().filter(isProcess).map((w) => w.url()), []);
    assert.equal(page.workers().length, before, 'the page holds the workers it held before the runs');
    assert.deepEqual(errors, []);
  });

  it('draws a run at 360 px dark without axe violations or a sideways page', async () => {
    const { page, errors } = await env.open('about:blank', { width: 360 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(env.url('/?demo=processes&megabytes=1&fine=200&consumers=2&tasks=6&run=1'));
    await waitState(page, 'done', 120_000);
    assert.deepEqual(await axe(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, 'chapter6-processes-dark-360');
    assert.deepEqual(errors, []);
  });

  it('stops every process on Cancel, and runs again', async () => {
    // The slow process's join waits 5 s: Cancel comes while main waits in it.
    const { page, errors } = await env.open('/?demo=processes&timeout=5000&megabytes=1&fine=100&consumers=1&tasks=4&workers=1');
    await waitState(page, 'ready');
    const closes = [];
    let firstProcess;
    const aProcessStarted = new Promise((resolve) => (firstProcess = resolve));
    page.on('worker', (w) => {
      if (!isProcess(w)) return;
      closes.push(new Promise((resolve) => w.on('close', resolve)));
      firstProcess();
    });
    await page.click('button[data-action="run"]');
    await aProcessStarted; // main is at work: the run has begun
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled');
    const ended = await Promise.race([Promise.all(closes).then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    assert.ok(ended, `${closes.length} processes started; not all ended`);
    assert.deepEqual(page.workers().filter(isProcess), []);
    await page.click('button[data-action="run"]');
    await waitState(page, 'done', 120_000);
    assert.equal((await result(page)).workers.length, 7);
    assert.deepEqual(errors, []);
  });

  it('refuses a bad input beside its control', async () => {
    const { page, errors } = await env.open('/?demo=processes&consumers=9');
    await page.waitForFunction(() => document.querySelector('#processes-consumers-error')?.textContent);
    assert.equal(await page.textContent('#processes-consumers-error'), 'consumers must be a whole number from 1 to 6, got 9');
    assert.deepEqual(errors, []);
  });

  it('steps through the race between empty() and get(), and the pills that end it', async () => {
    // M puts its item; C1 and C2 both see it in empty(); C1 takes it and returns; C2 waits
    // in get() for an item that never comes.
    const { page, errors } = await env.open('/?demo=processes&ending=poll&consumers=2&tasks=1&step=0.1.1.2.2.1*6');
    await page.waitForSelector('[data-stepper][data-status="deadlocked"]');
    const pills = await env.open('/?demo=processes&ending=pills&consumers=2&tasks=1&step=0.0.0.1*7.2*3');
    await pills.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.deepEqual(errors, []);
    assert.deepEqual(pills.errors, []);
  });
});

describe('chapter 6 on a page without a pool', () => {
  let plain;
  before(async () => {
    await env?.tearDown();
    env = undefined;
    plain = await setUp({ isolation: false });
  });
  after(async () => {
    await plain?.tearDown();
  });

  it('starts no process and says why', async () => {
    const { page, errors } = await plain.open('/?demo=processes&run=1');
    await waitState(page, 'error');
    assert.match(await page.textContent('main'), /worker processes and the shared-memory pool beside them need a cross-origin isolated page/);
    assert.deepEqual(page.workers().filter(isProcess), []);
    assert.deepEqual(errors, []);
  });
});
