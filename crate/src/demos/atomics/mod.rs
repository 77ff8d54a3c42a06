//! Chapter 17: memory models and atomics.
//!
//! The book's `n += 1` is three steps (LOAD, ADD, STORE), so threads lose updates; that is
//! atomicity. This demo goes one level down, to ordering: litmus tests (store buffering,
//! message passing, load buffering, IRIW) run many times on the visitor's own CPU, on real
//! pool threads, with plain and with atomic accesses, and every outcome is counted. Beside
//! each count: whether sequential consistency allows it and whether x86-TSO does, both found
//! by trying every schedule of the test on a model machine (`sched::tso`).
//!
//! WebAssembly has one kind of atomic: sequentially consistent. LLVM lowers Rust's
//! `Relaxed`, `Acquire`, `Release` and `SeqCst` loads and stores all to the same
//! `i32.atomic.load` / `i32.atomic.store`, so in the browser every atomic run must show only
//! SC outcomes, whatever the CPU. Plain (volatile) accesses are ordinary loads and stores in
//! the machine code the engine makes, so on x86 they show what TSO allows: store buffering.

mod adds;
mod litmus;
mod summary;

pub use adds::{AddRun, Counted};
pub use litmus::{Access, Test};
pub use summary::Summary;

use super::{DemoError, Env};
use crate::control::Control;
use crate::demos::{stepper::Fit, Demo};
use crate::live::Feed;
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Threads};
use crate::pool::{run_threads, Where};
use crate::sched::tso::{outcome_name, Model};
use crate::sched::Program;
use crate::sync::Mutex;
use litmus::Rendezvous;
use serde::Serialize;
use std::collections::BTreeMap;

const NEEDS_POOL: &str = "a litmus test needs its threads running at the same time, and this page has no thread pool (it is not cross-origin isolated); the allowed outcomes and the step-through still work";

const TWO: Threads = Threads::Sum { inputs: &[], extra: 2, what: "litmus threads", why: "", needs_pool: Some(NEEDS_POOL) };

pub const SPEC: DemoSpec = DemoSpec {
    id: "atomics",
    chapter: 17,
    also: &[],
    nav: "Memory models and atomics",
    title: "Memory models and atomics",
    summary: "Litmus tests on your own CPU: threads store and load two variables millions of times, and every outcome is counted against what sequential consistency and x86-TSO allow.",
    params: &[
        ParamSpec {
            name: "test",
            label: "Litmus test",
            help: "sb: store buffering; mp: message passing; lb: load buffering; iriw: independent reads of independent writes (4 threads)",
            kind: Kind::Choice { values: Test::WORDS },
            default: "sb",
        },
        ParamSpec { name: "access", label: "Accesses", help: "plain: volatile loads and stores; atomic: SeqCst atomics", kind: Kind::Choice { values: Access::WORDS }, default: "plain" },
        ParamSpec { name: "iterations", label: "Iterations", help: "How many times the threads meet and run the test", kind: Kind::Int { min: 1, max: 2_000_000 }, default: "100000" },
        ParamSpec {
            name: "adds",
            label: "n += 1 per thread",
            help: "Increments each of 2 threads makes in the n += 1 contrast after the litmus test (0 = skip it)",
            kind: Kind::Int { min: 0, max: 1_000_000 },
            default: "100000",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::ByChoice {
            choice: "test",
            cases: &[
                ("sb", TWO),
                ("mp", TWO),
                ("lb", TWO),
                ("iriw", Threads::Sum { inputs: &[], extra: 4, what: "litmus threads", why: " (IRIW needs 4)", needs_pool: Some(NEEDS_POOL) }),
            ],
        },
        no_pool: Some(NEEDS_POOL),
    },
};

/// Whether the models allow an outcome, and whether this run saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "atomics/"))]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Allowed under SC: some interleaving gives it.
    Sc,
    /// Allowed under TSO only (store buffering), and seen.
    TsoSeen,
    /// Allowed under TSO only, not seen in this run.
    TsoNotSeen,
    /// Forbidden by both models, never seen.
    Forbidden,
    /// Forbidden by both models and seen: a bug, or a machine weaker than TSO.
    ForbiddenSeen,
}

/// One possible outcome of the test, with its count.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub name: String,
    pub count: u64,
    pub sc: bool,
    pub tso: bool,
    /// The outcome the test is named for.
    pub weak: bool,
    pub verdict: Verdict,
}

/// The outcome sets of the models, by name.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
pub struct Allowed {
    pub sc: Vec<String>,
    pub tso: Vec<String>,
}

/// The instant part: the test's code and allowed sets, and the counted `n += 1` cases.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct Models {
    pub test: Test,
    pub code: Vec<&'static str>,
    pub weak: String,
    pub allowed: Allowed,
    pub counted: Vec<Counted>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub test: Test,
    pub access: Access,
    pub threads: usize,
    pub threads_used: usize,
    pub iterations: u32,
    #[cfg_attr(test, ts(type = "Record<string, number>"))]
    pub outcomes: BTreeMap<String, u64>,
    pub rows: Vec<Row>,
    pub allowed: Allowed,
    pub wall_ms: f64,
    pub add: Option<AddRun>,
    pub explanation: String,
}

pub fn allowed(test: Test) -> Allowed {
    let l = test.litmus();
    let names = |m| l.allowed(m).iter().map(|r| outcome_name(r)).collect();
    Allowed { sc: names(Model::Sc), tso: names(Model::Tso) }
}

pub fn model(p: &Params) -> Models {
    let test = p.pick::<Test>("test");
    Models {
        test,
        code: test.code().to_vec(),
        weak: outcome_name(test.weak()),
        allowed: allowed(test),
        counted: adds::CASES.iter().map(|&(t, n)| adds::counted(t, n)).collect(),
    }
}

/// Every register combination of `test`, in the order of their bits (r0 lowest).
fn all_names(test: Test) -> Vec<String> {
    let regs = test.litmus().regs;
    (0..1u32 << regs).map(|bits| outcome_name(&(0..regs).map(|r| ((bits >> r) & 1) as u8).collect::<Vec<_>>())).collect()
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let test = p.pick::<Test>("test");
    let access = p.pick::<Access>("access");
    let iterations = p.int("iterations") as u32;
    let times = p.int("adds") as u32;
    let k = test.threads();
    if env.pool_threads == 0 {
        // The registry refuses this before it gets here (NEEDS_POOL); never run the
        // rendezvous on one thread, where the first thread would wait for itself forever.
        return Err(DemoError::Invalid(vec![crate::params::ParamError { param: String::new(), message: NEEDS_POOL.into() }]));
    }
    ctl.begin(iterations / litmus::CHUNK + k as u32 + if times > 0 { 4 } else { 0 });
    let place = Where::Pool(k);
    let meet = Rendezvous::new(k);
    let regs: Mutex<Vec<Vec<u8>>> = Mutex::new(vec![Vec::new(); k]);
    let r = run_threads(place, k, ctl, |t, _| {
        let mine = meet.race(test, access, t, iterations, ctl)?;
        regs.lock().unwrap_or_else(|e| e.into_inner())[t] = mine;
        Ok(())
    })?;
    let regs = regs.into_inner().unwrap_or_else(|e| e.into_inner());
    let names = all_names(test);
    let mut counts = vec![0u64; names.len()];
    for i in 0..iterations as usize {
        let bits = regs.iter().fold(0u8, |acc, t| acc | t[i]);
        counts[bits as usize] += 1;
    }
    let add = if times > 0 { Some(adds::race(Where::Pool(2), times, ctl)?) } else { None };
    let allowed = allowed(test);
    let weak = outcome_name(test.weak());
    let rows: Vec<Row> = names
        .iter()
        .zip(&counts)
        .map(|(name, &count)| {
            let sc = allowed.sc.contains(name);
            let tso = allowed.tso.contains(name);
            let verdict = match (sc, tso, count > 0) {
                (true, _, _) => Verdict::Sc,
                (false, true, true) => Verdict::TsoSeen,
                (false, true, false) => Verdict::TsoNotSeen,
                (false, false, false) => Verdict::Forbidden,
                (false, false, true) => Verdict::ForbiddenSeen,
            };
            Row { name: name.clone(), count, sc, tso, weak: *name == weak, verdict }
        })
        .collect();
    let outcomes = rows.iter().map(|r| (r.name.clone(), r.count)).collect();
    let explanation = explain(test, access, &rows, add.as_ref());
    Ok(Outcome { test, access, threads: k, threads_used: r.threads_used(), iterations, outcomes, rows, allowed, wall_ms: r.wall_ms, add, explanation })
}

fn explain(test: Test, access: Access, rows: &[Row], add: Option<&AddRun>) -> String {
    let mut parts = Vec::new();
    let weak = rows.iter().find(|r| r.weak).expect("every test has its weak outcome");
    let bad: Vec<&Row> = rows.iter().filter(|r| r.verdict == Verdict::ForbiddenSeen || (access == Access::Atomic && !r.sc && r.count > 0)).collect();
    if !bad.is_empty() {
        let names: Vec<&str> = bad.iter().map(|r| r.name.as_str()).collect();
        parts.push(format!(
            "WARNING: {} seen, which {} forbids. That is a bug in this demo, or a machine weaker than the model.",
            names.join(" and "),
            if access == Access::Atomic { "sequential consistency (all wasm atomics)" } else { "x86-TSO" }
        ));
    }
    parts.push(match (test, access, weak.count > 0) {
        (Test::Sb, Access::Plain, true) => format!(
            "Both threads read 0 in {} iterations: each store waited in its CPU's store buffer while the load after it went ahead. No interleaving gives that; x86-TSO allows it.",
            weak.count
        ),
        (Test::Sb, Access::Plain, false) => "The weak outcome (both reads 0) did not show this time. TSO allows it, but it needs both threads inside the same few nanoseconds; try more iterations.".into(),
        (_, Access::Atomic, _) => format!("With atomics, {} never showed: wasm atomics are sequentially consistent, so only outcomes of some interleaving can appear.", weak.name),
        (_, Access::Plain, false) => format!("{} never showed: x86-TSO forbids it (stores leave a CPU in order, and every CPU sees them in one order).", weak.name),
        (_, Access::Plain, true) => format!("{} showed {} times with plain accesses: this CPU is weaker than x86-TSO (an Arm or other relaxed machine allows it).", weak.name, weak.count),
    });
    if let Some(a) = add {
        parts.push(format!(
            "n += 1 on 2 threads: split into LOAD, ADD, STORE it reached {} of {} ({} lost); fetch_add reached {}.",
            a.split,
            a.expected,
            a.expected - a.split.min(a.expected),
            a.atomic
        ));
    }
    parts.join(" ")
}

/// Chapter 17's demo in the registry.
pub struct AtomicsDemo;

impl Demo for AtomicsDemo {
    type Computed = Models;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Models, DemoError> {
        Ok(model(p))
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&Models>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        let threads = fit.int("threads", 2, 2, 3) as usize;
        Some((
            adds::program(threads, 1),
            "n += 1 is LOAD (read), ADD, STORE (write). Put a switch between A's LOAD and its STORE: B loads the same value, and one increment is lost. Try A, B, A, A, B, B.",
        ))
    }
}

#[cfg(test)]
mod tests;
