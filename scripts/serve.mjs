#!/usr/bin/env node
// A small static server for the built playground (dist/). It sends the two headers that
// make the page cross-origin isolated (and so gives it SharedArrayBuffer and real threads),
// compresses with gzip when asked, and can leave the headers out to show the fallback.
//
//   node scripts/serve.mjs [--port 8080] [--dir dist] [--no-isolation] [--no-embed-isolation]
//                          [--headers-file]
//
//   --no-isolation        no COOP/COEP, like GitHub Pages (the service worker shim then adds them)
//   --no-embed-isolation  no Document-Isolation-Policy on embed.html (embeds fall back)
//   --headers-file        send exactly the headers that dist/_headers (the file shipped to
//                         Netlify / Cloudflare Pages) names, and nothing else of our own
//
// It also answers chapter 5's status route (`status/<code>?sleep=<ms>…`, `status/log?…`) with
// the same code as the service worker (www/public/status-route.js), so the requests demo
// has a server whether or not a service worker controls the page.
//
// Also used by the end-to-end tests and the benchmark through `serve()`.

import { createServer } from 'node:http';
import { createReadStream, promises as fs, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

/** The status route of www/public/status-route.js, run here as the service worker runs it. */
const statusRoute = (() => {
  const holder = {};
  new Function('self', readFileSync(new URL('../www/public/status-route.js', import.meta.url), 'utf8'))(holder);
  return holder.statusRoute;
})();
const STATUS_PATH = /\/status\/(log|\d{3})$/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.txt']);

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Lets Chromium (137+) isolate an embed inside a parent page that is not isolated. */
export const EMBED_ISOLATION_HEADERS = { 'Document-Isolation-Policy': 'isolate-and-require-corp' };

/** Pages meant to be framed by other sites (the embed), and scripts meant to be loaded by them. */
const EMBED_PAGES = new Set(['/embed.html', '/embed']);
const PUBLIC_SCRIPTS = new Set(['/concurrency-demo.js']);

/**
 * Parses a `_headers` file (the format of Netlify and Cloudflare Pages): a line with a path
 * pattern (`*` matches anything), then indented `Name: value` lines. Returns the rules in order.
 */
export function parseHeadersFile(text) {
  const rules = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const pattern = new RegExp('^' + line.trim().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
      rules.push({ path: line.trim(), pattern, headers: {} });
    } else {
      const m = /^\s+([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (!m || !rules.length) throw new Error(`_headers: cannot read the line "${line.trim()}"`);
      rules[rules.length - 1].headers[m[1]] = m[2];
    }
  }
  return rules;
}

/** The headers the rules give a URL path; a header named by two rules gets both values. */
export function headersFor(rules, pathname) {
  const out = {};
  for (const r of rules) {
    if (!r.pattern.test(pathname)) continue;
    for (const [k, v] of Object.entries(r.headers)) out[k] = k in out ? `${out[k]}, ${v}` : v;
  }
  return out;
}

/**
 * Starts a server; resolves to { url, port, close() }. Port 0 picks a free port.
 *   isolation       COOP/COEP on every response (real threads in the top-level page)
 *   embedIsolation  Document-Isolation-Policy on embed.html (real threads in embeds)
 *   headersFile     true: only the headers of `<dir>/_headers`, as a static host would send
 */
export function serve({ dir = 'dist', port = 0, host = '127.0.0.1', isolation = true, embedIsolation = isolation, headersFile = false } = {}) {
  const root = resolve(dir);
  const rules = headersFile ? parseHeadersFile(readFileSync(join(root, '_headers'), 'utf8')) : null;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (STATUS_PATH.test(url.pathname)) {
        const a = await statusRoute.answer(url, Date.now, sleep);
        const own = rules ? headersFor(rules, url.pathname) : isolation ? ISOLATION_HEADERS : {};
        res.writeHead(a.status, a.reason, {
          ...own,
          ...a.headers,
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store',
          'Cross-Origin-Resource-Policy': 'same-origin',
          'X-Status-Server': 'serve.mjs',
        });
        res.end(req.method === 'HEAD' ? undefined : a.body);
        return;
      }
      let path = normalize(join(root, decodeURIComponent(url.pathname)));
      if (path !== root && !path.startsWith(root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let stat = await fs.stat(path).catch(() => null);
      if (stat?.isDirectory()) {
        path = join(path, 'index.html');
        stat = await fs.stat(path).catch(() => null);
      }
      if (!stat) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const ext = extname(path);
      const own = rules
        ? headersFor(rules, url.pathname)
        : {
            'Cross-Origin-Resource-Policy': PUBLIC_SCRIPTS.has(url.pathname) ? 'cross-origin' : 'same-origin',
            ...(isolation ? ISOLATION_HEADERS : {}),
            ...(embedIsolation && EMBED_PAGES.has(url.pathname) ? EMBED_ISOLATION_HEADERS : {}),
          };
      const headers = {
        'Content-Type': TYPES[ext] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ...own,
      };
      const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      if (gzip) {
        res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
        if (req.method === 'HEAD') return res.end();
        createReadStream(path).pipe(createGzip()).pipe(res);
      } else {
        res.writeHead(200, { ...headers, 'Content-Length': stat.size });
        if (req.method === 'HEAD') return res.end();
        createReadStream(path).pipe(res);
      }
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      const close = () =>
        new Promise((r) => {
          server.close(() => r());
          // Browsers keep connections open (keep-alive, preconnects); do not wait for them.
          server.closeAllConnections();
        });
      ok({ url: `http://${host}:${actual}/`, port: actual, close });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const isolation = !args.includes('--no-isolation');
  const embedIsolation = isolation && !args.includes('--no-embed-isolation');
  const headersFile = args.includes('--headers-file');
  const { url } = await serve({ dir: opt('--dir', 'dist'), port: Number(opt('--port', process.env.PORT ?? 8080)), isolation, embedIsolation, headersFile });
  const mode = headersFile
    ? 'with the headers of _headers'
    : isolation
      ? 'cross-origin isolated: real threads'
      : 'WITHOUT isolation headers, like GitHub Pages: the service worker shim adds them after one reload';
  console.log(`Serving the playground at ${url} (${mode})`);
  console.log('Press Ctrl+C to stop.');
}
