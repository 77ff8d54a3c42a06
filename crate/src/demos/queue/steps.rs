//! Chapter 3's queue in steps: one producer and one consumer on the deterministic scheduler,
//! where the learner picks who runs next and sees who blocks whom.

use crate::demos::stepper::{Fit, STEP_COUNT};
use crate::sched::{examples, Program};

/// One producer and one consumer (the producers' items in all, and the learner's maxsize; an
/// unbounded queue, maxsize 0, is one with room for every item).
pub(crate) fn story(fit: &mut Fit) -> (Program, &'static str) {
    fit.int("threads", fit.input("producers", 1) + fit.input("consumers", 1), 2, 2);
    let items = fit.int("items", fit.input("items", 4) * fit.input("producers", 1), 1, STEP_COUNT);
    let maxsize = fit.input("maxsize", 2);
    if maxsize == 0 {
        return (
            examples::producer_consumer(items, items as usize),
            "The queue is unbounded: the producer never blocks. The consumer blocks while it is empty, and only the producer can unblock it.",
        );
    }
    let capacity = fit.int("places in the queue", maxsize, 1, 4);
    (
        examples::producer_consumer(items, capacity as usize),
        "The producer blocks when the queue is full and the consumer when it is empty: only the other thread can unblock it.",
    )
}
