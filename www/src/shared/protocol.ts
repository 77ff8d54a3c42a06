// The one message protocol between the page (client/) and the engine worker (engine/).
// Shared by both sides; it must not touch `document` or worker-only globals.
//
// Page -> engine: requests carry an id; the engine answers each with exactly one `reply`
// carrying the same id. Progress and cancellation do not travel as messages: while a run
// blocks the engine, the page reads progress and writes the cancel flag directly in the
// shared wasm memory (see crate/src/control.rs for the layout).

/** Inputs as the URL has them: [name, value] text pairs, in order. */
export type RawParams = [string, string][];

export type Request =
  /** `ticket`: a "latest wins" compute (its own id); one the page has replaced since, or
   *  cancelled, is dropped in the worker (crate/src/control.rs). */
  | { type: 'compute'; id: number; demo: string; params: RawParams; ticket?: number }
  /** The id doubles as the run's number in the control block (a cancel names it). */
  | { type: 'run'; id: number; demo: string; params: RawParams }
  /** A picture the learner chose, decoded by the browser, for a demo that reads one (moved to
   *  the worker, which reads its pixels; see crate/src/demos/demo.rs `attach`). */
  | { type: 'attach'; id: number; demo: string; bitmap: ImageBitmap }
  | { type: 'panic'; id: number; message: string }
  /** The step-through view after `trace` (or a seeded random run); see crate/src/demos/stepper.rs. */
  | { type: 'step'; id: number; demo: string; params: RawParams; trace: string; seed?: number }
  /** Times empty tasks through the pool (npm run bench); see crate/src/bindings/bench.rs. */
  | { type: 'bench-dispatch'; id: number; n: number }
  /** Locks, queues and pool overhead (npm run bench); see crate/src/bench.rs. */
  | { type: 'bench-sync'; id: number; config: object };

// Failures, as crate/src/demos/mod.rs `Failure` serialises them (generated).
export type { ParamError } from '../generated/ParamError';
export type { ErrorKind } from '../generated/ErrorKind';
export type { EngineError } from '../generated/EngineError';
import type { EngineError } from '../generated/EngineError';

/** What every engine entry point answers (built in crate/src/bindings/mod.rs). */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: EngineError };

export interface ReadyInfo {
  /** `crossOriginIsolated` inside the engine worker. */
  isolated: boolean;
  cores: number;
  /** Worker threads in the rayon pool; 0 without isolation. */
  poolThreads: number;
  /** Why there is no pool, when there is none. */
  poolError?: string;
  /** Every demo's spec and the engine that runs it (this engine runs some of them). */
  schema: SchemaEntry[];
  /** The shared wasm memory (only when isolated) and where its control block lives. */
  memory?: WebAssembly.Memory;
  controlAddress: number;
  /** Where the live feed of events is: [length word address, first byte address, capacity,
   *  address of the word counting events that did not fit]. */
  feed: [number, number, number, number];
  /** Milliseconds the engine took to load the module and start its pool. */
  startupMs: number;
  /** Caps the page applies before it touches text from a URL (crate/src/demos/mod.rs `limits`). */
  limits: Limits;
}

export type Message =
  | { type: 'ready'; info: ReadyInfo }
  | { type: 'reply'; id: number; envelope: Envelope }
  | { type: 'fatal'; message: string };

// The schema of demo inputs and capabilities, and the page's limits: generated from the
// Rust structs (crate/src/params/, crate/src/demos/mod.rs) into www/src/generated/.
export type { DemoSpec } from '../generated/DemoSpec';
export type { SchemaEntry } from '../generated/SchemaEntry';
export type { ParamSpec } from '../generated/ParamSpec';
export type { Caps } from '../generated/Caps';
export type { Limits } from '../generated/Limits';
import type { SchemaEntry } from '../generated/SchemaEntry';
import type { Limits } from '../generated/Limits';
