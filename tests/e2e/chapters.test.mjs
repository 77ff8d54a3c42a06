// A visitor on a cross-origin isolated page: both chapters run on real threads.

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

describe('chapter 1: sequential vs concurrent', () => {
  it('opens on the first chapter with real worker threads and runs CPU-bound tasks on several threads', async () => {
    const { page, errors } = await env.open('/');
    await waitState(page, 'ready');
    assert.match(await page.textContent('.engine-pill'), /Engine ready: \d+ worker threads on \d+ cores/);
    assert.equal(await page.locator('.banner').isHidden(), true);
    assert.equal(await page.textContent('h2'), 'Sequential vs concurrent vs parallel');

    await page.fill('#concurrency-tasks', '16');
    await page.fill('#concurrency-threads', '2');
    await waitState(page, 'ready');
    assert.match(page.url(), /demo=concurrency.*tasks=16.*threads=2/);
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.kind, 'cpu');
    assert.deepEqual(r.check, { what: 'prime checks that confirmed a prime (of 16)', sequential: 16, concurrent: 16 });
    assert.deepEqual(r.lanes.sequential, [0]);
    assert.equal(r.threads, 2);
    assert.equal(r.threadsUsed, 2, `lanes ${JSON.stringify(r.lanes.concurrent)}`);
    assert.equal([...r.order].sort((a, b) => a - b).join(), [...Array(16).keys()].join());

    // What the visitor sees matches the data: one timeline row per thread, one bar per span.
    const figures = page.locator('.timeline-figure');
    assert.equal(await figures.count(), 2);
    assert.equal(await figures.nth(0).locator('.lane-label').count(), 1);
    assert.equal(await figures.nth(1).locator('.lane-label').count(), 2);
    assert.equal(await figures.nth(1).locator('rect.span').count(), r.spans.concurrent);
    assert.match(await figures.nth(1).locator('.lane-label').first().textContent(), /^worker \d+$/);
    assert.match(await page.textContent('[data-field="explanation"]'), /CPU-bound/);
    assert.equal(await page.textContent('[data-field="speedup"]'), `${r.speedup.toFixed(2)}×`);
    await shot(page, 'chapter1-cpu');
    assert.deepEqual(errors, []);
  });

  it('overlaps I/O waits on more threads than cores', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&kind=io&tasks=16&threads=8&wait=30&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.deepEqual(r.check.concurrent, 16);
    // 16 waits of 30 ms one after another take at least 480 ms. Threaded, the 8 threads start
    // together, each with a wait of its own: all 8 wait at once, on 2 cores.
    assert.ok(r.sequentialMs >= 480, `sequential ${r.sequentialMs}`);
    assert.equal(r.threadsUsed, 8, `threads used ${r.threadsUsed}`);
    assert.equal(r.repeats, 1);
    assert.equal(r.warmUp, null, 'waits run no code worth warming');
    assert.equal(await page.locator('.timeline-figure').nth(1).locator('rect.span.wait').count(), 16);
    assert.match(await page.textContent('[data-field="explanation"]'), /I\/O-bound/);
    await shot(page, 'chapter1-io');
    assert.deepEqual(errors, []);
  });

  it('gets the same chain value whatever the thread count, because steps cannot overlap', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&kind=chain&tasks=20&threads=3&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.check.sequential, 35443);
    assert.equal(r.check.concurrent, 35443);
    assert.equal(r.order.length, 20);
    assert.match(await page.textContent('[data-field="explanation"]'), /Inherently sequential/);
    await shot(page, 'chapter1-chain');
    assert.deepEqual(errors, []);
  });

  it('cancels a long run mid-way and then runs again without a reload', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&kind=io&tasks=200&threads=1&wait=100');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'running');
    // Live progress comes from the shared memory while the engine is busy.
    await page.waitForFunction(() => /Running… [1-9]\d* of 400 tasks/.test(document.querySelector('.status')?.textContent ?? ''));
    await page.click('button[data-action="cancel"]');
    await waitState(page, 'cancelled', 10_000);
    assert.match(await page.textContent('.status'), /Cancelled/);
    assert.equal(await page.isEnabled('button[data-action="run"]'), true);

    await page.fill('#concurrency-tasks', '4');
    await page.selectOption('#concurrency-kind', 'cpu');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal((await result(page)).check.concurrent, 4);
    assert.deepEqual(errors, []);
  });

  it('reports a panic on a pool thread as an error, and the engine goes on', async () => {
    const { page, errors } = await env.open('/?demo=concurrency&tasks=4&threads=2');
    await waitState(page, 'ready');
    const envelope = await page.evaluate(() => window.playground.engine.panic('boom from a test'));
    assert.equal(envelope.ok, false);
    assert.equal(envelope.error.kind, 'panic');
    assert.match(envelope.error.message, /boom from a test/);
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    assert.equal((await result(page)).check.concurrent, 4);
    assert.deepEqual(errors, []);
  });
});

describe("chapter 2: Amdahl's law", () => {
  it('opens a deep link with its inputs and shows the book example speedup', async () => {
    const { page, errors } = await env.open('/?demo=amdahl&serial=0.6&processors=4');
    await waitState(page, 'ready');
    assert.equal(await page.inputValue('#amdahl-serial'), '0.6');
    assert.equal(await page.inputValue('#amdahl-processors'), '4');
    const r = await result(page);
    assert.equal(r.serial, 0.6);
    assert.equal(r.processors, 4);
    assert.equal(r.speedup.toFixed(2), '1.43');
    assert.equal(r.ceiling.toFixed(3), '1.667');
    assert.equal(await page.textContent('.calculator [data-field="speedup"]'), '1.43×');
    assert.match(await page.textContent('[data-field="tradeoff"]'), /give 1\.43×; .* give 1\.67×/);
    assert.equal(await page.locator('.chart canvas').count(), 1);
    await shot(page, 'chapter2-calculator');
    assert.deepEqual(errors, []);
  });

  it("puts the book's example one click away and keeps the URL in step", async () => {
    const { page, errors } = await env.open('/?demo=amdahl&serial=0.3&processors=16');
    await waitState(page, 'ready');
    assert.equal((await result(page)).speedup.toFixed(3), (1 / (0.3 + 0.7 / 16)).toFixed(3));
    await page.click('button[data-preset="book"]');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]').dataset.result).processors === 4);
    assert.equal((await result(page)).speedup.toFixed(2), '1.43');
    assert.match(page.url(), /processors=4/);
    assert.deepEqual(errors, []);
  });

  it('measures speedup on the real pool and fits a serial fraction', async () => {
    const { page, errors } = await env.open('/?demo=amdahl&serial=0.5&work=64&threads=2&run=1');
    await waitState(page, 'done');
    const m = (await result(page)).measured;
    assert.deepEqual(m.points.map((p) => p.threads), [1, 2]);
    assert.equal(m.points[0].speedup, 1);
    assert.equal(m.points[0].karpFlatt, null);
    assert.equal(m.points[1].predicted.toFixed(4), (1 / (0.5 + 0.25)).toFixed(4));
    assert.equal(m.points[1].threadsUsed, 2);
    assert.ok(Number.isFinite(m.fittedSerial));
    assert.equal(m.repeats, 3);
    for (const p of m.points) {
      assert.equal(p.samplesMs.length, 3, 'each k measured three times, in rotation');
      assert.ok(p.speedupRange[0] <= p.speedup && p.speedup <= p.speedupRange[1], JSON.stringify(p));
    }
    assert.ok(m.warmUp.rounds >= 8, JSON.stringify(m.warmUp));
    assert.match(await page.textContent('[data-field="method"]'), /warm-up rounds on every thread/);
    assert.equal(await page.locator('.result table.figures tbody tr').count(), 2);
    assert.equal(await page.locator('.result .timeline-figure').count(), 1);
    await shot(page, 'chapter2-measured');
    assert.deepEqual(errors, []);
  });

  it('on a fresh page, a measurement right away stays within noise of the law', async () => {
    // The embed path: a new page, run=1, the engine's code still on the browser's first tier.
    // B = 0.9 allows 1 / (0.9 + 0.1 / 2) = 1.0526× at k = 2; the cold measurement used to
    // show 1.32-1.49×. Measured warm and in rotation, the median cannot beat the law by more
    // than noise (10 %), and a speedup above it is explained as noise, not as the law failing.
    // Another program on the cores can still slow one sample down: a fresh page is tried at
    // most 3 times (a cold measurement failed every time).
    const seen = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { page, errors } = await env.open('/?demo=amdahl&serial=0.9&threads=2&run=1');
      await waitState(page, 'done');
      const m = (await result(page)).measured;
      const k2 = m.points[1];
      assert.equal(k2.predicted.toFixed(4), (1 / (0.9 + 0.1 / 2)).toFixed(4));
      assert.equal(k2.threadsUsed, 2);
      assert.ok(m.warmUp.rounds >= 8, JSON.stringify(m.warmUp));
      // Above the law by more than 2 %: the page says why, and which reason follows from the
      // numbers (within the run's own range, or even its lowest beat the law).
      const said = await page.textContent('.result [data-field="explanation"]');
      if (k2.speedup > k2.predicted * 1.02) assert.match(said, k2.speedupRange[0] <= k2.predicted ? /that is measurement noise, not the law failing/ : /something else changed between the runs/);
      else assert.doesNotMatch(said, /noise|something else changed/);
      assert.deepEqual(errors, []);
      await page.close();
      seen.push(m.points.map((p) => p.samplesMs));
      if (k2.speedup <= k2.predicted * 1.1) return;
    }
    assert.fail(`three fresh pages measured above the law: ${JSON.stringify(seen)}`);
  });

  it('shows a clear message beside a bad parameter and never crashes', async () => {
    const { page, errors } = await env.open('/?demo=amdahl&serial=2&processors=abc');
    await waitState(page, 'error');
    assert.equal(await page.textContent('#amdahl-serial-error'), 'serial must be a number from 0 to 1, got 2');
    assert.equal(await page.textContent('#amdahl-processors-error'), 'processors must be a whole number from 1 to 1024, got "abc"');
    assert.equal(await page.getAttribute('#amdahl-serial', 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    await shot(page, 'chapter2-bad-parameter');
    // Fixing the input clears the message and brings the result back.
    await page.fill('#amdahl-serial', '0.6');
    await page.fill('#amdahl-processors', '4');
    await waitState(page, 'ready');
    assert.equal(await page.textContent('#amdahl-serial-error'), '');
    assert.equal((await result(page)).speedup.toFixed(2), '1.43');
    assert.deepEqual(errors, []);
  });

  it('names the real demos when the demo id is unknown', async () => {
    const { page, errors } = await env.open('/?demo=%3Cscript%3Ealert(1)%3C/script%3E');
    await page.waitForSelector('.fatal');
    assert.match(await page.textContent('.fatal'), /There is no demo called "<script>alert\(1\)<\/script>"\. The demos are concurrency, amdahl, threads, /);
    assert.equal(await page.locator('main script').count(), 0);
    assert.deepEqual(errors, []);
  });

  it('works at 360 px wide', async () => {
    const { page, errors } = await env.open('/?demo=amdahl', { width: 360 });
    await waitState(page, 'ready');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await shot(page, 'chapter2-narrow');
    assert.deepEqual(errors, []);
  });
});

describe('the list of chapters', () => {
  it('has a live demo under every one of the book’s 19 chapters, none marked coming', async () => {
    const { page, errors } = await env.open('/?demo=server');
    await waitState(page, 'ready');
    const entries = await page.$$eval('nav.chapters li', (lis) => lis.map((li) => ({ n: Number(li.querySelector('.n')?.textContent), live: li.classList.contains('live'), text: li.textContent })));
    assert.deepEqual([...new Set(entries.map((e) => e.n))], Array.from({ length: 19 }, (_, i) => i + 1), 'chapters 1 to 19, in order');
    assert.deepEqual(entries.filter((e) => !e.live).map((e) => e.text), [], 'no chapter is still to come');
    assert.equal(await page.locator('nav.chapters a[aria-current="page"]').textContent(), '18A server from scratch');
    assert.deepEqual(errors, []);
  });
});
