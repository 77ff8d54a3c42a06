// Every demo's page code, by id, loaded when the demo opens: each line is a dynamic import,
// so a first visit fetches the code and highlighted snippets of one demo only. Adding a demo
// is its folder and one line here (its Rust side is one line in crate/src/demos/mod.rs).

import type { DemoUnit } from '../demo-module';

export const VIEWS: Record<string, () => Promise<{ default: DemoUnit }>> = {
  concurrency: () => import('./concurrency'),
  amdahl: () => import('./amdahl'),
  threads: () => import('./threads'),
  lock: () => import('./lock'),
  queue: () => import('./queue'),
  pool: () => import('./pool'),
  guard: () => import('./guard'),
  requests: () => import('./requests'),
  processes: () => import('./processes'),
  reduction: () => import('./reduction'),
  images: () => import('./images'),
  deadlock: () => import('./deadlock'),
  starvation: () => import('./starvation'),
  race: () => import('./race'),
  gil: () => import('./gil'),
  structures: () => import('./structures'),
  atomics: () => import('./atomics'),
  explorer: () => import('./explorer'),
  eventloop: () => import('./eventloop'),
  server: () => import('./server'),
  scheduler: () => import('./scheduler'),
};
