//! The book's queue version of one round, in steps: workers W1… each add one pair and hand
//! back the partial sum, and the main thread M waits for every task to be done (`join()`),
//! then adds up the partial sums it finds in the results queue.
//!
//! `task_done()` is a token put into the queue `task_done`, and `join()` is M getting one
//! token per task. In the book's order a worker calls `task_done()` before it puts its
//! partial sum, so M can have all its tokens, find the results queue short of one sum, and
//! print a wrong total; the sum arrives after nobody looks. Put first, then `task_done()`,
//! and no schedule can lose it.

use super::Order;
use crate::demos::stepper::Fit;
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// The book's numbers, used when the learner's are not whole numbers the step view can hold.
pub const BOOK: [i64; 6] = [1, 4, 8, 3, 2, 5];
/// Pairs (workers) the step view shows at most.
pub const MAX_PAIRS: i64 = 3;

/// One round over `numbers` (an even count of them, a worker per pair) in the given order.
pub fn round(numbers: &[i64], order: Order) -> Program {
    let pairs = numbers.len() / 2;
    let mut spec = ProgramSpec::new(match order {
        Order::Book => "one round, task_done() before the sum is put (the book's)",
        Order::Fixed => "one round, the sum put before task_done()",
    })
    .var("total", 0)
    .queue("task_done", None)
    .queue("results", None);
    for (i, pair) in numbers.chunks_exact(2).enumerate() {
        let done = Instr::put("task_done", 1);
        let put = Instr::put("results", "s");
        let [first, second] = match order {
            Order::Book => [done, put],
            Order::Fixed => [put, done],
        };
        spec = spec.thread(ThreadSpec::new(&format!("W{}", i + 1)).local("s", pair[0]).local("b", pair[1]).steps([
            Instr::add("s", "b"),                         // 0: s = a + b
            first,                                        // 1
            second,                                       // 2
        ]));
    }
    let main = ThreadSpec::new("M").local("left", pairs as i64).local("x", 0).local("sum", 0).steps([
        Instr::get("task_done", "x"),                     // 0: join(): one token per task
        Instr::add("left", -1),                           // 1
        Instr::jump_if("left", Cmp::Gt, 0, 0),            // 2
        Instr::try_get("results", "x", 6),                // 3: drain what is there
        Instr::add("sum", "x"),                           // 4
        Instr::jump(3),                                   // 5
        Instr::write("total", "sum"),                     // 6: print(total)
    ]);
    spec.thread(main).build().unwrap_or_else(|e| panic!("the reduction round is invalid: {e}"))
}

/// The numbers the step view uses: the learner's first pairs when they are small whole
/// numbers, else the book's.
pub fn numbers(fit: &mut Fit) -> Vec<i64> {
    let p = fit.p;
    let given = &p.list("values").numbers;
    let whole = given.len() >= 2 && given.iter().all(|v| v.fract() == 0.0 && v.abs() <= 1e6);
    let source: Vec<i64> = if whole { given.iter().map(|&v| v as i64).collect() } else { BOOK.to_vec() };
    let pairs = fit.int("pairs of numbers", source.len() as i64 / 2, 1, MAX_PAIRS) as usize;
    source[..2 * pairs].to_vec()
}

pub fn story(fit: &mut Fit) -> (Program, &'static str) {
    let numbers = numbers(fit);
    match fit.p.pick::<Order>("order") {
        Order::Book => (
            round(&numbers, Order::Book),
            "Step W1 twice (its sum and its task_done), then the other workers to the end, then M: M has every token, finds one sum missing, and writes a wrong total. W1's sum arrives when nobody looks.",
        ),
        Order::Fixed => (
            round(&numbers, Order::Fixed),
            "Each worker puts its sum before task_done(): when M has every token, every sum is already in the queue. Try any order you like; the total is always right.",
        ),
    }
}
