//! Chapter 14's lost update in steps: the learner's threads (2 to 4), each a read and a write.

use crate::demos::stepper::{Fit, STEP_THREADS};
use crate::sched::{examples, Program};

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    (
        examples::lost_update(fit.int("threads", fit.input("threads", 2), 2, STEP_THREADS) as usize),
        "Switch threads between a read and its write: both read the same value, both write value + 1, and one update is lost. Try A, B, A, A, B, B.",
    )
}
