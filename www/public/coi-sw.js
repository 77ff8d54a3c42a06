// coi-sw.js: re-serves this site's own responses with the two headers that make a page
// cross-origin isolated, for static hosts that cannot send headers (GitHub Pages), and
// answers the status route of chapter 5's web requests (status-route.js) on any host.
//
// Real threads need `crossOriginIsolated`, which needs Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy on the page and on its workers. A service worker sits between
// the page and the network, so it can add them. www/src/isolation.ts registers this worker
// for isolation only when the page is not isolated already, and reloads the page at most
// once; the requests demo registers it on an isolated page too, for the route alone (no
// reload: the page and its workers are controlled from the next visit).
//
// Written for concurrency-playground (MIT). It touches only same-origin GET requests, leaves
// a response alone when the server already sends COEP, and passes everything else through.
// It does not work inside a third-party iframe (the browser does not let a framed page
// become isolated this way); embeds use Document-Isolation-Policy instead (see _headers).

// The status route, shared with scripts/serve.mjs. A missing file must not cost the page its
// isolation, so a failure here only leaves the route unanswered.
try {
  importScripts('status-route.js');
} catch {
  // No route: requests for it go to the host, which may answer it (scripts/serve.mjs does).
}

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

self.addEventListener('install', () => {
  // No caching and no old version to wait for: take over at once.
  self.skipWaiting();
});

// No clients.claim(): a page becomes controlled when it is next loaded, which is the one
// reload of the isolation path anyway. Claiming a page that was already running (the
// requests demo registers this worker on an isolated page, whose engine and pool workers are
// up) made Firefox 153 fail the page's next navigation with a "corrupted content" error.

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (self.statusRoute && /\/status\/(log|\d{3})$/.test(url.pathname)) {
    event.respondWith(status(url));
    return;
  }
  // A request the browser may only answer from its cache cannot be re-fetched cross-mode.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(isolate(request));
});

async function isolate(request) {
  const response = await fetch(request);
  // Opaque responses and redirects cannot be rebuilt; a server that sends COEP knows best.
  if (response.status === 0 || response.type === 'opaqueredirect' || response.headers.has('Cross-Origin-Embedder-Policy')) {
    return response;
  }
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The status route's answer, from this worker: never from the network, never cached. */
async function status(url) {
  const a = await self.statusRoute.answer(url, Date.now, sleep);
  const headers = {
    ...a.headers,
    ...ISOLATION,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Status-Server': 'service-worker',
  };
  return new Response(a.body, { status: a.status, statusText: a.reason, headers });
}
