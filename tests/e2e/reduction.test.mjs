// Chapter 7 as a visitor: the book's pairwise sum in rounds on real threads, a
// non-associative operator, numpy's float example, a bad list refused beside its control,
// and the dropped partial sum in the step-through.

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

describe('chapter 7: reduction operators', () => {
  it('sums the book’s list in 3 rounds and 5 additions, on k distinct pool threads', async () => {
    const { page, errors } = await env.open('/?demo=reduction&values=1,4,8,3,2,5&threads=3');
    await waitState(page, 'ready');
    await page.click('button[data-action="run"]');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.demo, 'reduction');
    assert.equal(r.values, '1,4,8,3,2,5');
    assert.equal(r.operator, 'sum');
    assert.deepEqual(r.rounds, [[1, 4, 8, 3, 2, 5], [5, 11, 7], [16, 7], [23]]);
    assert.equal(r.result, 23);
    assert.equal(r.additions, 5);
    assert.equal(r.depth, 3);
    assert.equal(r.threadsUsed, 3);
    assert.deepEqual(r.ways, { tree: 23, rayon: 23, sequential: 23 });
    assert.equal(r.results, null, 'whole numbers: no float sums');
    assert.equal(await page.textContent('[data-field="result"]'), '23');
    // The tree as drawn: 6 + 3 + 2 + 1 numbers, and one carried over (7, in round 2).
    assert.equal(await page.locator('.reduction-tree .node').count(), 12);
    assert.equal(await page.locator('.reduction-tree .node.carried').count(), 1);
    await shot(page, 'chapter7-reduction');
    assert.deepEqual(errors, []);
  });

  it('sums 0 to 19 to 190, and subtraction changes with the shape of the tree', async () => {
    const values = [...Array(20).keys()].join(',');
    const { page, errors } = await env.open(`/?demo=reduction&values=${values}&threads=4&run=1`);
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.result, 190);
    assert.equal(r.depth, 5);
    assert.equal(r.threadsUsed, 4);
    const sub = await env.open('/?demo=reduction&values=1,4,8,3,2,5&operator=subtract&threads=2&run=1');
    await waitState(sub.page, 'done');
    const s = await result(sub.page);
    assert.equal(s.result, -5, '[-3, 5, -3] → [-8, -3] → -5');
    assert.equal(s.ways.sequential, -21, '1 - 4 - 8 - 3 - 2 - 5');
    assert.deepEqual(errors, []);
    assert.deepEqual(sub.errors, []);
  });

  it('shows numpy’s example: the running sum drifts, the pairwise sum does not', async () => {
    const { page, errors } = await env.open('/?demo=reduction&values=0.1*500000,-50000&threads=2&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.rounds, null, 'too many to draw');
    assert.equal(r.results.sequential, -4.4710031943395734e-7, 'CPython’s running sum, minus 50000');
    assert.ok(Math.abs(r.results.pairwise) < 1e-10, `pairwise ${r.results.pairwise}`);
    assert.deepEqual(Object.keys(r.results.byThreads), ['1', '2']);
    assert.equal(r.results.byThreads['1'], r.results.sequential);
    assert.equal(r.results.threadsUsed['2'], 2);
    assert.deepEqual(errors, []);
  });

  it('refuses a bad list beside its control', async () => {
    const { page, errors } = await env.open('/?demo=reduction&values=1,4,x');
    await page.waitForFunction(() => document.querySelector('#reduction-values-error')?.textContent);
    assert.equal(
      await page.textContent('#reduction-values-error'),
      'values must be numbers from -1000000000000000 to 1000000000000000 separated by commas (x*n is n copies of x), got "x"',
    );
    assert.equal(await page.getAttribute('#reduction-values', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#reduction-values'), '1,4,x', 'what the learner typed stays');
    assert.deepEqual(errors, []);
  });

  it('drops a partial sum in the book’s order, and never in the fixed one', async () => {
    // W1 adds and calls task_done(); W2 and W3 run to the end; then the main thread M; W1
    // puts its sum last, when nobody looks.
    const trace = '0.0.1.1.1.2.2.2.3*17.0';
    const { page, errors } = await env.open(`/?demo=reduction&order=book&step=${trace}`);
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await page.textContent('[data-var="total"]'), '18', '11 + 7: W1’s 5 came too late');
    // The fixed order: every worker to its end, then M, which finds all three sums.
    const fixed = await env.open('/?demo=reduction&order=fixed&step=0*3.1*3.2*3.3*20');
    await fixed.page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal(await fixed.page.textContent('[data-var="total"]'), '23');
    assert.deepEqual(errors, []);
    assert.deepEqual(fixed.errors, []);
  });

  it('draws the widest tree at 360 px dark without axe violations or a sideways page', async () => {
    const values = [...Array(64).keys()].map((i) => i + 1).join(',');
    const { page, errors } = await env.open('about:blank', { width: 360 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(env.url(`/?demo=reduction&values=${values}&operator=max&threads=2&run=1`));
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.result, 64);
    assert.equal(r.rounds.length, 7);
    assert.equal(await page.locator('.reduction-tree .node').count(), 127);
    assert.deepEqual(await axe(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, 'chapter7-reduction-64-dark-360');
    assert.deepEqual(errors, []);
  });
});

describe('chapter 7 on a page without a pool', () => {
  let plain;
  before(async () => {
    await env?.tearDown();
    env = undefined;
    plain = await setUp({ isolation: false });
  });
  after(async () => {
    await plain?.tearDown();
  });

  it('does every round on the engine thread and says rayon could not run', async () => {
    const { page, errors } = await plain.open('/?demo=reduction&values=1,4,8,3,2,5&threads=4&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.result, 23);
    assert.equal(r.depth, 3);
    assert.equal(r.threadsUsed, 1);
    assert.deepEqual(r.ways, { tree: 23, rayon: null, sequential: 23 });
    assert.match(await page.textContent('[data-field="explanation"]'), /This page has no pool: one thread did every round of the tree\./);
    assert.deepEqual(errors, []);
  });
});
