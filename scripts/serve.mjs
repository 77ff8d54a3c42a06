#!/usr/bin/env node
// A small static server for the built playground (dist/). It sends the two headers that
// make the page cross-origin isolated (and so gives it SharedArrayBuffer and real threads),
// compresses with gzip when asked, and can leave the headers out to show the fallback.
//
//   node scripts/serve.mjs [--port 8080] [--dir dist] [--no-isolation]
//
// Also used by the end-to-end tests and the benchmark through `serve()`.

import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

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

/** Starts a server; resolves to { url, port, close() }. Port 0 picks a free port. */
export function serve({ dir = 'dist', port = 0, host = '127.0.0.1', isolation = true } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
      const headers = {
        'Content-Type': TYPES[ext] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'Cross-Origin-Resource-Policy': 'same-origin',
        ...(isolation ? ISOLATION_HEADERS : {}),
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
      ok({ url: `http://${host}:${actual}/`, port: actual, close: () => new Promise((r) => server.close(() => r())) });
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
  const { url } = await serve({ dir: opt('--dir', 'dist'), port: Number(opt('--port', process.env.PORT ?? 8080)), isolation });
  console.log(`Serving the playground at ${url} (${isolation ? 'cross-origin isolated: real threads' : 'WITHOUT isolation headers: single-thread fallback'})`);
  console.log('Press Ctrl+C to stop.');
}
