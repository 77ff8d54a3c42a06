//! Litmus programs and the outcomes a memory model allows, found by trying every schedule.
//!
//! A litmus program is a few threads of stores (`x = 1`) and loads (`r0 = y`) on shared
//! variables that all start at 0; its outcome is the final value of every register. Two
//! machines run it here, one step at a time, and a depth-first search tries every choice:
//!
//! - **Sequential consistency (SC)**: a step is one thread's next instruction, acting on
//!   memory at once. The outcomes are those of some interleaving of the threads' programs.
//! - **x86-TSO** (Sewell, Sarkar, Owens, Zappa Nardelli, Myreen, "x86-TSO: a rigorous and
//!   usable programmer's model for x86 multiprocessors", CACM 53(7), 2010): every thread has a
//!   FIFO store buffer. A store goes into its thread's buffer; a load reads the newest
//!   buffered store of its own thread to that variable, else memory; and the machine may at
//!   any moment *flush* the oldest store of some thread's buffer to memory, which is a step
//!   the search chooses like any other. A run ends when every thread is done and every
//!   buffer is empty.
//!
//! The search is exhaustive and the programs are tiny (IRIW, the largest, has 6
//! instructions), so it visits at most a few thousand states.

use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// One instruction of a litmus thread; variables and registers are indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `var = value`.
    Store { var: usize, value: u8 },
    /// `reg = var`.
    Load { var: usize, reg: usize },
}

/// A litmus program: variables (all starting at 0), registers, and each thread's code.
#[derive(Debug, Clone)]
pub struct Litmus {
    pub vars: &'static [&'static str],
    pub regs: usize,
    pub threads: Vec<Vec<Op>>,
}

/// The memory model the machine follows.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    Sc,
    Tso,
}

/// A state of the machine: each thread's next instruction, memory, each thread's store
/// buffer (oldest first, empty under SC) and the registers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    pc: Vec<usize>,
    mem: Vec<u8>,
    buffers: Vec<Vec<(usize, u8)>>,
    regs: Vec<u8>,
}

impl Litmus {
    fn start(&self) -> State {
        State { pc: vec![0; self.threads.len()], mem: vec![0; self.vars.len()], buffers: vec![Vec::new(); self.threads.len()], regs: vec![0; self.regs] }
    }

    /// The states one step from `s`: each thread's next instruction, and under TSO each
    /// non-empty buffer's flush.
    fn next(&self, s: &State, model: Model) -> Vec<State> {
        let mut out = Vec::new();
        for (t, code) in self.threads.iter().enumerate() {
            if let Some(&op) = code.get(s.pc[t]) {
                let mut n = s.clone();
                n.pc[t] += 1;
                match (op, model) {
                    (Op::Store { var, value }, Model::Sc) => n.mem[var] = value,
                    (Op::Store { var, value }, Model::Tso) => n.buffers[t].push((var, value)),
                    (Op::Load { var, reg }, _) => {
                        // A thread sees its own newest buffered store first (store forwarding).
                        let own = s.buffers[t].iter().rev().find(|(v, _)| *v == var).map(|&(_, value)| value);
                        n.regs[reg] = own.unwrap_or(s.mem[var]);
                    }
                }
                out.push(n);
            }
            if let Some(&(var, value)) = s.buffers[t].first() {
                let mut n = s.clone();
                n.buffers[t].remove(0);
                n.mem[var] = value;
                out.push(n);
            }
        }
        out
    }

    /// Every outcome (the registers at the end, in order) that `model` allows.
    pub fn allowed(&self, model: Model) -> BTreeSet<Vec<u8>> {
        let mut seen = HashSet::new();
        let mut outcomes = BTreeSet::new();
        let mut stack = vec![self.start()];
        while let Some(s) = stack.pop() {
            if !seen.insert(s.clone()) {
                continue;
            }
            let next = self.next(&s, model);
            if next.is_empty() {
                outcomes.insert(s.regs.clone());
            }
            stack.extend(next);
        }
        outcomes
    }
}

/// `r0=0,r1=1`: an outcome as the page and `data-result` spell it.
pub fn outcome_name(regs: &[u8]) -> String {
    regs.iter().enumerate().map(|(i, v)| format!("r{i}={v}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_reads_its_own_buffered_store_before_anyone_else_can() {
        // x = 1; r0 = x; on one thread: under TSO the load is forwarded from the buffer.
        let l = Litmus { vars: &["x"], regs: 1, threads: vec![vec![Op::Store { var: 0, value: 1 }, Op::Load { var: 0, reg: 0 }]] };
        assert_eq!(l.allowed(Model::Tso), BTreeSet::from([vec![1]]));
        assert_eq!(l.allowed(Model::Sc), BTreeSet::from([vec![1]]));
    }
}
