// Shared set-up for the end-to-end tests: serve the built site (dist/), open pages in
// Debian's Chromium, collect page errors, and read what a demo shows.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';
import { launch } from './browser.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = join(repo, 'test-results');
mkdirSync(SHOTS, { recursive: true });

/**
 * Starts a server for dist/ and a browser; `isolation: false` leaves out COOP/COEP (a host
 * like GitHub Pages), `headersFile: true` sends exactly dist/_headers, `embedIsolation: false`
 * leaves out Document-Isolation-Policy.
 *
 * `serviceWorkers` ('allow' | 'block'): without isolation headers it defaults to 'block', so
 * that `isolation: false` means a page that stays on one thread; with 'allow', coi-sw.js
 * isolates the page after one reload (tests/e2e/static.test.mjs).
 */
export async function setUp({ isolation = true, embedIsolation = isolation, headersFile = false, serviceWorkers = isolation || headersFile ? 'allow' : 'block' } = {}) {
  const server = await serve({ dir: join(repo, 'dist'), isolation, embedIsolation, headersFile });
  let browser;
  try {
    browser = await launch({ serviceWorkers });
  } catch (e) {
    // An open server would keep the test process alive after the failure, so close it.
    await server.close();
    throw e;
  }
  return {
    server,
    context: browser.context,
    url: (path) => new URL(path, server.url).toString(),
    async open(path, { width = 1280 } = {}) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: 900 });
      const errors = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      await page.goto(new URL(path, server.url).toString());
      return { page, errors };
    },
    async tearDown() {
      await browser.close();
      await server.close();
    },
  };
}

const RESULT = '[data-demo-result]';

/** Waits until the demo's result region reaches `state` (never a sleep). */
export async function waitState(page, state, timeout = 60_000) {
  await page.waitForSelector(`${RESULT}[data-state="${state}"]`, { state: 'attached', timeout });
}

/** The outcome the learner sees, as the page publishes it in data-result. */
export async function result(page) {
  const text = await page.getAttribute(RESULT, 'data-result');
  return text ? JSON.parse(text) : null;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe violations on the page as it is now, as in
 *  tests/e2e/a11y.test.mjs (which checks every demo before a run; demos' tests check what a
 *  run drew). */
export async function axe(page) {
  await page.evaluate(AXE);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`);
}
