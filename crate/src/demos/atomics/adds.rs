//! The book's `n += 1`: LOAD, ADD, STORE, three steps another thread can run between.
//!
//! On the stepper it is the scheduler's `read` / `add` / `write` (one instruction each, so a
//! switch can fall between any two); here, every interleaving of a few threads is counted
//! by the explorer, with how many of them lose updates; and on real threads, the same split
//! increment races against one `fetch_add`.

use crate::control::{Cancelled, Control};
use crate::demos::DemoError;
use crate::pool::{run_threads, SpanKind, Where};
use crate::sched::{explore, Assertion, Cmp, Instr, Limits, ProgramSpec, ThreadSpec};
use crate::sync::Arc;
use crate::sync::AtomicU64;
use crate::sync::Ordering::Relaxed;
use serde::Serialize;

/// The small cases counted exhaustively: (threads, increments per thread).
pub const CASES: &[(usize, usize)] = &[(2, 1), (2, 2), (3, 1), (2, 3)];

/// The `n += 1` program: each thread does `increments` of LOAD, ADD, STORE.
pub fn program(threads: usize, increments: usize) -> crate::sched::Program {
    let mut spec = ProgramSpec::new("n += 1").var("n", 0);
    for t in 0..threads {
        let name = char::from(b'A' + t as u8).to_string();
        let steps = (0..increments).flat_map(|_| [Instr::read("n", "tmp"), Instr::add("tmp", 1), Instr::write("n", "tmp")]);
        spec = spec.thread(ThreadSpec::new(&name).local("tmp", 0).steps(steps));
    }
    spec.build().expect("the n += 1 program is valid")
}

/// One small case, every interleaving counted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct Counted {
    pub threads: usize,
    pub increments: usize,
    /// All interleavings (as decimal text: they grow fast).
    pub interleavings: String,
    /// Those that end below threads × increments.
    pub lost: String,
    /// Final values of `n`, each with how many interleavings end there, smallest first.
    pub finals: Vec<(i64, String)>,
    /// A shortest interleaving that loses an update, as a step trace.
    pub example: Option<String>,
}

pub fn counted(threads: usize, increments: usize) -> Counted {
    let program = Arc::new(program(threads, increments));
    let want = (threads * increments) as i64;
    let e = explore(&program, Some(&Assertion::new("n", Cmp::Eq, want)), Limits::default());
    let text = |c: Option<crate::sched::Count>| c.map(|c| c.0.to_string()).unwrap_or_default();
    let mut finals: Vec<(i64, String)> = e.final_states.iter().map(|f| (f.vars[0], text(f.interleavings))).collect();
    finals.sort();
    Counted {
        threads,
        increments,
        interleavings: text(e.interleavings),
        lost: e.by_outcome.broken.map(|c| c.0.to_string()).unwrap_or_else(|| "0".into()),
        finals,
        example: e.counterexample.map(|c| c.trace),
    }
}

/// The real contrast: two threads, `n` increments each, split and atomic.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "atomics/"))]
#[serde(rename_all = "camelCase")]
pub struct AddRun {
    pub expected: u64,
    /// The split LOAD / ADD / STORE total.
    pub split: u64,
    /// The `fetch_add` total.
    pub atomic: u64,
    pub threads_used: usize,
}

// snippet:start atomics
/// `n += 1` as the book's bytecode does it: LOAD, ADD, STORE. Two threads can LOAD the same
/// value, and one STORE then overwrites the other's.
fn split_add(n: &AtomicU64, times: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..times {
        if i % 4096 == 0 {
            ctl.check()?;
        }
        let loaded = n.load(Relaxed); // LOAD
        let added = loaded + 1; // ADD
        n.store(added, Relaxed); // STORE
    }
    Ok(())
}

/// One indivisible read-modify-write: nothing can fall between its read and its write.
fn atomic_add(n: &AtomicU64, times: u32, ctl: &Control) -> Result<(), Cancelled> {
    for i in 0..times {
        if i % 4096 == 0 {
            ctl.check()?;
        }
        n.fetch_add(1, Relaxed);
    }
    Ok(())
}
// snippet:end atomics

pub fn race(place: Where, times: u32, ctl: &Control) -> Result<AddRun, DemoError> {
    let split = AtomicU64::new(0);
    let a = run_threads(place, 2, ctl, |_, rec| rec.span(SpanKind::Work, || split_add(&split, times, ctl)))?;
    let atomic = AtomicU64::new(0);
    let b = run_threads(place, 2, ctl, |_, rec| rec.span(SpanKind::Work, || atomic_add(&atomic, times, ctl)))?;
    Ok(AddRun { expected: 2 * u64::from(times), split: split.into_inner(), atomic: atomic.into_inner(), threads_used: a.threads_used().min(b.threads_used()) })
}
