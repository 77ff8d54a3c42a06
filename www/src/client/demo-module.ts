// What a demo's page code provides (how its result looks) and what the demo's frame
// (demo-view.ts) gives it. Each folder under demos/ exports one DemoUnit.

import type { Envelope, RawParams, ReadyInfo } from '../shared/protocol';
import type { Snippet } from './snippets-view';

/** What `compute` answers for every demo (crate/src/demos/mod.rs `Answer`). */
export interface Computed<V, S = unknown> {
  params: Record<string, number | string>;
  ignored: string[];
  value: V;
  /** The compute was cancelled part-way: `value` is what it found before (the explorer). */
  cancelled?: boolean;
  /** What `data-result` says before any run, built in Rust next to the demo's outcome. */
  summary: S;
}

/** What `run` answers (crate/src/demos/mod.rs `RunAnswer`). */
export interface Ran<R, S = unknown> {
  outcome: R;
  /** What `data-result` says after this run. */
  summary: S;
}

export interface DemoContext {
  info: ReadyInfo;
  /** Sets control values (e.g. "the book's example") and recomputes. */
  setParams(values: Record<string, string>): void;
  /** Computes another configuration of this demo without touching the controls. */
  compute<V>(params: RawParams): Promise<Envelope<Computed<V>>>;
  /** Hands the engine a picture the learner chose (decoded with createImageBitmap); the
   *  engine checks its size and keeps it for the runs that read it. */
  attach(bitmap: ImageBitmap): Promise<Envelope<null>>;
  /** Replays a trace (`0.1.1`) step by step in the demo's step-through view, if it has one. */
  replay?(trace: string): void;
}

/**
 * A demo's page code: the default export of `demos/<id>/index.ts`, loaded when the demo
 * opens (demos/registry.ts). What the demo can do (instant, steppable, live, needs a pool)
 * comes from its Rust spec in the schema, not from here.
 */
export interface DemoUnit<V = any, R = any> {
  /** The label of the Run button. */
  runLabel: string;
  /** Sentences on what to notice. */
  notes: string[];
  /** Its code panel (`import snippet from 'virtual:snippets/<id>'`). */
  snippet?: Snippet;
  /**
   * Builds the view once, into `area` (elements shown above the result, e.g. buttons, the
   * calculator). Every piece of state lives in what this returns, never in module globals,
   * so two views of one demo (a page and an embed) never share any.
   */
  create(ctx: DemoContext, area: HTMLElement): DemoInstance<V, R>;
}

/** One live view of a demo, as its unit's `create` built it. */
export interface DemoInstance<V = any, R = any> {
  /** Called with every fresh instant value (after each valid change of the controls). */
  computed?(value: V, params: Computed<V>['params']): void;
  /** Called while a run goes on with events from the live feed (only on an isolated page);
   *  `area` is the result area, emptied when the run starts. */
  live?(events: unknown[], area: HTMLElement): void;
  /** Renders a finished run's outcome (or, for an instant demo, the computed value) into
   *  `area`, which is emptied first. */
  result(result: R, area: HTMLElement): void;
  /**
   * Page keys a shared link carries beyond the inputs, so that it reopens the same view:
   * step-through demos return their interleaving as `[['step', trace]]` (`step` is reserved
   * in crate/src/params/mod.rs PAGE_KEYS). Inputs are always included.
   */
  shareParams?(): RawParams;
  /** The status line while a long compute runs: `done` of at most `total` (the explorer's states). */
  progressText?(done: number, total: number): string;
  /** Stops whatever the view still has going (timers, listeners outside its elements). */
  dispose?(): void;
}

export interface DemoViewOptions {
  /** Embeds: no code panel, notes folded away, a smaller header. */
  compact?: boolean;
  /** Called after every change of the inputs or page keys such as `step` (the embed keeps
   *  its "open in the full playground" link in step). */
  onParams?(params: RawParams, pageParams: RawParams): void;
}

export interface DemoView {
  element: HTMLElement;
  run(): void;
  /** Resolves after the first compute has settled (so `run=1` can follow it). */
  firstCompute: Promise<void>;
  /** Stops the demo's view (its unit's `dispose`). */
  dispose(): void;
}
