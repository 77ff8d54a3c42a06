// Every demo in Firefox ESR, as a visitor who follows a deep link with run=1: the built site
// (dist/) served cross-origin isolated, the engine's pool started, each demo run to its end on
// real threads, the numbers it shows checked, and no page error. The list of demos is the one
// the engine's schema gives the page, so a new demo without a check here fails.
// Small inputs keep it fast; they are close to those of tests/e2e/, where the same checks run
// in Chromium, in more depth. Driven by selenium-webdriver over geckodriver (./firefox.mjs).
// `SMOKE_ONLY=requests node --test tests/firefox/` runs one demo's entry alone.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';
import { launch } from './firefox.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(repo, 'dist');
const SHOTS = join(repo, 'test-results');

const range = (n) => [...Array(n).keys()];
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** Every task ran exactly once on k workers of the pool, and each worker's count adds up. */
function assertEveryTaskOnce(s, tasks, k, poolThreads) {
  assert.deepEqual(sorted(s.assignment.map(([t]) => t)), range(tasks));
  assert.ok(s.assignment.every(([, lane]) => lane >= 1 && lane <= poolThreads), JSON.stringify(s.assignment));
  assert.equal(s.perWorker.length, k);
  for (const w of s.perWorker) assert.equal(w.tasks, s.assignment.filter(([, lane]) => lane === w.lane).length, `worker ${w.worker}`);
}

/**
 * One entry per demo id: the deep link's inputs, the state its result region ends in, and what
 * must hold of the result (`r`) and of the page (`p`, see firefox.mjs). `until` marks a
 * probabilistic outcome: the run is repeated, at most `attempts` times, until it holds.
 */
const DEMOS = {
  concurrency: {
    query: 'kind=cpu&tasks=16&threads=2',
    async check(r, p) {
      assert.equal(r.kind, 'cpu');
      assert.deepEqual(r.check, { what: 'prime checks that confirmed a prime (of 16)', sequential: 16, concurrent: 16 });
      assert.deepEqual(r.lanes.sequential, [0]);
      assert.equal(r.threads, 2);
      assert.equal(r.threadsUsed, 2, `lanes ${JSON.stringify(r.lanes.concurrent)}`);
      assert.deepEqual(sorted(r.order), range(16));
      assert.equal(await p.text('[data-field="speedup"]'), `${r.speedup.toFixed(2)}×`);
    },
  },
  amdahl: {
    query: 'serial=0.5&work=64&threads=2',
    async check(r, p) {
      assert.equal(r.serial, 0.5);
      assert.equal(r.speedup.toFixed(6), (1 / (0.5 + 0.5 / r.processors)).toFixed(6), 'the calculator is the law');
      assert.equal(await p.text('.calculator [data-field="speedup"]'), `${r.speedup.toFixed(2)}×`);
      const m = r.measured;
      assert.deepEqual(m.points.map((x) => x.threads), [1, 2]);
      assert.equal(m.points[0].speedup, 1);
      assert.equal(m.points[1].predicted.toFixed(4), (1 / (0.5 + 0.25)).toFixed(4));
      assert.equal(m.points[1].threadsUsed, 2);
      assert.ok(m.points.every((x) => x.wallMs > 0 && x.samplesMs.length === 3), JSON.stringify(m.points));
      assert.ok(m.warmUp.rounds >= 8, JSON.stringify(m.warmUp));
      assert.ok(Number.isFinite(m.fittedSerial));
    },
  },
  threads: {
    query: 'threads=3&count=3&delay=60&stagger=0&lock=off',
    async check(r) {
      assert.equal(r.lines.length, 9);
      for (const name of ['A', 'B', 'C']) {
        assert.deepEqual(r.lines.filter((l) => l.startsWith(`${name}:`)), ['3', '2', '1'].map((n) => `${name}: ${n}`));
      }
      assert.equal(new Set(r.threads.map((t) => t.lane)).size, 3, `each thread on its own worker: ${JSON.stringify(r.threads)}`);
      assert.equal(r.peakActive, 3);
      assert.equal(r.threadsUsed, 3);
    },
  },
  lock: {
    // The spin lock: the mode whose 4 threads used to run on 2 or 3 workers.
    query: 'mode=spin&threads=4&increments=5000&hold=40',
    async check(r, p) {
      assert.equal(r.expected, 20000);
      assert.equal(r.actual, 20000);
      assert.equal(r.exact, true);
      assert.deepEqual(r.acquisitions, [5000, 5000, 5000, 5000]);
      assert.equal(new Set(r.lanes).size, 4, `lanes ${r.lanes}`);
      assert.equal(r.threadsUsed, 4);
      assert.ok(r.lanes.every((l) => l >= 1), 'pool workers, not the engine thread');
      assert.equal(await p.text('[data-field="actual"]'), '20,000');
    },
  },
  queue: {
    query: 'producers=2&consumers=1&items=4&maxsize=2&order=fifo&produce=5&consume=20&stop=pills',
    async check(r, p) {
      assert.equal(r.produced, 8);
      assert.deepEqual(sorted(r.orderOut), range(8), 'every item consumed exactly once');
      assert.deepEqual(r.left, []);
      assert.ok(r.fill.every((v) => v >= 0 && v <= 2), `the queue never held more than maxsize: ${r.fill}`);
      for (const producer of [1, 2]) {
        const mine = r.orderOut.filter((id) => r.paths.find((x) => x.id === id).producer === producer);
        assert.deepEqual(mine, sorted(mine), `FIFO: producer ${producer}'s items came out in order`);
      }
      assert.equal(new Set(r.lanes.map((l) => l.lane)).size, 3, `each producer and consumer on its own worker: ${JSON.stringify(r.lanes)}`);
      assert.equal(r.threadsUsed, 3);
      assert.equal(await p.text('[data-field="consumed"]'), '8 of 8');
    },
  },
  pool: {
    query: 'workers=3&tasks=24&size=2&spread=80&seed=7',
    async check(r, p) {
      assert.equal(r.workers, 3);
      assert.equal(r.sizes.length, 24);
      assertEveryTaskOnce(r.queue, 24, 3, r.poolThreads);
      assertEveryTaskOnce(r.stealing, 24, 3, r.poolThreads);
      assert.equal(r.heldAside.length, r.poolThreads - 3);
      assert.ok(r.stealing.assignment.every(([, lane]) => !r.heldAside.includes(lane)), 'the held-aside threads ran nothing');
      assert.equal(r.poolThreads, await p.js(() => window.playground.engine.info.poolThreads));
    },
  },
  guard: {
    query: 'style=manual&failure=error&patience=300',
    async check(r, p) {
      assert.equal(r.leaked, true);
      assert.equal(r.bGotLock, true);
      assert.equal(r.threadsUsed, 2);
      assert.match(r.watchdog, /no progress for \d+ ms: B is waiting for the lock, and its holder A has already finished\. The lock leaked\./);
      assert.equal(await p.text('[data-field="verdict"]'), 'The lock leaked');
    },
  },
  deadlock: {
    query: 'scenario=two-locks&fix=none&pause=400&patience=300',
    async check(r, p) {
      assert.equal(r.deadlocked, true);
      assert.deepEqual(r.cycle, ['A', 'B']);
      assert.equal(r.threadsUsed, 2);
      assert.equal(r.cycleText, 'A holds a and waits for b, held by B; B holds b and waits for a, held by A.');
      assert.equal(await p.text('[data-field="verdict"]'), 'Deadlock');
    },
  },
  starvation: {
    query: 'scenario=readers-writers&policy=fair&readers=3&writers=2&budget=600&hold=5&pause=0',
    async check(r) {
      assert.equal(r.policy, 'fair');
      assert.equal(r.accesses.length, 5);
      assert.equal(r.threadsUsed, 5);
      assert.ok(r.accesses.every((a) => a > 0), `tickets serve every thread: ${r.accesses}`);
      assert.equal(r.starving.accesses, sum(r.accesses.filter((_, i) => r.roles[i] === 'writer')));
      assert.equal(r.starving.starved, false);
      assert.ok(r.jain > 0.8, `near-equal shares: J = ${r.jain}`);
    },
  },
  race: {
    query: 'threads=2&increments=100000&gap=100&repeats=5',
    // Whether updates are lost depends on how the two threads happen to overlap.
    until: (r) => Math.min(...r.actuals) < r.expected,
    attempts: 3,
    async check(r, p) {
      assert.equal(r.expected, 200000);
      const by = Object.fromEntries(r.runs.map((x) => [x.method, x]));
      assert.equal(by.mutex.actual, 200000);
      assert.equal(by.atomic.actual, 200000);
      assert.deepEqual(r.runs.map((x) => x.threadsUsed), [2, 2, 2]);
      assert.ok(Math.min(...r.actuals) < 200000, `no update lost: ${JSON.stringify(r.actuals)}`);
      assert.equal(r.actuals.length, 5);
      assert.equal(await p.text('[data-field="lost"]'), by.unprotected.lost.toLocaleString('en'));
    },
  },
  atomics: {
    query: 'test=sb&access=atomic&iterations=5000&adds=20000',
    async check(r, p) {
      assert.equal(r.threadsUsed, 2);
      assert.equal(Object.values(r.outcomes).reduce((a, b) => a + b, 0), 5000);
      // Every wasm atomic is sequentially consistent: never both reads 0.
      assert.equal(r.outcomes['r0=0,r1=0'], 0);
      assert.equal(r.add.atomic, 40000);
      assert.equal(await p.text('[data-field="weak"]'), '0');
    },
  },
  structures: {
    // 1003 per thread, threshold 10: by hand, 3 left in each of 2 shards before the flush.
    query: 'structure=counters&threads=2&ops=1003&threshold=10&samples=1',
    async check(r, p) {
      assert.equal(r.threadsUsed, 2);
      const by = Object.fromEntries(r.final.map((f) => [f.variant, f]));
      for (const v of ['mutex', 'atomic', 'sharded-padded', 'sharded-packed']) assert.equal(by[v].actual, 2006, v);
      assert.equal(by['sharded-padded'].lag, 6);
      assert.equal(await p.text('[data-field="lost"]'), by.unlocked.lost.toLocaleString('en'));
      assert.equal(r.gap, 100);
      assert.match(await p.text('[data-field="gap"]'), /here a spin of 100 iterations/);
    },
  },
  gil: {
    query: 'mode=gil&threads=2&work=100&interval=2',
    async check(r, p) {
      assert.equal(r.mode, 'gil');
      assert.equal(r.threadsUsed, 2);
      const s = [...r.holds].sort((a, b) => a.startMs - b.startMs);
      assert.ok(s.every((x, i) => i === 0 || s[i - 1].endMs <= x.startMs), `GIL holds overlap: ${JSON.stringify(s)}`);
      assert.equal(new Set(s.map((x) => x.lane)).size, 2, 'both threads held the GIL');
      assert.equal(await p.text('[data-field="speedup"]'), `${r.speedup.toFixed(2)}×`);
    },
  },
  requests: {
    // The rendezvous: the server holds every answer until all six have arrived, so only
    // requests in flight together on six pool threads are answered at all.
    query: 'mode=threads&hold=on&sleep=20&jitter=0',
    async check(r, p) {
      assert.deepEqual(r.requests.map((q) => q.outcome), Array(6).fill('ok'));
      assert.deepEqual(r.requests.map((q) => q.code), [200, 400, 404, 408, 500, 524]);
      assert.equal(r.threadsUsed, 6);
      assert.equal(new Set(r.requests.map((q) => q.lane)).size, 6);
      assert.ok(r.requests.every((q) => q.lane > 0), 'pool threads');
      // The service worker answers once it controls the engine; until then the host does.
      assert.equal(r.answeredBy.length, 1);
      assert.ok(['service-worker', 'serve.mjs'].includes(r.answeredBy[0]), String(r.answeredBy));
      const codes = await p.js(() => [...document.querySelectorAll('.requests-lanes .request .code')].map((e) => e.textContent));
      assert.deepEqual(codes, ['200', '400', '404', '408', '500', '524']);
    },
  },
  processes: {
    // 5 s for the plain worker to start and return before its join gives up on it.
    query: 'ending=pills&consumers=2&tasks=6&timeout=5000&megabytes=1&fine=200&workers=2',
    async check(r, p) {
      assert.deepEqual(
        r.workers.map((w) => [w.pid, w.name, w.daemon, w.exitedBy]),
        [
          [1001, 'worker', false, 'finished'],
          [1002, 'background', true, 'terminated'],
          [1003, 'slow', false, 'timeout'],
          [1004, 'killed', false, 'terminated'],
          [1005, 'producer', false, 'finished'],
          [1006, 'consumer-1', false, 'finished'],
          [1007, 'consumer-2', false, 'finished'],
          [1008, 'pool-1', false, 'finished'],
          [1009, 'pool-2', false, 'finished'],
        ],
      );
      assert.equal(sum(r.workers.filter((w) => w.name.startsWith('consumer-')).map((w) => w.tasks)), 6);
      assert.equal(r.left, 0);
      assert.equal(r.sharedMemory, false);
      assert.equal(r.copy.bytes, 1024 * 1024);
      assert.equal(r.dispatch.tasks, 200);
      assert.equal(r.threadsUsed, 2);
      assert.equal(await p.text('[data-field="ratio"]'), `${r.dispatch.ratio.toFixed(0)}×`);
    },
  },
  reduction: {
    query: 'values=1,4,8,3,2,5&operator=sum&threads=3',
    async check(r, p) {
      assert.deepEqual(r.rounds, [[1, 4, 8, 3, 2, 5], [5, 11, 7], [16, 7], [23]]);
      assert.equal(r.result, 23);
      assert.equal(r.additions, 5);
      assert.equal(r.depth, 3);
      assert.equal(r.threadsUsed, 3);
      assert.deepEqual(r.ways, { tree: 23, rayon: 23, sequential: 23 });
      assert.equal(await p.text('[data-field="result"]'), '23');
    },
  },
  images: {
    query: 'filter=adaptive-gaussian&size=256&tile=32&threads=2',
    async check(r, p) {
      assert.deepEqual([r.width, r.height, r.tiles], [256, 192, 48]);
      assert.deepEqual(r.points.map((x) => x.threads), [1, 2]);
      assert.equal(r.threadsUsed, 2);
      assert.equal(r.identical, true);
      assert.equal(r.differing, 0);
      assert.equal(new Set(r.tileLanes).size, 2, 'the tiles of the last run on two distinct workers');
      assert.match(await p.text('[data-field="identical"]'), /byte for byte/);
    },
  },
  eventloop: {
    // The countdowns on the real clock at 20× speed, CPU work offloaded to the pool; the
    // virtual clock's numbers are exact, the real run's are checked by their order.
    query: 'program=countdowns&blocking=off&cpu=300&offload=on&speed=20&at=0',
    async check(r, p) {
      assert.equal(r.program, 'countdowns');
      // Each tick waits its period, then 300 ms of offloaded work: tick k of a countdown with
      // period d prints at k × (d + 300), on the virtual clock; A's last at 3 × 1300.
      const prints = r.events.filter((e) => e.what === 'print');
      for (const [name, d] of [['A', 1000], ['B', 800], ['C', 500]]) {
        assert.deepEqual(prints.filter((e) => e.task === name).map((e) => e.t), [1, 2, 3].map((k) => k * (d + 300)), name);
      }
      assert.equal(r.totalMs, 3900);
      assert.ok(r.real.threadsUsed >= 2, `offloaded work on the pool: ${r.real.threadsUsed} threads`);
      const events = await p.js(() => [...document.querySelectorAll('[data-field="real-events"] li')].map((li) => [li.dataset.task, li.dataset.what]));
      assert.deepEqual(events, r.real.events.map((e) => [e.task, e.what]), 'the page lists the real run’s events');
      // The page's own loop, blocked 200 ms on request: Firefox has no "longtask" entries,
      // so the page says so and measures the gap between animation frames instead.
      await p.js(() => {
        document.querySelector('#el-block-ms').value = '200';
        document.querySelector('[data-action="block-page"]').click();
      });
      const block = await p.until(() => document.querySelector('.el-block[data-state="measured"]') && { ...document.querySelector('.el-block').dataset }, { what: 'the block to be measured' });
      assert.ok(Number(block.blockedMs) >= 200, `blocked ${block.blockedMs} ms`);
      assert.ok(Number(block.gapMs) >= 200, `frame gap ${block.gapMs} ms`);
      assert.equal(await p.text('[data-field="longtask-ms"]'), 'not measured here');
      assert.match(await p.text('[data-field="block-report"]'), /^The page was blocked \d+ ms; the longest frame gap was \d+ ms\. This browser does not report long tasks/);
      for (const name of ['A', 'B', 'C']) {
        const mine = events.filter(([task]) => task === name).map(([, what]) => what);
        assert.equal(mine.filter((w) => w === 'print').length, 3, name);
        assert.equal(mine.at(-1), 'done', name);
      }
      assert.match(await p.text('[data-field="explanation"]'), /\S/);
    },
  },
  server: {
    query: 'server=reactor&clients=2&duration=300',
    async check(r, p) {
      assert.equal(r.server, 'reactor');
      assert.ok(r.requests >= 2, `${r.requests}`);
      assert.equal(r.answered, r.requests);
      assert.deepEqual([r.wrong, r.stray, r.exactlyOnce], [0, 0, true]);
      assert.equal(r.threadsUsed, 3, 'two clients and the reactor, each on a worker of its own');
      assert.deepEqual(r.perClient.map((c) => c.served), r.perClient.map((c) => c.requests));
      assert.match(await p.text('[data-field="exactly-once"]'), /each exactly once/);
    },
  },
  explorer: {
    query: 'program=lost-update&threads=2',
    state: 'ready',
    async check(r, p) {
      assert.equal(r.interleavings, '20', 'C(6, 3) orders of two 3-step threads');
      assert.equal(r.counting, 'exact');
      assert.deepEqual(r.finalStates, { 'counter = 1': '18', 'counter = 2': '2' });
      assert.equal(r.broken, '18');
      assert.equal(r.counterexample.outcome, 'broken');
      assert.equal(await p.text('[data-field="interleavings"]'), '20');
    },
  },
  scheduler: {
    // The book's 10 s job every 3 s with max_instances 3, played on the real clock at 10 ms
    // a virtual second: the outcomes are the virtual clock's (worked by hand in the crate's
    // tests), the drift is measured and only checked to exist.
    query: 'program=interval&every=3&duration=10&instances=3&workers=3&horizon=15&scale=10',
    async check(r, p) {
      assert.deepEqual(r.jobs[0].runs.map((x) => [x.scheduledMs, x.outcome]), [[3000, 'ran'], [6000, 'ran'], [9000, 'ran'], [12000, 'skipped'], [15000, 'ran']]);
      assert.equal(r.clock, 'real');
      assert.equal(r.driftMs.count, 5 + 4, 'five wakeups and four starts');
      assert.ok(r.driftMs.min >= 0);
      assert.equal(r.threadsUsed, 4, 'the scheduler thread and three workers');
      assert.equal(await p.text('[data-field="threads-used"]'), '4');
    },
  },
};

let server;
let firefox;
before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'dist/ is not built: run npm run build first');
  mkdirSync(SHOTS, { recursive: true });
  server = await serve({ dir: DIST, isolation: true });
  firefox = await launch();
});
after(async () => {
  await firefox?.quit();
  await server?.close();
});

/** The page is cross-origin isolated in Firefox, with the engine's pool of workers started. */
async function assertRealThreads(p) {
  const env = await p.js(() => ({ ua: navigator.userAgent, isolated: self.crossOriginIsolated, sab: typeof SharedArrayBuffer, pool: window.playground.engine.info.poolThreads }));
  assert.match(env.ua, /Firefox\/\d+/);
  assert.equal(env.isolated, true, 'crossOriginIsolated');
  assert.equal(env.sab, 'function', 'SharedArrayBuffer exists');
  assert.ok(env.pool >= 8, `the pool has ${env.pool} workers`);
}

test('Firefox: every demo of the schema runs on real threads from its deep link', async (t) => {
  t.diagnostic(await firefox.version());
  // The demo ids, as the engine's schema gives them to the page.
  const home = await firefox.open(server.url);
  const ids = await home.until(() => window.playground?.engine?.info?.schema.map((d) => d.id), { what: 'the engine to be ready' });
  await assertRealThreads(home);
  assert.match(await home.until(() => /^Engine ready: /.test(document.querySelector('.engine-pill')?.textContent) && document.querySelector('.engine-pill').textContent), /^Engine ready: \d+ worker threads on \d+ cores$/);
  assert.deepEqual(await home.errors(), []);
  assert.ok(ids.length > 0, 'the schema names no demo');
  assert.deepEqual(ids.filter((id) => !DEMOS[id]), [], 'demos in the schema without a Firefox check here');
  assert.deepEqual(Object.keys(DEMOS).filter((id) => !ids.includes(id)), [], 'checks here for demos the schema no longer has');

  // SMOKE_ONLY=processes,reduction runs those entries alone (the schema is still checked whole).
  const only = process.env.SMOKE_ONLY?.split(',');
  for (const id of ids.filter((i) => !only || only.includes(i))) {
    await t.test(id, { timeout: 180_000 }, async (st) => {
      const demo = DEMOS[id];
      const want = demo.state ?? 'done';
      const url = new URL(`?demo=${id}&${demo.query}&run=1`, server.url).toString();
      let p;
      let r;
      for (let attempt = 1; ; attempt++) {
        p = await firefox.open(url);
        assert.equal(await p.waitState(want), want, `state of ${url}: ${await p.text('[data-demo-result]')}`);
        r = await p.result();
        assert.ok(r, 'data-result is set');
        assert.deepEqual(await p.errors(), [], `page errors at ${url}`);
        if (!demo.until || demo.until(r)) break;
        assert.ok(attempt < demo.attempts, `not seen in ${attempt} runs`);
        st.diagnostic(`run ${attempt}: the probabilistic outcome did not show; running again`);
      }
      await assertRealThreads(p);
      await demo.check(r, p);
      await p.screenshot(join(SHOTS, `firefox-${id}.png`));
      assert.deepEqual(await p.errors(), [], `page errors at ${url}`);
    });
  }
});
