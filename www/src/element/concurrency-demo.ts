// <concurrency-demo>: frames one playground demo in any page, from one script tag.
//
//   <script src="https://PLAYGROUND/concurrency-demo.js" defer></script>
//   <concurrency-demo demo="amdahl" serial="0.6" processors="4"></concurrency-demo>
//
// Built on its own (www/vite.element.config.ts) into dist/concurrency-demo.js: a classic
// script with no imports, no wasm and a stable name, so any page, mdBook included, can load
// it. It only builds the URL of embed.html and sizes the frame; everything about a demo (its
// inputs, their ranges, the messages) lives in the embed, validated by the engine.
//
// Attributes
//   demo        the demo id (required)
//   run         present: run as soon as the engine is ready
//   loading     lazy (default): load when scrolled near; eager; click: a button loads it.
//               Without the attribute, a page with more than two demos gets click-to-load,
//               so that many engines (each with its worker threads) do not start at once.
//   label       the frame's accessible name (default "Concurrency demo: <demo>")
//   playground  where the playground is (default: the folder this script came from)
//   any other   an input of the demo, passed as text: serial="0.6" processors="4"
//
// Height: after the frame loads, the element says hello to it; the embed answers with its
// content height, which the element accepts only from its own frame's window and origin.

import { HELLO, isSizeMessage, type HelloMessage } from '../shared/embed';

/** Attributes that are not demo inputs. */
const RESERVED = new Set([
  'demo', 'run', 'loading', 'label', 'playground',
  'class', 'id', 'style', 'title', 'hidden', 'lang', 'dir', 'slot', 'part', 'exportparts',
  'tabindex', 'is', 'role', 'nonce', 'inert', 'autofocus', 'accesskey', 'translate',
  'contenteditable', 'draggable', 'spellcheck', 'popover', 'width', 'height',
]);
const RESERVED_PREFIX = /^(data-|aria-|on)/;

/** More demos than this on one page wait for a click (unless `loading` says otherwise). */
const AUTO_LIMIT = 2;
const MIN_HEIGHT = 120;
/** Before the embed reports its height. */
const INITIAL_HEIGHT = 520;

/**
 * The sandbox tokens the embed needs: scripts, and its own origin (modules, workers and the
 * wasm engine do not load in an opaque origin). Popups let "Open in the full playground"
 * open a normal tab; forms let Enter run the demo. Nothing lets it navigate this page.
 */
export const SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-forms';
/** Permissions: the embed may be isolated (real threads) and copy its share link. */
export const ALLOW = 'cross-origin-isolated; clipboard-write';

const STYLE = `
:host { display: block; margin: 1em 0; }
:host([hidden]) { display: none; }
iframe { display: block; box-sizing: border-box; width: 100%; border: 1px solid rgba(127, 127, 127, 0.35); border-radius: 10px; background: transparent; }
.placeholder, .problem { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; line-height: 1.5; box-sizing: border-box; border: 1px dashed rgba(127, 127, 127, 0.55); border-radius: 10px; padding: 18px; font: inherit; }
.placeholder p, .problem p { margin: 6px 0 0; opacity: 0.8; font-size: 0.9em; }
.problem { border-style: solid; border-color: #b42318; }
button { font: inherit; font-weight: 600; padding: 8px 16px; border-radius: 8px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
button:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
`;

/** Where this script came from, read while it runs (currentScript is null afterwards). */
const SCRIPT_URL = (() => {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current.src;
  const found = document.querySelector<HTMLScriptElement>('script[src*="concurrency-demo.js"]');
  return found?.src;
})();

export class ConcurrencyDemo extends HTMLElement {
  private root: ShadowRoot;
  private frame?: HTMLIFrameElement;
  private frameOrigin = '';
  private loaded = false;
  private observer = new MutationObserver(() => this.update());

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
  }

  connectedCallback() {
    window.addEventListener('message', this.onMessage);
    this.observer.observe(this, { attributes: true });
    // The number of demos on the page is known once the document is parsed.
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => this.update(), { once: true });
    } else {
      this.update();
    }
  }

  disconnectedCallback() {
    window.removeEventListener('message', this.onMessage);
    this.observer.disconnect();
  }

  /** Loads the demo now (what the click-to-load button does). */
  load() {
    this.loaded = true;
    this.update();
  }

  /** The embed's URL for the current attributes, or the problem that prevents one. */
  src(): { url: string } | { problem: string } {
    const demo = (this.getAttribute('demo') ?? '').trim();
    if (!demo) return { problem: 'This demo has no "demo" attribute; write for example demo="amdahl".' };
    let base: URL;
    try {
      base = new URL(this.getAttribute('playground') ?? SCRIPT_URL ?? '', SCRIPT_URL ?? document.baseURI);
    } catch {
      return { problem: 'The "playground" attribute is not a URL.' };
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      return { problem: 'The playground must be an http or https address.' };
    }
    const url = new URL('embed.html', base);
    const q = new URLSearchParams();
    q.set('demo', demo);
    for (const { name, value } of this.attributes) {
      if (!RESERVED.has(name) && !RESERVED_PREFIX.test(name)) q.set(name, value);
    }
    if (this.hasAttribute('run')) q.set('run', '1');
    url.search = q.toString();
    return { url: url.toString() };
  }

  private mode(): 'eager' | 'lazy' | 'click' {
    const asked = this.getAttribute('loading');
    if (asked === 'eager' || asked === 'lazy' || asked === 'click') return asked;
    return document.querySelectorAll('concurrency-demo').length > AUTO_LIMIT ? 'click' : 'lazy';
  }

  private label(): string {
    return this.getAttribute('label') || `Concurrency demo: ${this.getAttribute('demo') ?? ''}`;
  }

  private update() {
    const target = this.src();
    if ('problem' in target) {
      this.show(problem(target.problem));
      return;
    }
    const mode = this.mode();
    if (mode === 'click' && !this.loaded) {
      this.show(this.placeholder());
      return;
    }
    if (!this.frame || !this.frame.isConnected) {
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', SANDBOX);
      frame.setAttribute('allow', ALLOW);
      frame.setAttribute('part', 'frame');
      frame.style.height = `${INITIAL_HEIGHT}px`;
      frame.addEventListener('load', () => {
        const hello: HelloMessage = { type: HELLO };
        frame.contentWindow?.postMessage(hello, this.frameOrigin);
      });
      this.frame = frame;
    }
    const frame = this.frame;
    frame.title = this.label();
    frame.loading = mode === 'lazy' ? 'lazy' : 'eager';
    this.frameOrigin = new URL(target.url).origin;
    if (frame.src !== target.url) frame.src = target.url;
    if (!frame.isConnected) {
      this.show(frame);
      // After a click the learner expects to be in the demo: move focus there.
      if (mode === 'click') frame.focus();
    }
  }

  private show(content: HTMLElement) {
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.root.replaceChildren(style, content);
    if (content !== this.frame) this.frame = undefined;
  }

  private placeholder(): HTMLElement {
    const box = document.createElement('div');
    box.className = 'placeholder';
    box.setAttribute('part', 'placeholder');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `▶ Load the demo: ${this.getAttribute('label') || this.getAttribute('demo')}`;
    button.addEventListener('click', () => this.load());
    const p = document.createElement('p');
    p.textContent = 'It runs real threads in your browser, so it starts when you ask for it.';
    box.append(button, p);
    return box;
  }

  private onMessage = (e: MessageEvent) => {
    const frame = this.frame;
    if (!frame || e.source !== frame.contentWindow || e.origin !== this.frameOrigin || !isSizeMessage(e.data)) return;
    // The frame's own border is part of its height (border-box).
    const border = frame.offsetHeight - frame.clientHeight;
    frame.style.height = `${Math.max(MIN_HEIGHT, Math.ceil(e.data.height) + border)}px`;
  };
}

function problem(text: string): HTMLElement {
  const box = document.createElement('div');
  box.className = 'problem';
  box.setAttribute('role', 'alert');
  const strong = document.createElement('strong');
  strong.textContent = 'This demo cannot be shown. ';
  const p = document.createElement('p');
  p.textContent = text;
  box.append(strong, p);
  return box;
}

if (!customElements.get('concurrency-demo')) customElements.define('concurrency-demo', ConcurrencyDemo);

declare global {
  interface HTMLElementTagNameMap {
    'concurrency-demo': ConcurrencyDemo;
  }
}
