// What a demo's page module provides (how its result looks) and what the demo's frame
// (demo-view.ts) gives it. Each file under demos/ exports one DemoModule.

import type { Envelope, RawParams, ReadyInfo } from '../shared/protocol';

/** What `compute` answers for every demo (crate/src/demos/mod.rs). */
export interface Computed<V> {
  params: Record<string, number | string>;
  ignored: string[];
  value: V;
  /** The compute was cancelled part-way: `value` is what it found before (the explorer). */
  cancelled?: boolean;
}

export interface DemoContext {
  info: ReadyInfo;
  /** Sets control values (e.g. "the book's example") and recomputes. */
  setParams(values: Record<string, string>): void;
  /** Computes another configuration of this demo without touching the controls. */
  compute<V>(params: RawParams): Promise<Envelope<Computed<V>>>;
  /** Replays a trace (`0.1.1`) step by step in the demo's step-through view, if it has one. */
  replay?(trace: string): void;
}

export interface DemoModule<V = unknown, R = unknown> {
  id: string;
  /** The label of the Run button. */
  runLabel: string;
  /** Sentences on what to notice. */
  notes: string[];
  /** Built once: elements shown above the result (e.g. buttons, the calculator). */
  mount(ctx: DemoContext, area: HTMLElement): void;
  /** Called with every fresh instant value (after each valid change of the controls). */
  computed?(ctx: DemoContext, value: V, params: Computed<V>['params']): void;
  /** Called while a run goes on with events from the live feed (only on an isolated page);
   *  `area` is the result area, emptied when the run starts. */
  live?(ctx: DemoContext, events: unknown[], area: HTMLElement): void;
  /** Renders a finished run into `area` (which is emptied first). */
  result(ctx: DemoContext, result: R, area: HTMLElement): void;
  /** The outcome as data, for `data-result`. */
  summary(value: V | undefined, result: R | undefined, params: Computed<V>['params']): unknown;
  /** Why Run is not possible here, if it is not (e.g. no threads without isolation). */
  runBlocked?(info: ReadyInfo): string | undefined;
  /**
   * Page keys a shared link carries beyond the inputs, so that it reopens the same view:
   * step-through demos return their interleaving as `[['step', trace]]` (`step` is reserved
   * in crate/src/params.rs PAGE_KEYS). Inputs are always included.
   */
  shareParams?(): RawParams;
  /** The demo has a step-through view on the deterministic scheduler (crate/src/demos/stepper.rs). */
  steppable?: boolean;
  /**
   * The whole result comes from `compute`, as the inputs change (the explorer): there is no
   * Run or Cancel, and `result` renders the computed value into the result region.
   */
  instant?: boolean;
  /** The status line while a long compute runs: `done` of at most `total` (the explorer's states). */
  progressText?(done: number, total: number): string;
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
}
