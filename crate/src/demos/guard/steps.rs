//! Chapter 4 in steps: A fails holding the lock. Released by hand, the lock leaks and B is
//! blocked forever; with a guard (or when nothing fails) B can always go on.

use super::{GuardFailure, GuardStyle};
use crate::demos::stepper::Fit;
use crate::sched::{examples, Instr, Program, ProgramSpec, ThreadSpec};

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    let p = fit.p;
    match (p.pick::<GuardStyle>("style"), p.pick::<GuardFailure>("failure")) {
        (GuardStyle::Manual, GuardFailure::Error | GuardFailure::Panic) => {
            (examples::leaked_lock(), "Run A to its end: it never releases the lock, and B is blocked forever. No choice of thread can save it.")
        }
        (GuardStyle::Manual, GuardFailure::None) | (GuardStyle::Guard, _) => {
            (guarded_failure(), "A fails, but the guard releases the lock on the way out: B can always go on.")
        }
    }
}

/// Chapter 4 with a guard: A fails inside the critical section, and the guard's release runs
/// on the way out (Python's `with lock:`).
fn guarded_failure() -> Program {
    let spec = ProgramSpec::new("guard released on failure")
        .lock("lock")
        .thread(ThreadSpec::new("A").steps([
            Instr::lock("lock"),
            Instr::print("A fails: FileNotFoundError"),
            Instr::unlock("lock"),
        ]))
        .thread(ThreadSpec::new("B").steps([Instr::lock("lock"), Instr::print("B got the lock"), Instr::unlock("lock")]));
    spec.build().expect("the guarded program is valid")
}
