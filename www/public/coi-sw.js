// coi-sw.js: re-serves this site's own responses with the two headers that make a page
// cross-origin isolated, for static hosts that cannot send headers (GitHub Pages).
//
// Real threads need `crossOriginIsolated`, which needs Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy on the page and on its workers. A service worker sits between
// the page and the network, so it can add them. www/src/isolation.ts registers this worker
// only when the page is not isolated already, and reloads the page at most once.
//
// Written for concurrency-playground (MIT). It touches only same-origin GET requests, leaves
// a response alone when the server already sends COEP, and passes everything else through.
// It does not work inside a third-party iframe (the browser does not let a framed page
// become isolated this way); embeds use Document-Isolation-Policy instead (see _headers).

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

self.addEventListener('install', () => {
  // No caching and no old version to wait for: take over at once.
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  if (new URL(request.url).origin !== self.location.origin) return;
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
