//! The check-then-act race between `empty()` and `get()`, in steps: main M puts items, and
//! consumers C1, C2… loop `while not q.empty(): x = q.get()`. Each call is atomic on its
//! own, but nothing holds the answer of `empty()` true until `get()`: let both consumers see
//! one item, let C1 take it, and C2's `get()` waits for an item that never comes.
//! With poison pills (`ending=pills`) a consumer only ever calls `get()`, and M puts one pill
//! (-1, Python's `None`) per consumer after the items: every order ends.

use super::Ending;
use crate::demos::stepper::Fit;
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// Stands for `None`, the poison pill.
pub const PILL: i64 = -1;

/// `consumers` consumers and `items` items (7, 8, …), ended as `ending` says.
pub fn program(consumers: usize, items: usize, ending: Ending) -> Program {
    let mut spec = ProgramSpec::new(match ending {
        Ending::Poll => "consumers that stop when q.empty() (the book's)",
        Ending::Pills => "consumers that stop at a poison pill",
    })
    .queue("q", None);
    let mut main: Vec<Instr> = (0..items).map(|i| Instr::put("q", 7 + i as i64)).collect();
    if ending == Ending::Pills {
        main.extend((0..consumers).map(|_| Instr::put("q", PILL)));
    }
    spec = spec.thread(ThreadSpec::new("M").steps(main));
    for c in 1..=consumers {
        let done = Instr::print(&format!("C{c} took {{n}} items"));
        let steps = match ending {
            Ending::Poll => vec![
                Instr::empty("q", "e"),                   // 0: while not q.empty():
                Instr::jump_if("e", Cmp::Eq, 1, 5),       // 1
                Instr::get("q", "x"),                     // 2:     x = q.get()
                Instr::add("n", 1),                       // 3:     n += 1
                Instr::jump(0),                           // 4
                done,                                     // 5
            ],
            Ending::Pills => vec![
                Instr::get("q", "x"),                     // 0: x = q.get()
                Instr::jump_if("x", Cmp::Eq, PILL, 4),    // 1: if x is None: break
                Instr::add("n", 1),                       // 2: n += 1
                Instr::jump(0),                           // 3
                done,                                     // 4
            ],
        };
        spec = spec.thread(ThreadSpec::new(&format!("C{c}")).local("e", 0).local("x", 0).local("n", 0).steps(steps));
    }
    spec.build().unwrap_or_else(|e| panic!("the consumers' program is invalid: {e}"))
}

pub fn story(fit: &mut Fit) -> (Program, &'static str) {
    let consumers = fit.int("consumers", fit.input("consumers", 2), 2, 3) as usize;
    let items = fit.int("items", fit.input("tasks", 1), 1, 3) as usize;
    match fit.p.pick::<Ending>("ending") {
        Ending::Poll => (
            program(consumers, items, Ending::Poll),
            "Let M put its items, then step every consumer through q.empty() (each sees items left), then let C1 take the rest: the others' get() waits for an item that never comes. Or start a consumer before M puts anything: it sees an empty queue and quits with none.",
        ),
        Ending::Pills => (
            program(consumers, items, Ending::Pills),
            "Each consumer only calls get(), and M puts one pill (-1 stands for None) per consumer after its items: whatever the order, every consumer ends, and every item is taken.",
        ),
    }
}
