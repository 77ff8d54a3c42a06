// The page's own event loop, blocked on purpose. This is the one place in the playground
// where the page's main thread blocks, and only when the learner asks: a busy-wait of N ms
// (bounded, 50 to 3000) in one task. Beside it a dot moved by requestAnimationFrame (it
// needs the main thread every frame, so it freezes) and a square turned by a CSS transform
// animation (the compositor can run it without the main thread, so it may keep turning).
// The Long Task is measured with PerformanceObserver where the browser has it (Chromium),
// and in every browser the largest gap between animation frames is reported. The engine's
// event loop runs in its worker: blocking this page never stalls it, and the other way round.

import { h } from '../../dom';

const MIN_MS = 50;
const MAX_MS = 3000;
/** Frames watched after the block, so the gap it made is closed by a frame and measured. */
const AFTER_MS = 400;

export interface BlockPanel {
  element: HTMLElement;
  dispose(): void;
}

/** The page-only validation of N: this input belongs to no engine, so no schema checks it. */
export function checkBlockMs(text: string): { ms: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: `N must be a whole number of milliseconds from ${MIN_MS} to ${MAX_MS}, got "${t.slice(0, 20)}"` };
  const n = Number(t);
  if (n < MIN_MS || n > MAX_MS) return { error: `N must be from ${MIN_MS} to ${MAX_MS} ms, got ${n}` };
  return { ms: n };
}

export function blockPanel(): BlockPanel {
  const input = h('input', { id: 'el-block-ms', type: 'text', inputmode: 'numeric', value: '300', autocomplete: 'off', 'aria-describedby': 'el-block-error' });
  const error = h('p', { class: 'field-error', id: 'el-block-error', role: 'alert' });
  const button = h('button', { type: 'button', 'data-action': 'block-page' }, 'Block this page');
  const frames = h('span', { 'data-field': 'frames' }, '0');
  const dot = h('span', { class: 'el-dot', 'aria-hidden': 'true' });
  const square = h('span', { class: 'el-square', 'aria-hidden': 'true' });
  const report = h('p', { class: 'el-block-report', role: 'status', 'data-field': 'block-report' });
  const blocked = h('span', { 'data-field': 'blocked-ms' });
  const gap = h('span', { 'data-field': 'frame-gap-ms' });
  const longtask = h('span', { 'data-field': 'longtask-ms' });
  const supportsLongTask = typeof PerformanceObserver !== 'undefined' && (PerformanceObserver.supportedEntryTypes ?? []).includes('longtask');
  const element = h(
    'section',
    { class: 'el-block', 'aria-labelledby': 'el-block-title', 'data-state': 'idle' },
    h('h3', { id: 'el-block-title' }, 'This page’s own event loop'),
    h(
      'p',
      {},
      'The button below blocks this page’s main thread for N ms with a busy-wait, on purpose: the one place the playground blocks the page, and only when you ask. ',
      'The engine’s event loop above runs in a worker and never blocks the page.',
    ),
    h('div', { class: 'el-block-form' }, h('label', { for: 'el-block-ms' }, 'N (ms, 50 to 3000)'), input, button),
    error,
    h(
      'div',
      { class: 'el-anim' },
      h('span', { class: 'el-track' }, dot),
      h('span', {}, 'requestAnimationFrame: frame ', frames),
      square,
      h('span', {}, 'CSS transform'),
    ),
    h(
      'p',
      { class: 'muted' },
      'The dot moves from a requestAnimationFrame callback, which needs the main thread each frame, so it stops while the page is blocked. ',
      'The square turns by a CSS transform animation, which the browser’s compositor can run on its own thread, so it may keep turning. ',
      'With reduced motion asked for, nothing moves and only the frame count changes.',
    ),
    report,
    h(
      'p',
      { class: 'el-block-figures' },
      'Blocked: ', blocked, ' · longest frame gap: ', gap, ' · long task: ', longtask,
    ),
  );
  blocked.textContent = '—';
  gap.textContent = '—';
  longtask.textContent = supportsLongTask ? '—' : 'not measured here';

  const still = matchMedia('(prefers-reduced-motion: reduce)');
  let raf = 0;
  let last = 0;
  let maxGap = 0;
  let count = 0;
  let disposed = false;
  // The gap is read with performance.now() when each frame's callback runs, not from the
  // frame's own timestamp: Chromium stamps a frame with the vsync it was begun for, which
  // may fall inside the block, so the stamps' gap can be shorter than the block was.
  const frame = () => {
    const t = performance.now();
    if (last) maxGap = Math.max(maxGap, t - last);
    last = t;
    count++;
    frames.textContent = String(count);
    if (!still.matches) dot.style.transform = `translateX(${(t / 8) % 80}px)`;
    raf = requestAnimationFrame(frame);
  };
  // Frames are watched only around a block: an animation every frame would take CPU from the
  // engine's real runs for nothing.
  const watch = () => {
    last = 0;
    maxGap = 0;
    if (!raf) raf = requestAnimationFrame(frame);
  };
  const unwatch = () => {
    cancelAnimationFrame(raf);
    raf = 0;
  };
  const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
  const wait = (t: number) => new Promise<void>((r) => setTimeout(r, t));

  let observer: PerformanceObserver | undefined;
  let longest = 0;
  if (supportsLongTask) {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
    });
    observer.observe({ type: 'longtask' });
  }

  input.addEventListener('input', () => {
    const c = checkBlockMs(input.value);
    error.textContent = 'error' in c ? c.error : '';
    input.setAttribute('aria-invalid', String('error' in c));
    button.disabled = 'error' in c;
  });

  button.addEventListener('click', async () => {
    const c = checkBlockMs(input.value);
    if ('error' in c) {
      error.textContent = c.error;
      return;
    }
    button.disabled = true;
    element.dataset.state = 'blocking';
    report.textContent = `Blocking the page for ${c.ms} ms…`;
    watch();
    longest = 0;
    // Two frames first, so the gap the block makes is between two frames that were drawn.
    await nextFrame();
    await nextFrame();
    await wait(0);
    const took = busyWait(c.ms);
    await wait(AFTER_MS);
    await nextFrame();
    unwatch();
    if (disposed) return;
    // The observer's entries come in their own task after the block; give it one more.
    if (observer) observer.takeRecords().forEach((e) => (longest = Math.max(longest, e.duration)));
    blocked.textContent = `${Math.round(took)} ms`;
    gap.textContent = `${Math.round(maxGap)} ms`;
    if (supportsLongTask) longtask.textContent = longest > 0 ? `${Math.round(longest)} ms` : 'none reported';
    element.dataset.blockedMs = String(Math.round(took));
    element.dataset.gapMs = String(Math.round(maxGap));
    element.dataset.longtaskMs = supportsLongTask ? String(Math.round(longest)) : '';
    report.textContent =
      `The page was blocked ${Math.round(took)} ms; the longest frame gap was ${Math.round(maxGap)} ms` +
      (supportsLongTask ? `; the browser reported a long task of ${Math.round(longest)} ms.` : '. This browser does not report long tasks (no PerformanceObserver "longtask"), so the frame gap is the measure.');
    element.dataset.state = 'measured';
    button.disabled = false;
  });

  return {
    element,
    dispose() {
      disposed = true;
      unwatch();
      observer?.disconnect();
    },
  };
}

/** Blocks the calling thread for `n` ms by spinning, and returns how long it really took.
 *  Nothing else on the page can run meanwhile: that is the point of the panel. */
function busyWait(n: number): number {
  const start = performance.now();
  while (performance.now() - start < n) {
    /* spin: on purpose, bounded by n */
  }
  return performance.now() - start;
}
