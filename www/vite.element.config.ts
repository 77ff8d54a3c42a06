import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The <concurrency-demo> element, built on its own into dist/concurrency-demo.js: one classic
// script (IIFE) with a stable name, for other sites' pages to load with one tag. It has no
// wasm and no imports. Runs after the site's build (which empties dist/ first).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: fileURLToPath(new URL('src/element/concurrency-demo.ts', import.meta.url)),
      name: 'ConcurrencyDemo',
      formats: ['iife'],
      fileName: () => 'concurrency-demo.js',
    },
  },
});
