// Written by crate/src/demos/mod.rs (cargo test) from its registry. Do not edit.

/** The wasm engines; the first is started when the page names no demo. */
export const ENGINES = ['primitives', 'hazards', 'io', 'data', 'async', 'memory'] as const;

/** Which engine runs each demo. */
export const ENGINE_OF: Record<string, (typeof ENGINES)[number]> = {
  concurrency: 'primitives',
  amdahl: 'primitives',
  threads: 'primitives',
  lock: 'primitives',
  queue: 'primitives',
  pool: 'primitives',
  guard: 'primitives',
  requests: 'io',
  processes: 'io',
  reduction: 'data',
  images: 'data',
  eventloop: 'async',
  deadlock: 'hazards',
  starvation: 'hazards',
  race: 'primitives',
  gil: 'memory',
  structures: 'memory',
  atomics: 'memory',
  server: 'async',
  explorer: 'hazards',
  scheduler: 'async',
};
