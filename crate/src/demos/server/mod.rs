//! Chapter 18: a server from scratch, under real load. Clients on pool workers send echo,
//! calculator and Fibonacci requests over simulated sockets ([`ring`]: a connection is two
//! byte rings in the shared memory) to one of three servers:
//!
//! - `blocking`: one thread serving one connection at a time, to its end (the book's echo
//!   and calculator servers); the other clients wait, connected but unserved;
//! - `threads`: a thread per connection, each on a pool worker of its own;
//! - `reactor`: one thread over every connection, asking each turn which are ready as
//!   `select()` does, with a small state machine per connection (the book's reactor with
//!   generators as callbacks).
//!
//! The run lasts `duration` ms, then every client stops sending, closes its end and reads on
//! to end of file; every run stops by itself. Each client checks each reply against its own
//! expected value, so "answered" means answered once, to the right request, correctly.

mod calc;
mod load;
mod outcome;
mod ring;
mod run;
mod serve;
mod steps;
mod summary;
#[cfg(test)]
mod tests;

pub use load::{fib_table, Plan};
pub use outcome::{FibExperiment, Latency, Outcome, PerClient, Sweep, SweepPoint};
pub use run::{run, SWEEP_MS};
pub use serve::{fib, handle, Loop, Tick};
pub use summary::Summary;

use super::{DemoError, Env};
use crate::control::Control;
use crate::demos::{stepper::Fit, Demo};
use crate::live::Feed;
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Switch, Threads};
use crate::sched::Program;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "server/"))]
    /// How the server serves its connections.
    pub enum Variant { Blocking = "blocking", Threads = "threads", Reactor = "reactor" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "server/"))]
    /// What the clients send.
    pub enum Load { Mixed = "mixed", Fib = "fib" }
}

/// Bins of the fast-requests-per-second timeline.
pub const BINS: usize = 20;

const NEEDS_POOL: &str = "the clients and the server block on their sockets, so each needs a thread of its own, which needs a cross-origin isolated page; the step-through shows the same servers";
const EACH: &str = ", and each client and each server thread needs one of its own";

pub const SPEC: DemoSpec = DemoSpec {
    id: "server",
    chapter: 18,
    also: &[],
    nav: "A server from scratch",
    title: "A server from scratch",
    summary: "Clients on real threads send echo, calculator and Fibonacci requests over simulated sockets to a blocking server, a thread per connection, or a select() reactor: requests per second, latency percentiles, the ready set of every loop turn, and what one fib(30) does to everyone else.",
    params: &[
        ParamSpec {
            name: "server",
            label: "Server",
            help: "blocking: one connection at a time; threads: a thread per connection; reactor: one thread polling every connection, as select() does",
            kind: Kind::Choice { values: Variant::WORDS },
            default: "reactor",
        },
        ParamSpec { name: "clients", label: "Clients", help: "Client threads, each with one connection", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        ParamSpec {
            name: "load",
            label: "Load",
            help: "mixed: every client cycles through echo, calc and fib(18); fib: client 1 switches to fib(n) a third of the way in, the others send fast requests",
            kind: Kind::Choice { values: Load::WORDS },
            default: "mixed",
        },
        ParamSpec { name: "fib", label: "fib(n)", help: "The slow request of the fib load: the book's recursive fib, fib(30) is 1.6 million calls", kind: Kind::Int { min: 20, max: 35 }, default: "30" },
        ParamSpec { name: "duration", label: "Duration (ms)", help: "How long the clients send; then they stop and wait for their last replies", kind: Kind::Int { min: 100, max: 5000 }, default: "1000" },
        ParamSpec {
            name: "sweep",
            label: "Sweep",
            help: "on: after the run, every server at 1 to the chosen number of clients, the mixed load, 400 ms each (those the pool has room for)",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "off",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::ByChoice {
            choice: "server",
            cases: &[
                ("blocking", Threads::Sum { inputs: &["clients"], extra: 1, what: "clients + 1 server thread", why: EACH, needs_pool: Some(NEEDS_POOL) }),
                ("threads", Threads::Sum { inputs: &["clients", "clients"], extra: 0, what: "clients + one server thread per client", why: EACH, needs_pool: Some(NEEDS_POOL) }),
                ("reactor", Threads::Sum { inputs: &["clients"], extra: 1, what: "clients + 1 reactor thread", why: EACH, needs_pool: Some(NEEDS_POOL) }),
            ],
        },
        no_pool: None,
    },
};

/// Chapter 18's demo in the registry.
pub struct ServerDemo;

impl Demo for ServerDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, _computed: Option<&()>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}
