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

/** Who answers chapter 5's status route on this page (www/public/status-route.js). */
export type StatusServer =
  /** The service worker controls the page (and the workers it starts from now on). */
  | 'service-worker'
  /** Registered, but it does not control this page yet: requests go to the host until the
   *  next visit (scripts/serve.mjs answers the route too; a plain static host does not). */
  | 'next-visit'
  /** Service workers are blocked or unavailable here: only the simulated server is sure. */
  | 'blocked';

/**
 * Makes sure coi-sw.js is registered, also on a page that is isolated already (where
 * `ensureIsolation` registers nothing): the requests demo needs it for the route alone. No
 * reload; a page it does not control yet says so.
 */
export async function ensureStatusServer(): Promise<StatusServer> {
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return 'blocked';
  try {
    if (navigator.serviceWorker.controller) return 'service-worker';
    const registration: unknown = await navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI), { scope: './' });
    // A browser that blocks service workers may reject, or (an automated one) give nothing.
    if (!(registration instanceof ServiceWorkerRegistration)) return 'blocked';
    return navigator.serviceWorker.controller ? 'service-worker' : 'next-visit';
  } catch {
    return 'blocked';
  }
}
