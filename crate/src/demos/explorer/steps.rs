//! The explorer's step-through view: the program it explored, so that its counterexamples
//! replay there.

use crate::demos::stepper::Fit;
use crate::sched::Program;

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    (
        super::program(fit.p).0,
        "Replay a counterexample from the explorer above, or choose the threads yourself: every order you can click is one of the interleavings it counted.",
    )
}
