// "Main" of the processes demo (crate/src/demos/processes/): the engine worker carries out
// the demo's plan with real worker processes (process.ts), each with its own wasm instance
// and memory, and reports what it saw; the demo's Rust turns the report into the outcome.
//
// Main owns the queue between the processes (like multiprocessing's manager): a process
// asks `empty()` or `get()` by message and main answers; a `get()` on an empty queue is
// answered when an item arrives. Main starts every process, terminates the one to
// terminate, joins the others with a timeout each, measures copies and dispatch with the
// pool processes, and when it finishes terminates every process still alive, daemons
// first among them. After a run no process of it is left.

import type { Plan } from '../../generated/processes/Plan';
import type { ProcessPlan } from '../../generated/processes/ProcessPlan';
import type { Seen } from '../../generated/processes/Seen';
import type { SeenProcess } from '../../generated/processes/SeenProcess';
import type { In } from '../../generated/processes/In';
import type { Out } from '../../generated/processes/Out';
import type { FromProcess, ToProcess } from './process';

/** How long main waits for the pool processes to start before it gives up on the run. */
const START_PATIENCE_MS = 20_000;

interface Child {
  plan: ProcessPlan;
  worker: Worker;
  seen: SeenProcess;
  alive: boolean;
  ready: Promise<boolean>;
  done: Promise<void>;
  /** What main does with this child's messages besides the queue's (the pool's results). */
  onOut?: (out: Out) => void;
  onTouched?: (sum: number) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** How often main looks for a cancel while it waits (the page ends the engine 1.5 s after one). */
const CANCEL_POLL_MS = 50;

/** The engine's wasm module, compiled once for every process of every run: each process
 *  instantiates it with a memory of its own, the way a forked process starts from its
 *  parent's code without sharing its data. The glue resolves this same URL. */
let compiled: Promise<WebAssembly.Module> | undefined;
function engineModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compileStreaming(fetch(new URL('../../../pkg/io/playground_bg.wasm', import.meta.url)));
  return compiled;
}

export async function hostProcesses(planned: unknown, demo: string, cancelled: () => boolean): Promise<Seen> {
  const plan = planned as Plan;
  const stopIfCancelled = () => {
    if (cancelled()) throw new Error('the run was cancelled');
  };
  /** Resolves when `p` settles or a cancel arrives, whichever is first. */
  const orCancel = <T>(p: Promise<T>): Promise<T> => {
    let poll = 0;
    const cancel = new Promise<never>((_, reject) => {
      poll = setInterval(() => cancelled() && reject(new Error('the run was cancelled')), CANCEL_POLL_MS);
    });
    return Promise.race([p, cancel]).finally(() => clearInterval(poll));
  };
  const module = await engineModule();
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const queue: (number | null)[] = [];
  const waiting: Child[] = [];

  const send = (c: Child, m: ToProcess, transfer: Transferable[] = []) => c.worker.postMessage(m, transfer);
  const tell = (c: Child, msg: In) => send(c, { type: 'msg', msg });
  const deliver = (c: Child, item: number | null) => {
    if (item !== null) c.seen.tasks += 1;
    tell(c, { type: 'item', item });
  };
  const ended = new Map<Child, () => void>();
  const end = (c: Child) => {
    c.alive = false;
    ended.get(c)?.();
  };
  const terminate = (c: Child) => {
    if (c.alive) c.seen.terminatedAt = now();
    c.worker.terminate();
    end(c);
  };

  function spawn(p: ProcessPlan): Child {
    const spawned = performance.now();
    const worker = new Worker(new URL('./process.ts', import.meta.url), { type: 'module', name: `${p.name} (pid ${p.pid})` });
    let readyNow: (ok: boolean) => void = () => {};
    const child: Child = {
      plan: p,
      worker,
      seen: { pid: p.pid, startMs: null, doneAt: null, joinDeadline: null, terminatedAt: null, tasks: 0 },
      alive: true,
      ready: new Promise<boolean>((r) => (readyNow = r)),
      done: Promise.resolve(),
    };
    child.done = new Promise<void>((r) => ended.set(child, r));
    child.done.then(() => readyNow(false));
    worker.onmessage = (e: MessageEvent<FromProcess>) => {
      const m = e.data;
      switch (m.type) {
        case 'ready':
          child.seen.startMs = performance.now() - spawned;
          readyNow(true);
          tell(child, { type: 'start', role: p.role });
          break;
        case 'out':
          heard(child, m.out);
          break;
        case 'touched':
          child.onTouched?.(m.sum);
          break;
        case 'fatal':
          console.warn(`process ${p.name} (pid ${p.pid}) stopped: ${m.message}`);
          terminate(child);
          break;
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      console.warn(`process ${p.name} (pid ${p.pid}) failed: ${e.message}`);
      terminate(child);
    };
    send(child, { type: 'boot', demo, module });
    return child;
  }

  function heard(c: Child, out: Out) {
    switch (out.type) {
      case 'askempty':
        tell(c, { type: 'empty', empty: queue.length === 0 });
        break;
      case 'askget':
        if (queue.length > 0) deliver(c, queue.shift()!);
        else waiting.push(c);
        break;
      case 'put':
        if (out.item !== null) c.seen.tasks += 1;
        if (waiting.length > 0) deliver(waiting.shift()!, out.item);
        else queue.push(out.item);
        break;
      case 'done':
        if (c.plan.role.kind === 'work') c.seen.tasks = out.tasks;
        c.seen.doneAt = now();
        end(c);
        break;
      default:
        c.onOut?.(out);
    }
  }

  /** `p.join(timeout)`: returns when the child ended, or notes when it gave up. */
  async function join(c: Child) {
    if (!c.alive) return;
    let timer = 0;
    const gaveUp = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), plan.joinTimeoutMs)));
    const timedOut = await orCancel(Promise.race([c.done.then(() => false), gaveUp]));
    clearTimeout(timer);
    if (timedOut && c.alive) c.seen.joinDeadline = now();
  }

  const children = plan.processes.map(spawn);
  try {
    for (const c of children) if (c.plan.terminate) c.ready.then(() => terminate(c));
    const pool = children.filter((c) => c.plan.role.kind === 'pool');
    for (const c of children) if (c.plan.joined && c.plan.role.kind !== 'pool') await join(c);

    const started = await orCancel(Promise.race([Promise.all(pool.map((c) => c.ready)), sleep(START_PATIENCE_MS).then(() => [false])]));
    if (!started.every(Boolean)) throw new Error(`the pool's ${pool.length} processes did not all start within ${START_PATIENCE_MS / 1000} s`);
    const copy = await copies(plan, pool[0], send, orCancel);
    const messageMs = [];
    for (const size of plan.sizes) {
      stopIfCancelled();
      messageMs.push(await sampled(plan, () => orCancel(dispatch(pool, size.tasks, size.work, tell))));
    }
    for (const c of pool) tell(c, { type: 'stop' });
    for (const c of pool) await join(c);
    return { processes: children.map((c) => c.seen), left: queue.filter((item) => item !== null).length, copy, messageMs };
  } finally {
    // Main finishes: every process still alive is terminated, daemons with the rest.
    for (const c of children) terminate(c);
  }
}

/** Warm-up rounds (dropped), then the plan's samples. */
async function sampled(plan: Plan, once: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < plan.warmRounds; i++) await once();
  const ms = [];
  for (let i = 0; i < plan.samples; i++) ms.push(await once());
  return ms;
}

/**
 * The plan's bytes to one process and its answer back: by structured clone (copied; the
 * process writes into its copy, and main looks whether its own buffer changed), then by
 * transfer (moved; main's buffer is empty afterwards).
 */
async function copies(plan: Plan, c: Child, send: (c: Child, m: ToProcess, t?: Transferable[]) => void, orCancel: <T>(p: Promise<T>) => Promise<T>) {
  let writeSeen = false;
  let detached = true;
  const pass = (transfer: boolean) => {
    const buf = new ArrayBuffer(plan.copyBytes);
    new Uint8Array(buf).fill(1);
    return new Promise<number>((resolve) => {
      const t = performance.now();
      c.onTouched = () => {
        const ms = performance.now() - t;
        if (transfer) detached &&= buf.byteLength === 0;
        else writeSeen ||= new Uint8Array(buf)[0] !== 1;
        resolve(ms);
      };
      send(c, { type: 'bytes', buf, write: !transfer }, transfer ? [buf] : []);
    });
  };
  const cloneMs = await sampled(plan, () => orCancel(pass(false)));
  const transferMs = await sampled(plan, () => orCancel(pass(true)));
  return { cloneMs, transferMs, detached, writeSeen };
}

/**
 * `tasks` tasks of `work` steps through the pool processes, the way JS worker pools
 * dispatch them: each task is a message to an idle process, and its result a message back
 * that makes the process idle again.
 */
function dispatch(pool: Child[], tasks: number, work: number, tell: (c: Child, m: In) => void): Promise<number> {
  let next = 0;
  let finished = 0;
  const t = performance.now();
  return new Promise((resolve) => {
    const give = (c: Child) => {
      if (next >= tasks) return;
      c.seen.tasks += 1;
      tell(c, { type: 'task', id: next++, work });
    };
    for (const c of pool) {
      c.onOut = (out) => {
        if (out.type !== 'result') return;
        if (++finished === tasks) resolve(performance.now() - t);
        else give(c);
      };
      give(c);
    }
  });
}
