//! The explorer's schedule fuzzer ([`crate::sched::explore::fuzz`]) as the page shows it: the
//! three strategies run with the same seed and schedule count after the exploration, in the
//! engine's thread (one schedule is a few microseconds of the step machine, and a thousand
//! need no pool), each rate beside the exhaustive count, and why the naive one differs.

use super::Fuzzing;
use crate::control::{Control, Standing};
use crate::demos::DemoError;
use crate::params::{Choice, Params};
use crate::sched::explore::fuzz::{self, Fuzzed, Strategy, Tree};
use crate::sched::{Assertion, Exploration, Halt, Program};
use crate::sync::Arc;

/// A schedule still going after this many steps (a spin loop) is `unfinished`.
pub const MAX_STEPS: usize = 10_000;

pub const HOST: &str = "the engine's worker thread: every schedule runs on the deterministic step machine, so the fuzzer needs no pool";

/// The fuzzer's inputs, with PCT's `k` from the exploration: its longest interleaving when
/// known, else every thread's steps once.
fn config(p: &Params, e: &Exploration, program: &Program) -> fuzz::Config {
    let listed: usize = program.threads.iter().map(|t| t.steps.len()).sum();
    fuzz::Config {
        schedules: p.int("schedules") as usize,
        seed: p.int("seed") as u64,
        depth: p.int("depth") as usize,
        steps: e.longest.unwrap_or(listed).max(1),
        max_steps: MAX_STEPS,
    }
}

/// Why there is no uniform sampler for this exploration (`None`: there is).
fn unavailable(e: &Exploration, tree: Option<&Tree>) -> Option<String> {
    match tree {
        Some(_) => None,
        None if e.cyclic => Some("The uniform sampler needs a finite number of interleavings to weigh its choices by, and a schedule of this program can loop forever.".into()),
        None => Some("The uniform sampler weighs each choice by the interleavings below it, so it needs every interleaving counted: the explorer stopped at its state limit. PCT and the naive fuzzer still run.".into()),
    }
}

/// Runs every strategy that can run, naive, PCT, then uniform. Progress goes to `ctl` as
/// schedules ([`Control::set_fuzzed`]); a newer input abandons (`Err(Superseded)`), Cancel
/// keeps the runs so far.
pub fn fuzz_all(
    p: &Params,
    program: &Arc<Program>,
    assertion: Option<&Assertion>,
    e: &Exploration,
    tree: Option<&Tree>,
    ctl: &Control,
    ticket: u32,
) -> Result<Fuzzing, DemoError> {
    let cfg = config(p, e, program);
    let strategies: Vec<Strategy> = Strategy::ALL.iter().copied().filter(|&s| s != Strategy::Uniform || tree.is_some()).collect();
    let total = (cfg.schedules * strategies.len()) as u32;
    let (mut runs, mut before, mut cancelled) = (Vec::new(), 0usize, false);
    for s in strategies {
        let mut watch = |done: usize| {
            ctl.set_fuzzed((before + done) as u32, total);
            match ctl.standing(ticket) {
                Standing::Current => None,
                Standing::Superseded => Some(Halt::Abandon),
                Standing::Cancelled => Some(Halt::Cancel),
            }
        };
        let f = fuzz::fuzz(program, assertion, s, tree, &cfg, &mut watch).ok_or(DemoError::Superseded)?;
        before += f.schedules;
        cancelled = f.cancelled;
        runs.push(f);
        if cancelled {
            break;
        }
    }
    let strategy = p.pick::<Strategy>("strategy");
    let chosen = runs.iter().find(|f| f.strategy == strategy).cloned();
    let unavailable = unavailable(e, tree);
    let headline = match (&chosen, &unavailable) {
        (Some(f), _) => headline(f, &cfg, e),
        (None, Some(why)) if strategy == Strategy::Uniform => why.clone(),
        (None, _) => "Cancelled before this strategy ran.".to_string(),
    };
    let why = why_naive_differs(&runs, tree);
    Ok(Fuzzing { strategy, seed: cfg.seed, depth: cfg.depth, steps: cfg.steps, chosen, runs, unavailable, headline, why, cancelled, host: HOST })
}

/// The fuzzing part of a report where the fuzzer did not run.
pub fn skipped(p: &Params, e: &Exploration, program: &Program, reason: &str) -> Fuzzing {
    let cfg = config(p, e, program);
    Fuzzing {
        strategy: p.pick::<Strategy>("strategy"),
        seed: cfg.seed,
        depth: cfg.depth,
        steps: cfg.steps,
        chosen: None,
        runs: Vec::new(),
        unavailable: None,
        headline: reason.to_string(),
        why: None,
        cancelled: true,
        host: HOST,
    }
}

/// `0.334` → "33.4 %"; small shares keep two decimals, tiny ones say so.
pub fn percent(x: f64) -> String {
    let pct = x * 100.0;
    if x <= 0.0 {
        return "0 %".into();
    }
    if x >= 1.0 {
        return "100 %".into();
    }
    if pct < 0.01 {
        return "< 0.01 %".into();
    }
    let shown = if pct < 1.0 { format!("{pct:.2}") } else { format!("{pct:.1}") };
    format!("{} %", shown.strip_suffix(".0").unwrap_or(&shown))
}

fn name(f: &Fuzzed, cfg: &fuzz::Config) -> String {
    match f.strategy {
        Strategy::Naive => "The naive fuzzer".into(),
        Strategy::Pct => format!("The PCT fuzzer (depth {})", cfg.depth),
        Strategy::Uniform => "The uniform sampler".into(),
    }
}

/// What failing means for this program, as (what a run did, what interleavings do): one kind
/// of failure gets its own words, several share one.
fn verbs(f: &Fuzzed, e: &Exploration) -> (String, String) {
    let some = |c: Option<crate::sched::Count>, n: usize| c.is_some_and(|c| c.0 > 0) || n > 0;
    let kinds = [
        (some(e.by_outcome.deadlock, f.deadlocks), "deadlocked".to_string(), "deadlock".to_string()),
        (
            some(e.by_outcome.broken, f.broken),
            format!("broke {}", e.assertion.as_deref().unwrap_or("the assertion")),
            "break it".to_string(),
        ),
        (some(e.by_outcome.failed, f.failed), "ended in an error".to_string(), "end in an error".to_string()),
    ];
    let present: Vec<_> = kinds.into_iter().filter(|k| k.0).collect();
    match present.as_slice() {
        [(_, did, do_)] => (did.clone(), do_.clone()),
        _ => ("failed".into(), "fail".into()),
    }
}

/// "The PCT fuzzer (depth 2) broke counter == 2 in 334 of 1,000 schedules (33.4 %);
/// exhaustively, 18 of 20 interleavings break it (90 %)."
fn headline(f: &Fuzzed, cfg: &fuzz::Config, e: &Exploration) -> String {
    let n = |x: usize| crate::sched::Count(x as u128).to_string();
    let (did, do_) = verbs(f, e);
    let failing = [e.by_outcome.deadlock, e.by_outcome.broken, e.by_outcome.failed]
        .iter()
        .try_fold(0u128, |sum, c| c.map(|c| sum + c.0));
    let mut text = if f.failures == 0 {
        format!("{} met no failing schedule in {}", name(f, cfg), n(f.schedules))
    } else {
        format!("{} {did} in {} of {} schedules ({})", name(f, cfg), n(f.failures), n(f.schedules), percent(f.rate))
    };
    if f.unfinished > 0 {
        text.push_str(&format!(", and {} schedules were still going after {} steps", n(f.unfinished), n(cfg.max_steps)));
    }
    text.push_str(&match (e.interleavings, failing, e.complete) {
        (Some(total), Some(bad), true) if bad > 0 => format!(
            "; exhaustively, {} of {} interleavings {do_} ({}).",
            crate::sched::Count(bad),
            total,
            percent(bad as f64 / total.0 as f64)
        ),
        (Some(total), Some(_), true) => format!("; exhaustively, none of the {total} interleavings fails."),
        (Some(total), Some(bad), false) => format!(
            "; the explorer stopped at its state limit, with at least {} of at least {total} interleavings failing: no exact ratio to compare with.",
            crate::sched::Count(bad)
        ),
        _ => "; this program has infinitely many interleavings, so there is no ratio to compare with.".to_string(),
    });
    if f.cancelled {
        text.push_str(" (Cancelled: these are the schedules run so far.)");
    }
    text
}

/// Why the naive rate is not the exhaustive ratio, with this program's numbers; `None` without
/// exact counts, or when nothing fails.
fn why_naive_differs(runs: &[Fuzzed], tree: Option<&Tree>) -> Option<String> {
    let tree = tree?;
    let naive = runs.iter().find(|f| f.strategy == Strategy::Naive)?;
    let uniform = runs.iter().find(|f| f.strategy == Strategy::Uniform);
    if tree.failing() == 0 {
        return None;
    }
    let ratio = tree.failing() as f64 / tree.interleavings() as f64;
    let odds = tree.naive_failure();
    let measured = |f: &Fuzzed| format!("{} measured over {} schedules", percent(f.rate), crate::sched::Count(f.schedules as u128));
    let mut text = "The naive fuzzer picks evenly among the threads that can step, so an interleaving's chance is the product of 1 / (threads that could step) over its steps, and once a thread has finished, the rest of the run is forced: interleavings are not equally likely. ".to_string();
    if (odds - ratio).abs() < 0.0005 {
        text.push_str(&format!(
            "Here that happens not to matter: its exact chance of failing is {}, the same as the share of failing interleavings ({} of {}).",
            percent(odds),
            crate::sched::Count(tree.failing()),
            crate::sched::Count(tree.interleavings())
        ));
    } else {
        text.push_str(&format!(
            "Here its exact chance of failing is {} ({}), while {} of the {} interleavings fail ({}).",
            percent(odds),
            measured(naive),
            crate::sched::Count(tree.failing()),
            crate::sched::Count(tree.interleavings()),
            percent(ratio)
        ));
    }
    text.push_str(" The uniform sampler picks each next thread in proportion to the interleavings below that choice, counted by the explorer, so every interleaving is equally likely and its rate converges to the exhaustive share");
    text.push_str(&match uniform {
        Some(u) => format!(" ({}).", measured(u)),
        None => ".".to_string(),
    });
    Some(text)
}
