//! The step-through side of the synchronization demos: each demo's idea as a small program
//! of explicit steps on the deterministic scheduler ([`crate::sched`]), where the learner
//! picks which thread runs next.
//!
//! The page holds nothing but the trace (the list of chosen threads). Every request replays
//! the program from the start along that trace, so undo is "one step fewer", a shared URL
//! (`step=0.1.1`) reopens the same interleaving, and the view can never drift from the
//! model. Programs are tiny, so a replay costs microseconds.

use super::{validate, DemoError};
use crate::params::{ParamError, Params, Value as ParamValue};
use crate::sched::{replay, run_random, Instr, Machine, Program, Trace};
use serde::Serialize;
use crate::sync::Arc;

/// Steps a seeded random run may take before it stops (a program that never ends).
pub const RANDOM_STEP_LIMIT: usize = 2_000;

/// The most threads a step view shows side by side and stays readable (the philosophers,
/// whose programs are short, are shown at every size the real run allows).
pub const STEP_THREADS: i64 = 4;
/// The most lines a stepped countdown prints per thread, items a stepped queue carries, and
/// tasks a stepped pool hands out: enough to see the pattern, few enough to click through.
pub const STEP_COUNT: i64 = 5;

/// Where the step view's program differs from the learner's inputs: what it shows of what
/// they asked (fewer, to stay readable; or more, where the idea needs it: a race needs two).
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scaled {
    /// What the input is (`threads`, `lines per thread`, `items`, `tasks`, …).
    pub what: &'static str,
    pub asked: i64,
    pub shown: i64,
}

/// The sizes a step program is built with, each read through [`Fit::int`], which notes where
/// the program differs from the inputs: the one record both the program and the note use.
pub struct Fit<'a> {
    /// The demo's validated inputs.
    pub p: &'a Params,
    notes: Vec<Scaled>,
}

impl Fit<'_> {
    /// `asked` (an input, or a sum of inputs), kept within `lo..=hi` for the step view.
    pub fn int(&mut self, what: &'static str, asked: i64, lo: i64, hi: i64) -> i64 {
        let shown = asked.clamp(lo, hi);
        if shown != asked {
            self.notes.push(Scaled { what, asked, shown });
        }
        shown
    }

    pub fn input(&self, name: &str, default: i64) -> i64 {
        int(self.p, name, default)
    }
}

/// One sentence for the board: "The step view shows 4 of your 8 threads; …".
fn scaled_sentence(scaled: &[Scaled]) -> Option<String> {
    let parts: Vec<String> = scaled
        .iter()
        .map(|s| if s.shown < s.asked { format!("{} of your {} {}", s.shown, s.asked, s.what) } else { format!("{} {} where you asked for {}", s.shown, s.what, s.asked) })
        .collect();
    let list = match parts.split_last() {
        None => return None,
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    };
    Some(format!("The step view shows {list}, to tell the idea in a few clicks; the real run uses your inputs."))
}

#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
pub struct ThreadListing {
    name: String,
    /// One line per step, Python-like (`lock.acquire()`, `tmp = counter`).
    listing: Vec<String>,
}

/// The program, once, as the page draws it.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Serialize)]
pub struct ProgramView {
    name: String,
    threads: Vec<ThreadListing>,
}

/// The step-through view as the page draws it.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub program: ProgramView,
    pub machine: Machine,
    pub story: &'static str,
    pub scaled: Vec<Scaled>,
    pub scaled_note: Option<String>,
}

/// What the step-through view shows for demo `id` with inputs `raw`, after the threads in
/// `trace` ran one step each (or, with `seed`, after a seeded random scheduler ran it to the
/// end).
pub fn view(id: &str, raw: &[(String, String)], trace: &str, seed: Option<u64>) -> Result<StepView, DemoError> {
    let p = validate(id, raw)?;
    let mut fit = Fit { p: &p, notes: Vec::new() };
    let (program, story) = program_fitted(id, &mut fit)?;
    let scaled = fit.notes;
    let note = scaled_sentence(&scaled);
    let program = Arc::new(program);
    let machine: Machine = match seed {
        Some(seed) => run_random(&program, seed, RANDOM_STEP_LIMIT),
        None => {
            let trace: Trace = trace.parse().map_err(|e| step_error(format!("step: {e}")))?;
            replay(&program, &trace).map_err(|e| step_error(format!("step: {e}")))?
        }
    };
    let listing = ProgramView {
        name: program.name.clone(),
        threads: program
            .threads
            .iter()
            .map(|t| ThreadListing { name: t.name.clone(), listing: t.steps.iter().map(Instr::to_string).collect() })
            .collect(),
    };
    Ok(StepView { program: listing, machine, story, scaled, scaled_note: note })
}

/// [`view`] as JSON, for tests.
#[cfg(test)]
pub fn view_json(id: &str, raw: &[(String, String)], trace: &str, seed: Option<u64>) -> Result<serde_json::Value, DemoError> {
    view(id, raw, trace, seed).map(|v| super::to_json(&v))
}

fn step_error(message: String) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: "step".to_string(), message }])
}

fn int(p: &Params, name: &str, default: i64) -> i64 {
    match p.values().get(name) {
        Some(ParamValue::Int(v)) => *v,
        _ => default,
    }
}

/// The program that tells demo `id`'s story in steps, and a sentence on what to try.
pub fn program_for(id: &str, p: &Params) -> Result<(Program, &'static str), DemoError> {
    program_fitted(id, &mut Fit { p, notes: Vec::new() })
}

/// [`program_for`], noting in `fit` where the program's sizes differ from the inputs.
fn program_fitted(id: &str, fit: &mut Fit) -> Result<(Program, &'static str), DemoError> {
    let d = super::demo(id)?;
    d.step(fit).ok_or_else(|| {
        let steppable: Vec<&str> = super::REGISTRY.iter().map(|d| d.spec).filter(|s| s.caps.steppable).map(|s| s.id).collect();
        DemoError::Invalid(vec![ParamError {
            param: "step".to_string(),
            message: format!("the {id} demo has no step-through view; these do: {}", steppable.join(", ")),
        }])
    })
}

#[cfg(test)]
#[path = "stepper_tests.rs"]
mod tests;
