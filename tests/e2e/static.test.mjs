// The static build on the two kinds of host: one that sends the headers of dist/_headers
// (Netlify, Cloudflare Pages), and one that cannot send headers at all (GitHub Pages), where
// the service worker coi-sw.js isolates the page after one reload, and where a browser that
// blocks service workers still gets a working page on one thread.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { result, setUp, shot, waitState } from './harness.mjs';

/** Collects CSP violations from the page and its frames (they are also console errors). */
async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

describe('a host that sends the headers file', () => {
  let env;
  before(async () => {
    env = await setUp({ headersFile: true });
  });
  after(async () => {
    await env?.tearDown();
  });

  it('ships COOP, COEP and a CSP without inline script, DIP on the embed, and CORP on the element script', async () => {
    const page = await env.context.newPage();
    const head = async (path) => (await page.request.get(env.url(path))).headers();
    const index = await head('/');
    assert.equal(index['cross-origin-opener-policy'], 'same-origin');
    assert.equal(index['cross-origin-embedder-policy'], 'require-corp');
    const csp = index['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.match(csp, /worker-src 'self' blob:(;|$)/);
    assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
    assert.equal(index['document-isolation-policy'], undefined, 'the playground is isolated by COOP/COEP');

    const embed = await head('/embed.html?demo=amdahl');
    assert.equal(embed['document-isolation-policy'], 'isolate-and-require-corp');
    assert.equal(embed['content-security-policy'], csp);

    const element = await head('/concurrency-demo.js');
    assert.equal(element['cross-origin-resource-policy'], 'cross-origin');
    assert.match(element['content-type'], /^text\/javascript/);
    assert.equal((await page.request.get(env.url('/coi-sw.js'))).status(), 200);
    await page.close();
  });

  it('is isolated by the headers alone and runs on real threads with no CSP violation', async () => {
    const page = await env.context.newPage();
    await watchCsp(page);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(env.url('/?demo=concurrency&tasks=8&threads=2&run=1'));
    await waitState(page, 'done');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null, 'no service worker needed');
    assert.equal((await result(page)).threadsUsed, 2);
    // Every kind of asset went through the CSP: the module, the workers, the wasm, the chart.
    await page.goto(env.url('/?demo=amdahl&serial=0.5&work=64&threads=2&run=1'));
    await waitState(page, 'done');
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('a host that cannot send headers (GitHub Pages)', () => {
  let env;
  before(async () => {
    env = await setUp({ isolation: false, serviceWorkers: 'allow' });
  });
  after(async () => {
    await env?.tearDown();
  });

  it('gets isolated by the service worker after exactly one reload, and never reloads again', async () => {
    const page = await env.context.newPage();
    const loads = [];
    page.on('load', () => loads.push(page.url()));
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.url('/?demo=concurrency&tasks=8&threads=2&run=1'));
    await waitState(page, 'done');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), env.url('/coi-sw.js'));
    assert.equal(loads.length, 2, `loads: ${loads.join(', ')}`);
    assert.match(loads[1], /demo=concurrency&tasks=8&threads=2&run=1/, 'the reload keeps the deep link');
    const r = await result(page);
    assert.equal(r.threadsUsed, 2);
    assert.equal(await page.locator('.banner').isHidden(), true);
    await shot(page, 'static-service-worker');

    // Later visits go through the worker at once: no second reload.
    await page.goto(env.url('/?demo=amdahl&serial=0.6&processors=4'));
    await waitState(page, 'ready');
    assert.equal(loads.length, 3);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('a host without headers, in a browser that blocks service workers', () => {
  let env;
  before(async () => {
    env = await setUp({ isolation: false, serviceWorkers: 'block' });
  });
  after(async () => {
    await env?.tearDown();
  });

  it('loads once, says real threads are off, and still works on one thread', async () => {
    const page = await env.context.newPage();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(env.url('/?demo=concurrency&tasks=4&run=1'));
    await waitState(page, 'done');
    assert.equal(loads, 1);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.match(await page.textContent('.banner'), /Real threads are off on this page/);
    assert.equal((await result(page)).check.sequential, 4);
    await page.close();
  });
});
