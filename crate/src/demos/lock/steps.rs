//! Chapter 3's locks in steps: the learner's threads (2 to 4) add to one counter under a lock.

use crate::demos::stepper::{Fit, STEP_THREADS};
use crate::sched::{examples, Program};

pub(super) fn story(fit: &mut Fit) -> (Program, &'static str) {
    (
        examples::locked_increment(fit.int("threads", fit.input("threads", 2), 2, STEP_THREADS) as usize),
        "Try to switch threads between a read and its write: while one thread holds the lock, the others cannot take a step that touches the counter.",
    )
}
