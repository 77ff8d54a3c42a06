// The shapes this page reads from the eventloop demo, in one place: the generated types
// (www/src/generated/eventloop/, written by cargo test) are re-exported here, so the view's
// files name them once and a rename in Rust is one line to follow.
// Until the Rust side is merged these are written out from the brief's contract.

export type What = 'spawn' | 'run' | 'await' | 'ready' | 'timer' | 'block' | 'cpu' | 'offload' | 'back' | 'print' | 'done';
export type TaskState = 'new' | 'running' | 'ready' | 'waiting' | 'done';

export interface Event { t: number; task: string; what: What; detail: string }
export interface Span { task: string; from: number; to: number; state: TaskState }
export interface PerTask { name: string; busyMs: number; idleMs: number; scheduledMs: number }
export interface LoopState {
  step: number;
  t: number;
  running: string | null;
  ready: string[];
  timers: { at: number; task: string }[];
  tasks: { name: string; state: TaskState; on: string }[];
  output: string[];
}
export interface Schedule { name: string; order: string[]; totalMs: number; spans: Span[] }
export interface Channel { produced: number[]; consumed: number[]; peak: number }
export interface Client { name: string; sent: number; echoed: number; rttMs: number[] }

export interface Trace {
  program: string;
  blocking: boolean;
  clock: 'virtual';
  tasks: string[];
  events: Event[];
  spans: Span[];
  perTask: PerTask[];
  totalMs: number;
  sequentialMs: number;
  at: number;
  state: LoopState;
  schedules: Schedule[] | null;
  channel: Channel | null;
  echo: Client[] | null;
}

export interface Outcome {
  program: string;
  blocking: boolean;
  clock: 'real';
  speed: number;
  tasks: string[];
  events: Event[];
  spans: Span[];
  perTask: PerTask[];
  totalMs: number;
  virtualMs: number;
  lateMs: { median: number; max: number; count: number };
  threadsUsed: number;
  poolThreads: number[];
  itersPerMs: number;
  offloaded: number;
  explanation: string;
}
