// Chapter 5 as a visitor: the book's status pages fetched by real threads from the status
// route the site answers itself (its service worker, or scripts/serve.mjs), one after
// another, one thread per URL, on a pool and from one thread with fetch; a client timeout
// that does not stop the server; bad input refused beside its control; the simulated server
// on a virtual clock; and the same with no isolation headers (GitHub Pages) and with service
// workers blocked.
//
// No assertion rests on timing margins: overlap is proven by the rendezvous (the server holds
// every answer until all requests of the run have arrived, so requests that were not in
// flight together are never answered), and the timeout case has the server wait 3 s against
// a 1 s client timeout, so its log finishes after the client gave up by construction.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { result, setUp, shot, waitState } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BOOK = [200, 400, 404, 408, 500, 524];

async function axe(page) {
  await page.evaluate(AXE);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Opens `query` on the requests demo, runs it to `done` and returns its data-result. */
async function run(env, query, { width } = {}) {
  const { page, errors } = await env.open(`/?demo=requests&${query}&run=1`, { width });
  await waitState(page, 'done', 90_000);
  return { page, errors, r: await result(page) };
}

/** The page's service worker is active and controls pages opened from now on. */
async function installServiceWorker(env) {
  const { page, errors } = await env.open('/?demo=requests');
  await page.waitForSelector('[data-field="status-server"]:not([data-server="checking"])');
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.deepEqual(errors, []);
  await page.close();
}

function assertRendezvousPassed(r, count) {
  assert.equal(r.requests.length, count);
  assert.deepEqual(r.requests.map((q) => q.outcome), Array(count).fill('ok'), 'held until all arrived: only requests in flight together are answered');
  const lanes = new Set(r.requests.map((q) => q.lane));
  assert.equal(lanes.size, count, 'one thread per URL');
  assert.ok([...lanes].every((l) => l > 0), 'pool threads, not the engine thread');
  assert.equal(r.threadsUsed, count);
  // Every request was sent before the first answer came back.
  assert.ok(Math.max(...r.requests.map((q) => q.startMs)) <= Math.min(...r.requests.map((q) => q.endMs)));
}

describe('chapter 5: web requests, cross-origin isolated by headers', () => {
  let env;
  before(async () => {
    env = await setUp({ isolation: true });
    await installServiceWorker(env);
  });
  after(async () => {
    await env?.tearDown();
  });

  it('sends the book’s six requests on six threads that are in flight together, answered by the service worker', async () => {
    const { page, errors, r } = await run(env, 'mode=threads&hold=on&sleep=50&jitter=0');
    assert.equal(r.demo, 'requests');
    assert.equal(r.mode, 'threads');
    assert.equal(r.server, 'real');
    assertRendezvousPassed(r, 6);
    assert.deepEqual(r.requests.map((q) => q.code), BOOK);
    assert.deepEqual(r.answeredBy, ['service-worker'], 'the pool threads’ XHRs went through the service worker');
    assert.equal(r.sequentialMs, null, 'one after another a rendezvous never completes');
    assert.ok(r.requests.every((q) => q.serverDoneMs !== null), 'the server logged every request');
    // The timeline labels every status code as text.
    assert.deepEqual(await page.locator('.requests-lanes .request .code').allTextContents(), BOOK.map(String));
    assert.equal(await page.locator('.requests-lanes .request.ok').count(), 6);
    await shot(page, 'chapter5-requests-threads');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
  });

  it('one after another on the engine thread, then compared: the same requests and the same server waits', async () => {
    const seq = await run(env, 'mode=sequential');
    assert.equal(seq.r.threadsUsed, 1);
    assert.deepEqual(seq.r.requests.map((q) => q.lane), Array(6).fill(0));
    assert.equal(seq.r.sequentialMs, seq.r.wallMs);
    assert.deepEqual(seq.r.requests.map((q) => q.code), BOOK);
    // Each request was sent after the one before had ended.
    for (let i = 1; i < 6; i++) assert.ok(seq.r.requests[i].startMs >= seq.r.requests[i - 1].endMs, `request ${i}`);
    // The seeded jitter: the server said (X-Slept-Ms) it waited what Rust plans for the
    // virtual clock, 103, 131, 101, 119, 114 and 114 ms.
    const waits = (page) => page.locator('.requests-table tbody td:nth-child(2)').allTextContents();
    const sim = await run(env, 'mode=sequential&server=simulated');
    assert.equal(sim.r.wallMs, 682);
    assert.deepEqual(await waits(sim.page), ['103 ms', '131 ms', '101 ms', '119 ms', '114 ms', '114 ms']);
    assert.deepEqual(await waits(seq.page), await waits(sim.page));
    const threads = await run(env, 'mode=threads&compare=on');
    assert.equal(threads.r.threadsUsed, 6);
    assert.ok(threads.r.sequentialMs > 0, 'measured by a second, sequential pass');
    assert.deepEqual([seq.errors, sim.errors, threads.errors], [[], [], []]);
  });

  it('a pool of 2 and async from one thread', async () => {
    const pool = await run(env, 'mode=pool&workers=2&compare=off');
    assert.equal(pool.r.threadsUsed, 2);
    assert.equal(new Set(pool.r.requests.map((q) => q.lane)).size, 2);
    assert.deepEqual(pool.r.requests.map((q) => q.code), BOOK);
    const asyncio = await run(env, 'mode=async&hold=on&compare=off');
    assert.equal(asyncio.r.threadsUsed, 1, 'one thread sent every request');
    assert.deepEqual(asyncio.r.requests.map((q) => q.outcome), Array(6).fill('ok'), 'and they were in flight together (rendezvous)');
    assert.deepEqual(asyncio.r.requests.map((q) => q.lane), Array(6).fill(0));
    assert.deepEqual(asyncio.r.answeredBy, ['service-worker']);
    assert.deepEqual([pool.errors, asyncio.errors], [[], []]);
  });

  it('a client timeout gives up, and the server’s log shows it finished later anyway', async () => {
    // Only the slow request is asserted on: its server waits 3 s against a 1 s client
    // timeout, so it times out and finishes later by construction, however busy the machine.
    const { page, errors, r } = await run(env, 'mode=threads&codes=200&sleep=0&jitter=0&slow=3000&timeout=1000&compare=off');
    const slow = r.requests[1];
    assert.equal(slow.outcome, 'timeout');
    assert.equal(slow.code, null);
    assert.ok(slow.serverDoneMs > slow.endMs, `server done ${slow.serverDoneMs}, client gave up ${slow.endMs}`);
    assert.match(await page.textContent('[data-field="explanation"]'), /timed out after 1\.00 s: the client stopped waiting, but the server did not stop working/);
    assert.equal(await page.locator('.requests-lanes .request[data-n="1"] .code').textContent(), 'timed out');
    assert.ok((await page.locator('.requests-lanes .server-done').count()) >= 1);
    await shot(page, 'chapter5-requests-timeout');
    assert.deepEqual(errors, []);
  });

  it('refuses an unknown code and a wait out of range beside their controls', async () => {
    const { page, errors } = await env.open('/?demo=requests&codes=200,299');
    await page.waitForFunction(() => document.querySelector('#requests-codes-error')?.textContent);
    assert.match(await page.textContent('#requests-codes-error'), /it does not know 299/);
    const sleep = await env.open('/?demo=requests&sleep=20001');
    await sleep.page.waitForFunction(() => document.querySelector('#requests-sleep-error')?.textContent);
    assert.equal(await sleep.page.textContent('#requests-sleep-error'), 'sleep must be a whole number from 0 to 20000, got 20001');
    assert.deepEqual([errors, sleep.errors], [[], []]);
  });

  it('steps the book’s custom timeout: the client gives up, the server finishes anyway', async () => {
    // C2 sends the slow request and looks before S2 answers; C1 gets its 200; M joins both;
    // then S2, which the timeout did not stop. Threads: C1 0, C2 1, M 2, S1 3, S2 4.
    const trace = '1.1.1.1.0.3.3.3.3.0.0.0.2.2.2.2.2.2.2.4.4.4.4';
    const { page, errors } = await env.open(`/?demo=requests&mode=threads&codes=200&slow=20000&timeout=5000&step=${trace}`);
    await page.waitForSelector('[data-stepper][data-status="done"]');
    const lines = await page.locator('[data-stepper] ol.log li').allTextContents();
    assert.deepEqual(lines.map((l) => l.replace(/\s+/g, ' ').trim()), [
      'C2 Custom timeout',
      'S1 working (sleep)',
      'S1 finished 200',
      'C1 200 OK',
      'M every thread joined',
      'S2 working (sleep)',
      'S2 finished 200',
    ]);
    assert.deepEqual(errors, []);
  });

  it('is readable at 360 px, with no serious axe violation after a run', async () => {
    const { page, errors } = await run(env, 'mode=pool&workers=2&server=simulated&slow=800&timeout=500', { width: 360 });
    assert.deepEqual(await axe(page), []);
    await shot(page, 'chapter5-requests-360');
    assert.deepEqual(errors, []);
  });
});

describe('chapter 5 on a host without isolation headers (GitHub Pages), service workers allowed', () => {
  let env;
  before(async () => {
    env = await setUp({ isolation: false, serviceWorkers: 'allow' });
  });
  after(async () => {
    await env?.tearDown();
  });

  it('isolates through the service worker after one reload, which then answers the threads’ requests', async () => {
    const { page, errors } = await env.open('/?demo=requests&mode=threads&hold=on&sleep=20&jitter=0');
    await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 30_000 });
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done', 90_000);
    const r = await result(page);
    assertRendezvousPassed(r, 6);
    assert.deepEqual(r.answeredBy, ['service-worker']);
    assert.equal(await page.getAttribute('[data-field="status-server"]', 'data-server'), 'service-worker');
    assert.deepEqual(errors, []);
  });
});

describe('chapter 5 where service workers are blocked and the page is not isolated', () => {
  let env;
  before(async () => {
    env = await setUp({ isolation: false, serviceWorkers: 'block' });
  });
  after(async () => {
    await env?.tearDown();
  });

  it('says so, offers the simulated server, and still sends real sequential requests to the host', async () => {
    const { page, errors } = await env.open('/?demo=requests&mode=threads');
    await page.waitForSelector('[data-field="status-server"][data-server="blocked"]');
    await page.click('text=Use the simulated server');
    await page.waitForFunction(() => document.querySelector('[data-demo-result]')?.getAttribute('data-result')?.includes('"server":"simulated"'));
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    const sim = await result(page);
    assert.equal(sim.server, 'simulated');
    assert.equal(sim.wallMs, 131, 'the longest of the six planned waits');
    assert.equal(sim.sequentialMs, 682);
    assert.equal(sim.threadsUsed, 6);
    const seq = await run(env, 'mode=sequential&compare=off');
    assert.deepEqual(seq.r.answeredBy, ['serve.mjs'], 'no service worker: the host answered');
    assert.deepEqual(seq.r.requests.map((q) => q.code), BOOK);
    assert.deepEqual([errors, seq.errors], [[], []]);
  });
});
