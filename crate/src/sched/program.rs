//! A program for the step-through scheduler: shared variables, locks, queues, condition
//! variables, and threads that are lists of [`Instr`] steps; and its validation.
//!
//! A [`ProgramSpec`] is the description (built in Rust with the chained methods below, or
//! sent by the page as JSON). [`ProgramSpec::build`] checks every name and jump target once
//! and gives a [`Program`], which the [`Machine`](super::Machine) can then run without
//! checking again. Messages say what was wrong and what is allowed.

use super::instr::{print_parts, Instr, Operand, Part};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Deref;

/// A thread's index in [`ProgramSpec::threads`]; traces are lists of these.
pub type ThreadId = usize;

/// A named integer and its starting value: a shared variable, or a thread's local.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub name: String,
    pub init: i64,
}

/// A FIFO queue; `capacity: None` is unbounded, `Some(n)` makes `put` block when n items wait.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    pub capacity: Option<usize>,
}

/// A condition variable, tied to the lock that its `wait` releases and takes back.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CondSpec {
    pub name: String,
    pub lock: String,
}

/// One thread: its name (shown in lanes and messages), its locals and its steps.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSpec {
    pub name: String,
    #[serde(default)]
    pub locals: Vec<Slot>,
    pub steps: Vec<Instr>,
}

impl ThreadSpec {
    pub fn new(name: &str) -> ThreadSpec {
        ThreadSpec { name: name.into(), locals: Vec::new(), steps: Vec::new() }
    }
    pub fn local(mut self, name: &str, init: i64) -> ThreadSpec {
        self.locals.push(Slot { name: name.into(), init });
        self
    }
    pub fn steps(mut self, steps: impl IntoIterator<Item = Instr>) -> ThreadSpec {
        self.steps.extend(steps);
        self
    }
}

/// The description of a program, not yet checked.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSpec {
    pub name: String,
    #[serde(default)]
    pub vars: Vec<Slot>,
    #[serde(default)]
    pub locks: Vec<String>,
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub conds: Vec<CondSpec>,
    pub threads: Vec<ThreadSpec>,
}

impl ProgramSpec {
    pub fn new(name: &str) -> ProgramSpec {
        ProgramSpec {
            name: name.into(),
            vars: Vec::new(),
            locks: Vec::new(),
            queues: Vec::new(),
            conds: Vec::new(),
            threads: Vec::new(),
        }
    }
    pub fn var(mut self, name: &str, init: i64) -> ProgramSpec {
        self.vars.push(Slot { name: name.into(), init });
        self
    }
    /// A shared array: the shared variables `name[first]`, `name[first + 1]`, … starting at
    /// `inits`, which [`Instr::ReadAt`] and [`Instr::WriteAt`] index.
    pub fn array(mut self, name: &str, first: i64, inits: &[i64]) -> ProgramSpec {
        for (i, &init) in (first..).zip(inits) {
            self.vars.push(Slot { name: element(name, i), init });
        }
        self
    }
    pub fn lock(mut self, name: &str) -> ProgramSpec {
        self.locks.push(name.into());
        self
    }
    pub fn queue(mut self, name: &str, capacity: Option<usize>) -> ProgramSpec {
        self.queues.push(QueueSpec { name: name.into(), capacity });
        self
    }
    pub fn cond(mut self, name: &str, lock: &str) -> ProgramSpec {
        self.conds.push(CondSpec { name: name.into(), lock: lock.into() });
        self
    }
    pub fn thread(mut self, thread: ThreadSpec) -> ProgramSpec {
        self.threads.push(thread);
        self
    }

    /// Checks every name and jump target; the first problem found is reported.
    pub fn build(self) -> Result<Program, ProgramError> {
        validate(&self)?;
        Ok(Program(self))
    }
}

/// The shared variable that holds element `index` of array `array`: `next[2]`.
pub fn element(array: &str, index: i64) -> String {
    format!("{array}[{index}]")
}

/// The arrays among a program's shared variables (the names before `[`), each once.
fn arrays(vars: &[String]) -> Vec<String> {
    let mut names: Vec<String> = vars.iter().filter_map(|v| v.strip_suffix(']')?.split_once('[').map(|(a, _)| a.to_string())).collect();
    names.dedup();
    names
}

/// A checked program: every name it uses exists and every jump lands inside its thread.
/// Read it through `Deref` as a [`ProgramSpec`]; in JSON it is its spec.
#[cfg_attr(test, derive(ts_rs::TS), ts(as = "ProgramSpec"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program(ProgramSpec);

impl Deref for Program {
    type Target = ProgramSpec;
    fn deref(&self) -> &ProgramSpec {
        &self.0
    }
}

impl Program {
    /// The name of thread `tid`, for messages.
    pub fn thread_name(&self, tid: ThreadId) -> &str {
        &self.threads[tid].name
    }

    /// The lock that condition `cond` is tied to (panics if there is no such condition).
    pub fn cond_lock(&self, cond: &str) -> &str {
        &self.conds.iter().find(|c| c.name == cond).expect("a condition of this program").lock
    }

    /// The capacity of `queue`, `None` when unbounded (panics if there is no such queue).
    pub fn capacity(&self, queue: &str) -> Option<usize> {
        self.queues.iter().find(|q| q.name == queue).expect("a queue of this program").capacity
    }
}

/// Why a [`ProgramSpec`] is not a valid program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramError {
    NoThreads,
    /// `what`, here and in `Duplicate`: "shared variables", "locks", "locals of thread A", ...
    EmptyName { what: String },
    Duplicate { what: String, name: String },
    ZeroCapacity { queue: String },
    /// A condition tied to a lock that the program does not have.
    CondLock { cond: String, lock: String, locks: Vec<String> },
    /// Step `step` of `thread` names a `what` that does not exist; `allowed` are those that do.
    Unknown { thread: String, step: usize, what: &'static str, name: String, allowed: Vec<String> },
    /// A jump outside `0..=len` (`len` itself means the end of the thread).
    Target { thread: String, step: usize, target: usize, len: usize },
    /// A print text with a `{` that is not closed around a name.
    Template { thread: String, step: usize, text: String },
}

fn listed(what: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!("there are no {what}")
    } else {
        format!("the {what} are {}", names.join(", "))
    }
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgramError::NoThreads => f.write_str("a program needs at least one thread"),
            ProgramError::EmptyName { what } => write!(f, "one of the {what} has an empty name; every name needs at least one character"),
            ProgramError::Duplicate { what, name } => {
                write!(f, "two of the {what} are called \"{name}\"; names must be different")
            }
            ProgramError::ZeroCapacity { queue } => write!(
                f,
                "queue \"{queue}\" has capacity 0; a capacity must be at least 1, or none for an unbounded queue"
            ),
            ProgramError::CondLock { cond, lock, locks } => write!(
                f,
                "condition \"{cond}\" uses lock \"{lock}\", which does not exist; {}",
                listed("locks", locks)
            ),
            ProgramError::Unknown { thread, step, what, name, allowed } => {
                let whats = format!("{what}s");
                write!(f, "thread {thread} step {step} uses {what} \"{name}\", which does not exist; {}", listed(&whats, allowed))
            }
            ProgramError::Target { thread, step, target, len } => write!(
                f,
                "thread {thread} step {step} jumps to {target}; a jump must go to a step from 0 to {len} ({len} ends the thread)"
            ),
            ProgramError::Template { thread, step, text } => write!(
                f,
                "thread {thread} step {step} prints \"{text}\", which has a stray brace; a local is written {{name}}, like {{n}}"
            ),
        }
    }
}

impl std::error::Error for ProgramError {}

fn unique<'a>(what: &str, names: impl IntoIterator<Item = &'a String>) -> Result<(), ProgramError> {
    let mut seen = BTreeSet::new();
    for name in names {
        if name.is_empty() {
            return Err(ProgramError::EmptyName { what: what.to_string() });
        }
        if !seen.insert(name) {
            return Err(ProgramError::Duplicate { what: what.to_string(), name: name.clone() });
        }
    }
    Ok(())
}

fn validate(p: &ProgramSpec) -> Result<(), ProgramError> {
    if p.threads.is_empty() {
        return Err(ProgramError::NoThreads);
    }
    unique("shared variables", p.vars.iter().map(|v| &v.name))?;
    unique("locks", &p.locks)?;
    unique("queues", p.queues.iter().map(|q| &q.name))?;
    unique("conditions", p.conds.iter().map(|c| &c.name))?;
    unique("threads", p.threads.iter().map(|t| &t.name))?;
    if let Some(q) = p.queues.iter().find(|q| q.capacity == Some(0)) {
        return Err(ProgramError::ZeroCapacity { queue: q.name.clone() });
    }
    if let Some(c) = p.conds.iter().find(|c| !p.locks.contains(&c.lock)) {
        return Err(ProgramError::CondLock { cond: c.name.clone(), lock: c.lock.clone(), locks: p.locks.clone() });
    }
    let vars: Vec<String> = p.vars.iter().map(|v| v.name.clone()).collect();
    let arrays = arrays(&vars);
    let queues: Vec<String> = p.queues.iter().map(|q| q.name.clone()).collect();
    let conds: Vec<String> = p.conds.iter().map(|c| c.name.clone()).collect();
    for t in &p.threads {
        unique(&format!("locals of thread {}", t.name), t.locals.iter().map(|l| &l.name))?;
        let locals: Vec<String> = t.locals.iter().map(|l| l.name.clone()).collect();
        let len = t.steps.len();
        for (step, instr) in t.steps.iter().enumerate() {
            let check = |what: &'static str, name: &str, allowed: &[String]| {
                if allowed.iter().any(|a| a == name) {
                    Ok(())
                } else {
                    Err(ProgramError::Unknown {
                        thread: t.name.clone(),
                        step,
                        what,
                        name: name.to_string(),
                        allowed: allowed.to_vec(),
                    })
                }
            };
            let operand = |o: &Operand| match o {
                Operand::Const(_) => Ok(()),
                Operand::Local(name) => check("local", name, &locals),
            };
            match instr {
                Instr::Read { var, into } => {
                    check("shared variable", var, &vars)?;
                    check("local", into, &locals)?;
                }
                Instr::Write { var, from } => {
                    check("shared variable", var, &vars)?;
                    operand(from)?;
                }
                Instr::Add { local, value } => {
                    check("local", local, &locals)?;
                    operand(value)?;
                }
                Instr::ReadAt { array, index, into } => {
                    check("shared array", array, &arrays)?;
                    operand(index)?;
                    check("local", into, &locals)?;
                }
                Instr::WriteAt { array, index, from } => {
                    check("shared array", array, &arrays)?;
                    operand(index)?;
                    operand(from)?;
                }
                Instr::Cas { var, expect, new, into } => {
                    check("shared variable", var, &vars)?;
                    operand(expect)?;
                    operand(new)?;
                    check("local", into, &locals)?;
                }
                Instr::Lock { lock } | Instr::Unlock { lock } | Instr::TryLock { lock, .. } => {
                    check("lock", lock, &p.locks)?;
                }
                Instr::Put { queue, value } => {
                    check("queue", queue, &queues)?;
                    operand(value)?;
                }
                Instr::Get { queue, into } | Instr::TryGet { queue, into, .. } | Instr::Empty { queue, into } => {
                    check("queue", queue, &queues)?;
                    check("local", into, &locals)?;
                }
                Instr::Wait { cond } | Instr::Notify { cond } | Instr::NotifyAll { cond } => {
                    check("condition", cond, &conds)?;
                }
                Instr::Print { text } => {
                    let parts = print_parts(text).map_err(|()| ProgramError::Template {
                        thread: t.name.clone(),
                        step,
                        text: text.clone(),
                    })?;
                    for part in parts {
                        if let Part::Local(name) = part {
                            check("local", name, &locals)?;
                        }
                    }
                }
                Instr::JumpIf { local, value, .. } => {
                    check("local", local, &locals)?;
                    operand(value)?;
                }
                Instr::Jump { .. } => {}
            }
            if let Some(target) = instr.targets().filter(|&target| target > len) {
                return Err(ProgramError::Target { thread: t.name.clone(), step, target, len });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "program_tests.rs"]
mod tests;
