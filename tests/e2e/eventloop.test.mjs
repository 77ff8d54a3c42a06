// Chapters 9-11 as a visitor: the event loop written in Rust, on the virtual clock (exact,
// checked against values worked out by hand here) and on the real clock (checked by the order
// of its events, never by how long they took); stepping back and forward, which must give
// the states a fresh replay gives; the page's own main thread blocked on request; bad input
// refused beside its control; and a page without isolation, which has no pool to offload to.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, result, setUp, shot, waitState } from './harness.mjs';

/** Opens the demo with `query` and waits for its first compute. */
async function open(env, query, { width, scheme } = {}) {
  const { page, errors } = await env.open('about:blank', { width });
  if (scheme) await page.emulateMedia({ colorScheme: scheme });
  await page.goto(env.url(`/?demo=eventloop&${query}`));
  await waitState(page, 'ready');
  return { page, errors, r: await result(page) };
}

/** The tick times of each task that printed, by task: { A: [1000, 2000, 3000], … }. */
function ticks(r) {
  const out = {};
  for (const e of r.events.filter((e) => e.what === 'print')) (out[e.task] ??= []).push(e.t);
  return out;
}

/** Every order of `xs`. */
function permutations(xs) {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * One cook, written here apart from the Rust: dishes start in `order`, each a list of steps
 * `[kind, minutes]`, 'work' needing the cook and 'wait' running by itself (the oven). The
 * cook works on the first ready dish until its next wait, then takes the next ready one;
 * with none ready the clock jumps to the next wait's end. Returns when the last dish is done.
 */
function cook(dishes, order) {
  let now = 0;
  const ready = order.map((name) => ({ name, steps: [...dishes[name]] }));
  const waiting = [];
  let end = 0;
  while (ready.length || waiting.length) {
    if (!ready.length) {
      waiting.sort((a, b) => a.until - b.until);
      now = Math.max(now, waiting[0].until);
    }
    // Waits that have ended join the ready queue, the earliest first.
    waiting.sort((a, b) => a.until - b.until);
    while (waiting.length && waiting[0].until <= now) ready.push(waiting.shift().dish);
    const d = ready.shift();
    if (!d) continue;
    while (d.steps.length && d.steps[0][0] === 'work') now += d.steps.shift()[1];
    if (d.steps.length) {
      const [, minutes] = d.steps.shift();
      waiting.push({ dish: d, until: now + minutes });
    } else {
      end = Math.max(end, now);
    }
  }
  return end;
}

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

describe('chapters 9-11: the event loop, on the virtual clock', () => {
  it('countdowns in sequence (a blocking sleep) take 3 × (1 + 0.8 + 0.5) s = 6.9 s', async () => {
    const { page, errors, r } = await open(env, 'program=countdowns&blocking=on&cpu=0&offload=off&at=0');
    assert.equal(r.program, 'countdowns');
    assert.equal(r.blocking, true);
    assert.equal(r.totalMs, 3 * (1000 + 800 + 500));
    assert.equal(r.sequentialMs, 6900);
    assert.ok(r.events.some((e) => e.what === 'block'), 'the blocking sleep is in the log');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('countdowns overlapped: every tick at its multiple of its period, A’s last at 3.0 s', async () => {
    const { page, errors, r } = await open(env, 'program=countdowns&blocking=off&cpu=0&offload=off&at=0');
    assert.equal(r.blocking, false);
    const t = ticks(r);
    const byPeriod = Object.values(t).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(byPeriod, [
      [500, 1000, 1500],
      [800, 1600, 2400],
      [1000, 2000, 3000],
    ]);
    assert.deepEqual(t[NAMES.A], [1000, 2000, 3000]);
    assert.deepEqual(t[NAMES.B], [800, 1600, 2400]);
    assert.deepEqual(t[NAMES.C], [500, 1000, 1500]);
    assert.equal(r.totalMs, 3000);
    assert.equal(r.sequentialMs, 6900);
    // What the page draws: a lane per task and the loop's own, the cursor before the start.
    assert.equal(await page.locator('.el-lanes').first().getAttribute('role'), 'img');
    assert.equal(await page.getAttribute('.el-trace .el-cursor', 'data-t'), '0');
    assert.equal(await page.textContent('[data-field="virtual-total"]'), '3.00 s');
    await shot(page, 'chapter10-eventloop-countdowns-light');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('cooking: one after another > overlapped > the best order, which is the best of every order', async () => {
    const { page, errors, r } = await open(env, 'program=cooking&at=0');
    const trace = await page.evaluate(async () => {
      const params = [...new URL(location.href).searchParams].filter(([k]) => k !== 'demo');
      const env = await window.playground.engine.compute('eventloop', params);
      return env.ok ? env.result.value : env;
    });
    const [seq, overlapped, best] = trace.schedules;
    assert.ok(seq.totalMs > overlapped.totalMs, `${seq.totalMs} > ${overlapped.totalMs}`);
    assert.ok(overlapped.totalMs > best.totalMs, `${overlapped.totalMs} > ${best.totalMs}`);
    // The dishes' steps, read from what the cook prints after each: "soup: chop the
    // vegetables (4 min)" is hands-on, "soup: simmer done (2 min)" a wait.
    const dishes = dishSteps(trace.events);
    assert.deepEqual(Object.keys(dishes).sort(), [...overlapped.order].sort());
    assert.equal(cook(dishes, overlapped.order), overlapped.totalMs, 'the listed order, overlapped, as this cook does it');
    const all = permutations(Object.keys(dishes)).map((o) => cook(dishes, o));
    assert.equal(best.totalMs, Math.min(...all), 'the best order is the best of every order');
    assert.equal(cook(dishes, best.order), best.totalMs);
    assert.deepEqual(r.schedules.map((s) => s.totalMs), [seq.totalMs, overlapped.totalMs, best.totalMs], 'data-result has the same totals');
    // The page shows the three totals beside their orders.
    const shown = await page.locator('[data-field="schedule"]').evaluateAll((els) => els.map((e) => Number(e.dataset.total)));
    assert.deepEqual(shown, [seq.totalMs, overlapped.totalMs, best.totalMs]);
    await shot(page, 'chapter9-eventloop-cooking');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('steps forward 3 and back 3 to the state a fresh replay gives, and the link reopens it', async () => {
    const base = 'program=countdowns&blocking=off&cpu=0&offload=off';
    const k = 5;
    const fresh = await open(env, `${base}&at=${k}`);
    const { page, errors } = await open(env, `${base}&at=${k - 2}`);
    const stepTo = async (action, want) => {
      await page.click(`[data-action="${action}"]`);
      await page.waitForFunction((w) => JSON.parse(document.querySelector('[data-demo-result]').dataset.result ?? 'null')?.at === w && document.querySelector('[data-demo-result]').dataset.state === 'ready', want);
    };
    await stepTo('forward', k - 1);
    await stepTo('forward', k);
    await stepTo('forward', k + 1);
    await stepTo('forward', k + 2);
    await stepTo('forward', k + 3);
    const ahead = await result(page);
    assert.equal(ahead.state.step, k + 3);
    await stepTo('back', k + 2);
    await stepTo('back', k + 1);
    await stepTo('back', k);
    const back = await result(page);
    assert.deepEqual(back.state, fresh.r.state, 'stepping back gives what a fresh replay gives');
    assert.deepEqual(back, fresh.r);
    assert.equal(await page.textContent('[data-field="step"]'), await fresh.page.textContent('[data-field="step"]'));
    assert.equal(await page.$eval('[data-field="step-slider"]', (e) => e.value), String(k));
    // The link the page keeps (every input, at too) reopens the same state.
    const link = await page.evaluate(() => location.search);
    assert.match(link, new RegExp(`[?&]at=${k}(&|$)`));
    const again = await env.open(link);
    await waitState(again.page, 'ready');
    assert.deepEqual(await result(again.page), back);
    // Keyboard: Forward is a button that Enter presses.
    await page.focus('[data-action="forward"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction((w) => JSON.parse(document.querySelector('[data-demo-result]').dataset.result)?.at === w, k + 1);
    assert.deepEqual([errors, fresh.errors, again.errors], [[], [], []]);
    await Promise.all([page.close(), fresh.page.close(), again.page.close()]);
  });

  it('channels: every item produced is consumed once; echo: every client’s messages come back; downloads overlap', async () => {
    // Producer p makes items p, p + 2, … of 8 in all.
    const ch = await open(env, 'program=channels&producers=2&consumers=3&items=8&maxsize=2&at=0');
    assert.equal(ch.r.produced, 8);
    assert.equal(ch.r.consumed, 8);
    assert.deepEqual([...ch.r.order].sort((a, b) => a - b), [...Array(8).keys()]);
    assert.equal(await ch.page.textContent('[data-field="consumed"]'), '8');
    const echo = await open(env, 'program=echo&clients=3&at=0');
    assert.deepEqual(echo.r.echo, [['client 1', 3, 3], ['client 2', 3, 3], ['client 3', 3, 3]], 'each client sent 3 and got 3 back');
    assert.equal(await echo.page.locator('.el-echo tbody tr').count(), 3);
    assert.deepEqual(await axe(echo.page), []);
    // Five downloads: a request of at least 150 ms, then chunks 100 ms apart, each written in
    // 20 ms. One after another: at least 5 × 150 + (4 + 6 + 3 + 8 + 1) × 120 = 3390 ms; overlapped
    // no less than the longest file, 150 + 8 × 120 = 1110 ms, and less than one after another.
    const dl = await open(env, 'program=downloads&blocking=off&at=0');
    assert.ok(dl.r.sequentialMs >= 3390, `one after another ${dl.r.sequentialMs}`);
    assert.ok(dl.r.totalMs >= 1110 && dl.r.totalMs < dl.r.sequentialMs, `overlapped ${dl.r.totalMs}`);
    assert.equal(dl.r.events.filter((e) => e.what === 'print').length, 5, 'each file says it is done');
    assert.deepEqual([ch.errors, echo.errors, dl.errors], [[], [], []]);
    await Promise.all([ch.page.close(), echo.page.close(), dl.page.close()]);
  });

  it('refuses a step past the end and no producers beside their controls', async () => {
    const at = await env.open('/?demo=eventloop&program=countdowns&at=9999');
    await at.page.waitForFunction(() => document.querySelector('#eventloop-at-error')?.textContent);
    assert.match(await at.page.textContent('#eventloop-at-error'), /the step must be 0-\d+, got 9999/);
    await waitState(at.page, 'error');
    const producers = await env.open('/?demo=eventloop&program=channels&producers=0');
    await producers.page.waitForFunction(() => document.querySelector('#eventloop-producers-error')?.textContent);
    assert.match(await producers.page.textContent('#eventloop-producers-error'), /producers/);
    assert.deepEqual([at.errors, producers.errors], [[], []]);
    await Promise.all([at.page.close(), producers.page.close()]);
  });

  it('is in the list of chapters under 9, 10 and 11, each opening its program', async () => {
    const { page, errors } = await open(env, 'program=countdowns');
    const links = await page.locator('nav.chapters a[href*="demo=eventloop"]').evaluateAll((as) => as.map((a) => [a.querySelector('.n').textContent, a.getAttribute('href'), a.getAttribute('aria-current')]));
    assert.deepEqual(links.map(([n]) => n), ['9', '10', '11']);
    assert.ok(links.some(([n, , cur]) => n === '10' && cur === 'page'), JSON.stringify(links));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('chapters 9-11: the page’s own event loop', () => {
  it('blocks the page for 300 ms on request, measures it, and leaves the engine’s loop as it was', async () => {
    const { page, errors, r } = await open(env, 'program=countdowns&blocking=off&at=4');
    const lanes = await page.innerHTML('.el-trace');
    await page.fill('#el-block-ms', '300');
    await page.click('[data-action="block-page"]');
    await page.waitForSelector('.el-block[data-state="measured"]');
    const m = await page.$eval('.el-block', (e) => ({ ...e.dataset }));
    assert.ok(Number(m.blockedMs) >= 300, `blocked ${m.blockedMs} ms`);
    assert.ok(Number(m.gapMs) >= 300, `the frames on either side of the block are ${m.gapMs} ms apart`);
    // Chromium reports the Long Task.
    assert.ok(Number(m.longtaskMs) >= 300, `long task ${m.longtaskMs} ms`);
    assert.match(await page.textContent('[data-field="block-report"]'), /^The page was blocked \d+ ms; the longest frame gap was \d+ ms/);
    // The engine's trace is untouched: the same summary, the same lanes.
    assert.deepEqual(await result(page), r);
    assert.equal(await page.innerHTML('.el-trace'), lanes);
    // Out of range is refused beside the input, on the page (this input is the page's own).
    await page.fill('#el-block-ms', '5000');
    assert.match(await page.textContent('#el-block-error'), /from 50 to 3000 ms, got 5000/);
    assert.equal(await page.isDisabled('[data-action="block-page"]'), true);
    await page.fill('#el-block-ms', 'abc');
    assert.match(await page.textContent('#el-block-error'), /whole number/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('chapters 9-11: real runs', () => {
  it('runs the countdowns on the real clock at speed 10: each countdown ticks in order, then is done', async () => {
    const { page, errors } = await env.open('/?demo=eventloop&program=countdowns&blocking=off&cpu=0&offload=off&speed=10&run=1');
    await waitState(page, 'done', 60_000);
    const r = await result(page);
    assert.ok(r.real, 'the run’s figures are in data-result');
    assert.equal(r.real.threadsUsed, 1, 'one loop, one thread');
    const events = r.real.events;
    assert.deepEqual(await realEvents(page), events.map((e) => ({ task: e.task, what: e.what })), 'the page lists the run’s events as they came');
    for (const name of Object.values(NAMES)) {
      const mine = events.filter((e) => e.task === name);
      assert.deepEqual(mine.filter((e) => e.what === 'print').length, 3, name);
      assert.equal(mine.at(-1).what, 'done', `${name} ends with done`);
    }
    assert.match(await page.textContent('[data-field="explanation"]'), /\S/);
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('offloads CPU work to the pool: two threads or more, and the loop’s timers fire while it runs', async () => {
    const { page, errors } = await env.open('/?demo=eventloop&program=countdowns&blocking=off&cpu=1000&offload=on&speed=4&run=1');
    await waitState(page, 'done', 120_000);
    const r = await result(page);
    assert.ok(r.real.threadsUsed >= 2, `threads used ${r.real.threadsUsed}`);
    assert.ok(r.real.poolThreads.length >= 1, 'pool threads did the work');
    const events = r.real.events;
    // Each offload and the back of the same task that follows it; while the work ran on the
    // pool (1000 ms of the program's time, 250 ms real at speed 4), the loop fired timers of
    // the other countdowns (due every 500 to 1000 ms): the loop was not blocked.
    const pairs = events.flatMap((e, i) => (e.what === 'offload' ? [[i, events.findIndex((b, j) => j > i && b.what === 'back' && b.task === e.task)]] : []));
    assert.equal(pairs.length, 9, 'every tick offloaded its work');
    assert.ok(pairs.every(([, back]) => back > 0), 'and every piece came back');
    assert.ok(pairs.some(([off, back]) => events.slice(off + 1, back).some((e) => e.what === 'timer')), 'a timer fired on the loop while work ran on the pool');
    await shot(page, 'chapter10-eventloop-offload');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('chapters 9-11: looks', () => {
  it('at 360 px dark: no axe violations, no sideways page', async () => {
    const { page, errors } = await open(env, 'program=countdowns&blocking=on&at=6', { width: 360, scheme: 'dark' });
    assert.deepEqual(await axe(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, 'chapter10-eventloop-dark-360');
    const wide = await open(env, 'program=countdowns&blocking=off&at=6', { scheme: 'dark' });
    await shot(wide.page, 'chapter10-eventloop-countdowns-dark');
    assert.deepEqual([errors, wide.errors], [[], []]);
    await Promise.all([page.close(), wide.page.close()]);
  });
});

describe('chapters 9-11 without isolation (no pool)', () => {
  let plain;
  before(async () => {
    plain = await setUp({ isolation: false });
  });
  after(async () => {
    await plain?.tearDown();
  });

  it('works on the virtual clock and says why real offloading needs the pool', async () => {
    const { page, errors } = await plain.open('/?demo=eventloop&program=countdowns&blocking=off&cpu=200&offload=on&at=0');
    await waitState(page, 'ready');
    assert.equal(await page.evaluate(() => window.playground.engine.info.poolThreads), 0);
    const r = await result(page);
    assert.equal(r.program, 'countdowns');
    assert.ok(r.totalMs > 0);
    assert.equal(await page.isVisible('[data-field="no-pool"]'), true);
    assert.match(await page.textContent('[data-field="no-pool"]'), /pool/);
    // Run with offload on is refused, with Rust's reason; with offload off the loop runs on
    // the engine's own thread, which needs no pool.
    await page.click('button[data-action="run"]');
    await waitState(page, 'error');
    assert.match(await page.textContent('.status'), /offloaded work runs on the thread pool, which needs a cross-origin isolated page/);
    const off = await plain.open('/?demo=eventloop&program=countdowns&blocking=off&cpu=0&offload=off&speed=20&run=1');
    await waitState(off.page, 'done', 60_000);
    const ran = await result(off.page);
    assert.equal(ran.real.threadsUsed, 1);
    assert.deepEqual([errors, off.errors], [[], []]);
    await Promise.all([page.close(), off.page.close()]);
  });
});

/** The real run's events as the page lists them, in the loop's order. */
function realEvents(page) {
  return page.locator('[data-field="real-events"] li').evaluateAll((lis) => lis.map((li) => ({ task: li.dataset.task, what: li.dataset.what })));
}

/** Each dish's steps, from the lines the cook printed, in order: `[kind, ms]`, a minute of
 *  the kitchen being a second of the loop's clock. */
function dishSteps(events) {
  const dishes = {};
  for (const e of events.filter((e) => e.what === 'print')) {
    const m = /^(\w+): .+?( done)? \((\d+(?:\.\d+)?) min\)$/.exec(e.detail);
    assert.ok(m, `a cook's line: ${e.detail}`);
    (dishes[m[1]] ??= []).push([m[2] ? 'wait' : 'work', Number(m[3]) * 1000]);
  }
  return dishes;
}

/** The countdowns' task names (A ticks every 1 s, B every 0.8 s, C every 0.5 s). */
const NAMES = { A: 'A', B: 'B', C: 'C' };
