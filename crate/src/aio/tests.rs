//! The loop's rules, each on a program small enough to work out by hand.

use super::*;
use crate::sync::{Arc, AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

fn never(_: usize) -> bool {
    false
}

fn prints(ex: &Executor) -> Vec<(f64, String)> {
    ex.core().events.iter().filter(|e| e.what == What::Print).map(|e| (e.t, e.detail.clone())).collect()
}

fn at(t: f64, s: &str) -> (f64, String) {
    (t, s.to_string())
}

#[test]
fn timers_fire_in_deadline_order_and_ties_in_the_order_they_were_set() {
    let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
    let lp = ex.handle();
    for (name, ms) in [("slow", 30.0), ("tie1", 10.0), ("tie2", 10.0), ("fast", 5.0)] {
        let l = lp.clone();
        lp.spawn(name, async move {
            l.sleep(ms).await;
            l.print(name.to_string());
        });
    }
    assert_eq!(ex.run(&never), Finished::All);
    assert_eq!(prints(&ex), vec![at(5.0, "fast"), at(10.0, "tie1"), at(10.0, "tie2"), at(30.0, "slow")]);
    assert_eq!(ex.core().now(), 30.0);
}

#[test]
fn a_blocking_call_holds_the_loop_and_a_sleep_does_not() {
    // Blocking: the sleeper keeps the loop from 0 to 100, so the ticker only starts its 50 ms
    // sleep at 100. Awaiting: both sleeps run from 0 together.
    for (blocking, woke_at, total, scheduled) in [(true, 150.0, 150.0, 100.0), (false, 50.0, 100.0, 0.0)] {
        let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
        let lp = ex.handle();
        let l = lp.clone();
        lp.spawn("sleeper", async move {
            if blocking {
                l.block(100.0);
            } else {
                l.sleep(100.0).await;
            }
        });
        let l = lp.clone();
        lp.spawn("ticker", async move {
            l.sleep(50.0).await;
            l.print("tick".into());
        });
        assert_eq!(ex.run(&never), Finished::All);
        assert_eq!(prints(&ex), vec![at(woke_at, "tick")], "blocking = {blocking}");
        assert_eq!(ex.core().now(), total);
        // Blocking, the ticker was ready from 0 and ran at 100: 100 ms scheduled, not idle.
        let ticker = ex.core().per_task().into_iter().find(|t| t.name == "ticker").unwrap();
        assert_eq!(ticker.scheduled_ms, scheduled);
    }
}

#[test]
fn busy_idle_and_scheduled_add_up_to_each_tasks_life() {
    let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
    let lp = ex.handle();
    for (name, ms, work) in [("a", 40.0, 15.0), ("b", 25.0, 30.0), ("c", 5.0, 5.0)] {
        let l = lp.clone();
        lp.spawn(name, async move {
            l.work(work);
            l.sleep(ms).await;
            l.work(work);
        });
    }
    assert_eq!(ex.run(&never), Finished::All);
    let core = ex.core();
    for t in core.per_task() {
        let done = core.events.iter().find(|e| e.task == t.name && e.what == What::Done).unwrap().t;
        assert_eq!(t.busy_ms + t.idle_ms + t.scheduled_ms, done, "{t:?}");
        let work = match t.name.as_str() {
            "a" => 15.0,
            "b" => 30.0,
            _ => 5.0,
        };
        assert_eq!(t.busy_ms, 2.0 * work);
    }
    // Spans of one lane never overlap and tile its life.
    for name in ["a", "b", "c"] {
        let lane: Vec<&Span> = core.spans.iter().filter(|s| s.task == name).collect();
        assert_eq!(lane[0].from, 0.0);
        for w in lane.windows(2) {
            assert_eq!(w[0].to, w[1].from, "{name}: {w:?}");
        }
    }
}

#[test]
fn a_bounded_queue_makes_put_wait_and_join_waits_for_task_done() {
    let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
    let lp = ex.handle();
    let q = Queue::new(&lp, 1);
    let (l, q1) = (lp.clone(), q.clone());
    lp.spawn("producer", async move {
        for i in 0..3 {
            q1.put(i).await;
            l.print(format!("put {i}"));
        }
        q1.join().await;
        l.print("joined".into());
    });
    let (l, q2) = (lp.clone(), q.clone());
    lp.spawn("consumer", async move {
        for _ in 0..3 {
            let i = q2.get().await;
            l.sleep(10.0).await;
            l.print(format!("got {i}"));
            q2.task_done();
        }
    });
    assert_eq!(ex.run(&never), Finished::All);
    assert_eq!(
        prints(&ex),
        vec![at(0.0, "put 0"), at(0.0, "put 1"), at(10.0, "got 0"), at(10.0, "put 2"), at(20.0, "got 1"), at(30.0, "got 2"), at(30.0, "joined")]
    );
    assert!(ex.core().events.iter().any(|e| e.task == "producer" && e.detail == "put 2 (queue full)"));
    assert_eq!(q.peak(), 1);
}

#[test]
fn cancel_drops_a_waiting_task_and_wakes_its_joiners() {
    let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
    let lp = ex.handle();
    let q = Queue::new(&lp, 0);
    let (l, q1) = (lp.clone(), q.clone());
    let forever = lp.spawn("forever", async move {
        q1.get().await;
        l.print("never printed".into());
    });
    let l = lp.clone();
    lp.spawn("main", async move {
        l.sleep(5.0).await;
        l.cancel(forever);
        l.join(forever).await;
        l.print("joined".into());
    });
    assert_eq!(ex.run(&never), Finished::All);
    assert_eq!(prints(&ex), vec![at(5.0, "joined")]);
    assert!(ex.core().events.iter().any(|e| e.task == "forever" && e.what == What::Done && e.detail == "cancelled"));
}

#[test]
fn a_loop_where_every_task_waits_for_nothing_says_it_is_stuck() {
    let mut ex = Executor::new(Clock::Virtual, Halt::Never, 0.0);
    let lp = ex.handle();
    let q = Queue::new(&lp, 0);
    lp.spawn("waiter", async move {
        q.get().await;
    });
    assert_eq!(ex.run(&never), Finished::Stuck);
}

/// A program with every kind of event: timers, a queue, a block, work and a join.
fn busy_program(ex: &Executor) {
    let lp = ex.handle();
    let q = Queue::new(&lp, 1);
    let (l, q1) = (lp.clone(), q.clone());
    let p = lp.spawn("p", async move {
        for i in 0..3 {
            l.sleep(7.0).await;
            q1.put(i).await;
        }
    });
    let (l, q2) = (lp.clone(), q.clone());
    lp.spawn("c", async move {
        for _ in 0..3 {
            let i = q2.get().await;
            l.work(3.0);
            l.print(format!("got {i}"));
            q2.task_done();
        }
    });
    let l = lp.clone();
    lp.spawn("main", async move {
        l.block(4.0);
        l.join(p).await;
        l.print("main done".into());
    });
}

#[test]
fn stopping_after_step_k_gives_the_state_that_a_full_run_passed_through_at_k() {
    let mut every = Executor::new(Clock::Virtual, Halt::Every, 0.0);
    busy_program(&every);
    assert_eq!(every.run(&never), Finished::All);
    let states = every.states();
    let n = every.core().events.len();
    assert_eq!(states.len(), n + 1, "one state before the first event and one after each");
    for (k, state) in states.iter().enumerate() {
        let mut replay = Executor::new(Clock::Virtual, Halt::After(k), 0.0);
        busy_program(&replay);
        assert_eq!(replay.run(&never), Finished::Halted, "k = {k}");
        assert_eq!(replay.states().last(), Some(state), "step {k}");
        assert_eq!(state.step, k);
    }
}

#[test]
fn offloaded_work_runs_on_a_pool_thread_while_the_loop_serves_other_tasks() {
    // The job cannot finish until another task has run on the loop: it waits for the flag
    // that task sets. A loop that stalled while the job was out would never set it.
    let flag = Arc::new(AtomicBool::new(false));
    let mut ex = Executor::new(Clock::Real { speed: 1.0 }, Halt::Never, 1.0);
    let lp = ex.handle();
    let (l, f) = (lp.clone(), flag.clone());
    lp.spawn("offloader", async move {
        let waited = f.clone();
        l.offload_job(1.0, move || {
            let start = Instant::now();
            while !waited.load(SeqCst) {
                assert!(start.elapsed() < Duration::from_secs(20), "the loop never ran the other task");
                std::thread::yield_now();
            }
        })
        .await;
        l.print("back".into());
    });
    let (l, f) = (lp.clone(), flag.clone());
    lp.spawn("other", async move {
        l.sleep(5.0).await;
        f.store(true, SeqCst);
        l.print("set".into());
    });
    assert_eq!(ex.run(&never), Finished::All);
    let lines: Vec<String> = prints(&ex).into_iter().map(|(_, s)| s).collect();
    assert_eq!(lines, ["set", "back"]);
    assert_eq!(ex.core().pool_threads.len(), 1);
    assert!(ex.core().events.iter().any(|e| e.what == What::Back && e.detail.starts_with("from pool thread")));
}

#[test]
fn the_real_clock_never_fires_a_timer_early() {
    let mut ex = Executor::new(Clock::Real { speed: 1.0 }, Halt::Never, 0.0);
    let lp = ex.handle();
    let l = lp.clone();
    lp.spawn("t", async move {
        for _ in 0..3 {
            let before = l.now();
            l.sleep(15.0).await;
            assert!(l.now() - before >= 15.0);
        }
    });
    assert_eq!(ex.run(&never), Finished::All);
    assert_eq!(ex.core().late.len(), 3);
    assert!(ex.core().late.iter().all(|&l| l >= 0.0));
}
