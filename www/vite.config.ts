import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { snippets } from './plugins/snippets.ts';

// Real threads need a cross-origin isolated page: these two headers on the page and on every
// worker script make `crossOriginIsolated` true, which unlocks SharedArrayBuffer.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The engine's wasm is large enough that Vite would warn; it is loaded by the worker.
    chunkSizeWarningLimit: 600,
    // Two pages: the playground, and one demo alone for other sites to frame (README,
    // "Embed a demo"). The <concurrency-demo> element has its own build: vite.element.config.ts.
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        embed: fileURLToPath(new URL('embed.html', import.meta.url)),
      },
    },
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  plugins: [snippets()],
});
