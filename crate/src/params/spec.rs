//! What a demo is and can do, as the page reads it from the schema: its place in the book,
//! its inputs ([`ParamSpec`]), its capabilities, and how many pool threads a run takes.

use super::{ParamSpec, Params};
use serde::Serialize;

/// A demo: its stable id (used in URLs), where it sits in the book, its inputs, and what it
/// can do. The page reads all of it from the schema and declares none of it again.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct DemoSpec {
    pub id: &'static str,
    pub chapter: u32,
    /// More entries in the page's list of chapters for a demo that covers several: each opens
    /// the demo with some inputs set (the event loop's countdowns under chapter 10).
    pub also: &'static [Also],
    /// Its entry in the page's list of chapters ("Locks").
    pub nav: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    pub caps: Caps,
}

/// One more entry of a demo in the list of chapters: `?demo=<id>&<name>=<value>…`.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Also {
    pub chapter: u32,
    pub nav: &'static str,
    /// The inputs the entry sets, checked against the spec by a test.
    pub params: &'static [(&'static str, &'static str)],
}

/// What a demo can do, for the page to offer (and the registry to check).
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Caps {
    /// The whole result comes from the instant compute, as the inputs change (the explorer):
    /// no Run button.
    pub instant: bool,
    /// It has a step-through view on the deterministic scheduler.
    pub steppable: bool,
    /// A run streams events through the live feed while it goes on.
    pub live: bool,
    /// How many pool threads a run takes, and whether it can run without a pool.
    pub threads: Threads,
    /// What the page says instead of running, on a page without a pool (no cross-origin
    /// isolation); `None` for a demo that runs there too.
    #[cfg_attr(test, ts(optional = nullable))]
    pub no_pool: Option<&'static str>,
}

impl Caps {
    /// A demo with no real run of its own threads (pure, or run on the calling thread).
    pub const PURE: Caps = Caps { instant: false, steppable: false, live: false, threads: Threads::None, no_pool: None };
}

/// Which inputs count as threads. The registry checks them against the host's pool once, for
/// every demo, before the run begins.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Threads {
    /// The run needs no pool threads of its own.
    None,
    /// The sum of `inputs` plus `extra` threads, each on a pool worker of its own.
    Sum {
        inputs: &'static [&'static str],
        extra: u32,
        /// How the count reads in a message: "producers + consumers".
        what: &'static str,
        /// Said after "the engine's pool has n workers", when there is more to say.
        why: &'static str,
        /// Why the run cannot go on without a pool; `None` when it runs on the calling thread
        /// instead (one thread at a time, and it says so).
        #[cfg_attr(test, ts(optional = nullable))]
        needs_pool: Option<&'static str>,
    },
    /// The count depends on a choice input (a scenario): `cases` are (choice value, count).
    ByChoice { choice: &'static str, cases: &'static [(&'static str, Threads)] },
}

impl Threads {
    /// What a run of `p` needs: `None` when it takes no pool threads of its own.
    pub fn need(&'static self, p: &Params) -> Option<Need> {
        match self {
            Threads::None => None,
            Threads::Sum { inputs, extra, what, why, needs_pool } => {
                let k: i64 = inputs.iter().map(|n| p.int(n)).sum::<i64>() + i64::from(*extra);
                let input = inputs.last().copied().unwrap_or("");
                Some(Need { threads: k.max(0) as usize, input, what, why, needs_pool: *needs_pool })
            }
            Threads::ByChoice { choice, cases } => {
                let c = p.choice(choice);
                cases.iter().find(|(v, _)| *v == c).and_then(|(_, t)| t.need(p))
            }
        }
    }
}

/// The pool threads one run takes, from [`Threads::need`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Need {
    pub threads: usize,
    /// The input a message about the count points at (the last one summed).
    pub input: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub needs_pool: Option<&'static str>,
}
