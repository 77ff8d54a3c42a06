// Result shapes as the Rust core serialises them (crate/src/pool.rs, crate/src/demos/*).

export interface Span {
  lane: number;
  task: number;
  kind: 'work' | 'wait';
  start_ms: number;
  end_ms: number;
}

export interface Run {
  threads: number;
  lanes: number[];
  wall_ms: number;
  spans: Span[];
  order: number[];
}

/** Every time measured for one configuration, with its median and range (crate/src/measure.rs). */
export interface Samples {
  ms: number[];
  median: number;
  min: number;
  max: number;
}

/** How the measured kernel was brought to the browser's optimised tier (crate/src/measure.rs). */
export interface WarmUp {
  rounds: number;
  ms: number;
  first_unit_us: number;
  last_unit_us: number;
  settled: boolean;
}

/** "1.93× (1.85–2.01×)": a speedup from medians, with the range its samples allow. */
export function spreadText(range: [number, number]): string {
  return `${range[0].toFixed(2)}–${range[1].toFixed(2)}×`;
}
