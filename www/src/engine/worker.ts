// The engine: a dedicated worker that owns the wasm instance and the rayon pool. Each wasm
// engine (crate/src/demos/mod.rs ENGINES) has its own entry file in this folder, which hands
// its module to `serve`; the page starts the one its demo runs in (client/engine.ts).
//
// Architecture invariant: the page's main thread never blocks. Everything that can wait
// (a rayon join, a lock, a sleeping task) happens here or on the pool's workers, where
// `Atomics.wait` is allowed. Requests are handled one at a time, in arrival order.

import type * as Glue from '../../pkg/primitives/playground.js';
import type * as HostedGlue from '../../pkg/io/playground.js';
import type { Envelope, Message, ReadyInfo, Request } from '../shared/protocol';

/** The functions of hosted runs, which only engines with hosts have (crate/src/bindings/hosted.rs). */
type Hosted = Pick<typeof HostedGlue, 'runObserved' | 'beginRun' | 'runCancelled'>;
/** What wasm-bindgen generates for an engine: every engine exports the same functions, and
 *  those with hosts the hosted ones too. */
export type Wasm = typeof Glue & Partial<Hosted>;
export type Init = typeof Glue.default;

/**
 * A demo whose run begins outside wasm: the host starts workers of its own (the processes
 * demo's worker processes) as the demo's plan says, and resolves to its report, which the
 * demo's Rust finishes the run from (`runObserved`). `plan` is the demo's computed value;
 * the host asks `cancelled()` between its steps and, once it is true, ends its workers and
 * throws.
 */
export type Host = (plan: unknown, demo: string, cancelled: () => boolean) => Promise<unknown>;

let wasm: Wasm;
let init: Init;
let hosts: Record<string, Host> = {};

/** Serves the page with this engine: called once, by the engine's entry file, with the
 *  hosts of the demos that need one. */
export function serve(engineInit: Init, engine: Wasm, engineHosts: Record<string, Host> = {}) {
  init = engineInit;
  wasm = engine;
  hosts = engineHosts;
  start().catch((err) => post({ type: 'fatal', message: `the engine could not start: ${String(err)}` }));
}

declare const self: DedicatedWorkerGlobalScope;

const queue: Request[] = [];
let ready = false;

self.onmessage = (e: MessageEvent<Request>) => {
  queue.push(e.data);
  if (ready) drain();
};

function post(msg: Message) {
  self.postMessage(msg);
}

/** Threads for the pool: every core, and at least 8 so that I/O demos can oversubscribe. */
export function poolSize(cores: number): number {
  return Math.min(16, Math.max(8, cores));
}

async function start() {
  const t0 = performance.now();
  const out = await init();
  const cores = navigator.hardwareConcurrency || 1;
  const isolated = self.crossOriginIsolated === true;
  let poolError: string | undefined;
  if (isolated) {
    try {
      const n = poolSize(cores);
      await wasm.initThreadPool(n);
      poolThreads = n;
    } catch (err) {
      poolError = String(err);
    }
  } else {
    poolError = 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable';
  }
  const schema = wasm.schema() as Envelope;
  if (!schema.ok) throw new Error(schema.error.message);
  const info: ReadyInfo = {
    isolated,
    cores,
    poolThreads,
    poolError,
    schema: schema.result as ReadyInfo['schema'],
    memory: isolated ? out.memory : undefined,
    controlAddress: wasm.controlAddress(),
    feed: Array.from(wasm.feedLayout()) as ReadyInfo['feed'],
    startupMs: performance.now() - t0,
    limits: wasm.limits() as ReadyInfo['limits'],
  };
  ready = true;
  post({ type: 'ready', info });
  drain();
}

/** Threads in the pool once started; 0 when there is no pool. */
let poolThreads = 0;

let draining = false;

/** Serves the queue in order; a hosted run waits for its workers before the next request. */
async function drain() {
  if (draining) return;
  draining = true;
  try {
    await serveQueue();
  } finally {
    draining = false;
  }
}

async function serveQueue() {
  while (queue.length > 0) {
    const req = queue.shift()!;
    let envelope: Envelope;
    try {
      const host = req.type === 'run' ? hosts[req.demo] : undefined;
      envelope = host !== undefined && req.type === 'run' ? await hosted(host, req) : handle(req);
    } catch (err) {
      // A trap (out of memory, unreachable) lands here; the instance may be unusable, so the
      // page is told and will start a fresh engine.
      post({ type: 'fatal', message: `the engine stopped: ${String(err)}` });
      return;
    }
    post({ type: 'reply', id: req.id, envelope });
  }
}

/**
 * Reads out the pixels of a picture the page decoded (createImageBitmap decodes off the
 * page's main thread) and hands them to the demo. The size is checked first, so the pixels
 * of a picture past the limit are never read.
 */
function attach(demo: string, bitmap: ImageBitmap): Envelope {
  const { width, height } = bitmap;
  try {
    const check = wasm.attach(demo, width, height, undefined) as Envelope;
    if (!check.ok) return check;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return { ok: false, error: { kind: 'engine', message: 'this browser cannot read a picture\'s pixels in a worker' } };
    ctx.drawImage(bitmap, 0, 0);
    const pixels = ctx.getImageData(0, 0, width, height).data;
    return wasm.attach(demo, width, height, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)) as Envelope;
  } finally {
    bitmap.close();
  }
}

/**
 * A run whose host goes first: the demo's plan (its compute), the host's workers, then the
 * Rust that finishes the run from the report. Without a pool nothing is started: the run is
 * refused in Rust with the demo's reason.
 */
async function hosted(host: Host, req: Extract<Request, { type: 'run' }>): Promise<Envelope> {
  const cores = navigator.hardwareConcurrency || 1;
  const { runObserved, beginRun, runCancelled } = wasm;
  if (!runObserved || !beginRun || !runCancelled) return { ok: false, error: { kind: 'engine', message: `this engine has no hosted runs, so it cannot run ${req.demo}` } };
  let seen: unknown = {};
  // The run begins now, so that the page's cancel reaches it while the host works; one
  // cancelled before is refused by runObserved, with nothing started.
  if (poolThreads > 0 && beginRun(req.id)) {
    const planned = wasm.compute(req.demo, req.params, 0) as Envelope<{ value: unknown }>;
    if (!planned.ok) return planned;
    try {
      seen = await host(planned.result.value, req.demo, () => runCancelled());
    } catch (err) {
      if (runCancelled()) return { ok: false, error: { kind: 'cancelled', message: 'the run was cancelled' } };
      return { ok: false, error: { kind: 'engine', message: `the run's workers failed: ${String(err)}` } };
    }
  }
  return runObserved(req.demo, req.params, cores, poolThreads, req.id, seen) as Envelope;
}

function handle(req: Request): Envelope {
  const cores = navigator.hardwareConcurrency || 1;
  switch (req.type) {
    case 'compute':
      // A replaced or cancelled "latest wins" compute is dropped in there, unstarted.
      return wasm.compute(req.demo, req.params, req.ticket ?? 0) as Envelope;
    case 'run':
      // The request id is the run's number: a run cancelled before it began does nothing.
      return wasm.run(req.demo, req.params, cores, poolThreads, req.id) as Envelope;
    case 'attach':
      return attach(req.demo, req.bitmap);
    case 'panic':
      return wasm.panicOnPool(req.message) as Envelope;
    case 'step':
      return wasm.step(req.demo, req.params, req.trace, req.seed) as Envelope;
    case 'bench-dispatch':
      if (poolThreads === 0) return { ok: false, error: { kind: 'engine', message: 'there is no pool to measure' } };
      return { ok: true, result: wasm.benchDispatch(req.n) };
    case 'bench-sync': {
      if (poolThreads === 0) return { ok: false, error: { kind: 'engine', message: 'there is no pool to measure' } };
      const out = wasm.benchSync(req.config) as { error?: string };
      return out.error === undefined ? { ok: true, result: out } : { ok: false, error: { kind: 'engine', message: String(out.error) } };
    }
  }
}

