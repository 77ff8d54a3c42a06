// The code panel under a demo: the Rust that runs and the Python of the book's idea, as tabs.
// The HTML is Shiki's, produced at build time from files in this repository
// (www/plugins/snippets.ts), never from anything a URL carries. Each demo imports its own
// (`virtual:snippets/<id>`), so a page loads only the code of the demo it shows.

import { h } from './dom';

export interface Highlighted {
  html: string;
  path: string;
}

/** The Rust cut from crate/src between `snippet:start <id>` and `snippet:end <id>`, and the
 *  Python of the demo's folder (`book.py`). */
export interface Snippet {
  rust?: Highlighted;
  python?: Highlighted;
}

export function renderSnippets(id: string, s: Snippet | undefined): HTMLElement {
  if (!s) return h('div');
  const tabs: [string, { html: string; path: string } | undefined][] = [
    ['Rust that runs here', s.rust],
    ["Python: the book's idea", s.python],
  ];
  const present = tabs.filter((t): t is [string, { html: string; path: string }] => Boolean(t[1]));
  const panels = present.map(([label, code], i) => {
    const panel = h('div', { class: 'code', role: 'tabpanel', id: `code-${id}-${i}`, hidden: i !== 0 }, h('p', { class: 'code-path' }, code.path));
    // Shiki's output, produced at build time from files in this repository.
    panel.insertAdjacentHTML('beforeend', code.html);
    return panel;
  });
  const buttons = present.map(([label], i) =>
    h('button', { type: 'button', role: 'tab', 'aria-selected': i === 0 ? 'true' : 'false', 'aria-controls': `code-${id}-${i}` }, label),
  );
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      buttons.forEach((o, j) => o.setAttribute('aria-selected', String(i === j)));
      panels.forEach((p, j) => (p.hidden = i !== j));
    }),
  );
  return h('section', { class: 'snippets', 'aria-label': 'Code' }, h('div', { role: 'tablist' }, ...buttons), ...panels);
}
