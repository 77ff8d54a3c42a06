//! Chapter 3's pool in steps: the book's task queue with poison pills, on the deterministic
//! scheduler, where the learner picks which worker takes the next task.

use crate::demos::stepper::{Fit, STEP_THREADS};
use crate::sched::{Cmp, Instr, Program, ProgramSpec, ThreadSpec};

/// The most tasks a stepped pool hands out.
const STEP_TASKS: i64 = 6;

pub(crate) fn story(fit: &mut Fit) -> (Program, &'static str) {
    (
        pool(fit.int("tasks", fit.input("tasks", 4), 1, STEP_TASKS), fit.int("workers", fit.input("workers", 2), 1, STEP_THREADS - 1) as usize),
        "Workers take tasks in whatever order you schedule them; each stops at its poison pill (task 0).",
    )
}

/// Chapter 3's pool: `main` queues tasks 1..=tasks and one poison pill (0) per worker; each
/// worker takes tasks until it takes a pill.
fn pool(tasks: i64, workers: usize) -> Program {
    let mut spec = ProgramSpec::new("thread pool over a task queue").queue("tasks", None);
    let mut main = vec![Instr::put("tasks", "i"), Instr::add("i", 1), Instr::jump_if("i", Cmp::Le, tasks, 0)];
    main.extend((0..workers).map(|_| Instr::put("tasks", 0)));
    spec = spec.thread(ThreadSpec::new("main").local("i", 1).steps(main));
    for w in 1..=workers {
        spec = spec.thread(ThreadSpec::new(&format!("W{w}")).local("task", 0).steps([
            Instr::get("tasks", "task"),                 // 0
            Instr::jump_if("task", Cmp::Eq, 0, 4),       // 1: a pill: leave
            Instr::print(&format!("W{w} runs task {{task}}")), // 2
            Instr::jump(0),                              // 3
        ]));
    }
    spec.build().expect("the pool program is valid")
}
