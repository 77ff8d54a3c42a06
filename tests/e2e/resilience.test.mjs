// Nothing freezes or storms (issue 9, item 4), part 1: what a link or a broken host can do to
// the page. A trace in a link too long to expand, an engine whose wasm cannot be fetched,
// keys a demo does not have. Each test fails without its fix: the tab froze on Undo, the page
// started hundreds of engine workers, the unknown key was silently dropped.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, shot, waitState } from './harness.mjs';

let site;
before(async () => {
  site = await setUp({ isolation: true });
});
after(async () => {
  await site?.tearDown();
});

/** Resolves with `promise`, or fails after `ms`: a page that stopped answering fails fast. */
function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('a bad trace in a link', () => {
  it('Undo says why beside the step view, and the page goes on answering', async () => {
    const { page, errors } = await site.open('/?demo=race&step=0*999999999');
    await waitState(page, 'ready');
    const cap = await page.evaluate(() => window.playground.engine.info.limits.traceSteps);
    assert.equal(cap, 100000, "the engine's cap (crate/src/sched/trace.rs MAX_TRACE_LEN) reaches the page");
    const message = '[data-stepper] .field-error';
    await page.waitForSelector('[data-stepper][data-status="error"]');
    assert.match(await page.textContent(message), new RegExp(`more than ${cap} steps`));

    // Empty the message, so that the one seen next is Undo's. Before the fix, Undo expanded
    // "0*999999999" into an array of a billion entries and the tab stopped responding.
    await page.evaluate((sel) => (document.querySelector(sel).textContent = ''), message);
    await within(10_000, page.click('[data-stepper] button[data-step="undo"]'), 'Undo');
    await within(10_000, page.waitForFunction((sel) => /more than \d+ steps/.test(document.querySelector(sel)?.textContent ?? ''), message), 'the message');
    assert.equal(await within(5_000, page.evaluate(() => 6 * 7), 'the page'), 42);

    // A click still changes something: the step view starts again from the first step.
    await within(10_000, page.click('[data-stepper] button[data-step="reset"]'), 'Start again');
    await page.waitForSelector('[data-stepper][data-status="running"]', { timeout: 10_000 });
    assert.equal(await page.textContent(message), '');
    await page.click('[data-stepper] button[data-step-thread="0"]');
    await page.waitForFunction(() => document.querySelector('[data-stepper]')?.dataset.trace === '0');
    assert.deepEqual(errors, []);
  });
});

/** Counts the engine workers a page creates (pool workers start inside the engine worker). */
async function countEngineWorkers(page) {
  await page.addInitScript(() => {
    const Native = window.Worker;
    window.__engineWorkers = [];
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        if (options?.name === 'engine') window.__engineWorkers.push(performance.now());
      }
    };
  });
}

/** Opens `path` with the engine's wasm file unreachable, counting engine workers; `unreachable`
 *  is the route handler to remove (page.unroute) when the host is back. */
async function openWithoutWasm(path) {
  const page = await site.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await countEngineWorkers(page);
  const unreachable = (route) => route.abort();
  await page.route('**/*.wasm', unreachable);
  await page.goto(site.url(path));
  return { page, errors, unreachable };
}

describe('an engine that cannot start', () => {
  it('is tried three times with a back-off, then says why and offers Retry, which works', async () => {
    const { page, errors, unreachable } = await openWithoutWasm('/?demo=amdahl&serial=0.6&processors=4');
    await page.waitForSelector('[data-engine-failure] button[data-action="retry"]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('.engine-pill', 'data-engine'), 'failed');

    const starts = await page.evaluate(() => window.__engineWorkers);
    assert.equal(starts.length, 3, 'the first try and two retries, not hundreds');
    assert.ok(starts[1] - starts[0] >= 450, `first back-off ${starts[1] - starts[0]} ms`);
    assert.ok(starts[2] - starts[1] >= 1900, `second back-off ${starts[2] - starts[1]} ms`);
    assert.match(await page.textContent('[data-engine-failure] [data-field="reason"]'), /^Reason: TypeError: Failed to fetch\.$/);
    assert.match(await page.textContent('[data-engine-failure]'), /It was tried 3 times/);
    await shot(page, 'engine-failed-retry');

    // The host is back: Retry starts one more worker, and the demo appears.
    await page.unroute('**/*.wasm', unreachable);
    await page.click('[data-engine-failure] button[data-action="retry"]');
    await waitState(page, 'ready');
    assert.equal(await page.locator('[data-engine-failure]').count(), 0);
    assert.equal(await page.evaluate(() => window.__engineWorkers.length), 4, 'no worker started between the failure and Retry');
    assert.equal(await page.textContent('.calculator [data-field="speedup"]'), '1.43×');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('counts a start that hangs as failed, with the same bounded retries', async () => {
    // The wasm request never answers: the worker neither fails nor becomes ready. The page's
    // bound (30 s; shortened here to 300 ms) makes it a failure like any other.
    const page = await site.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      window.playgroundStartTimeoutMs = 300;
    });
    await countEngineWorkers(page);
    const stall = () => {}; // neither continue, fulfil nor abort: the request hangs
    await page.route('**/*.wasm', stall);
    await page.goto(site.url('/?demo=amdahl'));
    await page.waitForSelector('[data-engine-failure] button[data-action="retry"]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.__engineWorkers.length), 3, 'the first try and two retries');
    assert.match(await page.textContent('[data-engine-failure] [data-field="reason"]'), /^Reason: the engine did not become ready within 0\.3 s\.$/);
    await page.unroute('**/*.wasm', stall);
    await page.evaluate(() => {
      window.playgroundStartTimeoutMs = 60_000; // a real start takes about a second
    });
    await page.click('[data-engine-failure] button[data-action="retry"]');
    await waitState(page, 'ready');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows the same reason and Retry in an embed', async () => {
    const { page, errors, unreachable } = await openWithoutWasm('/embed.html?demo=amdahl');
    await page.waitForSelector('[data-engine-failure] button[data-action="retry"]', { timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.__engineWorkers.length), 3);
    assert.equal(await page.getAttribute('.embed-threads', 'data-engine'), 'failed');
    await page.unroute('**/*.wasm', unreachable);
    await page.click('[data-engine-failure] button[data-action="retry"]');
    await waitState(page, 'ready');
    assert.equal(await page.evaluate(() => window.__engineWorkers.length), 4);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('keys a demo does not have', () => {
  it('names them beside the demo, as text, shortened', async () => {
    const { page, errors } = await site.open('/?demo=amdahl&colour=red&serial=0.6');
    await waitState(page, 'ready');
    const note = '[data-field="ignored"]';
    assert.equal(await page.isVisible(note), true);
    assert.equal(await page.textContent(note), 'Ignored: colour (this demo has no input of that name).');
    assert.equal(await page.inputValue('#amdahl-serial'), '0.6', 'the inputs it has still apply');
    await shot(page, 'ignored-keys');

    // A hostile key: long, and markup. It is shown shortened, and as text.
    const long = 'x'.repeat(300);
    const other = await site.open(`/?demo=amdahl&${long}=1&${encodeURIComponent('<b id="evil">b</b>')}=2`);
    await waitState(other.page, 'ready');
    const text = await other.page.textContent(note);
    assert.equal(text, `Ignored: ${'x'.repeat(24)}…, <b id="evil">b</b> (this demo has no inputs of those names).`);
    assert.equal(await other.page.locator('#evil').count(), 0, 'never inserted as HTML');

    // A key of the page itself (run, step, theme…) is not reported.
    const page3 = await site.open('/?demo=amdahl&theme=dark');
    await waitState(page3.page, 'ready');
    assert.equal(await page3.page.isVisible(note), false);
    assert.deepEqual([...errors, ...other.errors, ...page3.errors], []);
  });
});
