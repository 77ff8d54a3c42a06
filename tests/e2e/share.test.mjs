// The share button: it copies a link that reopens the demo with the same inputs, from the
// playground and from an embed (where the link leads to the full playground). Where the
// clipboard is not allowed, the link is shown, selected, to copy by hand.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { result, setUp, shot, waitState } from './harness.mjs';

let env;
before(async () => {
  env = await setUp({ headersFile: true });
  await env.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});
after(async () => {
  await env?.tearDown();
});

const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

describe('share', () => {
  it('copies a link that reopens the demo with the same inputs and the same result', async () => {
    const { page, errors } = await env.open('/?demo=amdahl');
    await waitState(page, 'ready');
    await page.fill('#amdahl-serial', '0.25');
    await page.fill('#amdahl-processors', '12');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-demo-result]').dataset.result).processors === 12);
    const before = await result(page);
    await page.click('button[data-action="share"]');
    await page.waitForFunction(() => /Link copied/.test(document.querySelector('.share-status')?.textContent ?? ''));
    const link = await clipboard(page);
    assert.equal(link, env.url('/?demo=amdahl&serial=0.25&processors=12&work=240&threads=0'));
    await shot(page, 'share-copied');

    const other = await env.open(new URL(link).search ? `/${new URL(link).search}` : '/');
    await waitState(other.page, 'ready');
    assert.equal(await other.page.inputValue('#amdahl-serial'), '0.25');
    assert.equal(await other.page.inputValue('#amdahl-processors'), '12');
    assert.deepEqual(await result(other.page), before);

    // A change makes the copied link stale: the confirmation goes away.
    await page.fill('#amdahl-processors', '13');
    await page.waitForFunction(() => (document.querySelector('.share-status')?.textContent ?? '') === '');
    assert.deepEqual(errors, []);
    assert.deepEqual(other.errors, []);
  });

  it('round-trips a choice and every input of chapter 1, with the keyboard', async () => {
    const { page, errors } = await env.open('/?demo=concurrency');
    await waitState(page, 'ready');
    await page.selectOption('#concurrency-kind', 'io');
    await page.fill('#concurrency-tasks', '12');
    await page.fill('#concurrency-wait', '5');
    await waitState(page, 'ready');
    await page.focus('button[data-action="share"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Link copied/.test(document.querySelector('.share-status')?.textContent ?? ''));
    const link = new URL(await clipboard(page));
    assert.equal(link.search, '?demo=concurrency&kind=io&tasks=12&threads=4&wait=5');
    const other = await env.open(`/${link.search}&run=1`);
    await waitState(other.page, 'done');
    const r = await result(other.page);
    assert.deepEqual([r.kind, r.tasks, r.threads], ['io', 12, 4]);
    assert.equal(r.check.concurrent, 12);
    assert.deepEqual(errors, []);
  });

  it('shares the full playground from an embed, and shows the link where the clipboard is blocked', async () => {
    const { page, errors } = await env.open('/embed.html?demo=amdahl&serial=0.3');
    await waitState(page, 'ready');
    await page.click('button[data-action="share"]');
    await page.waitForFunction(() => /Link copied/.test(document.querySelector('.share-status')?.textContent ?? ''));
    assert.equal(await clipboard(page), env.url('/?demo=amdahl&serial=0.3&processors=4&work=240&threads=0'));
    assert.deepEqual(errors, []);

    // A course page that frames the embed without allow="clipboard-write".
    const dir = await mkdtemp(join(tmpdir(), 'playground-course-'));
    const course = await serve({ dir, isolation: false });
    try {
      await writeFile(
        join(dir, 'index.html'),
        `<!doctype html><title>course</title><iframe title="demo" sandbox="allow-scripts allow-same-origin" style="width:100%;height:800px"
           src="${env.url('/embed.html?demo=concurrency&tasks=3')}"></iframe>`,
      );
      const framed = await env.context.newPage();
      await framed.goto(course.url.replace('127.0.0.1', 'localhost'));
      const f = framed.frames()[1];
      await f.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout: 60_000 });
      await f.click('button[data-action="share"]');
      await f.waitForSelector('.share-manual:not([hidden])');
      assert.equal(await f.inputValue('.share-url'), env.url('/?demo=concurrency&kind=cpu&tasks=3&threads=4&wait=40'));
      assert.equal(await f.evaluate(() => document.activeElement?.className), 'share-url', 'the link is focused, selected');
      assert.match(await f.textContent('.share-status'), /Copy the link below/);
      await framed.close();
    } finally {
      await course.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
