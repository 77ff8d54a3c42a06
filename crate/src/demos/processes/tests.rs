use super::plan::{plan, sizes, Size, FINE_WORK, MAIN_PID, SWEEP};
use super::pool_side::{touch, PoolSide, STRIDE};
use super::process::{step, In, Out, Role, State};
use super::seen::{ExitedBy, Seen, SeenCopy, SeenProcess};
use super::*;
use crate::demos::{to_json, validate};
use crate::sched::{explore, replay, Limits, Trace};
use crate::sync::Arc;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn params(pairs: &[(&str, &str)]) -> Params {
    validate("processes", &q(pairs)).unwrap()
}

#[test]
fn the_plan_names_every_process_with_its_pid_and_marks_daemons_and_joins() {
    let p = plan(&params(&[("consumers", "2"), ("workers", "2"), ("ending", "pills")]));
    let lines: Vec<(u32, &str, bool, bool, bool)> = p.processes.iter().map(|p| (p.pid, p.name.as_str(), p.daemon, p.terminate, p.joined)).collect();
    assert_eq!(
        lines,
        [
            (1001, "worker", false, false, true),
            (1002, "background", true, false, false),
            (1003, "slow", false, false, true),
            (1004, "killed", false, true, false),
            (1005, "producer", false, false, true),
            (1006, "consumer-1", false, false, true),
            (1007, "consumer-2", false, false, true),
            (1008, "pool-1", false, false, true),
            (1009, "pool-2", false, false, true),
        ]
    );
    assert_eq!(p.main_pid, MAIN_PID);
    assert_eq!(p.processes[4].role, Role::Producer { tasks: 20, ms: 2, pills: 2 }, "one pill per consumer");
    assert_eq!(plan(&params(&[])).processes[4].role, Role::Producer { tasks: 20, ms: 2, pills: 0 }, "no pills for the book's consumers");
    assert_eq!(p.copy_bytes, 16 << 20);
    assert_eq!(p.pool().count(), 2);
}

#[test]
fn the_sweep_keeps_the_total_work_and_two_tasks_per_worker() {
    // 10,000 tasks of 2,000 steps = 20 million steps at every size.
    assert_eq!(
        sizes(10_000, 2),
        [Size { work: 2_000, tasks: 10_000 }, Size { work: 20_000, tasks: 1_000 }, Size { work: 200_000, tasks: 100 }, Size { work: 2_000_000, tasks: 10 }]
    );
    assert_eq!(sizes(100, 4).last(), Some(&Size { work: 2_000_000, tasks: 8 }), "at least 2 tasks per worker");
    assert_eq!(SWEEP[0], FINE_WORK);
}

fn run_turns(role: Role, replies: &[In]) -> (Vec<Out>, bool, u32) {
    let mut s = step(State::default(), In::Start { role });
    let mut sent = s.send.clone();
    for r in replies {
        s = step(s.state, r.clone());
        sent.extend(s.send.clone());
    }
    (sent, s.exit, s.state.count)
}

#[test]
fn the_books_consumer_asks_empty_before_every_get_and_stops_at_the_first_empty() {
    let role = Role::Consumer { ending: Ending::Poll, ms: 0 };
    let (sent, exit, count) = run_turns(role, &[In::Empty { empty: false }, In::Item { item: Some(4) }, In::Empty { empty: true }]);
    assert_eq!(sent, [Out::AskEmpty, Out::AskGet, Out::AskEmpty, Out::Done { tasks: 1 }]);
    assert!(exit);
    assert_eq!(count, 1);
    // Started while the queue is empty: done at once, with nothing.
    let (sent, exit, _) = run_turns(role, &[In::Empty { empty: true }]);
    assert_eq!((sent, exit), (vec![Out::AskEmpty, Out::Done { tasks: 0 }], true));
}

#[test]
fn a_consumer_with_pills_only_gets_and_stops_at_its_pill() {
    let role = Role::Consumer { ending: Ending::Pills, ms: 0 };
    let (sent, exit, count) = run_turns(role, &[In::Item { item: Some(0) }, In::Item { item: Some(1) }, In::Item { item: None }]);
    assert_eq!(sent, [Out::AskGet, Out::AskGet, Out::AskGet, Out::Done { tasks: 2 }]);
    assert_eq!((exit, count), (true, 2));
}

#[test]
fn the_producer_puts_its_items_then_one_pill_per_consumer() {
    let (sent, exit, count) = run_turns(Role::Producer { tasks: 2, ms: 0, pills: 3 }, &[In::Tick, In::Tick]);
    let none = Out::Put { item: None };
    assert_eq!(sent, [Out::Put { item: Some(0) }, Out::Put { item: Some(1) }, none.clone(), none.clone(), none, Out::Done { tasks: 2 }]);
    assert_eq!((exit, count), (true, 2));
}

#[test]
fn a_daemon_beats_until_it_is_killed_and_a_pool_process_runs_tasks_until_stopped() {
    let s = step(State::default(), In::Start { role: Role::Forever });
    assert_eq!((s.send.clone(), s.again_ms.is_some(), s.exit), (vec![Out::Beat], true, false));
    let s = step(s.state, In::Tick);
    assert!(!s.exit && s.again_ms.is_some());
    let (sent, exit, count) = run_turns(Role::Pool, &[In::Task { id: 7, work: 10 }, In::Stop]);
    assert_eq!(sent, [Out::Result { id: 7, value: crate::workload::busy(10) as u32 }, Out::Done { tasks: 1 }]);
    assert_eq!((exit, count), (true, 1));
    let s = step(State::default(), In::Start { role: Role::Work { ms: 0 } });
    assert_eq!((s.send, s.exit), (vec![Out::Done { tasks: 1 }], true));
}

fn seen(pid: u32, done: Option<f64>, deadline: Option<f64>, terminated: Option<f64>) -> SeenProcess {
    SeenProcess { pid, start_ms: Some(30.0), done_at: done, join_deadline: deadline, terminated_at: terminated, tasks: 0 }
}

#[test]
fn how_a_process_ended_follows_from_main_s_times() {
    assert_eq!(seen(1, Some(50.0), None, None).exited_by(), ExitedBy::Finished);
    // Done before the join gave up, terminated afterwards anyway: it had finished.
    assert_eq!(seen(1, Some(50.0), Some(300.0), Some(400.0)).exited_by(), ExitedBy::Finished);
    // The join gave up first; its Done (if any) came too late.
    assert_eq!(seen(1, None, Some(300.0), Some(310.0)).exited_by(), ExitedBy::Timeout);
    assert_eq!(seen(1, Some(305.0), Some(300.0), Some(310.0)).exited_by(), ExitedBy::Timeout);
    // Daemons and terminate(): never joined, terminated.
    assert_eq!(seen(1, None, None, Some(310.0)).exited_by(), ExitedBy::Terminated);
}

fn samples(ms: &[f64]) -> Samples {
    Samples::of(ms.to_vec())
}

/// A report and pool measurements made up by hand, for a plan of 2 consumers and 2 pool
/// processes at the default sweep (4 sizes).
fn made_up(p: &Plan) -> (Seen, PoolSide) {
    let mut processes: Vec<SeenProcess> = p.processes.iter().map(|pp| seen(pp.pid, Some(10.0), None, None)).collect();
    processes[1] = seen(1002, None, None, Some(900.0)); // background: a daemon
    processes[2] = seen(1003, None, Some(320.0), Some(900.0)); // slow: the join gave up
    processes[3] = seen(1004, None, None, Some(40.0)); // killed
    processes[3].start_ms = None; // terminated before it was ready
    processes[5].tasks = 12;
    processes[6].tasks = 0;
    let seen = Seen {
        processes,
        left: 8,
        copy: SeenCopy { clone_ms: vec![12.0, 10.0, 11.0], transfer_ms: vec![0.2, 0.1, 0.3], detached: true, write_seen: false },
        message_ms: vec![vec![400.0, 420.0, 410.0], vec![60.0, 62.0, 61.0], vec![30.0, 31.0, 32.0], vec![29.0, 30.0, 31.0]],
    };
    let pool = PoolSide {
        task_start: samples(&[0.02, 0.03, 0.025]),
        shared: samples(&[0.01, 0.02, 0.015]),
        dispatch: vec![samples(&[20.0, 21.0, 22.0]), samples(&[24.0, 25.0, 26.0]), samples(&[26.0, 27.0, 28.0]), samples(&[27.0, 28.0, 29.0])],
        threads_used: 2,
    };
    (seen, pool)
}

#[test]
fn the_outcome_and_summary_carry_the_hosts_times_and_the_ratios_worked_out_by_hand() {
    let p = params(&[("consumers", "2"), ("workers", "2")]);
    let pl = plan(&p);
    let (seen, pool) = made_up(&pl);
    let o = outcome(&pl, &seen, pool).unwrap();
    let ended: Vec<(&str, ExitedBy)> = o.workers.iter().map(|w| (w.name.as_str(), w.exited_by)).collect();
    assert_eq!(&ended[..5], [("worker", ExitedBy::Finished), ("background", ExitedBy::Terminated), ("slow", ExitedBy::Timeout), ("killed", ExitedBy::Terminated), ("producer", ExitedBy::Finished)]);
    // 410 / 21 = 19.52…; 61 / 25 = 2.44; 31 / 27 = 1.148 ≤ 1.25: the third size.
    assert!((o.dispatch[0].ratio - 410.0 / 21.0).abs() < 1e-12);
    assert!((o.dispatch[1].ratio - 61.0 / 25.0).abs() < 1e-12);
    // From the slowest pool sample against the fastest message one, and the other way round.
    assert_eq!(o.dispatch[0].ratio_range, [400.0 / 22.0, 420.0 / 20.0]);
    // Its task: 27 ms × 2 threads / 100 tasks = 0.54 ms = 540 µs.
    assert!((o.messages_stop_mattering_us.unwrap() - 540.0).abs() < 1e-9);
    // 8 of the 9 processes reported a start (the killed one never got there).
    assert_eq!(o.process_start.as_ref().unwrap().ms.len(), 8);
    let s = to_json(&Summary::new(&p, Some(&o)));
    assert_eq!(s["workers"][1], serde_json::json!({"pid": 1002, "name": "background", "daemon": true, "exitedBy": "terminated", "tasks": 0}));
    assert_eq!(s["workers"][5]["tasks"], 12);
    assert_eq!(s["sharedMemory"], false);
    assert_eq!(s["left"], 8);
    assert_eq!(s["copy"], serde_json::json!({"bytes": 16 << 20, "cloneMs": 11.0, "transferMs": 0.2, "sharedMs": 0.015}));
    assert_eq!(s["dispatch"], serde_json::json!({"tasks": 10_000, "messageMs": 410.0, "poolMs": 21.0, "ratio": 410.0 / 21.0}));
    assert_eq!(s["threadsUsed"], 2);
    assert!(o.explanation.contains("1 of them took none"), "{}", o.explanation);
    // Before a run: the inputs only.
    let before = to_json(&Summary::new(&p, None));
    assert_eq!((before["workers"].clone(), before["ending"].clone()), (serde_json::Value::Null, serde_json::json!("poll")));
}

#[test]
fn a_report_that_misses_a_process_or_a_measurement_is_refused() {
    let pl = plan(&params(&[("consumers", "2"), ("workers", "2")]));
    let (mut seen, pool) = made_up(&pl);
    seen.processes.pop();
    assert!(outcome(&pl, &seen, pool.clone()).is_err());
    let (mut seen, _) = made_up(&pl);
    seen.message_ms[2].clear();
    assert!(outcome(&pl, &seen, pool).is_err());
}

#[test]
fn a_real_run_through_the_registry_measures_the_pool_on_k_threads() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let raw = q(&[("consumers", "2"), ("workers", "2"), ("megabytes", "1"), ("fine", "100")]);
    let pl = plan(&validate("processes", &raw).unwrap());
    let (seen, _) = made_up(&pl);
    let mut report = serde_json::json!({
        "processes": seen.processes.iter().map(|s| serde_json::json!({"pid": s.pid, "startMs": s.start_ms, "doneAt": s.done_at, "joinDeadline": s.join_deadline, "terminatedAt": s.terminated_at, "tasks": s.tasks})).collect::<Vec<_>>(),
        "left": 8,
        "copy": {"cloneMs": [1.0], "transferMs": [0.1], "detached": true, "writeSeen": false},
        "messageMs": [[5.0], [5.0], [5.0], [5.0]],
    });
    let env = Env { cores: 2, pool_threads: 4 };
    let s = pool.install(|| {
        let answer = crate::demos::run_observed(1, "processes", &raw, env, &Control::new(), &mut <dyn erased_serde::Deserializer>::erase(report.take())).unwrap();
        to_json(&answer.summary)
    });
    assert_eq!(s["threadsUsed"], 2);
    assert_eq!(s["workers"].as_array().unwrap().len(), 9);
    assert_eq!(s["copy"]["bytes"], 1 << 20);
    assert_eq!(s["dispatch"]["tasks"], 100);
    // Without a host's report, a plain run says why it cannot go on.
    let err = crate::demos::run("processes", &raw, env, &Control::new(), &crate::live::Feed::with_capacity(64)).err().unwrap();
    assert!(err.to_string().contains("worker processes"), "{err}");
    // Without a pool, it needs one.
    let err = crate::demos::run_observed(2, "processes", &raw, Env { cores: 2, pool_threads: 0 }, &Control::new(), &mut <dyn erased_serde::Deserializer>::erase(serde_json::json!({}))).err().unwrap();
    assert!(err.to_string().contains("cross-origin isolated"), "{err}");
}

#[test]
fn a_process_turn_goes_through_the_registry_as_plain_data() {
    let turn = serde_json::json!({"state": {"role": null, "count": 0}, "msg": {"type": "start", "role": {"kind": "consumer", "ending": "pills", "ms": 1}}});
    let out = crate::demos::process_step("processes", &mut <dyn erased_serde::Deserializer>::erase(turn)).unwrap();
    let out = to_json(&out);
    assert_eq!(out["send"], serde_json::json!([{"type": "askget"}]));
    assert_eq!(out["state"]["role"]["ending"], "pills");
    assert_eq!(out["exit"], false);
    assert!(crate::demos::process_step("reduction", &mut <dyn erased_serde::Deserializer>::erase(serde_json::json!({}))).is_err());
}

#[test]
fn every_receiver_reads_one_byte_a_page() {
    let bytes: Vec<u8> = (0..3 * STRIDE).map(|i| (i / STRIDE) as u8 + 1).collect();
    assert_eq!(touch(&bytes), 1 + 2 + 3);
}

// The step-through: every interleaving, by the exhaustive explorer.

#[test]
fn some_order_of_the_books_consumers_leaves_one_waiting_in_get_forever() {
    let program = Arc::new(steps::program(2, 1, Ending::Poll));
    let e = explore(&program, None, Limits::default());
    assert!(e.complete && !e.cyclic);
    assert!(e.by_outcome.deadlock.unwrap().0 > 0, "both saw the item, one took it");
    assert!(e.by_outcome.ok.unwrap().0 > 0);
    // M puts 7; C1 and C2 both see it (empty() = 0, no jump); C1 takes it; C2's get() waits.
    let m = replay(&program, &"0.1.1.2.2.1".parse::<Trace>().unwrap()).unwrap();
    assert!(!m.is_done());
    assert!(replay(&program, &"0.1.1.2.2.1.2".parse::<Trace>().unwrap()).is_err(), "C2 cannot step: it waits in get()");
}

#[test]
fn with_pills_every_order_ends_and_every_item_is_taken() {
    let program = Arc::new(steps::program(2, 2, Ending::Pills));
    let e = explore(&program, None, Limits::default());
    assert!(e.complete && !e.cyclic);
    assert_eq!(e.by_outcome.deadlock.unwrap_or_default().0, 0);
    assert!(e.by_outcome.ok.unwrap().0 > 0);
    let view = crate::demos::stepper::view_json("processes", &q(&[("ending", "poll"), ("consumers", "2"), ("tasks", "1")]), "", None).unwrap();
    assert_eq!(view["program"]["threads"][1]["listing"][0], "e = q.empty()");
}
