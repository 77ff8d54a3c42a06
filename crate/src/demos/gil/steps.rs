//! Where a GIL may switch threads, in steps: `n += 1` is three bytecodes (load, add, store).
//! Under "any bytecode" (the old rule, and the book's `setswitchinterval(1e-6)` run) a switch
//! can fall between the load and the store, and an update is lost. Under "back-edges and
//! calls only" (CPython since 3.10) the eval breaker is not checked inside the straight-line
//! `n += 1`, so a thread that starts it finishes it before anyone else runs: the GIL is held
//! from one check point to the next, which the step program shows as a lock named GIL.
//!
//! [`outcomes`] counts, over every interleaving the policy allows, how often each final `n`
//! comes out: an exhaustive enumeration, small enough to do on every compute.

use super::Policy;
use crate::demos::stepper::Fit;
use crate::sched::{Instr, Program, ProgramSpec, ThreadSpec};
use serde::Serialize;
use std::collections::BTreeMap;

/// The most threads the step view runs (three already have 1,680 interleavings).
pub const MAX_STEP_THREADS: i64 = 3;

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let k = fit.int("threads", fit.input("threads", 2), 2, MAX_STEP_THREADS) as usize;
    match fit.p.pick::<Policy>("policy") {
        Policy::Any => (
            program(k, Policy::Any),
            "Any bytecode can be a switch point: run A's load, switch to B for its whole n += 1, then finish A. A stores a stale value and B's update is lost.",
        ),
        Policy::Backedge => (
            program(k, Policy::Backedge),
            "The GIL is only dropped at a check point (a back-edge or a call), and n += 1 has none inside: once a thread starts it, the others wait for the GIL. Every order ends with n equal to the number of threads.",
        ),
    }
}

fn name(i: usize) -> String {
    char::from(b'A' + i as u8).to_string()
}

/// `k` threads each running `n += 1` as LOAD, ADD, STORE, with switch points as `policy` says.
pub fn program(k: usize, policy: Policy) -> Program {
    let mut spec = ProgramSpec::new(match policy {
        Policy::Any => "n += 1, switch at any bytecode",
        Policy::Backedge => "n += 1, switch at back-edges and calls",
    })
    .var("n", 0);
    if policy == Policy::Backedge {
        spec = spec.lock("GIL");
    }
    for i in 0..k {
        let body = [Instr::read("n", "tmp"), Instr::add("tmp", 1), Instr::write("n", "tmp")];
        let steps: Vec<Instr> = match policy {
            Policy::Any => body.to_vec(),
            Policy::Backedge => std::iter::once(Instr::lock("GIL")).chain(body).chain([Instr::unlock("GIL")]).collect(),
        };
        spec = spec.thread(ThreadSpec::new(&name(i)).local("tmp", 0).steps(steps));
    }
    spec.build().expect("the GIL step program is valid")
}

/// How many of a policy's interleavings end with each final `n`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    pub policy: Policy,
    pub threads: u32,
    /// Every order of switch points the policy allows.
    pub interleavings: u64,
    /// Those that lose at least one update (end below `threads`).
    pub lost: u64,
    /// (final n, how many interleavings end there), ascending in n.
    pub finals: Vec<(i64, u64)>,
}

/// Enumerates every interleaving of `k` threads' `n += 1` under `policy`. A thread's bytecodes
/// fall into atomic segments, between which the GIL may switch: three segments of one
/// bytecode each under "any", one segment of all three under "back-edges only".
pub fn outcomes(k: usize, policy: Policy) -> Outcomes {
    let segments: usize = match policy {
        Policy::Any => 3,
        Policy::Backedge => 1,
    };
    // Thread state: next bytecode (0 load, 1 add, 2 store, 3 done) and its register.
    fn go(n: i64, pc: &mut [usize], reg: &mut [i64], segments: usize, finals: &mut BTreeMap<i64, u64>) {
        let mut moved = false;
        for t in 0..pc.len() {
            if pc[t] == 3 {
                continue;
            }
            moved = true;
            let (saved_pc, saved_reg) = (pc[t], reg[t]);
            let mut n2 = n;
            // Run one segment of thread t.
            let per = 3 / segments;
            for _ in 0..per {
                match pc[t] {
                    0 => reg[t] = n2,
                    1 => reg[t] += 1,
                    _ => n2 = reg[t],
                }
                pc[t] += 1;
            }
            go(n2, pc, reg, segments, finals);
            pc[t] = saved_pc;
            reg[t] = saved_reg;
        }
        if !moved {
            *finals.entry(n).or_default() += 1;
        }
    }
    let mut finals = BTreeMap::new();
    go(0, &mut vec![0; k], &mut vec![0; k], segments, &mut finals);
    let interleavings = finals.values().sum();
    let lost = finals.iter().filter(|(&n, _)| n < k as i64).map(|(_, c)| c).sum();
    Outcomes { policy, threads: k as u32, interleavings, lost, finals: finals.into_iter().collect() }
}
