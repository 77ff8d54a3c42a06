// Chapter 18 as a visitor: each server under real client threads answers every request
// exactly once, the blocking one serves one client at a time, a thread per connection keeps
// fast replies coming while one client asks for fib(n), the reactor's step-through holds a
// ready set, and bad input is refused beside its control.

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

/** fib(n) by a table, written here: what a fib(n) reply must say. */
const fib = (n) => {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
};

describe('chapter 18: a server from scratch', () => {
  it('answers every request exactly once under each server, on the threads it says', async () => {
    assert.equal(fib(30), 832040);
    for (const [server, threads] of [['blocking', 3], ['threads', 4], ['reactor', 3]]) {
      const { page, errors } = await env.open(`/?demo=server&server=${server}&clients=2&duration=300&run=1`);
      await waitState(page, 'done');
      const r = await result(page);
      assert.equal(r.server, server);
      assert.equal(r.clients, 2);
      assert.ok(r.requests >= 2, `${server}: ${r.requests}`);
      assert.equal(r.answered, r.requests, server);
      assert.deepEqual([r.wrong, r.stray, r.exactlyOnce], [0, 0, true], server);
      assert.equal(r.threadsUsed, threads, `${server}: every client and server thread on its own worker`);
      assert.equal(r.perClient.length, 2);
      for (const c of r.perClient) assert.deepEqual([c.answered, c.served], [c.requests, c.requests], `${server} client ${c.client}`);
      assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p99 >= r.latencyMs.p50, JSON.stringify(r.latencyMs));
      assert.match(await page.textContent('[data-field="exactly-once"]'), new RegExp(`^Answered ${r.answered.toLocaleString('en')} of ${r.requests.toLocaleString('en')} requests, each exactly once`));
      if (server === 'blocking') {
        assert.ok(r.perClient[1].requests <= 1, 'client 2 waited for client 1 to hang up, after the run was over');
      }
      if (server === 'reactor') {
        assert.equal(r.readySizes.length, 3, 'turns with 0, 1 or 2 connections ready');
        assert.equal(r.readySizes[0], 0, 'a turn with nothing ready sleeps instead');
        assert.ok(await page.isVisible('[data-field="ready-sets"]'));
      }
      await shot(page, `server-${server}`);
      assert.deepEqual(errors, []);
    }
  });

  it('keeps fast replies coming beside a fib(n) with a thread per connection', async () => {
    // A fast reply strictly inside a fib request's round trip needs the two threads to run at
    // once: the run is repeated up to 3 times before that counts as not happening.
    let r;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { page, errors } = await env.open('/?demo=server&server=threads&clients=3&load=fib&fib=32&duration=900&run=1');
      await waitState(page, 'done');
      r = await result(page);
      assert.deepEqual(errors, []);
      assert.equal(r.exactlyOnce, true);
      if (r.fib.fastInsideSlow > 0) {
        assert.match(await page.textContent('[data-field="fib-experiment"]'), /^Fast requests per second: [\d,]+ before client 1 asked for fib\(32\), [\d,]+ while it did/);
        await shot(page, 'server-fib-threads');
        break;
      }
    }
    assert.ok(r.fib.slowAnswered >= 1, 'client 1 got its fib(32) answered');
    assert.ok(r.perClient[0].slow && !r.perClient[1].slow);
    assert.ok(r.fib.fastInsideSlow > 0, `fast replies arrived while fib(32) was computed: ${JSON.stringify(r.fib).slice(0, 200)}`);
  });

  it('sweeps every server from 1 to 2 clients, and the whole result passes axe', async () => {
    const { page, errors } = await env.open('/?demo=server&server=reactor&clients=2&duration=150&load=fib&fib=25&sweep=on&run=1');
    await waitState(page, 'done');
    const { sweep } = await result(page);
    assert.deepEqual(sweep.points.map((x) => `${x.server} ${x.clients}`), ['blocking 1', 'blocking 2', 'threads 1', 'threads 2', 'reactor 1', 'reactor 2']);
    for (const x of sweep.points) assert.ok(x.exactlyOnce && x.answered === x.requests && x.requests >= 1, JSON.stringify(x));
    assert.equal(await page.locator('[data-field="sweep"] tbody tr').count(), 6);
    // The rate chart, the ready sets and the sweep's table, light and dark.
    assert.deepEqual(await axe(page), []);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await axe(page), []);
    await shot(page, 'server-sweep');
    assert.deepEqual(errors, []);
  });

  it('shows the reactor’s ready set in the step-through', async () => {
    // Both clients send (put up, put ready) before the reactor steps: the ready set is [1, 2].
    const { page, errors } = await env.open('/?demo=server&server=reactor&clients=2&step=0.0.1.1');
    await page.waitForSelector('[data-stepper][data-status="running"]');
    assert.equal(await page.textContent('[data-stepper] [data-queue="ready"]'), '[1, 2]');
    assert.equal(await page.textContent('[data-stepper] [data-queue="up1"]'), '[11]');
    await shot(page, 'server-step-ready');
    assert.deepEqual(errors, []);
  });

  it('refuses bad input beside its control', async () => {
    const { page, errors } = await env.open('/?demo=server&clients=12&fib=99');
    await page.waitForFunction(() => document.querySelector('#server-clients-error')?.textContent);
    assert.match(await page.textContent('#server-clients-error'), /clients must be a whole number from 1 to 8, got 12/);
    assert.match(await page.textContent('#server-fib-error'), /fib must be a whole number from 20 to 35, got 99/);
    // A thread per connection needs 2 workers a client: more than the pool has is refused.
    const pool = await page.evaluate(() => window.playground.engine.info.poolThreads);
    const clients = Math.floor(pool / 2) + 1;
    if (clients <= 8) {
      const over = await env.open(`/?demo=server&server=threads&clients=${clients}&fib=30&run=1`);
      await over.page.waitForFunction(() => document.querySelector('#server-clients-error')?.textContent);
      assert.match(await over.page.textContent('#server-clients-error'), new RegExp(`clients \\+ one server thread per client must be at most ${pool} here`));
      assert.deepEqual(over.errors, []);
    }
    assert.deepEqual(errors, []);
  });
});
