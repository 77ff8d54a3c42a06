// Sharing a demo: a link to the full playground that reopens it with the same inputs (see
// README, "Deep links"), copied to the clipboard. Where the clipboard is not available (an
// embed framed without `allow="clipboard-write"`, an old browser), the link is shown in a
// field, selected, ready to copy by hand.

import type { RawParams } from '../shared/protocol';
import { h } from './dom';
import './share.css';

/**
 * The full playground's address for a demo, its inputs and any page keys (`extra`, e.g. a
 * step-through trace as `step=`). The playground is the folder of the current page, so this
 * works from the embed page too and under a sub-path (GitHub Pages project sites).
 */
export function playgroundUrl(demo: string, params: RawParams, extra: RawParams = []): string {
  const url = new URL('./', location.href);
  const q = new URLSearchParams();
  q.set('demo', demo);
  for (const [k, v] of params) q.set(k, v);
  for (const [k, v] of extra) q.set(k, v);
  url.search = q.toString();
  url.hash = '';
  return url.toString();
}

export interface ShareControl {
  element: HTMLElement;
  button: HTMLButtonElement;
  /** Forgets the last copy (the inputs changed, so that link is no longer this view). */
  reset(): void;
}

export function shareControl(demoId: string, link: () => string): ShareControl {
  const button = h('button', { type: 'button', 'data-action': 'share' }, 'Share link');
  const status = h('span', { class: 'share-status', id: `share-${demoId}-status`, role: 'status' });
  const field = h('input', { type: 'text', readonly: true, id: `share-${demoId}-url`, class: 'share-url' });
  const manual = h(
    'span',
    { class: 'share-manual', hidden: true },
    h('label', { for: `share-${demoId}-url` }, 'Link to this demo with these inputs'),
    field,
  );

  button.addEventListener('click', async () => {
    const url = link();
    button.dataset.url = url;
    field.value = url;
    try {
      await navigator.clipboard.writeText(url);
      manual.hidden = true;
      status.textContent = 'Link copied: it reopens this demo with these inputs.';
    } catch {
      manual.hidden = false;
      field.focus();
      field.select();
      status.textContent = 'Copy the link below (the clipboard is not available here).';
    }
  });

  return {
    element: h('span', { class: 'share' }, button, status, manual),
    button,
    reset() {
      status.textContent = '';
      manual.hidden = true;
    },
  };
}
