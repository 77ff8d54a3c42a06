//! The built-in programs of the synchronization demos, each the book's example cut into
//! explicit steps (chapter numbers are those of *Mastering Concurrency in Python*).
//!
//! Thread ids are their order here: A is 0, B is 1. The tests below pin the interleavings
//! that the chapters talk about, so a demo's "try trace 0.1" link cannot silently rot.

use super::instr::{Cmp, Instr};
use super::program::{Program, ProgramSpec, ThreadSpec};
use std::fmt;

/// Every example, by the id a URL uses.
pub const IDS: &[&str] = &[
    "countdown",
    "countdown-locked",
    "lost-update",
    "locked-increment",
    "opposite-locks",
    "same-order-locks",
    "producer-consumer",
    "leaked-lock",
    "philosophers",
    "philosophers-ordered",
    "treiber-aba",
    "treiber-fresh",
    "dict-delete",
    "dict-copy",
];

/// The example called `id`, with its default sizes.
pub fn by_id(id: &str) -> Result<Program, UnknownExample> {
    Ok(match id {
        "countdown" => countdown(false),
        "countdown-locked" => countdown(true),
        "lost-update" => lost_update(2),
        "locked-increment" => locked_increment(2),
        "opposite-locks" => opposite_order_locks(),
        "same-order-locks" => same_order_locks(),
        "producer-consumer" => producer_consumer(4, 2),
        "leaked-lock" => leaked_lock(),
        "philosophers" => philosophers(5, false),
        "philosophers-ordered" => philosophers(5, true),
        "treiber-aba" => super::chapter16::treiber(true, false),
        "treiber-fresh" => super::chapter16::treiber(false, false),
        "dict-delete" => super::chapter16::dict_race(false, false),
        "dict-copy" => super::chapter16::dict_race(true, false),
        _ => return Err(UnknownExample(id.chars().take(32).collect())),
    })
}

/// An id that [`by_id`] does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownExample(pub String);

impl fmt::Display for UnknownExample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "there is no example program called \"{}\"; the examples are {}", self.0, IDS.join(", "))
    }
}

impl std::error::Error for UnknownExample {}

pub(super) fn build(spec: ProgramSpec) -> Program {
    let name = spec.name.clone();
    spec.build().unwrap_or_else(|e| panic!("built-in example {name} is invalid: {e}"))
}

/// Thread names A, B, C, ... (then T26, T27, ... past Z).
pub(super) fn thread_name(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("T{i}"),
    }
}

/// Chapter 3: threads A and B each print 5 down to 1. Without the lock the lines interleave
/// as the schedule says; with it (around the whole loop) all of one thread's lines come first.
pub fn countdown(locked: bool) -> Program {
    countdown_of(locked, 2, 5)
}

/// The countdown with `threads` threads (A, B, …) each printing `from` down to 1.
pub fn countdown_of(locked: bool, threads: usize, from: i64) -> Program {
    let mut spec = ProgramSpec::new(if locked { "countdown with a lock" } else { "countdown" });
    if locked {
        spec = spec.lock("lock");
    }
    for name in (0..threads).map(thread_name) {
        let print = Instr::print(&format!("{name}: {{n}}"));
        let steps = if locked {
            vec![
                Instr::lock("lock"),                   // 0
                print,                                 // 1
                Instr::add("n", -1),                   // 2
                Instr::jump_if("n", Cmp::Gt, 0, 1),    // 3
                Instr::unlock("lock"),                 // 4
            ]
        } else {
            vec![
                print,                                 // 0
                Instr::add("n", -1),                   // 1
                Instr::jump_if("n", Cmp::Gt, 0, 0),    // 2
            ]
        };
        spec = spec.thread(ThreadSpec::new(&name).local("n", from).steps(steps));
    }
    build(spec)
}

/// `counter += 1` as three steps: read the shared counter, add 1 to the private copy,
/// write it back.
fn increment() -> [Instr; 3] {
    [Instr::read("counter", "tmp"), Instr::add("tmp", 1), Instr::write("counter", "tmp")]
}

/// Chapter 14: `threads` threads each do `counter += 1` with no lock. A switch between a
/// read and its write loses the other thread's update: with 2 threads, trace 0.1.0.0.1.1
/// ends with counter 1.
pub fn lost_update(threads: usize) -> Program {
    let mut spec = ProgramSpec::new("lost update").var("counter", 0);
    for i in 0..threads {
        spec = spec.thread(ThreadSpec::new(&thread_name(i)).local("tmp", 0).steps(increment()));
    }
    build(spec)
}

/// Chapter 14, fixed: the same increment inside `lock` (5 steps a thread); always ends at
/// `threads`.
pub fn locked_increment(threads: usize) -> Program {
    let mut spec = ProgramSpec::new("locked increment").var("counter", 0).lock("lock");
    for i in 0..threads {
        let steps = std::iter::once(Instr::lock("lock")).chain(increment()).chain([Instr::unlock("lock")]);
        spec = spec.thread(ThreadSpec::new(&thread_name(i)).local("tmp", 0).steps(steps));
    }
    build(spec)
}

fn two_locks(name: &str, a_order: [&str; 2], b_order: [&str; 2]) -> Program {
    let thread = |name: &str, [first, second]: [&str; 2]| {
        ThreadSpec::new(name).steps([
            Instr::lock(first),
            Instr::lock(second),
            Instr::unlock(second),
            Instr::unlock(first),
        ])
    };
    build(ProgramSpec::new(name).lock("a").lock("b").thread(thread("A", a_order)).thread(thread("B", b_order)))
}

/// Chapter 12: A takes lock a then b, B takes b then a. Trace 0.1 (each takes its first
/// lock) deadlocks; 0*4.1*4 finishes.
pub fn opposite_order_locks() -> Program {
    two_locks("locks in opposite order", ["a", "b"], ["b", "a"])
}

/// Chapter 12, fixed: both threads take a then b; no schedule deadlocks.
pub fn same_order_locks() -> Program {
    two_locks("locks in the same order", ["a", "b"], ["a", "b"])
}

/// Chapters 3 and 6: a producer puts 1..=items into a queue of `capacity` (blocking while it
/// is full); a consumer gets `items` items (blocking while it is empty) and prints each.
pub fn producer_consumer(items: i64, capacity: usize) -> Program {
    let producer = ThreadSpec::new("P").local("i", 1).steps([
        Instr::put("q", "i"),                          // 0
        Instr::add("i", 1),                            // 1
        Instr::jump_if("i", Cmp::Le, items, 0),        // 2
    ]);
    let consumer = ThreadSpec::new("C").local("x", 0).local("left", items).steps([
        Instr::get("q", "x"),                          // 0
        Instr::print("got {x}"),                       // 1
        Instr::add("left", -1),                        // 2
        Instr::jump_if("left", Cmp::Gt, 0, 0),         // 3
    ]);
    build(
        ProgramSpec::new("producer and consumer")
            .queue("q", Some(capacity))
            .thread(producer)
            .thread(consumer),
    )
}

/// Chapter 4: A takes the lock and ends without releasing it (the book's exception that skips
/// `release()`); B's acquire then waits forever. Trace 0.0 leaves B blocked, A named as owner.
pub fn leaked_lock() -> Program {
    build(
        ProgramSpec::new("leaked lock")
            .lock("lock")
            .thread(ThreadSpec::new("A").steps([Instr::lock("lock"), Instr::print("A fails before release()")]))
            .thread(ThreadSpec::new("B").steps([
                Instr::lock("lock"),
                Instr::print("B got the lock"),
                Instr::unlock("lock"),
            ])),
    )
}

/// Chapter 12: `k` philosophers round a table with a fork between each two. Philosopher Pi
/// takes fork fi (on the left) and then the next one (on the right), eats, and puts both down.
/// If every philosopher takes the left fork first (trace 0.1.2…), each waits for a fork its
/// neighbour holds: a deadlock. `ordered` takes the two forks in one global order, the
/// lower-numbered first, so the last philosopher reaches for f1 before fk; then no schedule
/// deadlocks (a cycle of waits would need someone to hold a higher fork while wanting a lower).
pub fn philosophers(k: usize, ordered: bool) -> Program {
    let name = if ordered { "philosophers taking forks in one global order" } else { "dining philosophers" };
    let mut spec = ProgramSpec::new(name);
    for i in 1..=k {
        spec = spec.lock(&format!("f{i}"));
    }
    for i in 1..=k {
        let (left, right) = (i, i % k + 1);
        let (first, second) = if ordered { (left.min(right), left.max(right)) } else { (left, right) };
        let (first, second) = (format!("f{first}"), format!("f{second}"));
        spec = spec.thread(ThreadSpec::new(&format!("P{i}")).local("meals", 0).steps([
            Instr::lock(&first),                       // 0
            Instr::lock(&second),                      // 1
            Instr::add("meals", 1),                    // 2: eat
            Instr::unlock(&second),                    // 3
            Instr::unlock(&first),                     // 4
        ]));
    }
    build(spec)
}

#[cfg(test)]
#[path = "examples_tests.rs"]
mod tests;
