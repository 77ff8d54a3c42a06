// Chapter 17 as a visitor: litmus tests counted on real threads, checked against outcome sets
// written out by hand here (SC: the outcomes of an interleaving; x86-TSO: SC plus SB's
// both-zero outcome), and the book's n += 1 in the stepper.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, result, setUp, shot, waitState } from './harness.mjs';

const SC = {
  sb: ['r0=0,r1=1', 'r0=1,r1=0', 'r0=1,r1=1'],
  mp: ['r0=0,r1=0', 'r0=0,r1=1', 'r0=1,r1=1'],
};
const TSO = { sb: ['r0=0,r1=0', ...SC.sb], mp: SC.mp };

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

describe('chapter 17: memory models and atomics', () => {
  it('never shows both reads 0 in SB with atomics, and the n += 1 fetch_add is exact', async () => {
    const { page, errors } = await env.open('/?demo=atomics&test=sb&access=atomic&iterations=20000&adds=50000&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.test, 'sb');
    assert.equal(r.access, 'atomic');
    assert.equal(r.threads, 2);
    assert.equal(r.threadsUsed, 2);
    assert.equal(r.iterations, 20000);
    assert.equal(sum(r.outcomes), 20000);
    assert.deepEqual(Object.keys(r.outcomes).sort(), ['r0=0,r1=0', 'r0=0,r1=1', 'r0=1,r1=0', 'r0=1,r1=1']);
    // Every wasm atomic is sequentially consistent: an SC-forbidden outcome never appears.
    assert.equal(r.outcomes['r0=0,r1=0'], 0);
    assert.deepEqual([...r.allowed.sc].sort(), SC.sb);
    assert.deepEqual([...r.allowed.tso].sort(), TSO.sb.sort());
    assert.equal(r.add.expected, 100000);
    assert.equal(r.add.atomic, 100000);
    assert.ok(r.add.split <= 100000 && r.add.split >= 50000);
    assert.equal(r.add.threadsUsed, 2);
    assert.equal(await page.textContent('[data-field="weak"]'), '0');
    assert.equal(await page.locator('[data-field="alarm"]').count(), 0);
    assert.equal(await page.getAttribute('tr[data-outcome="r0=0,r1=0"] [data-verdict]', 'data-verdict'), 'tso-not-seen');
    assert.deepEqual(await axe(page), []);
    await shot(page, 'chapter17-sb-atomic');
    assert.deepEqual(errors, []);
  });

  it('counts every plain MP iteration, each row judged as the hand-written sets say', async () => {
    const { page, errors } = await env.open('/?demo=atomics&test=mp&access=plain&iterations=20000&adds=0&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.threadsUsed, 2);
    assert.equal(sum(r.outcomes), 20000);
    assert.deepEqual([...r.allowed.sc].sort(), SC.mp);
    assert.deepEqual([...r.allowed.tso].sort(), TSO.mp);
    for (const [name, count] of Object.entries(r.outcomes)) {
      const want = SC.mp.includes(name) ? 'sc' : count > 0 ? 'forbidden-seen' : 'forbidden';
      assert.equal(await page.getAttribute(`tr[data-outcome="${name}"] [data-verdict]`, 'data-verdict'), want, name);
      assert.equal(await page.textContent(`tr[data-outcome="${name}"] td`), count.toLocaleString('en'));
    }
    // This machine is x86 (TSO): its plain loads and stores never show MP's weak outcome.
    if (process.arch === 'x64') assert.equal(r.outcomes['r0=1,r1=0'], 0);
    assert.equal(r.add, null);
    await shot(page, 'chapter17-mp-plain');
    assert.deepEqual(errors, []);
  });

  it('runs IRIW on 4 threads with atomics: 16 outcomes counted, the readers never disagree', async () => {
    const { page, errors } = await env.open('/?demo=atomics&test=iriw&access=atomic&iterations=400&adds=0&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.threads, 4);
    assert.equal(r.threadsUsed, 4);
    assert.equal(Object.keys(r.outcomes).length, 16);
    assert.equal(sum(r.outcomes), 400);
    assert.equal(r.outcomes['r0=1,r1=0,r2=1,r3=0'], 0);
    assert.equal(r.allowed.sc.length, 15);
    assert.ok(!r.allowed.tso.includes('r0=1,r1=0,r2=1,r3=0'));
    assert.deepEqual(errors, []);
  });

  it('loses an update in the stepper when both threads LOAD before either STOREs', async () => {
    const { page, errors } = await env.open('/?demo=atomics&step=0.1.0.0.1.1');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await page.textContent('[data-var="n"]'), '1');
    const other = await env.open('/?demo=atomics&step=0.0.0.1.1.1');
    await other.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await other.page.textContent('[data-var="n"]'), '2');
    // Before any run, data-result carries the exhaustive counts: 2 threads of 3 steps
    // interleave in 6!/(3!3!) = 20 ways.
    await waitState(page, 'ready');
    const s = await result(page);
    assert.deepEqual(s.counted[0].slice(0, 3), [2, 1, '20']);
    await shot(page, 'chapter17-stepper');
    assert.deepEqual(errors, []);
    assert.deepEqual(other.errors, []);
  });

  it('shows a message beside a bad input and does not run', async () => {
    const { page, errors } = await env.open('/?demo=atomics&test=tso&iterations=99999999&run=1');
    await waitState(page, 'error');
    assert.match(await page.textContent('#atomics-test-error'), /sb, mp, lb, iriw/);
    assert.match(await page.textContent('#atomics-iterations-error'), /2000000/);
    assert.equal(await page.isDisabled('button[data-action="run"]'), true);
    assert.deepEqual(errors, []);
  });
});
