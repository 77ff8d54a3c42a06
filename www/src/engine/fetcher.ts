// The io engine's fetching thread: one event loop that sends every URL of an async run at
// once with `fetch` and `AbortSignal.timeout`, then writes the results into the engine's
// shared memory and wakes the engine, which waits for them (crate/src/bindings/xhr.rs
// `get_all` reads the layout written here: six numbers per request).

declare const self: DedicatedWorkerGlobalScope;
export {};

interface Job {
  memory: WebAssembly.Memory;
  /** Byte address of the i32 word set to 1 when the results are written. */
  done: number;
  /** Byte address of six f64 per request. */
  out: number;
  urls: string[];
  timeout: number;
}

const now = () => performance.timeOrigin + performance.now();

/** 1 the service worker, 2 scripts/serve.mjs, 0 nobody said. */
function server(name: string | null): number {
  return name === 'service-worker' ? 1 : name === 'serve.mjs' ? 2 : 0;
}

async function one(url: string, timeout: number): Promise<number[]> {
  const start = now();
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeout), cache: 'no-store' });
    await r.text();
    const slept = r.headers.get('X-Slept-Ms');
    return [r.status, 0, start, now(), slept === null ? -1 : Number(slept), server(r.headers.get('X-Status-Server'))];
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    return [0, timedOut ? 1 : 2, start, now(), -1, 0];
  }
}

self.onmessage = async (e: MessageEvent<Job>) => {
  const { memory, done, out, urls, timeout } = e.data;
  const results = await Promise.all(urls.map((u) => one(u, timeout)));
  const f64 = new Float64Array(memory.buffer, out, urls.length * 6);
  results.forEach((r, i) => f64.set(r, i * 6));
  const word = new Int32Array(memory.buffer, done, 1);
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
};
