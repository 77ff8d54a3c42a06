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

use crate::demos::{Demo, stepper::Fit};
use crate::live::Feed;
use crate::control::{Control, Standing};
use crate::demos::DemoError;
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::sched::explore::{interleavings_of, Count};
use crate::sched::{examples, explore_watched, Assertion, Cmp, Exploration, Halt, Limits, Outcome, Program};
use serde::Serialize;
use crate::sync::{AtomicU32, Ordering::Relaxed};
use crate::sync::Arc;

pub const SPEC: DemoSpec = DemoSpec {
    id: "explorer",
    chapter: 19,
    nav: "Interleaving explorer",
    title: "Interleaving explorer",
    summary: "Every schedule of a small program, tried: the final states it can reach and how many interleavings reach each, the ones that deadlock or break the assertion, and the shortest of them to replay step by step.",
    params: &[
        ParamSpec {
            name: "program",
            label: "Program",
            help: "One of the step-through programs: lost-update, locked-increment, opposite-locks, philosophers, …",
            kind: Kind::Choice { values: examples::IDS },
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
pub struct Report {
    pub program_id: &'static str,
    pub program: String,
    /// The inputs that shaped this program (`threads`, `k`), for the page to mention.
    pub uses: &'static [&'static str],
    #[serde(flatten)]
    pub exploration: Exploration,
    pub growth: Vec<Growth>,
    pub explanation: String,
    /// Which exploration of this engine this is (1 for the first): the page's tests tell from
    /// it that inputs replaced while queued were never explored.
    pub nth: u32,
}

/// Explorations started by this engine (a process natively).
static STARTED: AtomicU32 = AtomicU32::new(0);

/// The program chosen by the inputs, its assertion, and the inputs that shaped it. The
/// step-through view (`stepper::program_for`) shows the same program, so traces fit it.
pub fn program(p: &Params) -> (Program, Option<Assertion>, &'static [&'static str]) {
    let threads = p.int("threads") as usize;
    let k = p.int("k") as usize;
    let all_counted = || Some(Assertion::new("counter", Cmp::Eq, threads as i64));
    match p.choice("program") {
        "lost-update" => (examples::lost_update(threads), all_counted(), &["threads"]),
        "locked-increment" => (examples::locked_increment(threads), all_counted(), &["threads"]),
        "philosophers" => (examples::philosophers(k, false), None, &["k"]),
        "philosophers-ordered" => (examples::philosophers(k, true), None, &["k"]),
        other => (examples::by_id(other).expect("the choice lists only example ids"), None, &[]),
    }
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
    let exploration = explore_watched(&Arc::new(program), assertion.as_ref(), Limits { max_states: limit }, &mut watch)
        .ok_or(DemoError::Superseded)?;
    let explanation = explain(&exploration);
    Ok(Report { program_id: p.choice("program"), program: name, uses, exploration, growth: growth(), explanation, nth })
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
    type Summary = crate::demos::demo_summary::Legacy;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, ctl: &Control, ticket: u32) -> Result<Report, DemoError> {
        compute_watched(p, ctl, ticket)
    }

    fn cancelled(&self, r: &Report) -> bool {
        r.exploration.cancelled
    }

    fn run(&self, p: &Params, _env: crate::demos::Env, _ctl: &Control, _feed: &Feed) -> Result<Report, DemoError> {
        Ok(compute(p))
    }

    fn summary(&self, _p: &Params, _computed: Option<&Self::Computed>, _outcome: Option<&Self::Outcome>) -> Self::Summary {
        crate::demos::demo_summary::Legacy
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(super::stepper::explorer_story(fit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demos::validate;

    fn report(pairs: &[(&str, &str)]) -> Report {
        let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        compute(&validate("explorer", &raw).unwrap())
    }

    #[test]
    fn every_example_is_explored_within_the_default_limit() {
        for id in examples::IDS {
            let r = report(&[("program", id)]);
            assert!(r.exploration.complete, "{id}: {}", r.explanation);
            assert!(r.exploration.final_states_total > 0, "{id}");
        }
    }

    #[test]
    fn the_lost_update_in_words() {
        let r = report(&[]);
        assert_eq!((r.program_id, r.uses), ("lost-update", &["threads"][..]));
        assert_eq!(
            r.explanation,
            "20 interleavings of A, B, counted through 22 distinct states, reach 2 final states. \
             Of these, 18 break the assertion. The shortest counterexample takes 6 steps."
        );
        let r = report(&[("program", "philosophers-ordered"), ("k", "3")]);
        assert_eq!(r.exploration.threads, ["P1", "P2", "P3"]);
        assert!(r.explanation.ends_with("reach 1 final state. None of them deadlocks or fails."), "{}", r.explanation);
        let r = report(&[("program", "locked-increment"), ("threads", "3")]);
        assert!(r.explanation.ends_with("In every one of them counter == 3 holds and nothing deadlocks."), "{}", r.explanation);
    }

    #[test]
    fn a_small_limit_stops_with_a_message() {
        let r = report(&[("threads", "8"), ("limit", "100")]);
        assert!(!r.exploration.complete);
        assert!(r.exploration.stopped.as_deref().unwrap().starts_with("Stopped after 100 states (the limit)."));
        assert!(r.explanation.starts_with("At least "), "{}", r.explanation);
        // 100 states of the 8-thread lost update reach no final state yet: nothing found, and
        // the page says that this proves nothing.
        assert!(r.exploration.counterexample.is_none());
        assert!(r.explanation.contains("None of those found deadlocks or fails, which proves nothing about the rest"), "{}", r.explanation);
    }

    #[test]
    fn counterexamples_replay_in_the_step_through_view() {
        for (program, status) in [("lost-update", "done"), ("opposite-locks", "deadlocked"), ("philosophers", "deadlocked"), ("leaked-lock", "deadlocked")] {
            let raw = vec![("program".to_string(), program.to_string())];
            let r = compute(&validate("explorer", &raw).unwrap());
            let bad = r.exploration.counterexample.unwrap_or_else(|| panic!("{program} has a counterexample"));
            let v = crate::demos::stepper::view_json("explorer", &raw, &bad.trace, None).unwrap();
            assert_eq!(v["machine"]["status"], status, "{program}");
            assert_eq!(v["machine"]["trace"], bad.trace.as_str());
        }
        let v = crate::demos::stepper::view_json("explorer", &[("program".to_string(), "lost-update".to_string())], "0.0.1.0.1.1", None).unwrap();
        assert_eq!(v["machine"]["vars"]["counter"], 1);
    }

    #[test]
    fn a_newer_input_abandons_an_exploration_and_cancel_keeps_the_part_explored() {
        let raw: Vec<(String, String)> = [("program", "lost-update"), ("threads", "6"), ("limit", "500000")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let p = validate("explorer", &raw).unwrap();
        let full = compute(&p);
        assert!(full.exploration.complete && full.exploration.states > 3 * crate::sched::explore::WATCH_EVERY, "{}", full.exploration.states);

        // Replaced by a newer compute while it runs: the search notices at its next watch
        // (here the first, after about WATCH_EVERY states) and gives up.
        let every = crate::sched::explore::WATCH_EVERY as u32;
        let ctl = Control::new();
        ctl.ask_compute(5);
        ctl.ask_compute(6);
        assert!(matches!(compute_watched(&p, &ctl, 5), Err(DemoError::Superseded)));
        let (seen, limit) = ctl.explored();
        assert!((every..2 * every).contains(&seen) && limit == 500_000, "stopped at the first watch: {seen}");

        ctl.cancel_compute();
        let r = compute_watched(&p, &ctl, 6).unwrap();
        let e = &r.exploration;
        assert!(e.cancelled && !e.complete);
        assert!((every as usize..2 * every as usize).contains(&e.states), "{}", e.states);
        let stopped = format!("Stopped after {} states (cancelled).", crate::sched::explore::grouped(e.states as u128));
        assert!(e.stopped.as_deref().unwrap().starts_with(&stopped), "{:?}", e.stopped);
        assert!(r.explanation.starts_with("At least "), "{}", r.explanation);
        assert_eq!(ctl.explored().0 as usize, e.states, "the page read how far it got");

        // The newest one runs to the end and reports its progress.
        ctl.ask_compute(7);
        let r = compute_watched(&p, &ctl, 7).unwrap();
        assert!(r.exploration.complete && !r.exploration.cancelled);
        assert_eq!(r.exploration.states, full.exploration.states);
        assert_eq!(ctl.explored().0 as usize, full.exploration.states);
        assert!(r.nth > full.nth, "each exploration is counted");
    }

    #[test]
    fn the_growth_table_is_the_multinomial() {
        let g = growth();
        let row = |n: u32| g.iter().find(|r| r.steps == n).unwrap();
        let shown = |c: Option<Count>| c.map(|c| c.0);
        assert_eq!(row(3).interleavings.map(shown), [Some(20), Some(1680), Some(369_600)]);
        assert_eq!(row(5).interleavings[0].map(|c| c.0), Some(252));
        assert_eq!(row(10).interleavings[0].map(|c| c.0), Some(184_756));
        assert_eq!(row(3).states, [16, 64, 256]);
    }
}
