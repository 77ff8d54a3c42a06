//! Chapter 19: the interleaving explorer. Every schedule of one of the step-through programs
//! (the lost update, the locks, the dining philosophers, the chapter 3-4 programs), tried by
//! [`crate::sched::explore()`]: the final states and how many interleavings reach each, the
//! interleavings that deadlock or break the program's assertion, and a shortest
//! counterexample that the step-through view below can replay.
//!
//! The exploration is pure and takes milliseconds for the classics, so it runs in
//! [`super::compute`], in the engine worker, as the inputs change: no Run button. The state
//! limit bounds the big configurations (eight threads, eight philosophers), which take
//! seconds: those report how many states they explored through the shared control block,
//! stop as soon as newer inputs replace them, and can be cancelled ([`compute_watched`]).

pub mod fuzzing;
mod steps;
pub(crate) mod summary;

pub use summary::Summary;

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::control::{Control, Standing};
use crate::demos::DemoError;
use crate::params::{Caps, Choice, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::sched::explore::fuzz::{Fuzzed, Strategy};
use crate::sched::explore::{explore_keeping, interleavings_of, Count};
use crate::sched::ops::{linearizability, Linearizability};
use crate::sched::{chapter16, examples, explore_watched, Assertion, Cmp, Exploration, Halt, Limits, Outcome, Program};
use serde::Serialize;
use crate::sync::{AtomicU32, Ordering::Relaxed};
use crate::sync::Arc;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "explorer/"))]
    /// The program explored: one of the book's step-through programs (the same words as
    /// [`examples::IDS`]).
    pub enum Example {
        Countdown = "countdown",
        CountdownLocked = "countdown-locked",
        LostUpdate = "lost-update",
        LockedIncrement = "locked-increment",
        OppositeLocks = "opposite-locks",
        SameOrderLocks = "same-order-locks",
        ProducerConsumer = "producer-consumer",
        LeakedLock = "leaked-lock",
        Philosophers = "philosophers",
        PhilosophersOrdered = "philosophers-ordered",
        TreiberAba = "treiber-aba",
        TreiberFresh = "treiber-fresh",
        DictDelete = "dict-delete",
        DictCopy = "dict-copy",
    }
}

pub const SPEC: DemoSpec = DemoSpec {
    id: "explorer",
    chapter: 19,
    also: &[],
    nav: "Interleaving explorer",
    title: "Interleaving explorer",
    summary: "Every schedule of a small program, tried: the final states it can reach and how many interleavings reach each, the ones that deadlock or break the assertion, and the shortest of them to replay step by step.",
    params: &[
        ParamSpec {
            name: "program",
            label: "Program",
            help: "One of the step-through programs: lost-update, locked-increment, opposite-locks, philosophers, treiber-aba, dict-delete, …",
            kind: Kind::Choice { values: Example::WORDS },
            default: "lost-update",
        },
        ParamSpec {
            name: "threads",
            label: "Threads",
            help: "How many threads increment the counter (lost-update and locked-increment)",
            kind: Kind::Int { min: 2, max: 8 },
            default: "2",
        },
        ParamSpec {
            name: "k",
            label: "Philosophers",
            help: "How many philosophers (and forks) sit at the table (philosophers and philosophers-ordered)",
            kind: Kind::Int { min: 2, max: 8 },
            default: "5",
        },
        ParamSpec {
            name: "strategy",
            label: "Fuzzer",
            help: "How the schedule fuzzer picks each next thread: naive (any runnable one, evenly), pct (random priorities, changed at random steps) or uniform (weighted by the interleavings below each choice)",
            kind: Kind::Choice { values: Strategy::WORDS },
            default: "pct",
        },
        ParamSpec {
            name: "schedules",
            label: "Schedules",
            help: "How many random schedules the fuzzer runs with each strategy",
            kind: Kind::Int { min: 1, max: 100_000 },
            default: "1000",
        },
        ParamSpec {
            name: "seed",
            label: "Seed",
            help: "The fuzzer's seed: the same seed gives the same schedules",
            kind: Kind::Int { min: 0, max: 4_294_967_295 },
            default: "1",
        },
        ParamSpec {
            name: "depth",
            label: "PCT depth",
            help: "The bug depth d that PCT aims at: d - 1 priority changes per schedule (the lost update needs 2)",
            kind: Kind::Int { min: 1, max: 5 },
            default: "2",
        },
        ParamSpec {
            name: "limit",
            label: "State limit",
            help: "The explorer stops after visiting this many distinct states and says how far it got",
            kind: Kind::Int { min: 10, max: 500_000 },
            default: "200000",
        },
    ],
    caps: Caps { instant: true, steppable: true, live: false, threads: ThreadsNeed::None, no_pool: None },
};

/// One row of "why the count grows so fast": independent threads of `steps` steps each.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[derive(Debug, Clone, Serialize)]
pub struct Growth {
    pub steps: u32,
    /// Interleavings of 2, 3 and 4 such threads: (k·n)! / n!^k (C(2n, n) for two). `None`
    /// past 2^128.
    pub interleavings: [Option<Count>; 3],
    /// States a cache visits for them: (n + 1)^k, one per combination of program counters.
    pub states: [u64; 3],
}

/// What the page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "explorer/"))]
pub struct Report {
    pub program_id: &'static str,
    pub program: String,
    /// The inputs that shaped this program (`threads`, `k`), for the page to mention.
    pub uses: &'static [&'static str],
    #[serde(flatten)]
    pub exploration: Exploration,
    /// For programs made of operations (an increment, a push, a pop, a lookup): whether
    /// every interleaving's result is one that the operations give one at a time.
    pub linearizability: Option<Linearizability>,
    pub growth: Vec<Growth>,
    pub explanation: String,
    /// The schedule fuzzer's runs beside the exhaustive counts.
    pub fuzzing: Fuzzing,
    /// Which exploration of this engine this is (1 for the first): the page's tests tell from
    /// it that inputs replaced while queued were never explored.
    pub nth: u32,
}

/// The schedule fuzzer's part of the report: each strategy's runs with the same seed and
/// schedule count, the one the inputs chose first.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "explorer/"))]
#[derive(Debug, Clone, Serialize)]
pub struct Fuzzing {
    pub strategy: Strategy,
    pub seed: u64,
    pub depth: usize,
    /// PCT's `k`: the steps its change points are drawn from.
    pub steps: usize,
    /// The chosen strategy's runs; `None` for uniform without exact counts (see `unavailable`).
    pub chosen: Option<Fuzzed>,
    /// Every strategy that could run, naive, PCT, uniform.
    pub runs: Vec<Fuzzed>,
    /// Why the uniform sampler did not run, if it did not.
    pub unavailable: Option<String>,
    /// The chosen strategy's rate beside the exhaustive count, in a sentence.
    pub headline: String,
    /// Cancel stopped the fuzzer (or the exploration before it): `runs` are partial.
    pub cancelled: bool,
    /// Why the naive rate is not the share of failing interleavings, with this program's numbers.
    pub why: Option<String>,
    /// Where the fuzzer runs.
    pub host: &'static str,
}

/// Explorations started by this engine (a process natively).
static STARTED: AtomicU32 = AtomicU32::new(0);

/// The program chosen by the inputs, its assertion, and the inputs that shaped it. The
/// step-through view (`stepper::program_for`) shows the same program, so traces fit it.
pub fn program(p: &Params) -> (Program, Option<Assertion>, &'static [&'static str]) {
    let threads = p.int("threads") as usize;
    let k = p.int("k") as usize;
    let all_counted = || Some(Assertion::new("counter", Cmp::Eq, threads as i64));
    match p.pick::<Example>("program") {
        Example::LostUpdate => (examples::lost_update(threads), all_counted(), &["threads"]),
        Example::LockedIncrement => (examples::locked_increment(threads), all_counted(), &["threads"]),
        Example::Philosophers => (examples::philosophers(k, false), None, &["k"]),
        Example::PhilosophersOrdered => (examples::philosophers(k, true), None, &["k"]),
        Example::Countdown => (examples::countdown(false), None, &[]),
        Example::CountdownLocked => (examples::countdown(true), None, &[]),
        Example::OppositeLocks => (examples::opposite_order_locks(), None, &[]),
        Example::SameOrderLocks => (examples::same_order_locks(), None, &[]),
        Example::ProducerConsumer => (examples::producer_consumer(4, 2), None, &[]),
        Example::LeakedLock => (examples::leaked_lock(), None, &[]),
        Example::TreiberAba => (chapter16::treiber(true, false), Some(chapter16::treiber_assertion()), &[]),
        Example::TreiberFresh => (chapter16::treiber(false, false), Some(chapter16::treiber_assertion()), &[]),
        Example::DictDelete => (chapter16::dict_race(false, false), Some(chapter16::dict_assertion()), &[]),
        Example::DictCopy => (chapter16::dict_race(true, false), Some(chapter16::dict_assertion()), &[]),
    }
}

/// The sequential twin of a program made of operations: the same operations, each one step
/// to the other threads (see `sched::ops`). `None` for programs that are not about an object.
fn sequential_twin(p: &Params) -> Option<Program> {
    Some(match p.pick::<Example>("program") {
        // Each thread's one operation is `counter += 1`; done atomically, it is the locked one.
        Example::LostUpdate => examples::locked_increment(p.int("threads") as usize),
        Example::TreiberAba => chapter16::treiber(true, true),
        Example::TreiberFresh => chapter16::treiber(false, true),
        Example::DictDelete => chapter16::dict_race(false, true),
        Example::DictCopy => chapter16::dict_race(true, true),
        _ => return None,
    })
}

pub fn compute(p: &Params) -> Report {
    compute_watched(p, &Control::new(), 0).expect("a compute with no ticket is never replaced")
}

/// [`compute`] for the page's compute `ticket` (0: none, see `control.rs`, "Latest wins"):
/// progress goes to `ctl` every few thousand states; the search stops with
/// `Err(Superseded)` once a newer compute was asked for, and after Cancel it reports the part
/// explored (`cancelled`, counts "at least").
pub fn compute_watched(p: &Params, ctl: &Control, ticket: u32) -> Result<Report, DemoError> {
    let (program, assertion, uses) = program(p);
    let name = program.name.clone();
    let limit = p.int("limit") as usize;
    let nth = STARTED.fetch_add(1, Relaxed) + 1;
    ctl.set_explored(0, limit as u32);
    let mut watch = |states: usize| {
        ctl.set_explored(states as u32, limit as u32);
        match ctl.standing(ticket) {
            Standing::Current => None,
            Standing::Superseded => Some(Halt::Abandon),
            Standing::Cancelled => Some(Halt::Cancel),
        }
    };
    let limits = Limits { max_states: limit };
    let program = Arc::new(program);
    let (exploration, tree) = explore_keeping(&program, assertion.as_ref(), limits, &mut watch).ok_or(DemoError::Superseded)?;
    // The twin has far fewer states than the program (its operations cannot overlap), so it
    // is explored within the same limit, quickly: its watch gives up for newer inputs but
    // leaves the progress shown, and a Cancel, to the program's own search.
    let linearizability = match sequential_twin(p) {
        Some(twin) => {
            let mut superseded = |_| (ctl.standing(ticket) == Standing::Superseded).then_some(Halt::Abandon);
            let sequential = explore_watched(&Arc::new(twin), assertion.as_ref(), limits, &mut superseded).ok_or(DemoError::Superseded)?;
            Some(linearizability(&exploration, &sequential))
        }
        None => None,
    };
    let fuzzing = if exploration.cancelled {
        // Cancel stops the whole compute: no fuzzing after a cancelled exploration.
        fuzzing::skipped(p, &exploration, &program, "The exploration was cancelled, so the fuzzer did not run.")
    } else {
        fuzzing::fuzz_all(p, &program, assertion.as_ref(), &exploration, tree.as_ref(), ctl, ticket)?
    };
    let mut explanation = explain(&exploration);
    if let Some(l) = &linearizability {
        explanation.push(' ');
        explanation.push_str(&explain_linearizability(l));
    }
    Ok(Report { program_id: p.pick::<Example>("program").word(), program: name, uses, exploration, linearizability, growth: growth(), explanation, fuzzing, nth })
}

/// The table of "why that count grows so fast".
pub fn growth() -> Vec<Growth> {
    [1u32, 2, 3, 4, 5, 10]
        .into_iter()
        .map(|n| Growth {
            steps: n,
            interleavings: [2, 3, 4].map(|k| interleavings_of(&vec![n; k]).map(Count)),
            states: [2u32, 3, 4].map(|k| u64::from(n + 1).pow(k)),
        })
        .collect()
}

/// One sentence on the linearizability check.
fn explain_linearizability(l: &Linearizability) -> String {
    let orders = l.orders.map_or("the".to_string(), |n| n.to_string());
    let results = if l.sequential.len() == 1 { "1 result".to_string() } else { format!("{} results", l.sequential.len()) };
    match (&l.witness, l.complete) {
        (None, true) => format!(
            "Done one at a time, in the {orders} orders each thread's own order allows, the operations give {results}; every interleaving ends in one of them, so this history is linearizable."
        ),
        (None, false) => format!(
            "Done one at a time, the operations give {results}; every interleaving explored ends in one of them (the search stopped early, so this is no proof)."
        ),
        (Some(w), _) => format!(
            "Done one at a time, in the {orders} orders each thread's own order allows, the operations give {results}; {} interleavings end in a result none of them gives, so the object is not linearizable. The shortest, in {} steps, ends with {}.",
            l.not_matching.map_or("some".to_string(), |n| n.to_string()),
            w.steps,
            w.summary
        ),
    }
}

/// One paragraph on what was found.
fn explain(e: &Exploration) -> String {
    let count = |c: Option<Count>| c.map_or("infinitely many".to_string(), |c| c.to_string());
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let mut text = match e.interleavings {
        Some(total) => format!(
            "{}{} interleaving{} of {}, counted through {} distinct states",
            if e.complete { "" } else { "At least " },
            total,
            if total.0 == 1 { "" } else { "s" },
            e.threads.join(", "),
            Count(e.states as u128),
        ),
        None => format!(
            "Some schedules of {} come back to a state they were in (a loop that can spin forever), so there are \
             infinitely many interleavings; {} distinct states",
            e.threads.join(", "),
            Count(e.states as u128),
        ),
    };
    text.push_str(&format!(", reach {}.", plural(e.final_states_total, "final state", "final states")));
    let bad = [
        (e.by_outcome.deadlock, Outcome::Deadlock, "deadlock"),
        (e.by_outcome.broken, Outcome::Broken, "break the assertion"),
        (e.by_outcome.failed, Outcome::Failed, "end in an error"),
    ];
    // Uncounted (a program that can loop): say "infinitely many" for the outcomes that occur.
    let found = |o: Outcome| e.final_states.iter().any(|f| f.outcome == o);
    let bad: Vec<String> = bad
        .iter()
        .filter(|&&(c, o, _)| c.map_or_else(|| found(o), |c| c.0 > 0))
        .map(|(c, _, what)| format!("{} {what}", count(*c)))
        .collect();
    match (&e.counterexample, bad.is_empty()) {
        (None, _) if e.complete => text.push_str(&match &e.assertion {
            Some(a) => format!(" In every one of them {a} holds and nothing deadlocks."),
            None => " None of them deadlocks or fails.".to_string(),
        }),
        (None, _) => text.push_str(" None of those found deadlocks or fails, which proves nothing about the rest."),
        (Some(c), _) => text.push_str(&format!(
            " Of these, {}. The shortest counterexample{} takes {} steps.",
            bad.join(", "),
            if e.complete { "" } else { " found so far" },
            c.steps
        )),
    }
    text
}


/// Chapter 19's demo in the registry.
pub struct ExplorerDemo;

impl Demo for ExplorerDemo {
    type Computed = Report;
    type Outcome = Report;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, ctl: &Control, ticket: u32) -> Result<Report, DemoError> {
        compute_watched(p, ctl, ticket)
    }

    fn cancelled(&self, r: &Report) -> bool {
        r.exploration.cancelled || r.fuzzing.cancelled
    }

    fn run(&self, p: &Params, _env: crate::demos::Env, _ctl: &Control, _feed: &Feed) -> Result<Report, DemoError> {
        Ok(compute(p))
    }

    fn summary(&self, p: &Params, computed: Option<&Report>, outcome: Option<&Report>) -> Summary {
        Summary::new(p, outcome.or(computed))
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}

#[cfg(test)]
mod tests;
