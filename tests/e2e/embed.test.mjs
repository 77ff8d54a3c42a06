// Embeds as a course page uses them: a plain page on another site (localhost, while the
// playground is on 127.0.0.1) frames demos with the <concurrency-demo> element and with a raw
// iframe. With the shipped headers the embeds are isolated on their own
// (Document-Isolation-Policy) and run real threads; on a host without headers they fall back
// to one thread and say so. Hostile parameters show a message and execute nothing.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { setUp, SHOTS } from './harness.mjs';

/** A static server for course pages, reached as http://localhost:PORT (another site). */
async function coursePages() {
  const dir = await mkdtemp(join(tmpdir(), 'playground-course-'));
  const server = await serve({ dir, isolation: false });
  return {
    async page(name, html) {
      await writeFile(join(dir, name), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A course page</title><link rel="icon" href="data:,"></head><body><main><h1>A course page</h1>${html}</main></body></html>`);
      return server.url.replace('127.0.0.1', 'localhost') + name;
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a course page; records page errors and dialogs (a dialog would be executed script). */
async function visit(env, url, width = 1100) {
  const page = await env.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const errors = [];
  const dialogs = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(url);
  return { page, errors, dialogs };
}

/** The frame whose URL matches `re`, once it has navigated there. */
async function frame(page, re) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => re.test(f.url()), timeout: 60_000 });
  const found = page.frames().find((f) => re.test(f.url()));
  if (!found) return navigated;
  navigated.catch(() => {});
  return found;
}

const state = (f, s, timeout = 60_000) => f.waitForSelector(`[data-demo-result][data-state="${s}"]`, { state: 'attached', timeout });
const resultOf = async (f) => JSON.parse(await f.getAttribute('[data-demo-result]', 'data-result'));
const frameHeight = (page, selector = 'concurrency-demo') =>
  page.evaluate((sel) => document.querySelector(sel).shadowRoot.querySelector('iframe').getBoundingClientRect().height, selector);

const SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox';

describe('embeds on a host that sends the headers file', () => {
  let env;
  let course;
  before(async () => {
    env = await setUp({ headersFile: true });
    course = await coursePages();
  });
  after(async () => {
    await env?.tearDown();
    await course?.close();
  });

  it('isolates both embeds inside a plain page, runs real threads and sizes the element to its content', async () => {
    const url = await course.page(
      'two.html',
      `<p>Chapter 2, with the calculator:</p>
       <concurrency-demo demo="amdahl" serial="0.6" processors="4"></concurrency-demo>
       <p>Chapter 1, as a raw iframe with only the two required sandbox tokens:</p>
       <iframe id="raw" title="Chapter 1 demo" src="${env.url('/embed.html?demo=concurrency&tasks=8&threads=2&run=1')}"
         sandbox="allow-scripts allow-same-origin" style="width:100%;height:900px;border:0"></iframe>
       <script src="${env.url('/concurrency-demo.js')}"></script>`,
    );
    const { page, errors, dialogs } = await visit(env, url);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false, 'the course page is not isolated');

    const raw = await frame(page, /embed\.html\?demo=concurrency/);
    await state(raw, 'done');
    assert.equal(await raw.evaluate(() => crossOriginIsolated), true);
    const r = await resultOf(raw);
    assert.equal(r.threads, 2);
    assert.equal(r.threadsUsed, 2, 'two real threads ran inside the embed');
    assert.equal(r.check.concurrent, 8);
    assert.match(await raw.textContent('.embed-threads'), /Real threads: \d+ workers/);
    assert.equal(await raw.locator('.embed-note').isHidden(), true);
    assert.equal(await raw.locator('.snippets').count(), 0, 'the embed is compact: no code panel');

    const el = await frame(page, /embed\.html\?demo=amdahl/);
    await state(el, 'ready');
    assert.equal(await el.evaluate(() => crossOriginIsolated), true);
    assert.equal((await resultOf(el)).speedup.toFixed(2), '1.43');
    assert.equal(await el.inputValue('#amdahl-serial'), '0.6');
    const open = await el.getAttribute('.embed-open', 'href');
    assert.equal(open, env.url('/?demo=amdahl&serial=0.6&processors=4'));
    assert.equal(await el.getAttribute('.embed-open', 'target'), '_blank');

    // Sized to its content: the frame is as tall as the embed's page, so nothing scrolls.
    const content = () => el.evaluate(() => Math.ceil(document.getElementById('embed').getBoundingClientRect().height));
    await page.waitForFunction(
      (h) => document.querySelector('concurrency-demo').shadowRoot.querySelector('iframe').clientHeight === h,
      await content(),
    );
    const before = await frameHeight(page);
    assert.ok(before > 520, `height ${before}`);
    assert.equal(await el.evaluate(() => document.scrollingElement.scrollHeight <= innerHeight), true);

    // It follows the content: a run adds a result and a timeline, and the frame grows.
    await el.fill('#amdahl-work', '64');
    await el.fill('#amdahl-threads', '2');
    await state(el, 'ready');
    await el.click('button[data-action="run"]');
    await state(el, 'done');
    assert.equal((await resultOf(el)).measured.points[1].threadsUsed, 2);
    await page.waitForFunction(
      (h) => document.querySelector('concurrency-demo').shadowRoot.querySelector('iframe').getBoundingClientRect().height > h + 100,
      before,
    );
    assert.equal(await el.getAttribute('.embed-open', 'href'), env.url('/?demo=amdahl&serial=0.6&processors=4&work=64&threads=2'));

    // A size message from anyone but the embed is ignored.
    const now = await frameHeight(page);
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          // Listeners run in the order they were added: the element's has run when this one does.
          addEventListener('message', () => resolve(), { once: true });
          postMessage({ type: 'concurrency-demo:size', height: 10 }, '*');
        }),
    );
    assert.equal(await frameHeight(page), now);

    await page.screenshot({ path: join(SHOTS, 'embed-course-page.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(dialogs, []);
    await page.close();
  });

  it('waits for a click when a page has many demos', async () => {
    const url = await course.page(
      'many.html',
      `<script src="${env.url('/concurrency-demo.js')}" defer></script>
       <concurrency-demo demo="amdahl" serial="0.1" processors="8"></concurrency-demo>
       <concurrency-demo demo="concurrency" kind="io"></concurrency-demo>
       <concurrency-demo demo="amdahl" serial="0.9" processors="2" label="Amdahl at 10 % parallel"></concurrency-demo>`,
    );
    const { page, errors } = await visit(env, url);
    await page.waitForFunction(() => [...document.querySelectorAll('concurrency-demo')].every((d) => d.shadowRoot?.querySelector('button')));
    assert.equal(await page.evaluate(() => document.querySelectorAll('concurrency-demo').length), 3);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('concurrency-demo')].filter((d) => d.shadowRoot.querySelector('iframe')).length), 0);
    assert.equal(page.frames().length, 1, 'no embed loads before a click');
    const third = page.locator('concurrency-demo').nth(2).locator('button');
    assert.equal(await third.textContent(), '▶ Load the demo: Amdahl at 10 % parallel');

    // Keyboard: the button is reachable and works with Enter.
    await third.focus();
    await page.keyboard.press('Enter');
    const f = await frame(page, /serial=0\.9/);
    await state(f, 'ready');
    assert.equal((await resultOf(f)).processors, 2);
    assert.equal(await page.locator('concurrency-demo').nth(2).locator('iframe').getAttribute('title'), 'Amdahl at 10 % parallel');
    assert.equal(page.frames().length, 2, 'only the clicked demo loaded');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a message for hostile or broken parameters and executes nothing', async () => {
    const url = await course.page(
      'hostile.html',
      `<concurrency-demo id="bad" demo="amdahl" loading="eager"
          serial="&lt;img src=x onerror=alert(1)&gt;" processors="1e400" work="99999999999999999999999"
          threads="2&amp;demo=concurrency"></concurrency-demo>
       <concurrency-demo id="unknown" demo="&lt;script&gt;alert(2)&lt;/script&gt;" loading="eager"></concurrency-demo>
       <concurrency-demo id="none" loading="eager"></concurrency-demo>
       <iframe id="raw" title="raw" sandbox="${SANDBOX}" style="width:100%;height:400px"
         src="${env.url('/embed.html?demo=%3Cscript%3Ealert(3)%3C%2Fscript%3E&serial=%22%3E%3Cb%3E')}"></iframe>
       <script src="${env.url('/concurrency-demo.js')}"></script>`,
    );
    const { page, errors, dialogs } = await visit(env, url);

    // Each bad input keeps its text, with the engine's message beside it.
    const bad = await frame(page, /serial=%3Cimg/);
    await state(bad, 'error');
    assert.equal(await bad.evaluate(() => new URLSearchParams(location.search).get('demo')), 'amdahl', 'an attribute cannot smuggle in a parameter');
    assert.equal(await bad.inputValue('#amdahl-serial'), '<img src=x onerror=alert(1)>');
    assert.equal(await bad.textContent('#amdahl-serial-error'), 'serial must be a number from 0 to 1, got "<img src=x onerror=alert…"');
    assert.match(await bad.textContent('#amdahl-processors-error'), /^processors must be a whole number from 1 to 1024, got "1e400"/);
    assert.match(await bad.textContent('#amdahl-work-error'), /^work must be a whole number from 8 to 4000, got "9+"/);
    assert.match(await bad.textContent('#amdahl-threads-error'), /^threads must be a whole number from 0 to 16, got "2&demo=concurrency"/);
    assert.equal(await bad.isDisabled('button[data-action="run"]'), true);
    assert.equal(await bad.locator('img[src="x"]').count(), 0);

    // An unknown demo id, from the element and from a raw iframe: a visible message.
    for (const re of [/alert%282%29|alert\(2\)/, /alert%283%29|alert\(3\)/]) {
      const f = await frame(page, re);
      await f.waitForSelector('.fatal');
      assert.match(await f.textContent('.fatal'), /No such demo.*There is no demo called "<script>alert\([23]\)<\/script>"\. The demos are concurrency, amdahl/s);
      assert.equal(await f.locator('main script').count(), 0);
    }
    // No demo at all: the element explains, in the course page.
    assert.match(await page.locator('#none').locator('[role="alert"]').textContent(), /no "demo" attribute/);

    await page.screenshot({ path: join(SHOTS, 'embed-hostile.png'), fullPage: true });
    assert.deepEqual(dialogs, [], 'no script ran');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('embeds on a host that cannot send headers', () => {
  let env;
  let course;
  before(async () => {
    env = await setUp({ isolation: false, serviceWorkers: 'allow' });
    course = await coursePages();
  });
  after(async () => {
    await env?.tearDown();
    await course?.close();
  });

  it('runs on one thread, says so, and opens the full playground with real threads in a new tab', async () => {
    const url = await course.page(
      'plain.html',
      `<script src="${env.url('/concurrency-demo.js')}" defer></script>
       <concurrency-demo demo="concurrency" tasks="6" threads="2" run></concurrency-demo>`,
    );
    const { page, errors } = await visit(env, url, 360);
    const f = await frame(page, /embed\.html\?demo=concurrency/);
    await state(f, 'done');
    assert.equal(await f.evaluate(() => crossOriginIsolated), false);
    const r = await resultOf(f);
    assert.equal(r.check.sequential, 6);
    assert.equal(r.concurrentMs, null, 'no threaded run without isolation');
    assert.match(await f.textContent('.embed-threads'), /Single-thread mode/);
    const note = f.locator('.embed-note');
    assert.equal(await note.isVisible(), true);
    assert.match(await note.textContent(), /Single-thread mode\. This page cannot give the demo real threads.*Open in a new tab for real threads/s);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the course page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(SHOTS, 'embed-fallback-360.png'), fullPage: true });

    // The link opens the full playground, which the service worker isolates: real threads.
    const [tab] = await Promise.all([page.waitForEvent('popup'), note.locator('a').click()]);
    await tab.waitForSelector('[data-demo-result][data-state="ready"]', { state: 'attached', timeout: 60_000 });
    assert.equal(await tab.evaluate(() => crossOriginIsolated), true);
    assert.match(tab.url(), /\/\?demo=concurrency&tasks=6&threads=2$/);
    assert.equal(await tab.inputValue('#concurrency-tasks'), '6');
    assert.deepEqual(errors, []);
    await tab.close();
    await page.close();
  });
});
