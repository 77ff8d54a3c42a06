// The page's handle on the engine worker: requests as promises, progress read from shared
// memory, cancel through the shared flag, and a fresh worker when the old one cannot go on.
//
// Nothing here blocks: the page only posts messages, awaits replies and, when the page is
// cross-origin isolated, reads and writes three words of the engine's shared memory with
// Atomics (never Atomics.wait).

import {
  CONTROL,
  type EngineError,
  type Envelope,
  type Message,
  type RawParams,
  type ReadyInfo,
  type Request,
} from '../shared/protocol';

export interface Progress {
  done: number;
  total: number;
}

export interface RunHandle<T> {
  result: Promise<Envelope<T>>;
  cancel(): void;
}

type Pending = { resolve: (e: Envelope) => void };

/** A request before it is given its id (Omit distributed over the union). */
type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** How long a cancel may take through the shared flag before the worker is replaced. */
const CANCEL_GRACE_MS = 1500;

export type EngineState = 'starting' | 'idle' | 'busy' | 'restarting' | 'failed';

export class Engine {
  private worker!: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private control?: Int32Array;
  private readyPromise!: Promise<ReadyInfo>;
  private busyRuns = 0;
  info?: ReadyInfo;
  state: EngineState = 'starting';
  /** How many times a fresh worker replaced a stuck or broken one. */
  restarts = 0;
  onState: (s: EngineState) => void = () => {};

  constructor(private readonly spawn: () => Worker) {
    this.boot();
  }

  ready(): Promise<ReadyInfo> {
    return this.readyPromise;
  }

  private setState(s: EngineState) {
    this.state = s;
    this.onState(s);
  }

  private boot() {
    this.worker = this.spawn();
    this.control = undefined;
    this.readyPromise = new Promise<ReadyInfo>((resolve, reject) => {
      this.worker.onmessage = (e: MessageEvent<Message>) => {
        const msg = e.data;
        if (msg.type === 'ready') {
          this.info = msg.info;
          if (msg.info.memory) {
            this.control = new Int32Array(msg.info.memory.buffer, msg.info.controlAddress, 3);
          }
          this.setState('idle');
          resolve(msg.info);
        } else if (msg.type === 'reply') {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          p?.resolve(msg.envelope);
        } else if (msg.type === 'fatal') {
          if (this.state === 'starting') {
            this.setState('failed');
            reject(new Error(msg.message));
          }
          this.replace({ kind: 'engine', message: msg.message });
        }
      };
      this.worker.onerror = (e) => {
        e.preventDefault();
        const message = `the engine worker failed: ${e.message || 'unknown error'}`;
        if (this.state === 'starting') {
          this.setState('failed');
          reject(new Error(message));
        } else {
          this.replace({ kind: 'engine', message });
        }
      };
    });
    // Avoid an unhandled rejection when nobody awaits a failed start.
    this.readyPromise.catch(() => {});
  }

  /** Ends the current worker (and its pool) and starts a fresh one; pending requests fail. */
  private replace(error: EngineError) {
    this.worker.terminate();
    for (const p of this.pending.values()) p.resolve({ ok: false, error });
    this.pending.clear();
    this.busyRuns = 0;
    this.restarts += 1;
    this.setState('restarting');
    this.boot();
  }

  private request<T>(req: RequestBody): { id: number; result: Promise<Envelope<T>> } {
    const id = this.nextId++;
    const result = new Promise<Envelope<T>>((resolve) => {
      this.pending.set(id, { resolve: resolve as (e: Envelope) => void });
    });
    this.readyPromise.then(
      () => this.worker.postMessage({ ...req, id } as Request),
      (err) => this.pending.get(id)?.resolve({ ok: false, error: { kind: 'engine', message: String(err) } }),
    );
    return { id, result };
  }

  /** The instant part of a demo (validation, and the calculator for Amdahl). */
  compute<T>(demo: string, params: RawParams): Promise<Envelope<T>> {
    return this.request<T>({ type: 'compute', demo, params }).result;
  }

  /** Runs a demo on the pool. */
  run<T>(demo: string, params: RawParams): RunHandle<T> {
    if (this.control && this.info?.memory) {
      // Nothing runs yet (requests are serialised), so the page may reset what it reads:
      // the last run's progress and feed must not show up as this run's.
      Atomics.store(this.control, CONTROL.done, 0);
      Atomics.store(this.control, CONTROL.total, 0);
      Atomics.store(new Int32Array(this.info.memory.buffer, this.info.feed[0], 1), 0, 0);
    }
    const { id, result } = this.request<T>({ type: 'run', demo, params });
    this.busyRuns += 1;
    this.setState('busy');
    const done = result.finally(() => {
      this.busyRuns = Math.max(0, this.busyRuns - 1);
      if (this.busyRuns === 0 && this.state === 'busy') this.setState('idle');
    });
    let cancelled = false;
    const cancel = () => {
      if (cancelled || !this.pending.has(id)) return;
      cancelled = true;
      const p = this.pending.get(id)!;
      const cancelledEnvelope: Envelope = { ok: false, error: { kind: 'cancelled', message: 'the run was cancelled' } };
      if (this.control) {
        // Isolated: raise the shared flag; the workload stops at its next check.
        Atomics.store(this.control, CONTROL.cancel, 1);
        const timer = setTimeout(() => {
          if (this.pending.get(id) === p) {
            p.resolve(cancelledEnvelope);
            this.replace({ kind: 'cancelled', message: 'the run was cancelled' });
          }
        }, CANCEL_GRACE_MS);
        result.finally(() => clearTimeout(timer));
      } else {
        // No shared memory: the only way to stop a busy worker is to end it.
        this.pending.delete(id);
        p.resolve(cancelledEnvelope);
        this.replace({ kind: 'cancelled', message: 'the run was cancelled' });
      }
    };
    return { result: done, cancel };
  }

  /** Progress of the current run, read from shared memory; undefined without isolation. */
  progress(): Progress | undefined {
    if (!this.control) return undefined;
    return { done: Atomics.load(this.control, CONTROL.done), total: Atomics.load(this.control, CONTROL.total) };
  }

  /**
   * Events the running demo published since byte `from` of its live feed (JSON lines, see
   * crate/src/live.rs), and where to read next time. Undefined without shared memory.
   */
  feed(from: number): { events: unknown[]; next: number } | undefined {
    const info = this.info;
    if (!this.control || !info?.memory) return undefined;
    const [lenAddr, bytesAddr] = info.feed;
    // The memory may have grown since the last read: take a fresh view every time.
    const buffer = info.memory.buffer;
    const len = Atomics.load(new Int32Array(buffer, lenAddr, 1), 0);
    if (len < from) from = 0; // a new run cleared the feed
    if (len === from) return { events: [], next: from };
    // Copy out of the shared buffer first: TextDecoder refuses shared views.
    const bytes = new Uint8Array(buffer, bytesAddr + from, len - from).slice();
    const text = new TextDecoder().decode(bytes);
    const events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
    return { events, next: len };
  }

  /** The step-through view of a demo after `trace`, or after a seeded random run. */
  step<T>(demo: string, params: RawParams, trace: string, seed?: number): Promise<Envelope<T>> {
    return this.request<T>({ type: 'step', demo, params, trace, seed }).result;
  }

  /** Asks the engine to panic on a pool thread (tests prove panics surface as errors). */
  panic(message: string): Promise<Envelope> {
    return this.request({ type: 'panic', message }).result;
  }

  /** Times n empty tasks through the pool (npm run bench): ns per op, as JSON. */
  benchDispatch(n: number): Promise<Envelope> {
    return this.request({ type: 'bench-dispatch', n }).result;
  }

  /** Lock, queue and pool-overhead throughput (npm run bench); see crate/src/bench.rs. */
  benchSync(config: object = {}): Promise<Envelope> {
    return this.request({ type: 'bench-sync', config: JSON.stringify(config) }).result;
  }
}

export function startEngine(): Engine {
  return new Engine(() => new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'engine' }));
}
