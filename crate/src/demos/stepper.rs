//! The step-through side of the synchronization demos: each demo's idea as a small program
//! of explicit steps on the deterministic scheduler ([`crate::sched`]), where the learner
//! picks which thread runs next.
//!
//! The page holds nothing but the trace (the list of chosen threads). Every request replays
//! the program from the start along that trace, so undo is "one step fewer", a shared URL
//! (`step=0.1.1`) reopens the same interleaving, and the view can never drift from the
//! model. Programs are tiny, so a replay costs microseconds.

use super::{validate, DemoError};
use crate::params::{ParamError, Params, Value as ParamValue};
use crate::sched::{examples, replay, run_random, Cmp, Instr, Machine, Program, ProgramSpec, ThreadSpec, Trace};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Demos that have a step-through view.
pub const STEPPABLE: &[&str] = &["threads", "lock", "guard", "queue", "pool", "race", "explorer", "deadlock", "starvation"];

/// Steps a seeded random run may take before it stops (a program that never ends).
pub const RANDOM_STEP_LIMIT: usize = 2_000;

/// The most threads a step view shows side by side and stays readable (the philosophers,
/// whose programs are short, are shown at every size the real run allows).
pub const STEP_THREADS: i64 = 4;
/// The most lines a stepped countdown prints per thread, items a stepped queue carries, and
/// tasks a stepped pool hands out: enough to see the pattern, few enough to click through.
pub const STEP_COUNT: i64 = 5;
const STEP_TASKS: i64 = 6;

/// The step view is smaller than the learner's inputs: what it shows of what they asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scaled {
    /// What the input is (`threads`, `lines per thread`, `items`, `tasks`).
    pub what: &'static str,
    pub asked: i64,
    pub shown: i64,
}

/// One sentence for the board: "The step view shows 4 of your 8 threads …".
fn scaled_sentence(scaled: &[Scaled]) -> Option<String> {
    let parts: Vec<String> = scaled.iter().map(|s| format!("{} of your {} {}", s.shown, s.asked, s.what)).collect();
    (!parts.is_empty()).then(|| {
        format!("The step view shows {} to stay readable; the real run uses all of them.", parts.join(" and "))
    })
}

#[derive(Serialize)]
struct ThreadListing {
    name: String,
    /// One line per step, Python-like (`lock.acquire()`, `tmp = counter`).
    listing: Vec<String>,
}

/// The program, once, as the page draws it.
#[derive(Serialize)]
struct ProgramView {
    name: String,
    threads: Vec<ThreadListing>,
}

/// What the step-through view shows for demo `id` with inputs `raw`, after the threads in
/// `trace` ran one step each (or, with `seed`, after a seeded random scheduler ran it to the
/// end).
pub fn view(id: &str, raw: &[(String, String)], trace: &str, seed: Option<u64>) -> Result<Value, DemoError> {
    let p = validate(id, raw)?;
    let (program, story) = program_for(id, &p)?;
    let scaled = scaled(id, &p);
    let note = scaled_sentence(&scaled);
    let program = Arc::new(program);
    let machine: Machine = match seed {
        Some(seed) => run_random(&program, seed, RANDOM_STEP_LIMIT),
        None => {
            let trace: Trace = trace.parse().map_err(|e| step_error(format!("step: {e}")))?;
            replay(&program, &trace).map_err(|e| step_error(format!("step: {e}")))?
        }
    };
    let listing = ProgramView {
        name: program.name.clone(),
        threads: program
            .threads
            .iter()
            .map(|t| ThreadListing { name: t.name.clone(), listing: t.steps.iter().map(Instr::to_string).collect() })
            .collect(),
    };
    Ok(json!({ "program": listing, "machine": machine, "story": story, "scaled": scaled, "scaledNote": note }))
}

fn step_error(message: String) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: "step".to_string(), message }])
}

fn choice<'a>(p: &'a Params, name: &str, default: &'a str) -> &'a str {
    match p.values().get(name) {
        Some(ParamValue::Choice(v)) => v,
        _ => default,
    }
}

/// The learner's `threads`, at least `min` (a race needs two) and at most [`STEP_THREADS`].
fn step_threads(p: &Params, min: i64) -> usize {
    int(p, "threads", 2).clamp(min, STEP_THREADS) as usize
}

fn int(p: &Params, name: &str, default: i64) -> i64 {
    match p.values().get(name) {
        Some(ParamValue::Int(v)) => *v,
        _ => default,
    }
}

/// How the step view of demo `id` is smaller than the inputs `p`, if it is.
pub fn scaled(id: &str, p: &Params) -> Vec<Scaled> {
    let cut = |what: &'static str, asked: i64, max: i64| (asked > max).then_some(Scaled { what, asked, shown: max });
    let out = match id {
        "threads" => vec![cut("threads", int(p, "threads", 2), STEP_THREADS), cut("lines per thread", int(p, "count", 5), STEP_COUNT)],
        "race" | "lock" => vec![cut("threads", int(p, "threads", 2), STEP_THREADS)],
        "pool" => vec![cut("workers", int(p, "workers", 2), STEP_THREADS - 1), cut("tasks", int(p, "tasks", 4), STEP_TASKS)],
        // One producer and one consumer show the blocking; items are the producers' total.
        "queue" => vec![
            cut("threads", int(p, "producers", 1) + int(p, "consumers", 1), 2),
            cut("items", int(p, "items", 4) * int(p, "producers", 1), STEP_COUNT),
        ],
        "starvation" if choice(p, "scenario", "readers-writers") == "readers-writers" => {
            vec![cut("threads", int(p, "readers", 2) + int(p, "writers", 1), 3)]
        }
        _ => Vec::new(),
    };
    out.into_iter().flatten().collect()
}

/// The program that tells demo `id`'s story in steps, and a sentence on what to try.
pub fn program_for(id: &str, p: &Params) -> Result<(Program, &'static str), DemoError> {
    Ok(match id {
        "threads" if choice(p, "lock", "off") == "on" => (
            examples::countdown_of(true, step_threads(p, 1), int(p, "count", 5).clamp(1, STEP_COUNT)),
            "With the lock, whichever thread takes it first prints all its lines; the other is blocked until it unlocks.",
        ),
        "threads" => (
            examples::countdown_of(false, step_threads(p, 1), int(p, "count", 5).clamp(1, STEP_COUNT)),
            "Pick the threads in any order: every order you choose is one the operating system could have chosen.",
        ),
        "race" => (
            examples::lost_update(step_threads(p, 2)),
            "Switch threads between a read and its write: both read the same value, both write value + 1, and one update is lost. Try A, B, A, A, B, B.",
        ),
        "lock" => (
            examples::locked_increment(step_threads(p, 2)),
            "Try to switch threads between a read and its write: while one thread holds the lock, the others cannot take a step that touches the counter.",
        ),
        "guard" if choice(p, "style", "manual") == "manual" && choice(p, "failure", "error") != "none" => (
            examples::leaked_lock(),
            "Run A to its end: it never releases the lock, and B is blocked forever. No choice of thread can save it.",
        ),
        "guard" => (
            guarded_failure(),
            "A fails, but the guard releases the lock on the way out: B can always go on.",
        ),
        "queue" => (
            examples::producer_consumer(
                (int(p, "items", 4) * int(p, "producers", 1)).clamp(1, STEP_COUNT),
                int(p, "maxsize", 2).clamp(1, 4) as usize,
            ),
            "The producer blocks when the queue is full and the consumer when it is empty: only the other thread can unblock it.",
        ),
        "pool" => (
            pool(int(p, "tasks", 4).clamp(1, STEP_TASKS), int(p, "workers", 2).clamp(1, STEP_THREADS - 1) as usize),
            "Workers take tasks in whatever order you schedule them; each stops at its poison pill (task 0).",
        ),
        "explorer" => (
            super::explorer::program(p).0,
            "Replay a counterexample from the explorer above, or choose the threads yourself: every order you can click is one of the interleavings it counted.",
        ),
        "deadlock" => deadlock(p),
        "starvation" => super::starvation::step_program(p),
        other => {
            return Err(DemoError::Invalid(vec![ParamError {
                param: "step".to_string(),
                message: format!("the {other} demo has no step-through view; these do: {}", STEPPABLE.join(", ")),
            }]))
        }
    })
}

/// Chapter 12: the philosophers (or the two threads of the two-locks classic) with the fix the
/// learner chose. `none` and `ordered` are the book's programs; `trylock` and `waiter` are
/// built here.
fn deadlock(p: &Params) -> (Program, &'static str) {
    let two = choice(p, "scenario", "philosophers") == "two-locks";
    let fix = choice(p, "fix", "none");
    let k = if two { 2 } else { int(p, "philosophers", 5).max(2) as usize };
    match (fix, two) {
        ("ordered", true) => (
            examples::same_order_locks(),
            "Both threads take a before b: whoever gets a can always get b. Try any order; none deadlocks.",
        ),
        ("ordered", false) => (
            examples::philosophers(k, true),
            "The last philosopher reaches for f1 before its other fork, like everyone else takes the lower one first. Try any order: no schedule deadlocks.",
        ),
        ("trylock", _) => (
            polite_table(k, two),
            "Whoever finds its second lock taken puts the first back and starts again. No schedule deadlocks, but you can keep them all retrying for ever: a livelock.",
        ),
        ("waiter", _) => (
            waiter_table(k, two),
            "The waiter is a queue with one place fewer than there are diners: put() blocks while the table is full, so someone can always get both locks.",
        ),
        (_, true) => (
            examples::opposite_order_locks(),
            "Step A once and B once: each holds one lock and waits for the other's. Trace 0.1 is a deadlock, reached by hand.",
        ),
        (_, false) => (
            examples::philosophers(k, false),
            "Step every philosopher once, each takes its left fork, and no one can step again: a deadlock reached by hand. Or let the seeded random scheduler look for one.",
        ),
    }
}

/// Names of the diners and their locks, and each diner's (first, second) lock.
fn table_names(k: usize, two: bool) -> (Vec<String>, Vec<String>, Vec<(usize, usize)>) {
    if two {
        return (vec!["A".into(), "B".into()], vec!["a".into(), "b".into()], vec![(0, 1), (1, 0)]);
    }
    let names = (1..=k).map(|i| format!("P{i}")).collect();
    let locks = (1..=k).map(|i| format!("f{i}")).collect();
    (names, locks, (0..k).map(|i| (i, (i + 1) % k)).collect())
}

/// `trylock`: take the first lock, try the second; if it is taken, put the first back and
/// start again.
fn polite_table(k: usize, two: bool) -> Program {
    let (names, locks, pairs) = table_names(k, two);
    let mut spec = ProgramSpec::new(if two { "two locks, with try-lock" } else { "philosophers with try-lock" });
    for l in &locks {
        spec = spec.lock(l);
    }
    for (name, (a, b)) in names.iter().zip(pairs) {
        let (first, second) = (&locks[a], &locks[b]);
        spec = spec.thread(ThreadSpec::new(name).local("meals", 0).steps([
            Instr::lock(first),              // 0
            Instr::try_lock(second, 6),      // 1: taken? go to 6
            Instr::add("meals", 1),          // 2: eat
            Instr::unlock(second),           // 3
            Instr::unlock(first),            // 4
            Instr::jump(8),                  // 5: done
            Instr::unlock(first),            // 6: put the first back
            Instr::jump(0),                  // 7: and start again
        ]));
    }
    spec.build().expect("the try-lock table is valid")
}

/// `waiter`: a queue with k - 1 places is the waiter's semaphore: `put` to sit down blocks
/// while the table is full, `get` leaves it.
fn waiter_table(k: usize, two: bool) -> Program {
    let (names, locks, pairs) = table_names(k, two);
    let mut spec = ProgramSpec::new(if two { "two locks, with a waiter" } else { "philosophers with a waiter" })
        .queue("seats", Some(k - 1));
    for l in &locks {
        spec = spec.lock(l);
    }
    for (name, (a, b)) in names.iter().zip(pairs) {
        let (first, second) = (&locks[a], &locks[b]);
        spec = spec.thread(ThreadSpec::new(name).local("meals", 0).local("seat", 0).steps([
            Instr::put("seats", 1),          // sit down (blocks while the table is full)
            Instr::lock(first),
            Instr::lock(second),
            Instr::add("meals", 1),          // eat
            Instr::unlock(second),
            Instr::unlock(first),
            Instr::get("seats", "seat"),     // leave the table
        ]));
    }
    spec.build().expect("the waiter's table is valid")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_view_replays_the_trace_and_lists_every_thread() {
        let v = view("guard", &q(&[("style", "manual")]), "0.0", None).unwrap();
        assert_eq!(v["program"]["threads"][0]["name"], "A");
        assert_eq!(v["machine"]["status"], "deadlocked");
        assert_eq!(v["machine"]["trace"], "0.0");
        // A has ended holding the lock: B is blocked, and A is named.
        let blocked = &v["machine"]["blocked"][0]["message"];
        assert_eq!(blocked, "B waits for lock \"lock\", held by A, which has finished without releasing it");
        let v = view("guard", &q(&[("style", "manual")]), "0.0.1", None);
        assert!(matches!(v, Err(DemoError::Invalid(e)) if e[0].param == "step"));
    }

    #[test]
    fn the_guarded_program_always_finishes() {
        let v = view("guard", &q(&[("style", "guard")]), "0.0.0.1.1.1", None).unwrap();
        assert_eq!(v["machine"]["status"], "done");
    }

    #[test]
    fn a_seeded_run_is_the_same_every_time_and_replays() {
        let a = view("pool", &q(&[]), "", Some(7)).unwrap();
        let b = view("pool", &q(&[]), "", Some(7)).unwrap();
        assert_eq!(a["machine"], b["machine"]);
        assert_eq!(a["machine"]["status"], "done");
        let trace = a["machine"]["trace"].as_str().unwrap().to_string();
        let c = view("pool", &q(&[]), &trace, None).unwrap();
        assert_eq!(a["machine"], c["machine"]);
    }

    #[test]
    fn the_pool_runs_every_task_once_in_any_schedule() {
        for seed in 0..20 {
            let v = view("pool", &q(&[("tasks", "4"), ("workers", "2")]), "", Some(seed)).unwrap();
            let mut ran: Vec<String> = v["machine"]["output"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["text"].as_str().unwrap().rsplit(' ').next().unwrap().to_string())
                .collect();
            ran.sort();
            assert_eq!(ran, ["1", "2", "3", "4"], "seed {seed}");
        }
    }

    #[test]
    fn garbage_traces_and_other_demos_are_refused_with_a_message() {
        match view("threads", &[], "0.x", None) {
            Err(DemoError::Invalid(e)) => assert!(e[0].message.starts_with("step: "), "{}", e[0].message),
            other => panic!("{other:?}"),
        }
        match view("amdahl", &[], "", None) {
            Err(DemoError::Invalid(e)) => assert!(e[0].message.contains("has no step-through view")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_deadlock_is_reached_by_hand_and_the_fixes_never_deadlock() {
        // Every philosopher takes its left fork: nobody can step.
        let v = view("deadlock", &q(&[("philosophers", "5")]), "0.1.2.3.4", None).unwrap();
        assert_eq!(v["machine"]["status"], "deadlocked");
        assert_eq!(v["machine"]["blocked"].as_array().unwrap().len(), 5);
        assert_eq!(v["machine"]["blocked"][0]["message"], "P1 waits for lock \"f2\", held by P2");
        let v = view("deadlock", &q(&[("scenario", "two-locks")]), "0.1", None).unwrap();
        assert_eq!(v["machine"]["status"], "deadlocked");
        assert_eq!(v["program"]["threads"][1]["name"], "B");
        for fix in ["ordered", "trylock", "waiter"] {
            for scenario in ["philosophers", "two-locks"] {
                let raw = q(&[("scenario", scenario), ("fix", fix), ("philosophers", "4")]);
                for seed in 0..30 {
                    let v = view("deadlock", &raw, "", Some(seed)).unwrap();
                    assert_ne!(v["machine"]["status"], "deadlocked", "{scenario}, {fix}, seed {seed}");
                }
            }
        }
        // With a waiter, the left-forks-first schedule cannot even be played: the last
        // philosopher cannot sit down.
        let v = view("deadlock", &q(&[("philosophers", "3"), ("fix", "waiter")]), "0.0.1.1", None).unwrap();
        assert_eq!(v["machine"]["status"], "running");
        assert!(view("deadlock", &q(&[("philosophers", "3"), ("fix", "waiter")]), "0.0.1.1.2", None).is_err());
    }
}
