// The deadlock demo's live view: the table redrawn from the feed as it happens, and a log of
// what each thread did (the latest lines).

import { h, ms } from '../../dom';
import type { LiveEvent } from '../../../generated/deadlock/LiveEvent';
import type { Setup } from '../../../generated/deadlock/Setup';
import { apply, drawTable, emptyPicture, type Picture, type Step } from './table';

function logLine(setup: Setup, e: Step): HTMLElement {
  const lock = e.lock !== null ? ` ${setup.locks[e.lock]}` : '';
  return h('li', { 'data-thread': setup.names[e.who] }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, setup.names[e.who]), ` ${e.what}${lock}`);
}

const LOG_KEEP = 80;

/** One view's live table: `show` takes the feed's new events, `reset` forgets the run. */
export function liveTable() {
  let live: { picture: Picture; log: HTMLOListElement; figure: HTMLElement; host: HTMLElement } | undefined;
  return {
    reset() {
      live = undefined;
    },
    show(events: LiveEvent[], area: HTMLElement) {
      for (const e of events) {
        if (e.kind === 'table') {
          const picture = emptyPicture(e.setup, e.meals, e.fix);
          const log = h('ol', { class: 'log', 'aria-label': 'What the threads did, as it happens' });
          const figure = h('div', { class: 'live-table' });
          const host = h('div', { class: 'deadlock-live' }, figure, h('p', { class: 'muted' }, 'As it happens:'), log);
          area.replaceChildren(host);
          live = { picture, log, figure, host };
        } else if (live && e.kind === 'step') {
          apply(live.picture, e);
          live.log.append(logLine(live.picture.setup, e));
        } else if (live && e.kind === 'watchdog') {
          live.picture.cycle = e.cycle;
          live.log.append(h('li', { 'data-thread': 'watchdog' }, h('span', { class: 't' }, ms(e.t_ms)), ' ', h('b', {}, 'watchdog'), ` ${e.message}`));
        }
      }
      if (!live) return;
      while (live.log.children.length > LOG_KEEP) live.log.firstElementChild?.remove();
      live.log.scrollTop = live.log.scrollHeight;
      live.figure.replaceChildren(drawTable(live.picture, 'The table now'));
    },
  };
}
