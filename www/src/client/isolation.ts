// Real threads need a cross-origin isolated page. A host that sends the headers of
// dist/_headers makes the page isolated; on a host that cannot send headers (GitHub Pages),
// the service worker www/public/coi-sw.js re-serves the site with them, which takes one
// reload. This module decides, before the engine starts, whether that reload is worth it.
//
// It never reloads twice in a row (a flag in sessionStorage), never waits on a service
// worker that does not come, and never runs inside a frame (a service worker cannot isolate
// a framed page; embeds use Document-Isolation-Policy). Whatever happens, the page starts:
// without isolation it runs on one thread and says so.

export type Isolation =
  /** crossOriginIsolated: real threads. */
  | 'isolated'
  /** The page is reloading through the service worker; do not start anything. */
  | 'reloading'
  /** No isolation here (blocked service workers, a frame, an old browser): one thread. */
  | 'unavailable';

const RELOADED = 'concurrency-playground:isolation-reload';
/** How long to wait for the service worker to become active before giving up. */
const ACTIVATION_TIMEOUT_MS = 5000;

export async function ensureIsolation(): Promise<Isolation> {
  if (globalThis.crossOriginIsolated) {
    forget();
    return 'isolated';
  }
  if (window.top !== window || !window.isSecureContext || !('serviceWorker' in navigator)) return 'unavailable';
  try {
    // Reloaded through the worker once already in this tab and still not isolated: it
    // cannot help here, so do not try again until the tab is closed.
    if (sessionStorage.getItem(RELOADED)) return 'unavailable';
    const url = new URL('coi-sw.js', document.baseURI);
    await navigator.serviceWorker.register(url, { scope: './' });
    const active = await Promise.race([
      navigator.serviceWorker.ready.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), ACTIVATION_TIMEOUT_MS)),
    ]);
    if (!active) return 'unavailable';
    sessionStorage.setItem(RELOADED, '1');
    location.reload();
    return 'reloading';
  } catch {
    // Service workers or storage blocked (a privacy setting, a policy): one thread.
    return 'unavailable';
  }
}

function forget() {
  try {
    sessionStorage.removeItem(RELOADED);
  } catch {
    // Storage blocked: nothing to forget.
  }
}
