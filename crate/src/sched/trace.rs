//! A trace, the list of threads chosen at each step: the whole schedule of a run, since
//! every step is deterministic. Replaying it rebuilds the run; its text form fits in a URL.
//!
//! Text form: thread numbers separated by dots, `0.0.1.1.0`; a run of one thread may be
//! written `0*4` (= `0.0.0.0`), and [`Trace`]'s `Display` does so for runs of three or more.
//! `*` and `.` pass through `encodeURIComponent` and `URLSearchParams` unescaped. The empty
//! string is the empty trace.

use super::machine::{Machine, StepError};
use super::program::{Program, ThreadId};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use crate::sync::Arc;

/// The most steps a trace may have, so that a URL like `0*999999999` cannot exhaust memory.
pub const MAX_TRACE_LEN: usize = 100_000;

/// The thread chosen at each step, in order. In JSON: an array of numbers.
#[cfg_attr(test, derive(ts_rs::TS), ts(as = "Vec<ThreadId>"))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Trace(Vec<ThreadId>);

impl Trace {
    pub fn new(steps: Vec<ThreadId>) -> Trace {
        Trace(steps)
    }
    pub fn steps(&self) -> &[ThreadId] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn push(&mut self, tid: ThreadId) {
        self.0.push(tid);
    }
    pub fn pop(&mut self) -> Option<ThreadId> {
        self.0.pop()
    }
}

impl From<&[ThreadId]> for Trace {
    fn from(steps: &[ThreadId]) -> Trace {
        Trace(steps.to_vec())
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0.as_slice();
        let mut first = true;
        while let Some(&tid) = rest.first() {
            let run = rest.iter().take_while(|&&t| t == tid).count();
            let (count, shown) = if run >= 3 { (run, format!("{tid}*{run}")) } else { (1, tid.to_string()) };
            if !first {
                f.write_str(".")?;
            }
            f.write_str(&shown)?;
            first = false;
            rest = &rest[count..];
        }
        Ok(())
    }
}

/// Why a text is not a trace. `item` counts the dot-separated items from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceError {
    /// An item that is not a thread number, or a thread number with a repeat count.
    Item { item: usize, found: String },
    /// `0*0`: a repeat count must be at least 1.
    ZeroRepeat { item: usize },
    TooLong,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ALLOWED: &str = "a trace is thread numbers separated by dots, like 0.0.1, and 0*3 repeats 0 three times";
        match self {
            TraceError::Item { item, found } => {
                let shown: String = found.chars().take(24).collect();
                let more = if shown.len() < found.len() { "…" } else { "" };
                write!(f, "trace item {item} is \"{shown}{more}\"; {ALLOWED}")
            }
            TraceError::ZeroRepeat { item } => {
                write!(f, "trace item {item} repeats a thread 0 times; a repeat count must be at least 1")
            }
            TraceError::TooLong => write!(f, "the trace has more than {MAX_TRACE_LEN} steps, the most allowed"),
        }
    }
}

impl std::error::Error for TraceError {}

impl FromStr for Trace {
    type Err = TraceError;

    fn from_str(text: &str) -> Result<Trace, TraceError> {
        let text = text.trim();
        let mut steps = Vec::new();
        if text.is_empty() {
            return Ok(Trace(steps));
        }
        for (i, raw) in text.split('.').enumerate() {
            let item = i + 1;
            let bad = || TraceError::Item { item, found: raw.to_string() };
            let number = |s: &str| -> Result<usize, TraceError> {
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                s.parse().map_err(|_| bad())
            };
            let (tid, count) = match raw.split_once('*') {
                None => (number(raw)?, 1),
                Some((tid, count)) => (number(tid)?, number(count)?),
            };
            if count == 0 {
                return Err(TraceError::ZeroRepeat { item });
            }
            if count > MAX_TRACE_LEN - steps.len() {
                return Err(TraceError::TooLong);
            }
            steps.extend(std::iter::repeat_n(tid, count));
        }
        Ok(Trace(steps))
    }
}

/// A trace that does not fit its program: step `at` (counting from 0) could not run.
#[derive(Debug, Clone)]
pub struct ReplayError {
    pub at: usize,
    pub error: StepError,
    /// The machine as it was before the step that failed.
    pub machine: Box<Machine>,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} of the trace cannot run: {}", self.at, self.error)
    }
}

impl std::error::Error for ReplayError {}

/// Runs `program` from the start, stepping the threads of `trace` in order.
pub fn replay(program: &Arc<Program>, trace: &Trace) -> Result<Machine, ReplayError> {
    let mut machine = Machine::new(Arc::clone(program));
    for (at, &tid) in trace.steps().iter().enumerate() {
        if let Err(error) = machine.step(tid) {
            return Err(ReplayError { at, error, machine: Box::new(machine) });
        }
    }
    Ok(machine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&[ThreadId], &str>) {
        let parsed = text.parse::<Trace>();
        match expected {
            Ok(steps) => {
                let trace = parsed.unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(trace.steps(), steps, "{text}");
                assert_eq!(trace.to_string().parse::<Trace>().unwrap(), trace, "round trip of {text}");
            }
            Err(message) => assert_eq!(parsed.unwrap_err().to_string(), message, "{text}"),
        }
    }

    #[test]
    fn texts_parse_to_steps() {
        check("", Ok(&[]));
        check("0", Ok(&[0]));
        check("0.0.1.1.0", Ok(&[0, 0, 1, 1, 0]));
        check(" 0.1 ", Ok(&[0, 1]));
        check("0*4.1*4", Ok(&[0, 0, 0, 0, 1, 1, 1, 1]));
        check("12.3*2", Ok(&[12, 3, 3]));
    }

    #[test]
    fn garbage_is_rejected_with_what_is_allowed() {
        let allowed = "a trace is thread numbers separated by dots, like 0.0.1, and 0*3 repeats 0 three times";
        check("0.x.1", Err(&format!("trace item 2 is \"x\"; {allowed}")));
        check("0..1", Err(&format!("trace item 2 is \"\"; {allowed}")));
        check("0.1.", Err(&format!("trace item 3 is \"\"; {allowed}")));
        check("-1", Err(&format!("trace item 1 is \"-1\"; {allowed}")));
        check("+1", Err(&format!("trace item 1 is \"+1\"; {allowed}")));
        check("0,1", Err(&format!("trace item 1 is \"0,1\"; {allowed}")));
        check("1*", Err(&format!("trace item 1 is \"1*\"; {allowed}")));
        check("1*2*3", Err(&format!("trace item 1 is \"1*2*3\"; {allowed}")));
        check("99999999999999999999999", Err(&format!("trace item 1 is \"99999999999999999999999\"; {allowed}")));
        check(
            "0.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            Err(&format!("trace item 2 is \"aaaaaaaaaaaaaaaaaaaaaaaa…\"; {allowed}")),
        );
        check("1*0", Err("trace item 1 repeats a thread 0 times; a repeat count must be at least 1"));
        assert_eq!("0*99999.1".parse::<Trace>().unwrap().len(), MAX_TRACE_LEN);
        check("0*99999.1*2", Err("the trace has more than 100000 steps, the most allowed"));
        check("0*999999999999", Err("the trace has more than 100000 steps, the most allowed"));
    }

    #[test]
    fn display_is_compact_and_round_trips() {
        let cases: &[(&[ThreadId], &str)] = &[
            (&[], ""),
            (&[0, 0, 1, 1, 0], "0.0.1.1.0"),
            (&[0, 0, 0, 0, 1, 1, 1, 1], "0*4.1*4"),
            (&[2, 2, 2, 10], "2*3.10"),
        ];
        for &(steps, text) in cases {
            let trace = Trace::from(steps);
            assert_eq!(trace.to_string(), text);
            assert_eq!(text.parse::<Trace>().unwrap(), trace);
        }
        assert_eq!(serde_json::to_string(&Trace::from(&[0, 1][..])).unwrap(), "[0,1]");
    }
}
