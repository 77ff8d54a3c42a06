//! Tests of [`Machine`]: what each instruction does, when threads block and wake, and the
//! errors of stepping a thread that cannot step.
//!
//! Every program here has shared `x = 10`, lock `m`, queue `q` of capacity 1, condition `c`
//! on `m`, and threads A, B, C (ids 0, 1, 2) with a local `t = 0`. States are compared as
//! the one-line summary of [`Machine`]'s `Display`, actions as their JSON.

use super::*;
use crate::sched::{Cmp, ProgramSpec, ThreadSpec};

fn program(threads: &[&[Instr]]) -> Arc<Program> {
    let mut spec = ProgramSpec::new("test").var("x", 10).lock("m").queue("q", Some(1)).cond("c", "m");
    for (i, steps) in threads.iter().enumerate() {
        let name = ["A", "B", "C"][i];
        spec = spec.thread(ThreadSpec::new(name).local("t", 0).steps(steps.iter().cloned()));
    }
    Arc::new(spec.build().expect("valid test program"))
}

fn run(threads: &[&[Instr]], trace: &str) -> Machine {
    replay(&program(threads), &trace.parse().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `trace`, checks the state after it and the action of its last step.
fn check(threads: &[&[Instr]], trace: &str, state: &str, last: &str) {
    let mut trace: Trace = trace.parse().unwrap();
    let tid = trace.pop().expect("a trace with at least one step");
    let mut machine = replay(&program(threads), &trace).unwrap_or_else(|e| panic!("{e}"));
    let event = machine.step(tid).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(machine.to_string(), state, "state after {trace}.{tid}");
    assert_eq!(serde_json::to_string(&event.action).unwrap(), last, "last action of {trace}.{tid}");
}

#[test]
fn shared_variables_and_locals() {
    use Instr as I;
    check(&[&[I::read("x", "t")]], "0", "x=10 m=free q=[] | A done t=10", r#"{"kind":"read","var":"x","value":10}"#);
    check(&[&[I::write("x", 3)]], "0", "x=3 m=free q=[] | A done t=0", r#"{"kind":"wrote","var":"x","value":3}"#);
    check(&[&[I::add("t", 4), I::write("x", "t")]], "0.0", "x=4 m=free q=[] | A done t=4", r#"{"kind":"wrote","var":"x","value":4}"#);
    check(&[&[I::add("t", 2), I::add("t", "t")]], "0.0", "x=10 m=free q=[] | A done t=4", r#"{"kind":"added","local":"t","value":4}"#);
    check(&[&[I::add("t", 1), I::print("t is {t}!")]], "0.0", "x=10 m=free q=[] | A done t=1", r#"{"kind":"printed","text":"t is 1!"}"#);
}

#[test]
fn jumps() {
    use Instr as I;
    let count_to_3: &[I] = &[I::add("t", 1), I::jump_if("t", Cmp::Lt, 3, 0), I::jump(4), I::print("skipped")];
    check(&[count_to_3], "0.0", "x=10 m=free q=[] | A@0 t=1", r#"{"kind":"jumped","taken":true,"to":0}"#);
    check(&[count_to_3], "0*6", "x=10 m=free q=[] | A@2 t=3", r#"{"kind":"jumped","taken":false,"to":2}"#);
    check(&[count_to_3], "0*7", "x=10 m=free q=[] | A done t=3", r#"{"kind":"jumped","taken":true,"to":4}"#);
}

#[test]
fn locks() {
    use Instr as I;
    check(&[&[I::lock("m"), I::unlock("m")]], "0", "x=10 m=A q=[] | A@1 t=0", r#"{"kind":"locked","lock":"m"}"#);
    check(&[&[I::lock("m"), I::unlock("m")]], "0.0", "x=10 m=free q=[] | A done t=0", r#"{"kind":"unlocked","lock":"m"}"#);
    let try_lock: &[I] = &[I::try_lock("m", 2), I::print("got it")];
    check(&[try_lock], "0", "x=10 m=A q=[] | A@1 t=0", r#"{"kind":"locked","lock":"m"}"#);
    check(&[try_lock, &[I::lock("m")]], "1.0", "x=10 m=B q=[] | A done t=0 | B done t=0", r#"{"kind":"lock_busy","lock":"m","owner":1}"#);
    // Not reentrant: try_lock of a lock the thread holds fails too.
    check(&[&[I::lock("m"), I::try_lock("m", 0)]], "0.0", "x=10 m=A q=[] | A@0 t=0", r#"{"kind":"lock_busy","lock":"m","owner":0}"#);
}

#[test]
fn queues() {
    use Instr as I;
    check(&[&[I::add("t", 7), I::put("q", "t"), I::get("q", "t")]], "0.0", "x=10 m=free q=[7] | A@2 t=7", r#"{"kind":"put","queue":"q","value":7}"#);
    check(&[&[I::put("q", 7), I::get("q", "t")]], "0.0", "x=10 m=free q=[] | A done t=7", r#"{"kind":"got","queue":"q","value":7}"#);
    let try_get: &[I] = &[I::try_get("q", "t", 2), I::print("got {t}")];
    check(&[try_get], "0", "x=10 m=free q=[] | A done t=0", r#"{"kind":"queue_empty","queue":"q"}"#);
    check(&[try_get, &[I::put("q", 5)]], "1.0", "x=10 m=free q=[] | A@1 t=5 | B done t=0", r#"{"kind":"got","queue":"q","value":5}"#);
    // empty() is a snapshot that takes nothing: 1 while the queue is empty, 0 once it holds an item.
    check(&[&[I::empty("q", "t")]], "0", "x=10 m=free q=[] | A done t=1", r#"{"kind":"checked","queue":"q","size":0}"#);
    check(&[&[I::put("q", 5), I::empty("q", "t")]], "0.0", "x=10 m=free q=[5] | A done t=0", r#"{"kind":"checked","queue":"q","size":1}"#);
}

#[test]
fn conditions() {
    use Instr as I;
    let waiter: &[I] = &[I::lock("m"), I::wait("c"), I::unlock("m")];
    let notifier: &[I] = &[I::lock("m"), I::notify("c"), I::unlock("m")];
    let all: &[I] = &[I::lock("m"), I::notify_all("c"), I::unlock("m")];
    check(&[waiter, notifier], "0.0", "x=10 m=free q=[] | A@1 waits c t=0 | B@0 t=0", r#"{"kind":"waiting","cond":"c","released":"m"}"#);
    check(&[waiter, notifier], "0.0.1.1", "x=10 m=B q=[] | A@1 woken t=0 | B@2 t=0", r#"{"kind":"notified","cond":"c","woken":[0]}"#);
    check(&[waiter, notifier], "0.0.1.1.1.0", "x=10 m=A q=[] | A@2 t=0 | B done t=0", r#"{"kind":"reacquired","lock":"m"}"#);
    // Notify wakes the longest waiter only; notify_all wakes all; a notify nobody hears is lost.
    check(&[waiter, waiter, notifier], "0.0.1.1.2.2", "x=10 m=C q=[] | A@1 woken t=0 | B@1 waits c t=0 | C@2 t=0", r#"{"kind":"notified","cond":"c","woken":[0]}"#);
    check(&[waiter, waiter, all], "0.0.1.1.2.2", "x=10 m=C q=[] | A@1 woken t=0 | B@1 woken t=0 | C@2 t=0", r#"{"kind":"notified","cond":"c","woken":[0,1]}"#);
    check(&[waiter, notifier], "1.1", "x=10 m=B q=[] | A@0 t=0 | B@2 t=0", r#"{"kind":"notified","cond":"c","woken":[]}"#);
}

#[test]
fn errors_stop_the_thread_and_keep_its_locks() {
    use Instr as I;
    check(
        &[&[I::unlock("m")]],
        "0",
        "x=10 m=free q=[] | A failed t=0",
        r#"{"kind":"failed","message":"A released lock \"m\" without holding it (it is free); only the thread that holds a lock may release it"}"#,
    );
    check(
        &[&[I::print("x"), I::unlock("m")], &[I::lock("m")]],
        "1.0.0",
        "x=10 m=B q=[] | A failed t=0 | B done t=0",
        r#"{"kind":"failed","message":"A released lock \"m\" without holding it (it is held by B); only the thread that holds a lock may release it"}"#,
    );
    check(
        &[&[I::wait("c")]],
        "0",
        "x=10 m=free q=[] | A failed t=0",
        r#"{"kind":"failed","message":"A waited on condition \"c\" without holding its lock \"m\"; wait and notify need the lock held"}"#,
    );
    check(
        &[&[I::notify_all("c")]],
        "0",
        "x=10 m=free q=[] | A failed t=0",
        r#"{"kind":"failed","message":"A notified condition \"c\" without holding its lock \"m\"; wait and notify need the lock held"}"#,
    );
    check(
        &[&[I::lock("m"), I::add("t", i64::MAX), I::add("t", 1)]],
        "0.0.0",
        "x=10 m=A q=[] | A failed t=9223372036854775807",
        r#"{"kind":"failed","message":"A's t overflowed (9223372036854775807 + 1); values must stay within 64 bits"}"#,
    );
}

/// (threads, trace, runnable after it, messages of the blocked threads)
fn check_blocked(threads: &[&[Instr]], trace: &str, runnable: &[ThreadId], blocked: &[&str]) {
    let machine = run(threads, trace);
    assert_eq!(machine.runnable(), runnable, "runnable after {trace}");
    let messages: Vec<String> = machine.blocked().into_iter().map(|b| b.message).collect();
    assert_eq!(messages, blocked, "blocked after {trace}");
}

#[test]
fn blocking_and_unblocking() {
    use Instr as I;
    let critical: &[I] = &[I::lock("m"), I::unlock("m")];
    check_blocked(&[critical, critical], "", &[0, 1], &[]);
    check_blocked(&[critical, critical], "0", &[0], &["B waits for lock \"m\", held by A"]);
    check_blocked(&[critical, critical], "0.0", &[1], &[]);
    check_blocked(
        &[&[I::lock("m"), I::lock("m")]],
        "0",
        &[],
        &["A waits for lock \"m\", which it holds itself (a lock is not reentrant, so it waits forever)"],
    );

    let getter: &[I] = &[I::get("q", "t")];
    let putter: &[I] = &[I::put("q", 1), I::put("q", 2)];
    check_blocked(&[getter], "", &[], &["A waits for an item in queue \"q\", which is empty"]);
    check_blocked(&[getter, putter], "1", &[0], &["B waits for room in queue \"q\", which is full (1 of 1)"]);
    check_blocked(&[getter, putter], "1.0", &[1], &[]);

    let waiter: &[I] = &[I::lock("m"), I::wait("c"), I::unlock("m")];
    let notifier: &[I] = &[I::lock("m"), I::notify("c"), I::unlock("m")];
    check_blocked(&[waiter, notifier], "0.0", &[1], &["A sleeps on condition \"c\" until another thread notifies it"]);
    check_blocked(&[waiter, notifier], "0.0.1.1", &[1], &["A waits to take back lock \"m\", held by B"]);
    check_blocked(&[waiter, notifier], "0.0.1.1.1", &[0], &[]);
    // The notify came first and was lost: A sleeps forever.
    let lost = run(&[waiter, notifier], "1.1.1.0.0");
    assert!(lost.is_deadlocked() && !lost.is_done());
    assert_eq!(lost.status(), RunStatus::Deadlocked);
}

#[test]
fn stepping_a_thread_that_cannot_step_is_an_error_that_changes_nothing() {
    use Instr as I;
    let critical: &[I] = &[I::lock("m"), I::unlock("m")];
    let cases: &[(&[&[I]], &str, ThreadId, &str)] = &[
        (&[critical, critical], "", 5, "there is no thread 5; threads are numbered 0 to 1; the threads that can step are 0 (A), 1 (B)"),
        (&[critical, critical], "0", 1, "B waits for lock \"m\", held by A; the threads that can step are 0 (A)"),
        (&[critical, critical], "0.0", 0, "thread A has finished; the threads that can step are 1 (B)"),
        (&[critical, critical], "0.0.1.1", 1, "thread B has finished; no thread can step now"),
        (&[&[I::unlock("m")], critical], "0", 0, "thread A has stopped after an error; the threads that can step are 1 (B)"),
        (&[&[I::lock("m")], critical], "0", 1, "B waits for lock \"m\", held by A, which has finished without releasing it; no thread can step now"),
    ];
    for &(threads, trace, tid, message) in cases {
        let mut machine = run(threads, trace);
        let before = machine.state().clone();
        let error = machine.step(tid).unwrap_err();
        assert_eq!(error.to_string(), message, "step {tid} after {trace}");
        assert_eq!(machine.state(), &before);
        assert_eq!(machine.trace().to_string(), trace);
    }
}

#[test]
fn events_number_the_steps_and_mark_the_end_of_a_thread() {
    use Instr as I;
    let mut machine = Machine::new(program(&[&[I::print("one"), I::print("two")]]));
    let first = machine.step(0).unwrap();
    let second = machine.step(0).unwrap();
    assert_eq!((first.step, first.pc, first.finished), (0, 0, false));
    assert_eq!((second.step, second.pc, second.finished), (1, 1, true));
    let lines: Vec<&str> = machine.state().output.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(lines, ["one", "two"]);
    assert!(machine.is_done() && !machine.is_deadlocked());
    // A thread with no steps has finished before it starts.
    assert!(Machine::new(program(&[&[]])).is_done());
}

#[test]
fn undo_is_a_replay_of_one_step_fewer() {
    use Instr as I;
    let mut machine = run(&[&[I::read("x", "t"), I::add("t", 1), I::write("x", "t")], &[I::write("x", 0)]], "0.1.0");
    assert_eq!(machine.undo(), Some(0));
    assert_eq!(machine.trace().to_string(), "0.1");
    assert_eq!(machine.to_string(), "x=0 m=free q=[] | A@1 t=10 | B done t=0");
    assert_eq!(machine.undo(), Some(1));
    assert_eq!(machine.undo(), Some(0));
    assert_eq!(machine.undo(), None);
    assert_eq!(machine.to_string(), "x=10 m=free q=[] | A@0 t=0 | B@0 t=0");
}

#[test]
fn json_for_the_page() {
    use Instr as I;
    let machine = run(&[&[I::lock("m"), I::print("{t}")], &[I::lock("m")]], "0.0");
    let json = serde_json::to_value(&machine).unwrap();
    let expected = serde_json::json!({
        "status": "deadlocked",
        "steps": 2,
        "trace": "0.0",
        "runnable": [],
        "blocked": [{
            "thread": 1,
            "reason": {"kind": "lock", "lock": "m", "owner": 0},
            "waits_for": 0,
            "message": "B waits for lock \"m\", held by A, which has finished without releasing it"
        }],
        "leaked": [["m", 0]],
        "vars": {"x": 10},
        "locks": {"m": 0},
        "queues": {"q": []},
        "waiters": {"c": []},
        "threads": [
            {"pc": 2, "locals": {"t": 0}, "status": "finished"},
            {"pc": 0, "locals": {"t": 0}, "status": "active"}
        ],
        "output": [{"thread": 0, "text": "0"}]
    });
    assert_eq!(json, expected);
}
