// The page's handle on the engine worker: requests as promises, progress read from shared
// memory, cancels through the shared control block, a bounded number of tries when the
// engine cannot start, and a fresh worker when the old one cannot go on.
//
// Nothing here blocks: the page only posts messages, awaits replies and, when the page is
// cross-origin isolated, reads and writes words of the engine's shared memory with Atomics
// (never Atomics.wait; see engine-memory.ts).

import { ENGINE_OF, ENGINES } from '../generated/engines';
import { type EngineError, type Envelope, type Message, type RawParams, type ReadyInfo, type Request } from '../shared/protocol';
import { SharedWords, type Progress } from './engine-memory';

export type { Progress } from './engine-memory';

export interface RunHandle<T> {
  result: Promise<Envelope<T>>;
  cancel(): void;
}

type Pending = { resolve: (e: Envelope) => void; posted: boolean };

/** A request before it is given its id (Omit distributed over the union). */
type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** How long a run may take to stop after its cancel before the worker is replaced. */
const CANCEL_GRACE_MS = 1500;

/**
 * A start that fails (the wasm file unreachable, a browser without the features) is tried
 * again at most twice, after these waits; then the engine stays `failed` with the reason, and
 * only `retry()` (the page's Retry button) starts another worker. Without a bound, a start
 * that can never succeed replaced its worker hundreds of times a second.
 */
export const START_RETRY_MS = [500, 2000] as const;

/**
 * A start that neither fails nor becomes ready within this long counts as failed (and is
 * retried as above). It happens: with Firefox's remote protocol attached, the pool stopped at
 * 5 of its 8 workers in about half the loads, and the page waited for ever. A start takes
 * about a second here; the bound is for slow devices. Tests shorten it through
 * `window.playgroundStartTimeoutMs`.
 */
export const START_TIMEOUT_MS = 30_000;

/** `retrying`: a start failed and another try is scheduled. `failed`: no more tries. */
export type EngineState = 'starting' | 'idle' | 'busy' | 'restarting' | 'retrying' | 'failed';

const fail = (kind: EngineError['kind'], message: string): Envelope => ({ ok: false, error: { kind, message } });
const CANCELLED = () => fail('cancelled', 'the run was cancelled');
/** The engine's words for the same (crate/src/demos/mod.rs, CancelledBeforeStart). */
const NOT_STARTED = () => fail('cancelled', 'the run was cancelled before it started: nothing ran');
const SUPERSEDED = () => fail('superseded', 'newer inputs replaced this computation');

export class Engine {
  private worker!: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private words?: SharedWords;
  private readyPromise!: Promise<ReadyInfo>;
  private settle!: { resolve: (info: ReadyInfo) => void; reject: (err: Error) => void };
  /** Starts that failed since the last success, the last `retry()` or replacement. */
  private failedStarts = 0;
  private busyRuns = 0;
  /** Runs are posted one at a time, each after the last has answered (see `run`). */
  private lastRun: Promise<unknown> = Promise.resolve();
  /** Without shared memory: the "latest wins" compute in the worker, and those held back. */
  private latestInFlight: Promise<unknown> = Promise.resolve();
  private latestHeld = new Set<number>();
  info?: ReadyInfo;
  state: EngineState = 'starting';
  /** How many times a fresh worker replaced a stuck or broken one. */
  restarts = 0;
  /** Why the engine could not start, once it has given up (state `failed`). */
  failure?: string;
  /** Requests posted to a worker so far (tests count what reached the worker). */
  posted = 0;
  /** Replies to requests the page had already settled (a run cancelled before it began, a
   *  superseded compute): the engine's own word on them, for tests. The last 20. */
  lateReplies: { id: number; envelope: Envelope }[] = [];
  onState: (s: EngineState) => void = () => {};

  constructor(
    private readonly spawn: () => Worker,
    /** Read at every start (tests change it between starts). */
    private readonly startTimeoutMs: () => number = () => START_TIMEOUT_MS,
  ) {
    this.startOver('starting');
  }

  ready(): Promise<ReadyInfo> {
    return this.readyPromise;
  }

  private setState(s: EngineState) {
    this.state = s;
    this.onState(s);
  }

  /** A new start: one ready promise for up to 1 + START_RETRY_MS.length workers. */
  private startOver(state: EngineState) {
    this.failedStarts = 0;
    this.failure = undefined;
    this.readyPromise = new Promise<ReadyInfo>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Avoid an unhandled rejection when nobody awaits a failed start.
    this.readyPromise.catch(() => {});
    this.setState(state);
    this.boot();
  }

  private boot() {
    const worker = this.spawn();
    this.worker = worker;
    this.words = undefined;
    let up = false;
    const timeout = this.startTimeoutMs();
    const hung = setTimeout(() => {
      if (!up && worker === this.worker) this.startFailed(`the engine did not become ready within ${timeout / 1000} s`);
    }, timeout);
    const failed = (message: string) => {
      clearTimeout(hung);
      this.startFailed(message);
    };
    worker.onmessage = (e: MessageEvent<Message>) => {
      if (worker !== this.worker) return; // a worker this engine has already ended
      const msg = e.data;
      if (msg.type === 'ready') {
        up = true;
        clearTimeout(hung);
        this.info = msg.info;
        if (msg.info.memory) this.words = new SharedWords(msg.info.memory, msg.info);
        this.setState('idle');
        this.settle.resolve(msg.info);
      } else if (msg.type === 'reply') {
        if (this.pending.has(msg.id)) this.finish(msg.id, msg.envelope);
        else this.lateReplies = [...this.lateReplies.slice(-19), { id: msg.id, envelope: msg.envelope }];
      } else if (msg.type === 'fatal') {
        if (up) this.replace({ kind: 'engine', message: msg.message });
        else failed(msg.message);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      if (worker !== this.worker) return;
      const message = `the engine worker failed: ${e.message || 'unknown error'}`;
      if (up) this.replace({ kind: 'engine', message });
      else failed(message);
    };
  }

  /** A worker that never became ready: try again after a back-off, or give up and say why. */
  private startFailed(message: string) {
    this.worker.terminate();
    const wait = START_RETRY_MS[this.failedStarts];
    if (wait !== undefined) {
      this.failedStarts += 1;
      this.setState('retrying');
      setTimeout(() => this.boot(), wait);
      return;
    }
    this.failure = message;
    this.setState('failed');
    this.settle.reject(new Error(message));
  }

  /** After the engine gave up (state `failed`): starts it again, as the Retry button asks. */
  retry(): Promise<ReadyInfo> {
    if (this.state === 'failed') this.startOver('starting');
    return this.readyPromise;
  }

  /** Ends the current worker (and its pool) and starts a fresh one. The requests it had
   *  fail; those not posted yet (waiting for a run before them) go to the fresh one. */
  private replace(error: EngineError) {
    this.worker.terminate();
    for (const [id, p] of this.pending) if (p.posted) this.finish(id, { ok: false, error });
    this.restarts += 1;
    this.startOver('restarting');
  }

  /** Settles request `id` (once; later replies for it are late). */
  private finish(id: number, envelope: Envelope) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve(envelope);
  }

  /**
   * Posts `req` once the engine is ready and `after` has settled, unless it was settled first
   * (cancelled or superseded before it was posted: then it is never sent). `beforePost` runs
   * just before the message leaves; `ticket` makes it a "latest wins" compute.
   */
  private request<T>(
    req: RequestBody,
    opts: { after?: Promise<unknown>; beforePost?: (id: number) => void; ticket?: boolean; transfer?: Transferable[] } = {},
  ): { id: number; result: Promise<Envelope<T>> } {
    const id = this.nextId++;
    const result = new Promise<Envelope<T>>((resolve) => {
      this.pending.set(id, { resolve: resolve as (e: Envelope) => void, posted: false });
    });
    const ready = () => this.readyPromise;
    (opts.after ? opts.after.then(ready, ready) : ready()).then(
      () => {
        const p = this.pending.get(id);
        if (!p) return;
        opts.beforePost?.(id);
        p.posted = true;
        this.posted += 1;
        const ticket = opts.ticket && this.words ? { ticket: id } : {};
        this.worker.postMessage({ ...req, id, ...ticket } as Request, opts.transfer ?? []);
      },
      (err: Error) => this.finish(id, fail('engine', String(err.message ?? err))),
    );
    return { id, result };
  }

  /** The instant part of a demo (validation, and the calculator for Amdahl). */
  compute<T>(demo: string, params: RawParams): Promise<Envelope<T>> {
    return this.request<T>({ type: 'compute', demo, params }).result;
  }

  /**
   * A compute where the newest call wins (a demo's inputs as they change; the explorer can
   * take seconds). With shared memory every call is posted and its id stored in the control
   * block's `latest` word first: the worker drops a queued one that is no longer the newest,
   * and a running exploration stops (crate/src/control.rs, "Latest wins"). Without shared
   * memory the worker cannot be told, so the page holds calls back while one is in the
   * worker and posts only the newest. An older call ends `superseded`; `cancel()` stops this
   * one (an exploration then reports the part it explored, with `cancelled`).
   */
  latest<T>(demo: string, params: RawParams): RunHandle<T> {
    const shared = this.words !== undefined;
    if (!shared) {
      for (const held of this.latestHeld) this.finish(held, SUPERSEDED());
      this.latestHeld.clear();
    }
    let result: Promise<Envelope<T>> | undefined;
    const r = this.request<T>(
      { type: 'compute', demo, params },
      {
        ticket: true,
        after: shared ? undefined : this.latestInFlight,
        beforePost: (id) => {
          this.latestHeld.delete(id);
          if (this.words) this.words.store(this.words.at.latest, id);
          else this.latestInFlight = result!;
        },
      },
    );
    result = r.result;
    if (!shared) this.latestHeld.add(r.id);
    const cancel = () => {
      const p = this.pending.get(r.id);
      if (!p) return;
      if (!p.posted) return this.finish(r.id, CANCELLED());
      if (this.words) {
        // The worker answers: the part explored, or `cancelled` if it had not begun.
        if (this.words.load(this.words.at.latest) === r.id) this.words.store(this.words.at.latest, 0);
        return;
      }
      this.finish(r.id, CANCELLED()); // no shared memory: only ending the worker stops it
      this.replace({ kind: 'cancelled', message: 'the computation was cancelled' });
    };
    return { result: r.result, cancel };
  }

  /**
   * Runs a demo on the pool. Runs are posted one at a time, each once the last has answered,
   * so that a cancel (which names this run's id in the control block; the engine treats it as
   * covering every run up to that id) can never stop another run. A cancel before the run
   * was posted means it is never posted; one while it waits in the worker's queue (behind a
   * compute) makes the engine refuse to begin it; one while it runs stops it at its next
   * check, or after CANCEL_GRACE_MS by replacing the worker.
   */
  run<T>(demo: string, params: RawParams): RunHandle<T> {
    const { id, result } = this.request<T>({ type: 'run', demo, params }, {
      after: this.lastRun,
      // Nothing runs now (the last run has answered), so the page may reset what it reads:
      // the last run's progress and feed must not show up as this run's.
      beforePost: () => this.words?.resetRun(),
    });
    this.lastRun = result;
    this.busyRuns += 1;
    this.setState('busy');
    const done = result.finally(() => {
      this.busyRuns = Math.max(0, this.busyRuns - 1);
      if (this.busyRuns === 0 && this.state === 'busy') this.setState('idle');
    });
    const cancel = () => {
      const p = this.pending.get(id);
      if (!p) return;
      if (!p.posted) return this.finish(id, NOT_STARTED());
      const words = this.words;
      if (!words) {
        // No shared memory: the only way to stop a busy worker is to end it.
        this.finish(id, CANCELLED());
        this.replace({ kind: 'cancelled', message: 'the run was cancelled' });
        return;
      }
      words.raise(words.at.cancel, id);
      // Stored the cancel, then read `run` (both sequentially consistent); the engine stores
      // `run`, then reads the cancel. So if the run has not begun, it will see the cancel and
      // refuse: it is cancelled now, and its late reply will say "nothing ran".
      if (words.load(words.at.run) !== id) return this.finish(id, NOT_STARTED());
      const timer = setTimeout(() => {
        if (this.pending.get(id) !== p) return;
        this.finish(id, CANCELLED());
        this.replace({ kind: 'cancelled', message: 'the run was cancelled' });
      }, CANCEL_GRACE_MS);
      void result.finally(() => clearTimeout(timer));
    };
    return { result: done, cancel };
  }

  /** Progress of the current run, read from shared memory; undefined without isolation. */
  progress(): Progress | undefined {
    return this.words?.progress();
  }

  /** States explored so far by the running exploration, of at most `total`. */
  computeProgress(): Progress | undefined {
    return this.words?.explored();
  }

  /**
   * Events the running demo published since byte `from` of its live feed (JSON lines, see
   * crate/src/live.rs), and where to read next time. Undefined without shared memory.
   */
  feed(from: number): { events: unknown[]; next: number } | undefined {
    return this.words?.feed(from);
  }

  /** Events of the current (or last) run that did not fit in the live feed. */
  feedDropped(): number | undefined {
    return this.words?.feedDropped();
  }

  /** The id of the run the engine began last (0 before any); for tests. */
  begun(): number | undefined {
    return this.words?.load(this.words.at.run);
  }

  /** The step-through view of a demo after `trace`, or after a seeded random run. */
  step<T>(demo: string, params: RawParams, trace: string, seed?: number): Promise<Envelope<T>> {
    return this.request<T>({ type: 'step', demo, params, trace, seed }).result;
  }

  /** Hands demo `demo` a picture the learner chose, decoded; the bitmap moves to the worker. */
  attach(demo: string, bitmap: ImageBitmap): Promise<Envelope<null>> {
    return this.request<null>({ type: 'attach', demo, bitmap }, { transfer: [bitmap] }).result;
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
    return this.request({ type: 'bench-sync', config }).result;
  }
}

/** Starts the engine that runs demo `demo` (the first engine for none, or an unknown id: it
 *  knows every demo's spec, so it can say which demos there are). */
export function startEngine(demo: string | null): Engine {
  const timeout = () => {
    const override = (globalThis as { playgroundStartTimeoutMs?: unknown }).playgroundStartTimeoutMs;
    return typeof override === 'number' && override > 0 ? override : START_TIMEOUT_MS;
  };
  const engine = (demo !== null && Object.hasOwn(ENGINE_OF, demo) ? ENGINE_OF[demo] : undefined) ?? ENGINES[0];
  // One literal `new Worker(new URL(...))` per engine, so that the bundler builds each.
  const workers: Record<(typeof ENGINES)[number], () => Worker> = {
    primitives: () => new Worker(new URL('../engine/primitives.ts', import.meta.url), { type: 'module', name: 'engine' }),
    hazards: () => new Worker(new URL('../engine/hazards.ts', import.meta.url), { type: 'module', name: 'engine' }),
    io: () => new Worker(new URL('../engine/io.ts', import.meta.url), { type: 'module', name: 'engine' }),
    data: () => new Worker(new URL('../engine/data.ts', import.meta.url), { type: 'module', name: 'engine' }),
    async: () => new Worker(new URL('../engine/async.ts', import.meta.url), { type: 'module', name: 'engine' }),
    memory: () => new Worker(new URL('../engine/memory.ts', import.meta.url), { type: 'module', name: 'engine' }),
  };
  return new Engine(workers[engine], timeout);
}
