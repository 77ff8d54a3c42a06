// The shapes this page reads from the eventloop demo, in one place: the types that cargo test
// writes from the Rust structs into www/src/generated/eventloop/, re-exported so the view's
// files name them once.

export type { Channel } from '../../../generated/eventloop/Channel';
export type { Client } from '../../../generated/eventloop/Client';
export type { Event } from '../../../generated/eventloop/Event';
export type { LoopState } from '../../../generated/eventloop/LoopState';
export type { Outcome } from '../../../generated/eventloop/Outcome';
export type { PerTask } from '../../../generated/eventloop/PerTask';
export type { Schedule } from '../../../generated/eventloop/Schedule';
export type { Span } from '../../../generated/eventloop/Span';
export type { TaskState } from '../../../generated/eventloop/TaskState';
export type { Trace } from '../../../generated/eventloop/Trace';
