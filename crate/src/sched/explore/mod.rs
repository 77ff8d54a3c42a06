//! The interleaving explorer (chapter 19): every schedule of a step-through [`Program`], the
//! final states they reach and how many reach each, which ones deadlock or break an
//! [`Assertion`], and a shortest counterexample to replay step by step.
//!
//! The algorithm, in four passes over one graph whose nodes are distinct [`State`](super::State)s and whose
//! edges are "thread t takes its next step":
//! 1. **Search** from the start state with a stack of machines (depth first). Each new state
//!    is expanded once: every runnable thread is stepped on a clone. A state seen before is
//!    not expanded again, which is what makes the classics instant: the 2,430,842,120
//!    interleavings of five dining philosophers pass through 2,623 states. Past
//!    [`Limits::max_states`] the search stops, and every count below is of the part explored
//!    ("at least").
//! 2. **Order** (Kahn's algorithm): a topological order of the graph. If some state is never
//!    freed, the graph has a cycle: a schedule comes back to a state it was in (a spin loop,
//!    a livelock), so there are infinitely many schedules and none are counted.
//! 3. **Count** forward in that order: `ways(start) = 1`, and each edge `s → s'` adds
//!    `ways(s)` to `ways(s')`. The ways of an end state is the number of interleavings that
//!    end there; their sum is the number of complete interleavings (the same number as the
//!    memoised `paths(s) = Σ paths(successor)`, `paths(end) = 1`, read from the other side).
//!    Counts are `u128`; one that would overflow saturates and is reported as "at least".
//! 4. **Shortest** (breadth first over the stored edges, threads in id order): the fewest
//!    steps to each end state, so each final state comes with its shortest interleaving, and
//!    the first bad end state met is a shortest counterexample.
//!
//! **The key is the whole state, printed output included.** Two states merge only if they
//! are equal, so merging never changes what can happen next nor what a run printed: the final
//! states (which include the output, the point of chapter 3's countdown) are exact. Leaving
//! output out would merge more (every order of prints would collapse) but would then report
//! one arbitrary output per merged state. The key is a compact byte encoding of the state
//! (see `key.rs`), equal exactly when the states are equal.
//!
//! **No partial-order reduction.** POR skips interleavings that differ only in the order of
//! independent steps, and those are exactly what this explorer counts. The state cache gets
//! most of the saving anyway: independent steps taken in either order reach the same state,
//! so the "diamond" is explored once and counted twice.

pub mod fuzz;
mod graph;
mod key;

use graph::{count, end_state, search, shortest, topological_order};
use super::assertion::Assertion;
use super::program::Program;
use super::trace::replay;
use serde::{Serialize, Serializer};
use std::fmt;
use crate::sync::Arc;

/// How far the search may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Distinct states to visit at most; the search stops before visiting one more.
    pub max_states: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_states: 200_000 }
    }
}

/// Final states listed at most (a program can have more; the total is reported).
pub const MAX_FINAL_STATES: usize = 1000;

/// How often, in new states, the search tells its watch how far it got (and may be halted).
pub const WATCH_EVERY: usize = 1024;

/// Why a watch stops a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// The learner pressed Cancel: report what was found so far ("at least").
    Cancel,
    /// Nobody wants the result any more (newer inputs came): give up at once.
    Abandon,
}

/// How an interleaving ends.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every thread finished, and the assertion (if any) holds.
    Ok,
    /// Every thread finished, and the assertion does not hold.
    Broken,
    /// Every thread has ended, and some ended with an error (e.g. released a lock it did not hold).
    Failed,
    /// Some threads have not finished and none can step.
    Deadlock,
}

/// A number of interleavings. In JSON a decimal string: counts pass 2^53, where a JSON
/// number read by JavaScript would silently round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(type = "string"))]
pub struct Count(pub u128);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// Digits in groups of three: `155,117,520`.
impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(self.0))
    }
}

pub(crate) fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the counts in an [`Exploration`] mean.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Every interleaving, counted exactly.
    Exact,
    /// Lower bounds: the search stopped at its state limit, or a count passed 2^128.
    AtLeast,
    /// Not counted: some schedule returns to a state it was in, so there are infinitely many.
    Unbounded,
}

/// One final state (or several that differ only in the threads' locals) and the
/// interleavings that end in it.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct FinalState {
    pub outcome: Outcome,
    /// The shared state, readably: `counter = 1`, `a held by A, b held by B`.
    pub summary: String,
    /// Why it is bad: who waits for whom, the error, or the assertion that failed.
    pub detail: Vec<String>,
    /// `None` when [`Counting::Unbounded`].
    pub interleavings: Option<Count>,
    /// A shortest interleaving that ends here, as trace text (`0.1.0.0.1.1`).
    pub trace: String,
    /// Its length in steps.
    pub steps: usize,
    #[serde(skip)]
    pub vars: Vec<i64>,
}

/// Interleavings by outcome (`None` when [`Counting::Unbounded`]).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub ok: Option<Count>,
    pub broken: Option<Count>,
    pub failed: Option<Count>,
    pub deadlock: Option<Count>,
}

/// Everything the explorer found.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Exploration {
    /// Thread names by id, to read traces with.
    pub threads: Vec<String>,
    pub assertion: Option<String>,
    /// Distinct states visited.
    pub states: usize,
    /// Steps tried (edges of the state graph).
    pub transitions: usize,
    pub limit: usize,
    /// False when the search stopped at the state limit or was cancelled.
    pub complete: bool,
    /// The learner cancelled the search: the counts are of the part explored.
    pub cancelled: bool,
    /// Some schedule returns to a state it was in (so some schedules never end).
    pub cyclic: bool,
    pub counting: Counting,
    /// Complete interleavings (`None` when [`Counting::Unbounded`]).
    pub interleavings: Option<Count>,
    pub by_outcome: Tally,
    /// The longest complete interleaving, in steps (`None` when cyclic or none was found).
    pub longest: Option<usize>,
    /// The distinct final states found, by shared values (at most [`MAX_FINAL_STATES`]).
    pub final_states: Vec<FinalState>,
    pub final_states_total: usize,
    /// A shortest interleaving that deadlocks, fails or breaks the assertion.
    pub counterexample: Option<FinalState>,
    /// When the search stopped early: how far it got, in a sentence.
    pub stopped: Option<String>,
}

pub fn explore(program: &Arc<Program>, assertion: Option<&Assertion>, limits: Limits) -> Exploration {
    explore_watched(program, assertion, limits, &mut |_| None).expect("an unwatched search is never abandoned")
}

/// [`explore`], telling `watch` the number of states found every [`WATCH_EVERY`] of them
/// (and once at the end). `watch` may halt the search: after [`Halt::Cancel`] the exploration
/// reports the part explored, after [`Halt::Abandon`] there is none (`None`).
pub fn explore_watched(
    program: &Arc<Program>,
    assertion: Option<&Assertion>,
    limits: Limits,
    watch: &mut dyn FnMut(usize) -> Option<Halt>,
) -> Option<Exploration> {
    explore_keeping(program, assertion, limits, watch).map(|(e, _)| e)
}

/// [`explore_watched`], keeping the state graph for the schedule fuzzer ([`fuzz`]): `Some`
/// when every interleaving was counted exactly (complete, acyclic, no count past `u128`), the
/// only case where "uniform over interleavings" and "the naive scheduler's exact odds" mean
/// something.
pub fn explore_keeping(
    program: &Arc<Program>,
    assertion: Option<&Assertion>,
    limits: Limits,
    watch: &mut dyn FnMut(usize) -> Option<Halt>,
) -> Option<(Exploration, Option<fuzz::Tree>)> {
    let graph = search(program, assertion, limits, watch);
    let cancelled = match graph.halted {
        Some(Halt::Abandon) => return None,
        Some(Halt::Cancel) => true,
        None => false,
    };
    let order = topological_order(&graph);
    let cyclic = order.is_none();
    let (counts, longest, saturated) = match &order {
        Some(order) => count(&graph, order),
        None => (vec![0; graph.groups.len()], None, false),
    };
    let (traces, nearest_bad) = shortest(&graph);
    let complete = graph.complete;

    let finals: Vec<FinalState> = graph
        .groups
        .iter()
        .zip(counts)
        .zip(traces)
        .map(|((g, count), trace)| {
            // The words of the state this trace reaches (states of one group share a summary,
            // but who waits for whom, or which error, may differ between them).
            let end = replay(program, &trace).expect("a path of the graph replays");
            FinalState {
                outcome: g.outcome,
                summary: g.summary.clone(),
                detail: end_state(&end, assertion).detail,
                interleavings: (!cyclic).then_some(Count(count)),
                trace: trace.to_string(),
                steps: trace.len(),
                vars: g.vars.clone(),
            }
        })
        .collect();
    let counterexample = nearest_bad.map(|g| finals[g].clone());
    let total = |which: Option<Outcome>| {
        let sum = finals
            .iter()
            .filter(|f| which.is_none_or(|o| f.outcome == o))
            .fold(0u128, |sum, f| sum.saturating_add(f.interleavings.unwrap_or_default().0));
        (!cyclic).then_some(Count(sum))
    };
    let interleavings = total(None);
    let by_outcome = Tally {
        ok: total(Some(Outcome::Ok)),
        broken: total(Some(Outcome::Broken)),
        failed: total(Some(Outcome::Failed)),
        deadlock: total(Some(Outcome::Deadlock)),
    };
    let counting = if cyclic {
        Counting::Unbounded
    } else if !complete || saturated {
        Counting::AtLeast
    } else {
        Counting::Exact
    };
    let stopped = (!complete).then(|| {
        let counted = match interleavings {
            Some(n) => format!("at least {n} complete interleavings"),
            None => "infinitely many interleavings (a schedule loops)".to_string(),
        };
        format!(
            "Stopped after {} states ({}). Explored so far: {counted}, {} final state{}{}. \
             A property that held in the part explored may still fail in the rest.",
            grouped(graph.nodes.len() as u128),
            if cancelled { "cancelled" } else { "the limit" },
            finals.len(),
            if finals.len() == 1 { "" } else { "s" },
            if counterexample.is_some() { ", and a counterexample" } else { "" },
        )
    });
    let mut final_states = finals;
    final_states.sort_by(|a, b| (&a.vars, a.outcome, &a.summary).cmp(&(&b.vars, b.outcome, &b.summary)));
    let final_states_total = final_states.len();
    final_states.truncate(MAX_FINAL_STATES);
    let (states, transitions) = (graph.nodes.len(), graph.edges.len());
    let tree = match (&order, counting) {
        (Some(order), Counting::Exact) => Some(fuzz::Tree::new(graph, order)),
        _ => None,
    };
    let exploration = Exploration {
        threads: program.threads.iter().map(|t| t.name.clone()).collect(),
        assertion: assertion.map(|a| a.to_string()),
        states,
        transitions,
        limit: limits.max_states,
        complete,
        cancelled,
        cyclic,
        counting,
        interleavings,
        by_outcome,
        longest,
        final_states,
        final_states_total,
        counterexample,
        stopped,
    };
    Some((exploration, tree))
}

/// The number of interleavings of independent threads with `steps[i]` steps each:
/// (Σ steps)! / Π (steps of each)!, the multinomial coefficient; `None` past `u128`.
/// For two threads it is C(a + b, a).
pub fn interleavings_of(steps: &[u32]) -> Option<u128> {
    let mut total: u128 = 1;
    let mut n: u128 = 0;
    for &k in steps {
        // Multiply by C(n + k, k), one factor at a time: each partial product is a binomial,
        // so every division is exact.
        let mut c: u128 = 1;
        for i in 1..=k as u128 {
            c = c.checked_mul(n + i)? / i;
        }
        total = total.checked_mul(c)?;
        n += k as u128;
    }
    Some(total)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod philosophers_tests;
