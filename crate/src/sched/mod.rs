//! The deterministic step-through scheduler that the synchronization demos (tagged \[S\] in
//! the chapter plan) run on.
//!
//! A [`Program`] is a few shared variables, locks, queues and condition variables, and
//! threads that are lists of explicit [`Instr`] steps. A [`Machine`] runs it one step at a
//! time, stepping whichever thread it is told to: a learner clicking a lane, the seeded
//! [`RandomScheduler`], or an explorer trying every order. There are no real threads and no
//! clock, so the same choices give the same run, natively and in wasm.
//!
//! Map:
//! - [`instr`]: the instruction set; one instruction is one indivisible step.
//! - [`program`]: the program model and its validation ([`ProgramError`]).
//! - [`machine`]: the state, [`Machine::runnable`], [`Machine::step`], done and deadlocked.
//! - [`blocked`]: why a thread cannot step and whom it waits for (the wait-for picture).
//! - [`event`]: what a step did.
//! - [`trace`]: the chosen threads as a list, its URL text `0.0.1`, [`replay`], and undo.
//! - [`random`]: SplitMix64 and the seeded random scheduler.
//! - [`examples`]: the book's programs (countdown, lost update, deadlock, queue, leaked lock,
//!   dining philosophers).
//! - [`chapter16`]: ABA on a Treiber stack and a reader racing a delete, built from [`ops`].
//! - [`ops`]: a thread as operations, their atomic twin, and the linearizability check.
//! - [`assertion`]: a claim about the shared variables at the end of a run, `counter == 2`.
//! - [`tso`]: litmus programs and the outcomes SC and x86-TSO (store buffers) allow.
//! - [`mod@explore`]: every interleaving of a program, counted, with its final states and a
//!   shortest counterexample.
//!
//! **Invariant: a run is a function of (program, trace).** Every step is deterministic, so
//! [`replay`] rebuilds any state, [`Machine::undo`] is a replay of one step fewer, and a URL
//! with a program id and a trace reproduces what a learner saw.

pub mod assertion;
pub mod blocked;
pub mod chapter16;
pub mod event;
pub mod examples;
pub mod explore;
pub mod instr;
pub mod machine;
pub mod ops;
pub mod program;
pub mod random;
pub mod trace;
pub mod tso;

pub use blocked::{BlockReason, Blocked};
pub use event::{Action, Event};
pub use assertion::{Assertion, AssertionError};
pub use explore::{explore, explore_watched, Count, Counting, Exploration, FinalState, Halt, Limits, Outcome};
pub use instr::{Cmp, Instr, Operand};
pub use machine::{Line, Machine, RunStatus, State, StepError, ThreadState, ThreadStatus};
pub use program::{CondSpec, Program, ProgramError, ProgramSpec, QueueSpec, Slot, ThreadId, ThreadSpec};
pub use random::{run_random, RandomScheduler, SplitMix64};
pub use trace::{replay, ReplayError, Trace, TraceError, MAX_TRACE_LEN};
