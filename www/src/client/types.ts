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
