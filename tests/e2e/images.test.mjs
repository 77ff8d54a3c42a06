// Chapter 8 as a visitor: the test picture filtered over tiles on real threads, checked byte
// for byte against one pass over the whole picture; the learner's own picture (a PNG made in
// the browser, its expected output computed here from the definitions, independently of the
// engine); the halo turned off; bad inputs refused beside their controls; a picture at the
// size limit and one past it; and memory that stays flat over 8 runs.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, result, setUp, shot, waitState } from './harness.mjs';

/** FNV-1a, 32 bits. */
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** Colours whose gray value, 0.299 R + 0.587 G + 0.114 B, is not near a rounding tie. */
const PALETTE = [
  [250, 250, 250], [20, 20, 20], [200, 40, 40], [40, 160, 60], [50, 70, 200], [128, 128, 128], [180, 150, 90], [90, 110, 140],
];
const grayOf = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;

/** The learner's picture: w × h pixels from the palette in a pattern with edges and texture. */
function pattern(w, h) {
  const px = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.push(PALETTE[(x * 7 + y * 13 + ((x * y) % 5)) % PALETTE.length]);
  return px;
}

/** The adaptive mean threshold by its definition (OpenCV's, block 11, C = 2, edges repeated). */
function adaptiveMean(gray, w, h) {
  const at = (x, y) => gray[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  const out = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) sum += at(x + dx, y + dy);
      out.push(at(x, y) > Math.round(sum / 121) - 2 ? 255 : 0);
    }
  }
  return out;
}

/** A PNG of `w` × `h` made in the page (lossless, opaque): the pattern, or a gradient. */
async function png(page, w, h, kind = 'pattern') {
  const pixels = kind === 'pattern' ? pattern(w, h).flatMap(([r, g, b]) => [r, g, b, 255]) : null;
  const b64 = await page.evaluate(
    async ({ w, h, pixels }) => {
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      if (pixels) {
        ctx.putImageData(new ImageData(new Uint8ClampedArray(pixels), w, h), 0, 0);
      } else {
        const g = ctx.createLinearGradient(0, 0, w, h);
        g.addColorStop(0, '#f0e0d0');
        g.addColorStop(1, '#203040');
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, w, h);
      }
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    },
    { w, h, pixels },
  );
  return { name: `picture-${w}x${h}.png`, mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') };
}

async function choose(page, file) {
  await page.setInputFiles('[data-field="picture-file"]', file);
  await page.waitForFunction(() => !/^Reading/.test(document.querySelector('[data-field="picture-message"]')?.textContent ?? 'Reading'));
  return page.textContent('[data-field="picture-message"]');
}

async function run(page) {
  await page.click('button[data-action="run"]');
  await waitState(page, 'done', 120_000);
  return result(page);
}

let env;
before(async () => {
  env = await setUp({ isolation: true });
});
after(async () => {
  await env?.tearDown();
});

describe('chapter 8: image processing', () => {
  it('filters the test picture on 1 to k threads, tiles identical to the whole pass', async () => {
    const { page, errors } = await env.open('/?demo=images&filter=adaptive-mean&size=512&tile=64&threads=3');
    await waitState(page, 'ready');
    assert.match(await page.textContent('[data-field="plan"]'), /512 × 384 pixels, 48 tiles of 64 px \(8 × 6\)/);
    const r = await run(page);
    assert.equal(r.demo, 'images');
    assert.equal(r.filter, 'adaptive-mean');
    assert.deepEqual([r.width, r.height, r.tiles], [512, 384, 48]);
    assert.deepEqual(r.points.map((p) => p.threads), [1, 2, 3]);
    assert.equal(r.points[0].speedup, 1);
    assert.ok(r.points.every((p) => p.wallMs > 0));
    assert.equal(r.threadsUsed, 3, 'the last run used three distinct workers');
    assert.equal(r.identical, true);
    assert.equal(r.differing, 0);
    assert.equal(r.tileLanes.length, 48);
    const poolThreads = await page.evaluate(() => window.playground.engine.info.poolThreads);
    const lanes = [...new Set(r.tileLanes)].sort((a, b) => a - b);
    assert.equal(lanes.length, 3, `every tile on one of three distinct workers: ${lanes}`);
    assert.ok(lanes.every((l) => l >= 1 && l <= poolThreads), `pool workers, not the engine thread: ${lanes}`);
    assert.match(await page.textContent('[data-field="identical"]'), /Tiled output = whole-picture output, byte for byte/);
    assert.match(await page.textContent('[data-field="identical"]'), new RegExp(r.checksum.toString(16).padStart(8, '0')));
    // The heat map's counts are the tiles each worker ran.
    const shares = await page.locator('[data-field="shares"] li').allTextContents();
    assert.deepEqual(shares, lanes.map((l) => `worker ${l}: ${r.tileLanes.filter((x) => x === l).length}`));
    // The pictures are drawn: the output is black and white only.
    const colours = await page.evaluate(() => {
      const c = document.querySelector('canvas[data-field="output"]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      return [...seen].sort();
    });
    assert.deepEqual(colours, ['0,0,0', '255,255,255']);
    await shot(page, 'chapter8-images');
    assert.deepEqual(errors, []);
  });

  it('filters the learner’s own picture exactly as the definitions say', async () => {
    const { page, errors } = await env.open('/?demo=images&filter=grayscale&size=256&tile=8&threads=2');
    await waitState(page, 'ready');
    const [w, h] = [40, 30];
    for (const c of PALETTE) assert.ok(Math.abs((grayOf(c) % 1) - 0.5) > 0.01, `no tie: ${c}`);
    const message = await choose(page, await png(page, w, h));
    assert.equal(message, 'Your picture, 40 × 30: it stays on this device (a link cannot carry it).');
    await page.waitForFunction(() => /Your picture: 40 × 30 pixels, 20 tiles/.test(document.querySelector('[data-field="plan"]')?.textContent ?? ''));
    assert.equal(await page.inputValue('#images-picture'), 'yours');
    const gray = pattern(w, h).map((c) => Math.round(grayOf(c)));
    const g = await run(page);
    assert.deepEqual([g.width, g.height, g.tiles], [40, 30, 20]);
    assert.equal(g.checksum, fnv1a(gray), 'grayscale: 0.299 R + 0.587 G + 0.114 B, rounded');
    assert.equal(g.identical, true);
    // The global threshold and the adaptive mean, computed here from the gray values.
    await page.selectOption('#images-filter', 'threshold');
    await waitState(page, 'ready');
    assert.equal((await run(page)).checksum, fnv1a(gray.map((v) => (v > 127 ? 255 : 0))));
    await page.selectOption('#images-filter', 'adaptive-mean');
    await waitState(page, 'ready');
    const a = await run(page);
    assert.equal(a.checksum, fnv1a(adaptiveMean(gray, w, h)));
    assert.equal(a.identical, true, '8 px tiles with their halo equal the whole pass');
    assert.deepEqual(errors, []);
  });

  it('without the halo the seams differ, in red, and the page says how many pixels', async () => {
    const { page, errors } = await env.open('/?demo=images&filter=adaptive-mean&size=256&tile=32&halo=off&threads=2&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.equal(r.identical, false);
    assert.ok(r.differing > 0, `${r.differing}`);
    const text = await page.textContent('[data-field="identical"]');
    assert.ok(text.includes(`${r.differing.toLocaleString('en')} pixels differ`), text);
    const red = await page.evaluate(() => {
      const c = document.querySelector('canvas[data-field="output"]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 230 && d[i + 1] === 20 && d[i + 2] === 40) n++;
      return n;
    });
    assert.equal(red, r.differing, 'a 256 px picture is drawn at full size: one red pixel per differing pixel');
    assert.deepEqual(errors, []);
  });

  it('refuses too many tiles and a missing picture beside their controls', async () => {
    const { page, errors } = await env.open('/?demo=images&size=4096&tile=8');
    await page.waitForFunction(() => document.querySelector('#images-tile-error')?.textContent);
    assert.equal(await page.textContent('#images-tile-error'), '8 px tiles cut this 4096 × 3072 picture into 196608 tiles; at most 4096: choose 56 px or more');
    assert.equal(await page.getAttribute('#images-tile', 'aria-invalid'), 'true');
    const yours = await env.open('/?demo=images&picture=yours');
    await yours.page.waitForFunction(() => document.querySelector('#images-picture-error')?.textContent);
    assert.match(await yours.page.textContent('#images-picture-error'), /choose a picture first .*a link cannot carry one/);
    assert.deepEqual(errors, []);
    assert.deepEqual(yours.errors, []);
  });

  // Eight runs: a buffer kept per run (16 MB here) would grow the memory by the second run
  // (CI time, 2026-12-02: 20 runs took 42 s).
  it('takes a picture at the size limit, refuses one past it, and keeps memory flat over 8 runs', async () => {
    const { page, errors } = await env.open('/?demo=images&filter=grayscale&tile=256&threads=2');
    await waitState(page, 'ready');
    const past = await choose(page, await png(page, 4097, 4096, 'gradient'));
    assert.equal(past, 'the picture is 4097 × 4096 (16.8 megapixels): at most 16.8 megapixels (4096 × 4096); make it smaller and try again');
    assert.equal(await page.inputValue('#images-picture'), 'test', 'the refused picture changed nothing');
    assert.equal(await choose(page, await png(page, 4096, 4096, 'gradient')), 'Your picture, 4096 × 4096: it stays on this device (a link cannot carry it).');
    await page.waitForFunction(() => /Your picture: 4096 × 4096 pixels, 256 tiles/.test(document.querySelector('[data-field="plan"]')?.textContent ?? ''));
    const memory = () => page.evaluate(() => window.playground.engine.info.memory.buffer.byteLength);
    const first = await run(page);
    assert.deepEqual([first.width, first.height, first.tiles, first.identical], [4096, 4096, 256, true]);
    const afterFirst = await memory();
    assert.ok(afterFirst < 512 * 1024 * 1024, `${afterFirst} bytes`);
    for (let i = 2; i <= 8; i++) {
      const r = await run(page);
      assert.equal(r.checksum, first.checksum, `run ${i}`);
    }
    assert.equal(await memory(), afterFirst, 'the engine’s memory did not grow after the first run');
    assert.deepEqual(errors, []);
  });

  it('at 360 px dark: no axe violations, no sideways page', async () => {
    const { page, errors } = await env.open('about:blank', { width: 360 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(env.url('/?demo=images&size=256&tile=32&threads=2&run=1'));
    await waitState(page, 'done');
    assert.deepEqual(await axe(page), []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, 'chapter8-images-dark-360');
    assert.deepEqual(errors, []);
  });
});

describe('chapter 8 on a page without a pool', () => {
  let plain;
  before(async () => {
    await env?.tearDown();
    env = undefined;
    plain = await setUp({ isolation: false });
  });
  after(async () => {
    await plain?.tearDown();
  });

  it('filters on the engine thread alone and says so', async () => {
    const { page, errors } = await plain.open('/?demo=images&size=128&tile=32&threads=4&run=1');
    await waitState(page, 'done');
    const r = await result(page);
    assert.deepEqual(r.points.map((p) => p.threads), [1]);
    assert.equal(r.threadsUsed, 1);
    assert.equal(r.identical, true);
    assert.match(await page.textContent('[data-field="explanation"]'), /This page has no pool/);
    assert.deepEqual(errors, []);
  });
});
