//! Chapter 16's step-through, explored on every change of the inputs: ABA on a Treiber stack
//! that reuses a popped node, against one that pushes a fresh node; and the book's reader
//! racing a delete, against copy-on-read. The programs are `sched::chapter16`'s; the explorer
//! demo explores the same ones (`treiber-aba`, `treiber-fresh`, `dict-delete`, `dict-copy`).
//!
//! Each is small (the Treiber stack has 146,904,795 interleavings through about 400 states),
//! so all four are explored in `compute`: the page lists what each finds, and the chosen one
//! is the program of the step-through, where its shortest counterexample replays.

use crate::demos::explorer::summary::trace_names;
use crate::demos::stepper::Fit;
use crate::params::Choice;
use crate::sched::explore::Count;
use crate::sched::ops::linearizability;
use crate::sched::{chapter16, explore, Assertion, Limits, Program};
use crate::sync::Arc;
use serde::Serialize;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "structures/"))]
    /// The program of the step-through.
    pub enum Story { Aba = "aba", NoReuse = "no-reuse", Delete = "delete", CopyOnRead = "copy-on-read" }
}

impl Story {
    /// The program, its assertion, and the explorer's name for it.
    fn program(self, atomic: bool) -> (Program, Assertion, &'static str) {
        match self {
            Story::Aba => (chapter16::treiber(true, atomic), chapter16::treiber_assertion(), "treiber-aba"),
            Story::NoReuse => (chapter16::treiber(false, atomic), chapter16::treiber_assertion(), "treiber-fresh"),
            Story::Delete => (chapter16::dict_race(false, atomic), chapter16::dict_assertion(), "dict-delete"),
            Story::CopyOnRead => (chapter16::dict_race(true, atomic), chapter16::dict_assertion(), "dict-copy"),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Story::Aba => "A pops once; B pops two nodes, keeps the second and pushes the first back (a free list hands the same node out again). Replay the explorer's shortest counterexample: A reads top = 1 and next[1] = 2, B pops 1 and 2 and pushes 1, and A's CAS still sees 1, succeeds, and puts B's node 2 back on top. ABA: the value went A, B, A, and the CAS cannot tell.",
            Story::NoReuse => "The same, but B pushes a fresh node (4): a popped node is not reused while another thread may still hold its address (this demo's graveyard, crossbeam-epoch, hazard pointers). A's CAS then sees 4, fails, and A tries again: no order breaks the stack.",
            Story::Delete => "R checks that \"k\" is in d, then reads d[\"k\"]: two steps. Step R once past the check, let D delete the key, then step R: its read finds nothing, the book's KeyError.",
            Story::CopyOnRead => "R copies d under a lock and checks and reads the copy, which no delete can change; D deletes under the same lock. Whatever the order, R either sees the key and its value or no key: never a KeyError.",
        }
    }
}

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let s = fit.p.pick::<Story>("story");
    (s.program(false).0, s.words())
}

/// What the explorer finds in one story's program.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "structures/"))]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub story: Story,
    /// The explorer demo's name for the program (`?demo=explorer&program=…`).
    pub program: &'static str,
    pub assertion: String,
    pub interleavings: Option<Count>,
    /// Interleavings that break the assertion.
    pub broken: Option<Count>,
    /// A shortest one, as a trace (`0*3.1*14.0*3.1`), the thread of each step, and where it
    /// ends; `None` when none breaks it.
    pub trace: Option<String>,
    pub threads: Vec<String>,
    pub ends: Option<String>,
    /// Every interleaving's result is one the operations give one at a time.
    pub linearizable: bool,
}

/// The step-through's programs, explored: all four, in the order of [`Story`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "structures/"))]
pub struct Explored {
    pub stories: Vec<Found>,
}

impl Explored {
    /// ABA, for `data-result`.
    pub fn aba(&self) -> Option<&Found> {
        self.stories.iter().find(|f| f.story == Story::Aba)
    }
}

pub fn explored() -> Explored {
    Explored { stories: Story::ALL.iter().map(|&s| found(s)).collect() }
}

/// What the explorer finds in `story`'s program, and whether it is linearizable.
pub fn found(story: Story) -> Found {
    let limits = Limits::default();
    let (program, assertion, name) = story.program(false);
    let e = explore(&Arc::new(program), Some(&assertion), limits);
    let twin = explore(&Arc::new(story.program(true).0), Some(&assertion), limits);
    let l = linearizability(&e, &twin);
    let bad = e.counterexample.as_ref();
    Found {
        story,
        program: name,
        assertion: assertion.to_string(),
        interleavings: e.interleavings,
        broken: e.by_outcome.broken,
        trace: bad.map(|c| c.trace.clone()),
        threads: bad.map(|c| trace_names(&c.trace, &e.threads)).unwrap_or_default(),
        ends: bad.map(|c| c.summary.clone()),
        linearizable: l.linearizable && l.complete,
    }
}
