// Chapter 16 on the deterministic scheduler, as a visitor: the ABA and KeyError programs,
// explored as the page opens, and their shortest counterexamples replayed in the
// step-through. The counts are this suite's own (tests/e2e/treiber.mjs) or worked out by hand.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot } from './harness.mjs';
import { treiberCounts } from './treiber.mjs';

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

/** The stepper's shared variables, by name. */
const vars = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-stepper] [data-var]')].map((e) => [e.dataset.var, e.textContent])));

describe('chapter 16: ABA and the reader racing a delete, stepped', () => {
  it('lists what the explorer finds, keeps ABA in data-result, and replays the KeyError', async () => {
    const [total, broken] = treiberCounts(true);
    const { page, errors } = await env.open('/?demo=structures&story=delete');
    await page.waitForSelector('[data-field="explored"] [data-story="aba"][data-count="broken"]');
    const count = (story, what) => page.textContent(`[data-story="${story}"][data-count="${what}"]`);
    assert.equal(await count('aba', 'interleavings'), total.toLocaleString('en'));
    assert.equal(await count('aba', 'broken'), broken.toLocaleString('en'));
    assert.equal(await count('no-reuse', 'broken'), '0');
    // By hand: D's one step falls in one of 6 places in R's run; after R's check and before
    // its read (2 of them) R meets a KeyError. Copy-on-read: none.
    assert.equal(await count('delete', 'interleavings'), '6');
    assert.equal(await count('delete', 'broken'), '2');
    assert.equal(await count('copy-on-read', 'broken'), '0');
    const r = await result(page);
    assert.equal(r.aba.broken, String(broken));
    assert.equal(r.aba.threads.length, r.aba.trace.split('.').reduce((n, item) => n + Number(item.split('*')[1] ?? 1), 0));

    await page.waitForSelector('[data-stepper][data-status="running"]');
    await page.click('[data-field="shortest"] button[data-action="replay"]');
    await page.click('[data-stepper] button[data-step="replay-all"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    assert.equal((await vars(page)).keyerrors, '1', 'the replayed order raises KeyError');
    await shot(page, 'chapter16-keyerror-replayed');

    // The ABA story: its shortest counterexample puts B's node back on top.
    await page.selectOption('#structures-story', 'aba');
    await page.waitForSelector('[data-field="shortest"] button[data-action="replay"]');
    await page.waitForFunction(() => document.querySelector('[data-field="shortest"]')?.textContent?.includes('Treiber stack, a popped node reused'));
    await page.click('[data-field="shortest"] button[data-action="replay"]');
    await page.click('[data-stepper] button[data-step="replay-all"]');
    await page.waitForSelector('[data-stepper][data-status="done"]');
    const v = await vars(page);
    assert.deepEqual([v.top, v.kept, v.got], ['2', '2', '1'], JSON.stringify(v));
    await shot(page, 'chapter16-aba-replayed');

    // Copy-on-read: nothing to replay, and the page says so.
    await page.selectOption('#structures-story', 'copy-on-read');
    await page.waitForFunction(() => document.querySelector('[data-field="shortest"]')?.textContent?.includes('no interleaving breaks keyerrors == 0'));
    assert.deepEqual(errors, []);
  });
});
