// Step-through both ways: First, Back, a slider, Forward, Last. Each sets the input `at` and
// the engine replays the trace afresh up to that event, so stepping back is a replay, not
// an undo the page keeps, and a shared link with `at` reopens the same state.

import type { DemoContext } from '../../demo-module';
import { h } from '../../dom';
import { eventText } from './trace-view';
import type { Trace } from './types';

export interface StepControls {
  element: HTMLElement;
  show(t: Trace): void;
}

export function stepControls(ctx: DemoContext): StepControls {
  let at = 0;
  let end = 0;
  const go = (k: number) => ctx.setParams({ at: String(Math.max(0, Math.min(end, k))) });
  const button = (label: string, action: string, to: () => number, text: string) =>
    h('button', { type: 'button', 'data-action': action, 'aria-label': label, onclick: () => go(to()) }, text);
  const first = button('First step', 'first', () => 0, '« First');
  const back = button('Step back', 'back', () => at - 1, '◀ Back');
  const forward = button('Step forward', 'forward', () => at + 1, 'Forward ▶');
  const last = button('Last step', 'last', () => end, 'Last »');
  const slider = h('input', { type: 'range', min: 0, max: 0, value: 0, step: 1, 'aria-label': 'Step', 'data-field': 'step-slider' });
  slider.addEventListener('change', () => go(Number(slider.value)));
  const where = h('p', { class: 'el-where', 'aria-live': 'polite', 'data-field': 'step' });
  const element = h(
    'div',
    { class: 'el-steps', role: 'group', 'aria-label': 'Step through the events' },
    h('div', { class: 'el-step-buttons' }, first, back, slider, forward, last),
    where,
  );
  return {
    element,
    show(t) {
      at = t.at;
      end = t.events.length;
      slider.max = String(end);
      slider.value = String(at);
      first.disabled = back.disabled = at === 0;
      forward.disabled = last.disabled = at >= end;
      const e = at > 0 ? t.events[at - 1] : undefined;
      where.textContent = `Step ${at} of ${end}: ${e ? eventText(e) : 'before the first event'}`;
    },
  };
}
