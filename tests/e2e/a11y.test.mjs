// Accessibility and polish, checked the way a visitor meets the site: axe-core on every live
// demo, its results, its errors, the embed and a course page with click-to-load demos, at
// 360 px and on a large screen, light and dark; keyboard access; reduced motion.
// A serious or critical axe violation fails the test.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { setUp, shot, waitState } from './harness.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe in a page or frame and returns its serious and critical violations as lines.
 * The source goes in through the debugger protocol, which the page's CSP does not govern.
 */
async function axe(target) {
  await target.evaluate(AXE);
  const { violations } = await target.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function open(env, path, { width = 1280, scheme = 'light', motion = 'no-preference' } = {}) {
  const { page, errors } = await env.open('about:blank', { width });
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: motion });
  await page.goto(env.url(path));
  return { page, errors };
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

let env;
before(async () => {
  env = await setUp({ headersFile: true });
});
after(async () => {
  await env?.tearDown();
});

describe('axe: no serious or critical violations', () => {
  it('on every live demo, at 1280 px light and 360 px dark', async () => {
    const first = await open(env, '/');
    await waitState(first.page, 'ready');
    const ids = await first.page.evaluate(() => window.playground.engine.info.schema.map((d) => d.id));
    // A demo listed under several chapters (the event loop: 9, 10 and 11) is checked once.
    const live = await first.page.evaluate(() => [...new Set([...document.querySelectorAll('nav.chapters a[href^="?demo="]')].map((a) => new URL(a.href).searchParams.get('demo')))]);
    assert.ok(live.length >= 2, `live demos: ${live}`);
    for (const id of live) {
      assert.ok(ids.includes(id), id);
      for (const [width, scheme] of [[1280, 'light'], [360, 'dark']]) {
        const { page, errors } = await open(env, `/?demo=${id}`, { width, scheme });
        await waitState(page, 'ready').catch((e) => {
          throw new Error(`${id} at ${width} px, ${scheme}: ${e.message}`);
        });
        assert.deepEqual(await axe(page), [], `${id} at ${width} px, ${scheme}`);
        assert.ok((await overflow(page)) <= 0, `${id} scrolls sideways at ${width} px`);
        assert.deepEqual(errors, []);
        await page.close();
      }
    }
  });

  it('on results with timelines, tables and the chart, light and dark', async () => {
    for (const [path, scheme, name] of [
      ['/?demo=concurrency&kind=io&tasks=8&threads=4&wait=10&run=1', 'light', 'a11y-chapter1-done-1280'],
      ['/?demo=amdahl&serial=0.5&work=64&threads=2&run=1', 'dark', 'a11y-chapter2-done-dark-1280'],
    ]) {
      const { page, errors } = await open(env, path, { scheme });
      await waitState(page, 'done');
      assert.deepEqual(await axe(page), [], path);
      // The result is announced politely, in one sentence, through the status line.
      assert.equal(await page.getAttribute('.status', 'role'), 'status');
      assert.match(await page.textContent('.status'), /^Done in \d+\.\d\d s\. \d+\.\d\d× /);
      await shot(page, name);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('on bad parameters and an unknown demo', async () => {
    for (const path of ['/?demo=amdahl&serial=2&processors=abc', '/?demo=nope']) {
      const { page } = await open(env, path);
      await waitState(page, 'error');
      assert.deepEqual(await axe(page), [], path);
      await page.close();
    }
  });

  it('on the embed, at 360 px light and 1280 px dark', async () => {
    for (const [width, scheme] of [[360, 'light'], [1280, 'dark']]) {
      const { page, errors } = await open(env, '/embed.html?demo=concurrency&tasks=6&threads=2&run=1', { width, scheme });
      await waitState(page, 'done');
      assert.deepEqual(await axe(page), [], `embed at ${width} px, ${scheme}`);
      assert.ok((await overflow(page)) <= 0, `the embed scrolls sideways at ${width} px`);
      await shot(page, `a11y-embed-${width}-${scheme}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('on a course page with click-to-load demos, and in the embed it loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'playground-course-'));
    const course = await serve({ dir, isolation: false });
    try {
      const demos = ['amdahl', 'concurrency', 'amdahl'].map((d) => `<concurrency-demo demo="${d}"></concurrency-demo>`).join('\n');
      await writeFile(
        join(dir, 'index.html'),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course</title><script src="${env.url('/concurrency-demo.js')}" defer></script></head><body><main><h1>Course</h1>${demos}</main></body></html>`,
      );
      const page = await env.context.newPage();
      await page.goto(course.url.replace('127.0.0.1', 'localhost'));
      await page.waitForFunction(() => document.querySelectorAll('concurrency-demo').length === 3 && [...document.querySelectorAll('concurrency-demo')].every((d) => d.shadowRoot?.querySelector('button')));
      assert.deepEqual(await axe(page), [], 'course page with placeholders');
      // The click sets the frame's src at once, so its navigation can commit before the click
      // returns: listen first, then click.
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => /embed\.html/.test(f.url()), timeout: 60_000 });
      await page.locator('concurrency-demo').first().locator('button').click();
      const frame = await navigated;
      await frame.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout: 60_000 });
      assert.deepEqual(await axe(frame), [], 'the framed embed');
      assert.equal(await page.locator('concurrency-demo iframe').getAttribute('title'), 'Concurrency demo: amdahl');
      await page.close();
    } finally {
      await course.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('keyboard, screens and motion', () => {
  it('reaches every control of a demo with Tab, in order, and runs it with the keyboard', async () => {
    const { page, errors } = await open(env, '/?demo=concurrency&tasks=4&threads=2');
    await waitState(page, 'ready');
    await page.focus('#concurrency-kind');
    const seen = [];
    for (let i = 0; i < 8; i++) {
      seen.push(await page.evaluate(() => document.activeElement.id || document.activeElement.dataset.action || document.activeElement.tagName));
      await page.keyboard.press('Tab');
    }
    // Sliders are skipped: each text box is the keyboard way to the same value.
    assert.deepEqual(seen.slice(0, 6), ['concurrency-kind', 'concurrency-tasks', 'concurrency-threads', 'concurrency-wait', 'run', 'share']);
    await page.focus('button[data-action="run"]');
    await page.keyboard.press('Enter');
    await waitState(page, 'done');
    // Every form control has an accessible name (axe checks it too; this names them).
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button, [role="tab"]')]
        .filter((el) => !el.closest('[hidden]'))
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, []);
    assert.deepEqual(errors, []);
  });

  it('works at 360 px and on a 1920 px screen', async () => {
    for (const width of [360, 1920]) {
      const { page } = await open(env, '/?demo=amdahl', { width });
      await waitState(page, 'ready');
      assert.ok((await overflow(page)) <= 0, `scrolls sideways at ${width} px`);
      const box = await page.locator('.demo').boundingBox();
      assert.ok(box.width <= 1280 && box.width >= Math.min(width, 1280) * 0.5, `demo column ${box.width}px at ${width}px`);
      await shot(page, `a11y-amdahl-${width}`);
      await page.close();
    }
  });

  it('follows a dark colour scheme, and moves nothing when reduced motion is asked for', async () => {
    const { page, errors } = await open(env, '/?demo=concurrency&tasks=4&threads=2&run=1', { scheme: 'dark', motion: 'reduce' });
    await waitState(page, 'done');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(17, 20, 24)');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('button')).transitionDuration), '0s');
    assert.deepEqual(await page.evaluate(() => document.getAnimations().length), 0);
    assert.deepEqual(errors, []);
  });
});
