// Drives Debian's Firefox ESR, headless, through geckodriver with selenium-webdriver.
// playwright-core cannot drive this Firefox (it needs Playwright's own patched build, which
// cannot be downloaded here); geckodriver speaks plain WebDriver.
//
// Page errors are collected two ways, and a test fails on either:
//  1. The browser console. Firefox prints what the page's console shows to its stdout when
//     `devtools.console.stdout.content` is set: `console.error: …` for console.error calls,
//     and `JavaScript error: <url>, line <n>: …` for uncaught exceptions and unhandled
//     rejections, from the page and from its workers (the engine and the pool), from the first
//     script on (`devtools.console.stdout.chrome` off keeps most of Firefox's own out). geckodriver passes that stdout on, into a file read here. A marker logged
//     through the page's console tells when everything the page logged before it is in the
//     file (no sleep).
//  2. An injected script: as soon as a page has loaded, `window.__pageErrors` starts to
//     record the page's `error` events (uncaught exceptions) and `unhandledrejection`s.
// WebDriver BiDi would inject the script before the page's own and stream the console, but
// in Firefox 153 ESR a BiDi preload script or a log.entryAdded subscription made the engine's
// start hang in about half of the page loads (the pool stopped at 5 of its 8 workers); with
// neither, no start hung. So this uses no BiDi at all.

import webdriver from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const { Builder } = webdriver;

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const GECKODRIVER = process.env.GECKODRIVER ?? join(homedir(), '.cargo/bin/geckodriver');

/** Injected into each page once it has loaded (classic WebDriver cannot run it earlier). */
function collectPageErrors() {
  if (window.__pageErrors) return;
  const errors = [];
  Object.defineProperty(window, '__pageErrors', { value: errors });
  window.addEventListener('error', (e) => errors.push(`pageerror: ${e.message} (${e.filename}:${e.lineno})`));
  window.addEventListener('unhandledrejection', (e) => errors.push(`unhandledrejection: ${e.reason}${e.reason?.stack ? ` at ${e.reason.stack}` : ''}`));
}

/**
 * The page's errors among the console lines Firefox printed. Firefox's own code logs there too
 * (with no network its remote settings fail at start-up): it names itself before a colon
 * (`console.error: RSLoader: …`) or is a `resource://` or `chrome://` script, where the
 * page's console.error shows its arguments as values (`console.error: "text"`, `(new Error(…`).
 */
export function consoleErrors(lines) {
  return lines.filter(
    (l) => (/^console\.error: /.test(l) && !/^console\.error: [A-Za-z_][\w.-]*: /.test(l)) || (/^JavaScript error: /.test(l) && !/^JavaScript error: (resource|chrome):/.test(l)),
  );
}

/** Starts Firefox with a fresh profile (geckodriver makes one and deletes it on quit). */
export async function launch({ width = 1280, height = 900 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'playground-firefox-'));
  const logPath = join(dir, 'firefox-stdout.log');
  const fd = openSync(logPath, 'w');
  const options = new firefox.Options()
    .setBinary(FIREFOX)
    .addArguments('-headless', `--width=${width}`, `--height=${height}`)
    .setPreference('devtools.console.stdout.content', true)
    .setPreference('devtools.console.stdout.chrome', false);
  const service = new firefox.ServiceBuilder(GECKODRIVER).setStdio(['ignore', fd, fd]);
  let driver;
  try {
    driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
  } catch (err) {
    closeSync(fd);
    throw new Error(`Firefox did not start: ${err.message}\n${readFileSync(logPath, 'utf8')}`);
  }
  const log = { path: logPath, marks: 0 };

  return {
    driver,
    /** The browser's name and version, as WebDriver reports them. */
    async version() {
      const caps = await driver.getCapabilities();
      return `${caps.getBrowserName()} ${caps.getBrowserVersion()}`;
    },
    /** Loads `url` in the one tab (waits for the load event) and starts a new error list. */
    async open(url) {
      const from = readFileSync(log.path, 'utf8').length;
      await driver.get(url);
      await driver.executeScript(`(${collectPageErrors})();`);
      return page(driver, log, from);
    },
    async quit() {
      await driver.quit();
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const RESULT = '[data-demo-result]';

function page(driver, log, from) {
  const self = {
    /** Runs `fn(...args)` in the page and returns its (JSON-like) value. */
    js(fn, ...args) {
      return driver.executeScript(`return (${fn}).apply(null, arguments);`, ...args);
    },
    /** Waits until `fn(...args)` is truthy in the page and returns that value; never a sleep. */
    async until(fn, { timeout = 60_000, what = String(fn) } = {}, ...args) {
      return driver.wait(() => self.js(fn, ...args), timeout, `timed out after ${timeout} ms waiting for ${what}`);
    },
    /**
     * Waits until the demo's result region settles: `want` (`done`, or `ready` for a demo that
     * computes as its inputs change), or an outcome that ends the wait early (`error`,
     * `cancelled`); returns the state it reached.
     */
    waitState(want, timeout = 60_000) {
      return self.until(
        (sel, want) => {
          const s = document.querySelector(sel)?.dataset.state;
          return s === want || s === 'error' || s === 'cancelled' ? s : null;
        },
        { timeout, what: `${RESULT} to reach data-state="${want}"` },
        RESULT,
        want,
      );
    },
    /** The outcome the learner sees, as the page publishes it in data-result. */
    async result() {
      const text = await self.js((sel) => document.querySelector(sel)?.dataset.result ?? null, RESULT);
      return text ? JSON.parse(text) : null;
    },
    /** The text of the first element matching `selector` (null if there is none). */
    text(selector) {
      return self.js((sel) => document.querySelector(sel)?.textContent ?? null, selector);
    },
    /** Every error so far on this page: the injected collector's, then the console's. */
    async errors() {
      const injected = await self.js(() => [...window.__pageErrors]);
      const mark = `playground-test-mark-${++log.marks}`;
      await self.js((m) => console.log(m), mark);
      const line = `console.log: "${mark}"`;
      const printed = await driver.wait(
        () => {
          const text = readFileSync(log.path, 'utf8');
          const end = text.indexOf(line, from);
          return end >= 0 && { before: text.slice(from, end) };
        },
        10_000,
        `the console's marker ${mark} did not reach Firefox's stdout`,
      );
      return [...injected, ...consoleErrors(printed.before.split('\n'))];
    },
    /** A PNG of the whole page (geckodriver's full-page screenshot). */
    async screenshot(path) {
      await writeFile(path, Buffer.from(await driver.takeFullPageScreenshot(), 'base64'));
    },
  };
  return self;
}
