// Chapter 3 as a visitor: producers and consumers around one queue, and a thread pool with a
// task queue next to rayon's work stealing. Everything checked here is what the page shows
// (data-result and the elements drawn from it), never how long anything took.

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

const range = (n) => [...Array(n).keys()];
const sorted = (xs) => [...xs].sort((a, b) => a - b);

/** Every item made was consumed exactly once, or (only when reported) left in the queue. */
function assertEachItemOnce(r, total) {
  assert.equal(r.produced, total);
  assert.deepEqual(sorted([...r.orderOut, ...r.left]), range(total), `out ${r.orderOut} left ${r.left}`);
  assert.equal(r.consumed, r.orderOut.length);
  for (const p of r.paths) assert.equal(p.consumer === null, r.left.includes(p.id), JSON.stringify(p));
}

/** A stack fed 0, 1, 2… in order can give out only orders without c … a … b for a < b < c. */
function stackCouldGive(out) {
  for (let i = 0; i < out.length; i++)
    for (let j = i + 1; j < out.length; j++)
      for (let k = j + 1; k < out.length; k++) if (out[j] < out[k] && out[k] < out[i]) return false;
  return true;
}

/** A priority queue never gives out an item while an older one with a smaller key waits. */
function priorityCouldGive(out, priorityOf) {
  const key = (id) => [priorityOf.get(id), id];
  const less = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  for (let i = 0; i < out.length; i++)
    for (let j = i + 1; j < out.length; j++) if (out[j] < out[i] && less(key(out[j]), key(out[i]))) return false;
  return true;
}

async function setControls(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const id = `#${await page.evaluate(() => document.querySelector('[data-demo-result]').dataset.demoResult)}-${name}`;
    if ((await page.locator(id).evaluate((el) => el.tagName)) === 'SELECT') await page.selectOption(id, value);
    else await page.fill(id, value);
  }
  await waitState(page, 'ready');
}

describe('chapter 3: queues', () => {
  it('shows the queue filling and draining as it happens, then every item consumed exactly once', async () => {
    const { page, errors } = await env.open('/?demo=queue&producers=2&consumers=1&items=8&maxsize=3&order=fifo&produce=10&consume=50&stop=pills&run=1');
    // The live view is drawn from the feed while the threads still run.
    await page.waitForFunction(() => {
      const counts = document.querySelector('[data-field="live-counts"]')?.textContent ?? '';
      return /^Produced [1-9]\d* · consumed \d+ · in the queue \d of 3$/.test(counts) && document.querySelector('[data-demo-result]').dataset.state === 'running';
    });
    assert.ok((await page.locator('.result .queue-live svg.fill-chart').count()) === 1);
    await waitState(page, 'done');
    const r = await result(page);
    assertEachItemOnce(r, 16);
    assert.deepEqual(r.left, []);
    assert.ok(r.maxFill >= 1 && r.maxFill <= 3, `max fill ${r.maxFill}`);
    assert.ok(r.fill.every((v) => v <= 3), `fill ${r.fill}`);
    // FIFO with one consumer: each producer's items came out in the order it made them.
    for (const p of [1, 2]) {
      const mine = r.orderOut.filter((id) => r.paths.find((x) => x.id === id).producer === p);
      assert.deepEqual(mine, sorted(mine), `producer ${p}: ${mine}`);
    }
    // What the visitor sees matches: the headline, one chip per item out, the chart, the rows.
    assert.equal(await page.textContent('[data-field="consumed"]'), '16 of 16');
    assert.equal(await page.locator('ol.order-out li').count(), 16);
    assert.deepEqual(await page.locator('ol.order-out li').evaluateAll((els) => els.map((e) => Number(e.dataset.item))), r.orderOut);
    assert.equal(await page.locator('.result svg.fill-chart .maxsize-line').count(), 1);
    assert.match(await page.textContent('[data-field="explanation"]'), /All 16 items were consumed, each exactly once/);
    const labels = await page.locator('.result .timeline-figure .lane-label').allTextContents();
    assert.deepEqual(labels.map((l) => l.split(' · ')[0]).sort(), ['C1', 'P1', 'P2']);
    assert.equal(new Set(r.lanes.map((l) => l.lane)).size, 3, 'each producer and consumer on its own worker');
    assert.ok(r.lanes.every((l) => l.lane >= 1), 'pool threads, not the engine thread');
    await shot(page, 'chapter3-queue');
    assert.deepEqual(errors, []);
  });

  it('gives FIFO order with one producer and one consumer, set up by clicking', async () => {
    const { page, errors } = await env.open('/?demo=threads');
    await waitState(page, 'ready');
    await page.click('nav a[href="?demo=queue"]');
    await page.waitForURL(/demo=queue/);
    await waitState(page, 'ready');
    assert.equal(await page.textContent('h2'), 'Queues: producers and consumers');
    await setControls(page, { producers: '1', consumers: '1', items: '12', maxsize: '2', order: 'fifo', produce: '0', consume: '5' });
    assert.match(page.url(), /producers=1.*consumers=1.*items=12/);
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    const r = await result(page);
    assertEachItemOnce(r, 12);
    assert.deepEqual(r.orderOut, range(12));
    assert.equal(r.orderCheck, true);
    assert.ok(r.maxFill <= 2 && r.fill.every((v) => v <= 2));
    assert.match(await page.textContent('[data-field="explanation"]'), /FIFO: items left in the order they went in/);
    assert.deepEqual(errors, []);
  });

  it('gives newest first from a LIFO queue and smallest priority first from a priority queue', async () => {
    const base = '/?demo=queue&producers=1&consumers=1&items=10&maxsize=0&produce=0&consume=20&stop=shutdown&run=1';
    const { page, errors } = await env.open(`${base}&order=lifo`);
    await waitState(page, 'done');
    let r = await result(page);
    assertEachItemOnce(r, 10);
    assert.deepEqual(r.left, [], 'join and shutdown stop consumers after every item, whatever the order');
    assert.ok(stackCouldGive(r.orderOut), `a stack cannot give ${r.orderOut}`);
    assert.equal(r.orderCheck, true);
    assert.match(await page.textContent('[data-field="explanation"]'), /LIFO: each get took the newest item/);
    await shot(page, 'chapter3-queue-lifo');

    // The priority run on a narrow screen: its widest tables scroll on their own.
    const p2 = await env.open(`${base}&order=priority`, { width: 360 });
    await waitState(p2.page, 'done');
    r = await result(p2.page);
    assertEachItemOnce(r, 10);
    const priorityOf = new Map(r.paths.map((p) => [p.id, p.priority]));
    assert.deepEqual(range(10).map((id) => priorityOf.get(id)), range(10).map((id) => (7 * id + 3) % 10));
    assert.ok(priorityCouldGive(r.orderOut, priorityOf), `a priority queue cannot give ${r.orderOut}`);
    assert.equal(r.orderCheck, true);
    // The chips out show each item's priority.
    assert.match(await p2.page.textContent('ol.order-out li:first-child'), /^#\d+ p\d$/);
    const overflow = await p2.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await shot(p2.page, 'chapter3-queue-priority-narrow');
    assert.deepEqual(errors, []);
    assert.deepEqual(p2.errors, []);
  });

  it('never holds more than maxsize, and producers wait on a full queue', async () => {
    const { page, errors } = await env.open('/?demo=queue&producers=3&consumers=1&items=8&maxsize=2&order=fifo&produce=0&consume=15&stop=shutdown&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assertEachItemOnce(r, 24);
    assert.equal(r.maxsize, 2);
    assert.ok(r.maxFill <= 2 && r.fill.every((v) => v <= 2), `fill ${r.fill}`);
    assert.ok(r.blockedPutMs > 0, 'a put that found the queue full waited');
    const blocked = await page.locator('.result table.figures').first().locator('tbody tr td:nth-child(4)').allTextContents();
    assert.ok(blocked.some((t) => /on a full queue$/.test(t)), `the table shows a producer's wait: ${blocked}`);
    assert.deepEqual(errors, []);
  });

  it('reports items left behind when LIFO meets poison pills, and never loses or repeats one', async () => {
    const { page, errors } = await env.open('/?demo=queue&producers=1&consumers=1&items=10&maxsize=0&order=lifo&produce=0&consume=30&stop=pills&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assertEachItemOnce(r, 10);
    if (r.left.length > 0) {
      assert.match(await page.textContent('[data-field="explanation"]'), /pills, put last, came out first/);
      assert.match(await page.textContent('[data-field="left"]'), /Left in the queue, never consumed: #/);
      assert.equal(await page.textContent('[data-field="consumed"]'), `${r.consumed} of 10`);
    }
    assert.deepEqual(errors, []);
  });

  it('cancels while threads are blocked in the queue, without replacing the engine', async () => {
    const { page, errors } = await env.open('/?demo=queue&producers=3&consumers=1&items=50&maxsize=2&produce=0&consume=200&stop=shutdown');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await page.waitForSelector('[data-field="live-counts"]');
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled', 10_000);
    assert.equal(await page.evaluate(() => window.playground.engine.restarts), 0, 'every blocked thread woke up');
    await setControls(page, { items: '2', consume: '1' });
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assertEachItemOnce(await result(page), 6);
    assert.deepEqual(errors, []);
  });
});

describe('chapter 3: thread pools', () => {
  /** Every task ran exactly once, on pool lanes, and each worker is a lane. */
  function assertEveryTaskOnce(s, tasks, k, poolThreads) {
    assert.deepEqual(sorted(s.assignment.map(([t]) => t)), range(tasks));
    assert.ok(s.assignment.every(([, lane]) => lane >= 1 && lane <= poolThreads), JSON.stringify(s.assignment));
    assert.ok(new Set(s.assignment.map(([, lane]) => lane)).size <= k);
    assert.equal(s.perWorker.length, k);
    assert.equal(s.perWorker.reduce((n, w) => n + w.tasks, 0), tasks);
    for (const w of s.perWorker) {
      assert.equal(w.tasks, s.assignment.filter(([, lane]) => lane === w.lane).length, `worker ${w.worker}`);
      assert.ok(w.idleMs >= 0);
    }
  }

  it('runs every task exactly once with a task queue and with work stealing, on k workers', async () => {
    const { page, errors } = await env.open('/?demo=pool&workers=3&tasks=24&size=2&spread=80&seed=7&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.workers, 3);
    assert.equal(r.sizes.length, 24);
    assertEveryTaskOnce(r.queue, 24, 3, r.poolThreads);
    assertEveryTaskOnce(r.stealing, 24, 3, r.poolThreads);
    // rayon's other threads were held aside, and ran nothing in the stealing run.
    assert.equal(r.heldAside.length, r.poolThreads - 3);
    assert.ok(r.stealing.assignment.every(([, lane]) => !r.heldAside.includes(lane)));
    assert.ok(r.handoffUs >= 0);
    // What the visitor sees: two grids of 24 tasks, each cell numbered with its worker's lane.
    const grids = page.locator('.result ol.task-grid');
    assert.equal(await grids.count(), 2);
    for (const [i, s] of [r.queue, r.stealing].entries()) {
      const cells = await grids.nth(i).locator('li').evaluateAll((els) => els.map((e) => [Number(e.dataset.task), Number(e.textContent)]));
      assert.deepEqual(cells, sorted(s.assignment.map(([t]) => t)).map((t) => [t, s.assignment.find(([x]) => x === t)[1]]));
    }
    assert.equal(await page.locator('.result .timeline-figure').count(), 2);
    assert.match(await page.textContent('[data-field="no-thread-per-task"]'), /std::thread::spawn is unsupported on wasm32/);
    assert.match(await page.textContent('[data-field="explanation"]'), /Both ran the same 24 tasks/);
    await shot(page, 'chapter3-pool');
    assert.deepEqual(errors, []);
  });

  it('fills the task grids live, set up by clicking', async () => {
    const { page, errors } = await env.open('/?demo=queue');
    await waitState(page, 'ready');
    await page.click('nav a[href="?demo=pool"]');
    await page.waitForURL(/demo=pool/);
    await waitState(page, 'ready');
    // About 2 s of work per strategy: many times the live view's poll (every 100 ms), even when
    // the machine is so busy that the page's timers run late.
    await setControls(page, { workers: '2', tasks: '100', size: '100', spread: '50', seed: '3' });
    // Every change of the result region is seen, however short the run: no poll to miss it.
    await page.evaluate(() => {
      const region = document.querySelector('[data-demo-result]');
      window.sawLiveGrid = false;
      new MutationObserver(() => {
        if (region.dataset.state === 'running' && region.querySelector('ol.task-grid li.done, ol.task-grid li.running')) window.sawLiveGrid = true;
      }).observe(region, { subtree: true, childList: true, attributes: true });
    });
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal(await page.evaluate(() => window.sawLiveGrid), true, 'tasks were marked in the grid while the run went on');
    const r = await result(page);
    assertEveryTaskOnce(r.queue, 100, 2, r.poolThreads);
    assertEveryTaskOnce(r.stealing, 100, 2, r.poolThreads);
    assert.deepEqual(errors, []);
  });

  it('runs every task in order on one worker, and fits a narrow screen', async () => {
    const { page, errors } = await env.open('/?demo=pool&workers=1&tasks=10&size=1&spread=0&run=1', { width: 360 });
    await waitState(page, 'done');
    const r = await result(page);
    assertEveryTaskOnce(r.queue, 10, 1, r.poolThreads);
    assertEveryTaskOnce(r.stealing, 10, 1, r.poolThreads);
    assert.equal(r.queue.streak, 10, 'one worker took the queue’s tasks in order');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await shot(page, 'chapter3-pool-narrow');
    assert.deepEqual(errors, []);
  });
});
