//! Chapter 7, reduction operators: the book's pairwise sum in rounds, [1, 4, 8, 3, 2, 5] →
//! [5, 11, 7] → [16, 7] → [23], on the learner's own numbers and real threads, three ways:
//! the book's tree with a barrier per round on k pool threads ([`ways::tree`]), rayon's
//! `reduce` ([`ways::rayon_reduce`]) and one thread from left to right ([`ways::sequential`]).
//! With a non-associative operator (subtraction, a mean of means) the three disagree; with
//! float sums, the thread count changes the last digits ([`ways::by_threads`]).
//!
//! The step-through replays the book's queue version and its dropped partial sum
//! ([`steps`]).

mod explain;
mod steps;
mod summary;
mod ways;
#[cfg(test)]
mod tests;

pub use summary::Summary;
pub use ways::{Floats, Way};

use super::stepper::Fit;
use super::{DemoError, Env};
use crate::control::Control;
use crate::demos::Demo;
use crate::live::Feed;
use crate::params::{Caps, DemoSpec, Kind, ParamSpec, Params, Threads};
use crate::pool::Run;
use crate::sched::Program;
use serde::Serialize;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "reduction/"))]
    /// How two numbers combine.
    pub enum Operator {
        Sum = "sum",
        Product = "product",
        Max = "max",
        /// `a - b`: not associative, so the shape of the tree changes the result.
        Subtract = "subtract",
        /// `(a + b) / 2`: a mean of means, not associative either.
        Mean = "mean",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "reduction/"))]
    /// The step-through's queue version: where `task_done()` goes.
    pub enum Order {
        /// The book's: `task_done()` before the partial sum is put.
        Book = "book",
        /// The result first, then `task_done()`.
        Fixed = "fixed",
    }
}

impl Operator {
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Operator::Sum => a + b,
            Operator::Product => a * b,
            Operator::Max => a.max(b),
            Operator::Subtract => a - b,
            Operator::Mean => (a + b) / 2.0,
        }
    }

    /// Whether every tree gives the same result (in exact arithmetic).
    pub fn associative(self) -> bool {
        match self {
            Operator::Sum | Operator::Product | Operator::Max => true,
            Operator::Subtract | Operator::Mean => false,
        }
    }
}

/// Numbers a run accepts at most (numpy's example needs half a million and one).
pub const MAX_VALUES: usize = 1_000_000;
/// Numbers up to which the rounds are drawn, listed in `data-result`, and each pair's worker
/// recorded.
pub const DRAWN: usize = 64;

pub const SPEC: DemoSpec = DemoSpec {
    id: "reduction",
    chapter: 7,
    also: &[],
    nav: "Reduction",
    title: "Reduction in rounds",
    summary: "Combine a list pairwise in rounds on real threads, with a barrier after each round: fewer steps one after another, and the same answer only if the operator lets the tree change shape.",
    params: &[
        ParamSpec {
            name: "values",
            label: "Numbers",
            help: "Your numbers, separated by commas; x*n is n copies of x (0.1*500000)",
            kind: Kind::List { min: -1e15, max: 1e15, items: MAX_VALUES },
            default: "1,4,8,3,2,5",
        },
        ParamSpec {
            name: "operator",
            label: "Operator",
            help: "sum, product, max; subtract (a - b) and mean ((a + b) / 2) are not associative",
            kind: Kind::Choice { values: <Operator as crate::params::Choice>::WORDS },
            default: "sum",
        },
        ParamSpec { name: "threads", label: "Threads", help: "Pool threads that combine the pairs of each round", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec {
            name: "order",
            label: "Step-through order",
            help: "The step-through's queue version: book (task_done() before the partial sum is put) or fixed",
            kind: Kind::Choice { values: <Order as crate::params::Choice>::WORDS },
            default: "book",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// One real run: the rounds of the tree, who combined what, and the three ways side by side.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "reduction/"))]
pub struct Outcome {
    pub operator: Operator,
    /// How many numbers were reduced.
    pub count: usize,
    /// Threads asked for.
    pub threads: usize,
    /// Distinct pool workers that ran the tree, all alive at once (1 without a pool).
    pub threads_used: usize,
    /// Every round of the tree, the numbers first (only up to [`DRAWN`] numbers).
    pub rounds: Option<Vec<Vec<f64>>>,
    pub round_sizes: Vec<usize>,
    /// For each round after the first, for each number in it: the worker (0-based thread)
    /// that combined its pair, or `None` for an odd one carried over (up to [`DRAWN`]).
    pub combined_by: Option<Vec<Vec<Option<u32>>>>,
    /// The tree's result.
    pub result: f64,
    /// Operator applications: n - 1 for every way.
    pub additions: usize,
    /// Rounds of the tree: steps one after another.
    pub depth: usize,
    /// The tree, rayon's reduce and the sequential fold.
    pub ways: Vec<Way>,
    /// Float sums: the running sum, the pairwise sum, and the sum split over k threads.
    pub floats: Option<Floats>,
    /// The tree's threads: each round's work, then its wait at the barrier.
    pub timeline: Run,
    pub explanation: String,
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let values = &p.list("values").numbers;
    let op = p.pick::<Operator>("operator");
    let threads = p.int("threads") as usize;
    let pooled = env.pool_threads > 0;
    // Progress: each of the tree's threads as it ends, then rayon's reduce, then the rest.
    ctl.begin(if pooled { threads as u32 } else { 1 } + 2);
    let tree = ways::tree(values, op, threads, pooled, ctl)?;
    let rayon = ways::rayon_reduce(values, op, pooled);
    ctl.advance(1);
    let sequential = ways::sequential(values, op);
    let floats = match (op, values.iter().all(|v| v.fract() == 0.0)) {
        (Operator::Sum, false) => Some(ways::floats(values, threads, pooled, tree.way.result, sequential.result, ctl)?),
        _ => None,
    };
    ctl.advance(1);
    let explanation = explain::explanation(op, values.len(), &tree.way, &rayon, &sequential, floats.as_ref(), pooled);
    let depth = tree.sizes.len() - 1;
    Ok(Outcome {
        operator: op,
        count: values.len(),
        threads,
        threads_used: tree.way.threads_used,
        rounds: tree.rounds,
        round_sizes: tree.sizes,
        combined_by: tree.combined_by,
        result: tree.way.result,
        additions: tree.way.additions,
        depth,
        ways: vec![tree.way, rayon, sequential],
        floats,
        timeline: tree.timeline,
        explanation,
    })
}

pub struct ReductionDemo;

impl Demo for ReductionDemo {
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
