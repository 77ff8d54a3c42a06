// The box a page shows when its engine could not start, after the engine's own bounded
// retries (engine.ts START_RETRY_MS): the reason, and a Retry button that starts a fresh
// engine worker. Shared by the playground (app.ts) and the embed (embed-page.ts).

import type { ReadyInfo } from '../shared/protocol';
import { h } from './dom';
import { START_RETRY_MS, type Engine } from './engine';

/**
 * `onReady` runs once a retry brings the engine up (the box has removed itself by then).
 * `hint` is one more sentence for the learner (the embed is shorter than the playground).
 */
export function failureBox(engine: Engine, onReady: (info: ReadyInfo) => void, hint?: string): HTMLElement {
  const tries = 1 + START_RETRY_MS.length;
  const status = h('p', { class: 'muted', role: 'status' });
  const retry = h('button', { type: 'button', class: 'primary', 'data-action': 'retry' }, 'Retry');
  const box = h(
    'div',
    { class: 'fatal', role: 'alert', 'data-engine-failure': '' },
    h('h2', {}, 'The engine could not start'),
    // The reason is the browser's or the worker's message, shown as text.
    h('p', { 'data-field': 'reason' }, `Reason: ${reason(engine.failure)}`),
    h('p', {}, `It was tried ${tries} times. `, hint ?? ''),
    h('p', {}, retry),
    status,
  );
  retry.addEventListener('click', () => {
    retry.disabled = true;
    status.textContent = 'Starting the engine again…';
    engine.retry().then(
      (info) => {
        box.remove();
        onReady(info);
      },
      // The engine failed again: its state change has already shown a new box; this one goes.
      () => box.remove(),
    );
  });
  return box;
}

/** "the engine could not start: TypeError: Failed to fetch" → "TypeError: Failed to fetch." */
function reason(message = 'unknown'): string {
  const s = message.replace(/^the engine could not start: /, '');
  return s + (s.endsWith('.') ? '' : '.');
}
