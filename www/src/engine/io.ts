// The io engine's worker (crate/src/demos/mod.rs ENGINES): its wasm module, served, with what
// its demos reach outside the engine through: the fetching thread of the async requests
// (crate/src/bindings/xhr.rs `get_all`), and the host of the demo whose run starts worker
// processes of its own.
//
// The fetching thread is started here, once, when the engine starts, and never while a run
// waits for it: a worker started by a thread that then blocks may not start at all. A run
// in async mode hands it the URLs through `playgroundFetchAll` and waits, on an atomic word
// of the shared memory, for it to write the results there.

import init, * as wasm from '../../pkg/io/playground.js';
import { hostProcesses } from './processes/host';
import { serve } from './worker';

declare const self: DedicatedWorkerGlobalScope & { playgroundFetchAll?: unknown };

if (self.crossOriginIsolated) {
  const fetcher = new Worker(new URL('./fetcher.ts', import.meta.url), { type: 'module', name: 'fetcher' });
  self.playgroundFetchAll = (memory: WebAssembly.Memory, done: number, out: number, urls: string[], timeout: number) => {
    fetcher.postMessage({ memory, done, out, urls: Array.from(urls), timeout });
  };
}

serve(init, wasm, { processes: hostProcesses });
