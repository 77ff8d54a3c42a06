// The small kit of widgets that demo views share, so that every demo's result reads the same
// way: a headline figure, a table of figures, and presets given as data.

import type { DemoContext } from './demo-module';
import { h } from './dom';

type Child = Node | string | null | undefined | false;

/** The big figure of a result and what it means: `<div class="headline">`. `field` names the
 *  figure for tests (`data-field`); the status line reads the headline aloud after a run. */
export function headline(figure: string, field: string | undefined, ...rest: Child[]): HTMLElement {
  return h('div', { class: 'headline' }, h('span', { class: 'big', 'data-field': field ?? null }, figure), ...rest);
}

/** A table of figures: a header row, then one row per item, its first cell a row header. */
export function figures(head: string[], rows: Child[][], caption?: string): HTMLElement {
  return h(
    'table',
    { class: 'figures' },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map(([first, ...cells]) => h('tr', {}, h('th', { scope: 'row' }, first), ...cells.map((c) => h('td', {}, c))))),
  );
}

/** A wide table in a region of its own that scrolls sideways on a narrow screen, focusable so
 *  that a keyboard can scroll it too (axe's scrollable-region-focusable). */
export function scrolling(label: string, child: HTMLElement): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label }, child);
}

/** One preset: a label and the inputs it sets. */
export interface Preset {
  label: string;
  values: Record<string, string>;
}

/** "Try: [preset] [preset] …": buttons that set inputs and recompute. */
export function presets(ctx: DemoContext, list: Preset[], lead = 'Try: '): HTMLElement {
  return h('p', { class: 'presets' }, lead, ...list.map((p) => h('button', { type: 'button', class: 'chip', onclick: () => ctx.setParams(p.values) }, p.label)));
}
