//! Operations, and whether a concurrent object is linearizable in the small.
//!
//! Chapter 16's structures are objects with operations (push, pop, increment, lookup). A
//! thread of such a program is a list of [`Op`]s laid end to end. [`assemble`] lays them out
//! twice over: as they are, where the scheduler may switch between any two steps, and
//! *atomic*, each operation inside `lock`/`unlock` of one lock ([`ATOMIC`]), where it may
//! switch only between operations. The atomic program's interleavings are exactly the
//! sequential orders of the operations that keep each thread's own order: the object's
//! sequential specification, run.
//!
//! [`linearizability`] compares the two explorations by result: the shared variables at the
//! end, which hold what each operation returned (a popped node, a value read). An
//! interleaving whose result no sequential order gives is the proof that the object is not
//! linearizable; if every interleaving's result is one of them, the history checked is.
//!
//! What it does not check: real-time order. Linearizability also asks that an operation that
//! ended before another began come first. In the programs here every thread's operations
//! overlap the others' (they all start together and the threads are tiny), so for the
//! results these programs return the two agree; for longer histories they need not.

use super::explore::{Count, Exploration, FinalState};
use super::instr::Instr;
use serde::Serialize;
use std::collections::BTreeSet;

/// The lock that makes each operation of an atomic program one step, as far as the other
/// threads can see.
pub const ATOMIC: &str = "atomic";

/// One operation of a thread: its name (`pop`) and its steps, whose jump targets count from
/// the operation's first step; a target equal to its length means "the operation returns".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub name: &'static str,
    pub steps: Vec<Instr>,
}

impl Op {
    pub fn new(name: &'static str, steps: impl IntoIterator<Item = Instr>) -> Op {
        Op { name, steps: steps.into_iter().collect() }
    }
}

/// A thread's steps: its operations one after another, each inside `ATOMIC`'s lock and
/// unlock when `atomic` (the program needs that lock then).
pub fn assemble(ops: &[Op], atomic: bool) -> Vec<Instr> {
    let mut out = Vec::new();
    for op in ops {
        if atomic {
            out.push(Instr::lock(ATOMIC));
        }
        let base = out.len();
        for step in &op.steps {
            let mut step = step.clone();
            if let Some(t) = step.target_mut() {
                *t += base;
            }
            out.push(step);
        }
        if atomic {
            out.push(Instr::unlock(ATOMIC));
        }
    }
    out
}

/// Whether every interleaving's result is a result of some sequential order.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Linearizability {
    /// The results the sequential orders give, readably (`top = 2, kept = 3`).
    pub sequential: Vec<String>,
    /// How many sequential orders there are.
    pub orders: Option<Count>,
    /// Interleavings of the concurrent program.
    pub interleavings: Option<Count>,
    /// Those whose result some sequential order gives, and those whose result none does.
    pub matching: Option<Count>,
    pub not_matching: Option<Count>,
    /// A shortest interleaving whose result no sequential order gives.
    pub witness: Option<FinalState>,
    /// Both explorations were complete, so the verdict covers every interleaving.
    pub complete: bool,
    /// Every result explored matches a sequential order.
    pub linearizable: bool,
}

/// Compares the exploration of a concurrent program with that of its atomic twin (the same
/// shared variables, in the same order; see [`assemble`]).
pub fn linearizability(concurrent: &Exploration, sequential: &Exploration) -> Linearizability {
    let allowed: BTreeSet<&Vec<i64>> = sequential.final_states.iter().map(|f| &f.vars).collect();
    let fits = |f: &&FinalState| allowed.contains(&f.vars);
    let sum = |keep: bool| {
        concurrent.interleavings.map(|_| {
            let n = concurrent.final_states.iter().filter(|f| fits(f) == keep).fold(0u128, |n, f| n.saturating_add(f.interleavings.unwrap_or_default().0));
            Count(n)
        })
    };
    let witness = concurrent.final_states.iter().filter(|f| !fits(f)).min_by_key(|f| (f.steps, f.trace.clone())).cloned();
    Linearizability {
        sequential: sequential.final_states.iter().map(|f| f.summary.clone()).collect(),
        orders: sequential.interleavings,
        interleavings: concurrent.interleavings,
        matching: sum(true),
        not_matching: sum(false),
        linearizable: witness.is_none(),
        witness,
        complete: concurrent.complete && sequential.complete && concurrent.final_states_total == concurrent.final_states.len(),
    }
}
