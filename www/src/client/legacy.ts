// Transitional: a demo whose page code still has the old shape (one object with `mount`,
// state in module globals, its summary built here) is wrapped into a DemoUnit. Each demo
// moves off it as its folder is finished; the file goes when the last one has.

import type { ReadyInfo, RawParams } from '../shared/protocol';
import type { Computed, DemoContext, DemoInstance, DemoUnit } from './demo-module';
import type { Snippet } from './snippets-view';

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


/** A DemoInstance that still builds its own `data-result`. */
export interface LegacyInstance extends DemoInstance {
  legacySummary(value: unknown, result: unknown, params: Computed<unknown>['params']): unknown;
}

export function legacy(mod: DemoModule<any, any>, snippet?: Snippet): DemoUnit {
  return {
    runLabel: mod.runLabel,
    notes: mod.notes,
    snippet,
    create(ctx, area): LegacyInstance {
      mod.mount(ctx, area);
      return {
        computed: mod.computed && ((v, p) => mod.computed!(ctx, v, p)),
        live: mod.live && ((e, a) => mod.live!(ctx, e, a)),
        result: (r, a) => mod.result(ctx, r, a),
        shareParams: mod.shareParams && (() => mod.shareParams!()),
        progressText: mod.progressText && ((d, t) => mod.progressText!(d, t)),
        legacySummary: (v, r, p) => mod.summary(v, r, p),
      };
    },
  };
}
