// Chapter 15 as a visitor: the countdown on real threads in each mode, who held the GIL, the
// step-through's switch points, and bad input.

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

/** Written for this test, apart from the demo's enumerator: every string over k thread ids
 *  in which each id appears `per` times (one appearance = one atomic segment of the thread's
 *  LOAD, ADD, STORE), run on a counter n, tallied by final n. */
function enumerate(k, per) {
  const finals = new Map();
  const len = k * per;
  for (let code = 0; code < k ** len; code++) {
    const order = [];
    for (let c = code, i = 0; i < len; i++, c = Math.floor(c / k)) order.push(c % k);
    if ([...Array(k).keys()].some((t) => order.filter((x) => x === t).length !== per)) continue;
    let n = 0;
    const pc = Array(k).fill(0);
    const reg = Array(k).fill(0);
    for (const t of order) {
      for (let s = 0; s < 3 / per; s++) {
        if (pc[t] === 0) reg[t] = n;
        else if (pc[t] === 1) reg[t] += 1;
        else n = reg[t];
        pc[t]++;
      }
    }
    finals.set(n, (finals.get(n) ?? 0) + 1);
  }
  return [...finals.entries()].sort((a, b) => a[0] - b[0]);
}

/** Whether any two intervals overlap (touching ends do not). */
const overlaps = (holds) => {
  const s = [...holds].sort((a, b) => a.startMs - b.startMs);
  return s.some((x, i) => i > 0 && s[i - 1].endMs > x.startMs);
};

describe('chapter 15: the GIL', () => {
  it('runs every mode on the threads asked for; GIL holds never overlap, free-threaded runs do', async () => {
    const { page, errors } = await env.open('/?demo=gil&mode=gil&threads=2&work=100&interval=2&run=1');
    await waitState(page, 'done');
    let r = await result(page);
    assert.equal(r.mode, 'gil');
    assert.equal(r.threadsUsed, 2);
    assert.ok(r.holds.length >= 2, `holds ${r.holds.length}`);
    assert.equal(overlaps(r.holds), false, JSON.stringify(r.holds));
    assert.deepEqual([...new Set(r.holds.map((x) => x.lane))].length, 2, 'both threads held the GIL');
    assert.ok(r.switches >= 1);
    assert.equal(typeof r.ioLatencyMs, 'number');
    // The timeline draws every hold it was given.
    assert.equal(await page.locator('.timeline-figure rect.span').count(), r.holds.length);
    assert.equal(await page.textContent('[data-field="speedup"]'), `${r.speedup.toFixed(2)}×`);
    await shot(page, 'chapter15-gil');

    for (const mode of ['free-threaded', 'processes']) {
      const other = await env.open(`/?demo=gil&mode=${mode}&threads=2&work=100&run=1`);
      await waitState(other.page, 'done');
      r = await result(other.page);
      assert.equal(r.mode, mode);
      assert.equal(r.threadsUsed, 2);
      assert.equal(r.switches, 0);
      // Each thread notes its start, then both meet at a barrier: their spans must overlap.
      assert.equal(r.holds.length, 2);
      assert.equal(overlaps(r.holds), true, JSON.stringify(r.holds));
      if (mode === 'processes') assert.match(await other.page.textContent('[data-field="explanation"]'), /standing in for processes/);
      assert.deepEqual(other.errors, []);
      await other.page.close();
    }
    assert.deepEqual(errors, []);
  });

  it('counts the step-through’s interleavings as an independent enumeration does', async () => {
    for (const k of [2, 3]) {
      const { page, errors } = await env.open(`/?demo=gil&threads=${k}`);
      await waitState(page, 'ready');
      const r = await result(page);
      const [any, back] = r.policies;
      assert.deepEqual([any.policy, back.policy], ['any', 'backedge']);
      assert.deepEqual(any.finals, enumerate(k, 3));
      assert.deepEqual(back.finals, enumerate(k, 1));
      assert.equal(back.lost, 0);
      assert.equal(await page.textContent('[data-policy="any"][data-count="lost"]'), any.lost.toLocaleString('en'));
      assert.deepEqual(errors, []);
      await page.close();
    }
    // By hand, two threads: 20 orders, 18 lose an update; A loads, B runs, A stores: n = 1.
    assert.deepEqual(enumerate(2, 3), [[1, 18], [2, 2]]);
    const anyStep = await env.open('/?demo=gil&threads=2&policy=any&step=0.1.1.1.0.0');
    await anyStep.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await anyStep.page.textContent('[data-var="n"]'), '1');
    // Under back-edges only, A's n += 1 runs whole while it holds the GIL: n = 2.
    const back = await env.open('/?demo=gil&threads=2&policy=backedge&step=0.0.0.0.0.1.1.1.1.1');
    await back.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await back.page.textContent('[data-var="n"]'), '2');
    assert.deepEqual([anyStep.errors, back.errors], [[], []]);
  });

  it('shows a message beside a bad input and does not freeze', async () => {
    const { page, errors } = await env.open('/?demo=gil&threads=999&interval=0');
    await page.waitForFunction(() => document.querySelector('#gil-threads-error')?.textContent);
    assert.match(await page.textContent('#gil-threads-error'), /threads must be a whole number from 1 to 16, got 999/);
    assert.match(await page.textContent('#gil-interval-error'), /interval/);
    await page.fill('#gil-threads', '2');
    await page.fill('#gil-interval', '5');
    await waitState(page, 'ready');
    assert.equal(await page.textContent('#gil-threads-error'), '');
    assert.deepEqual(errors, []);
  });
});
