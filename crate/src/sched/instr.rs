//! The instruction set of the step-through scheduler: what one step of one thread can do.
//!
//! Every instruction is one indivisible step; the scheduler may switch threads between any
//! two of them and never inside one. That is the whole point of the model: `counter += 1` is
//! three steps here (`read`, `add`, `write`), so a learner can put a switch between them.
//!
//! Names (of shared variables, locks, queues, condition variables and a thread's locals) are
//! checked once, when a [`Program`](super::Program) is built; jump targets are step indices of
//! the same thread, and a target equal to the thread's length means "exit".

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value an instruction uses: a constant, or one of the thread's locals.
///
/// In JSON a constant is a number and a local is its name: `1`, `"tmp"`.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Operand {
    Const(i64),
    Local(String),
}

impl From<i64> for Operand {
    fn from(v: i64) -> Self {
        Operand::Const(v)
    }
}

impl From<&str> for Operand {
    fn from(name: &str) -> Self {
        Operand::Local(name.to_string())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Const(v) => write!(f, "{v}"),
            Operand::Local(name) => f.write_str(name),
        }
    }
}

/// How [`Instr::JumpIf`] compares a local with a value.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cmp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl Cmp {
    pub fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// One step of a thread. In JSON: `{"op": "read", "var": "counter", "into": "tmp"}`.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Instr {
    /// Copies shared variable `var` into local `into`.
    Read { var: String, into: String },
    /// Stores `from` into shared variable `var`.
    Write { var: String, from: Operand },
    /// `local += value`: arithmetic on the thread's own copy, invisible to other threads.
    Add { local: String, value: Operand },
    /// `into = array[index]`: element `index` of a shared array (the shared variables named
    /// `array[0]`, `array[1]`, …). An index the array does not have is an error.
    ReadAt { array: String, index: Operand, into: String },
    /// `array[index] = from`.
    WriteAt { array: String, index: Operand, from: Operand },
    /// Compare-and-swap, one indivisible step (the hardware's `cmpxchg`, Rust's
    /// `compare_exchange`): if shared `var` equals `expect`, it becomes `new` and local `into`
    /// becomes 1; otherwise `var` is left alone and `into` becomes 0.
    Cas { var: String, expect: Operand, new: Operand, into: String },
    /// Takes `lock`; blocks while any thread holds it, this one included (not reentrant).
    Lock { lock: String },
    /// Releases `lock`. Only its owner may; anyone else fails (the thread stops).
    Unlock { lock: String },
    /// Takes `lock` if it is free, else jumps to `on_fail`. Never blocks.
    TryLock { lock: String, on_fail: usize },
    /// Appends `value` to `queue`; blocks while the queue is full.
    Put { queue: String, value: Operand },
    /// Takes the oldest item of `queue` into local `into`; blocks while the queue is empty.
    Get { queue: String, into: String },
    /// Like `Get`, but jumps to `on_empty` instead of blocking (the book's `get_nowait`).
    TryGet { queue: String, into: String, on_empty: usize },
    /// `into = queue.empty()`: 1 if `queue` holds no item at this moment, else 0. Only a
    /// snapshot: another thread may put or get before this one acts on it.
    Empty { queue: String, into: String },
    /// Releases the lock of condition `cond` and sleeps until notified; then it must take the
    /// lock back, which is a step of its own. The thread must hold the lock.
    Wait { cond: String },
    /// Wakes the longest waiter on `cond`, if any (a notify with no waiter is lost).
    /// The thread must hold the condition's lock.
    Notify { cond: String },
    /// Wakes every waiter on `cond`. The thread must hold the condition's lock.
    NotifyAll { cond: String },
    /// Appends a line to the shared output; `{name}` is replaced by the value of local `name`.
    Print { text: String },
    /// Continues at step `target`.
    Jump { target: usize },
    /// Continues at step `target` if `local cmp value`, else at the next step.
    JumpIf { local: String, cmp: Cmp, value: Operand, target: usize },
}

/// Short constructors, so that example programs read like listings.
impl Instr {
    pub fn read(var: &str, into: &str) -> Instr {
        Instr::Read { var: var.into(), into: into.into() }
    }
    pub fn write(var: &str, from: impl Into<Operand>) -> Instr {
        Instr::Write { var: var.into(), from: from.into() }
    }
    pub fn add(local: &str, value: impl Into<Operand>) -> Instr {
        Instr::Add { local: local.into(), value: value.into() }
    }
    pub fn read_at(array: &str, index: impl Into<Operand>, into: &str) -> Instr {
        Instr::ReadAt { array: array.into(), index: index.into(), into: into.into() }
    }
    pub fn write_at(array: &str, index: impl Into<Operand>, from: impl Into<Operand>) -> Instr {
        Instr::WriteAt { array: array.into(), index: index.into(), from: from.into() }
    }
    pub fn cas(var: &str, expect: impl Into<Operand>, new: impl Into<Operand>, into: &str) -> Instr {
        Instr::Cas { var: var.into(), expect: expect.into(), new: new.into(), into: into.into() }
    }
    pub fn lock(lock: &str) -> Instr {
        Instr::Lock { lock: lock.into() }
    }
    pub fn unlock(lock: &str) -> Instr {
        Instr::Unlock { lock: lock.into() }
    }
    pub fn try_lock(lock: &str, on_fail: usize) -> Instr {
        Instr::TryLock { lock: lock.into(), on_fail }
    }
    pub fn put(queue: &str, value: impl Into<Operand>) -> Instr {
        Instr::Put { queue: queue.into(), value: value.into() }
    }
    pub fn get(queue: &str, into: &str) -> Instr {
        Instr::Get { queue: queue.into(), into: into.into() }
    }
    pub fn try_get(queue: &str, into: &str, on_empty: usize) -> Instr {
        Instr::TryGet { queue: queue.into(), into: into.into(), on_empty }
    }
    pub fn empty(queue: &str, into: &str) -> Instr {
        Instr::Empty { queue: queue.into(), into: into.into() }
    }
    pub fn wait(cond: &str) -> Instr {
        Instr::Wait { cond: cond.into() }
    }
    pub fn notify(cond: &str) -> Instr {
        Instr::Notify { cond: cond.into() }
    }
    pub fn notify_all(cond: &str) -> Instr {
        Instr::NotifyAll { cond: cond.into() }
    }
    pub fn print(text: &str) -> Instr {
        Instr::Print { text: text.into() }
    }
    pub fn jump(target: usize) -> Instr {
        Instr::Jump { target }
    }
    pub fn jump_if(local: &str, cmp: Cmp, value: impl Into<Operand>, target: usize) -> Instr {
        Instr::JumpIf { local: local.into(), cmp, value: value.into(), target }
    }

    /// The jump target of this step, to move it (see `ops::assemble`).
    pub(super) fn target_mut(&mut self) -> Option<&mut usize> {
        match self {
            Instr::TryLock { on_fail: t, .. } | Instr::TryGet { on_empty: t, .. } => Some(t),
            Instr::Jump { target } | Instr::JumpIf { target, .. } => Some(target),
            _ => None,
        }
    }

    /// Jump targets of this step, for validation.
    pub(super) fn targets(&self) -> Option<usize> {
        match self {
            Instr::TryLock { on_fail: t, .. } | Instr::TryGet { on_empty: t, .. } => Some(*t),
            Instr::Jump { target } | Instr::JumpIf { target, .. } => Some(*target),
            _ => None,
        }
    }
}

/// A piece of a [`Instr::Print`] text: literal text, or `{name}`, the value of a local.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part<'a> {
    Text(&'a str),
    Local(&'a str),
}

/// Splits a print text into parts; `Err` when a `{` is not closed by a `}` around a name.
pub(super) fn print_parts(text: &str) -> Result<Vec<Part<'_>>, ()> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Text(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(())?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return Err(());
        }
        parts.push(Part::Local(name));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// One line of a listing, as the page shows it beside the program counter.
impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Instr::Read { var, into } => write!(f, "{into} = {var}"),
            Instr::Write { var, from } => write!(f, "{var} = {from}"),
            Instr::Add { local, value } => write!(f, "{local} += {value}"),
            Instr::ReadAt { array, index, into } => write!(f, "{into} = {array}[{index}]"),
            Instr::WriteAt { array, index, from } => write!(f, "{array}[{index}] = {from}"),
            Instr::Cas { var, expect, new, into } => write!(f, "{into} = CAS({var}, {expect}, {new})"),
            Instr::Lock { lock } => write!(f, "{lock}.acquire()"),
            Instr::Unlock { lock } => write!(f, "{lock}.release()"),
            Instr::TryLock { lock, on_fail } => {
                write!(f, "if not {lock}.acquire(blocking=False): goto {on_fail}")
            }
            Instr::Put { queue, value } => write!(f, "{queue}.put({value})"),
            Instr::Get { queue, into } => write!(f, "{into} = {queue}.get()"),
            Instr::TryGet { queue, into, on_empty } => {
                write!(f, "{into} = {queue}.get_nowait() or goto {on_empty}")
            }
            Instr::Empty { queue, into } => write!(f, "{into} = {queue}.empty()"),
            Instr::Wait { cond } => write!(f, "{cond}.wait()"),
            Instr::Notify { cond } => write!(f, "{cond}.notify()"),
            Instr::NotifyAll { cond } => write!(f, "{cond}.notify_all()"),
            Instr::Print { text } => write!(f, "print(\"{text}\")"),
            Instr::Jump { target } => write!(f, "goto {target}"),
            Instr::JumpIf { local, cmp, value, target } => {
                write!(f, "if {local} {} {value}: goto {target}", cmp.symbol())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(instr: Instr, listing: &str, json: &str) {
        assert_eq!(instr.to_string(), listing);
        assert_eq!(serde_json::to_string(&instr).unwrap(), json);
        let back: Instr = serde_json::from_str(json).unwrap();
        assert_eq!(back, instr);
    }

    #[test]
    fn listings_and_json() {
        check(Instr::empty("q", "e"), "e = q.empty()", r#"{"op":"empty","queue":"q","into":"e"}"#);
        check(Instr::read("counter", "tmp"), "tmp = counter", r#"{"op":"read","var":"counter","into":"tmp"}"#);
        check(Instr::write("counter", "tmp"), "counter = tmp", r#"{"op":"write","var":"counter","from":"tmp"}"#);
        check(Instr::write("counter", 7), "counter = 7", r#"{"op":"write","var":"counter","from":7}"#);
        check(Instr::add("n", -1), "n += -1", r#"{"op":"add","local":"n","value":-1}"#);
        check(Instr::read_at("next", "t", "n"), "n = next[t]", r#"{"op":"read_at","array":"next","index":"t","into":"n"}"#);
        check(Instr::write_at("next", 2, "t"), "next[2] = t", r#"{"op":"write_at","array":"next","index":2,"from":"t"}"#);
        check(
            Instr::cas("top", "t", "n", "ok"),
            "ok = CAS(top, t, n)",
            r#"{"op":"cas","var":"top","expect":"t","new":"n","into":"ok"}"#,
        );
        check(Instr::lock("m"), "m.acquire()", r#"{"op":"lock","lock":"m"}"#);
        check(Instr::try_lock("m", 4), "if not m.acquire(blocking=False): goto 4", r#"{"op":"try_lock","lock":"m","on_fail":4}"#);
        check(Instr::get("q", "x"), "x = q.get()", r#"{"op":"get","queue":"q","into":"x"}"#);
        check(Instr::notify_all("c"), "c.notify_all()", r#"{"op":"notify_all","cond":"c"}"#);
        check(
            Instr::jump_if("n", Cmp::Gt, 0, 1),
            "if n > 0: goto 1",
            r#"{"op":"jump_if","local":"n","cmp":">","value":0,"target":1}"#,
        );
    }

    #[test]
    fn print_texts_split_into_literals_and_locals() {
        use Part::{Local, Text};
        assert_eq!(print_parts("A: {n}"), Ok(vec![Text("A: "), Local("n")]));
        assert_eq!(print_parts("{a}{b}!"), Ok(vec![Local("a"), Local("b"), Text("!")]));
        assert_eq!(print_parts("no braces }"), Ok(vec![Text("no braces }")]));
        assert_eq!(print_parts(""), Ok(vec![]));
        for bad in ["{n", "{}", "a {b {c}}", "{"] {
            assert_eq!(print_parts(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn comparisons() {
        let cases = [(Cmp::Lt, [true, false, false]), (Cmp::Le, [true, true, false]), (Cmp::Eq, [false, true, false]),
            (Cmp::Ne, [true, false, true]), (Cmp::Gt, [false, false, true]), (Cmp::Ge, [false, true, true])];
        for (cmp, expected) in cases {
            assert_eq!([cmp.holds(1, 2), cmp.holds(2, 2), cmp.holds(3, 2)], expected, "{cmp:?}");
        }
    }
}
