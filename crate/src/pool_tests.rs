//! Tests of `pool.rs`.
use super::*;
use crate::workload;
use std::collections::BTreeSet;

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap()
}

#[test]
fn caller_runs_every_task_in_order_on_lane_zero() {
    let ctl = Control::new();
    let run = run_tasks(Where::Caller, 5, &ctl, |_, rec| {
        rec.span(SpanKind::Work, || ());
        Ok(())
    })
    .unwrap();
    assert_eq!(run.order, [0, 1, 2, 3, 4]);
    assert_eq!(run.lanes, [0]);
    assert_eq!(run.threads, 1);
    assert_eq!(ctl.progress().0, 5);
}

#[test]
fn pool_runs_every_task_exactly_once_on_several_threads() {
    let ctl = Control::new();
    let run = pool(4)
        .install(|| {
            run_tasks(Where::Pool(4), 40, &ctl, |i, rec| {
                rec.span(SpanKind::Work, || workload::busy(100));
                assert!(i < 40);
                Ok(())
            })
        })
        .unwrap();
    let mut seen = run.order.clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..40).collect::<Vec<u32>>());
    assert_eq!(run.threads_used(), 4, "every loop starts with a task of its own: lanes {:?}", run.lanes);
    assert!(run.lanes.iter().all(|&l| (1..=4).contains(&l)));
    // A lane never runs two spans at once.
    for lane in &run.lanes {
        let mut mine: Vec<&Span> = run.spans.iter().filter(|s| s.lane == *lane).collect();
        mine.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        for w in mine.windows(2) {
            assert!(w[0].end_ms <= w[1].start_ms);
        }
    }
    let tasks: BTreeSet<u32> = run.spans.iter().map(|s| s.task).collect();
    assert_eq!(tasks.len(), 40);
}

#[test]
fn k_threads_are_k_distinct_workers_even_when_each_has_almost_nothing_to_do() {
    // Without the start line, a job that ends before another worker wakes lets its worker
    // take the next job as well: "4 threads" then ran on 1 to 3 workers. Many tries, each
    // with bodies too short to overlap by chance; every one must use exactly k lanes.
    let p = pool(4);
    let ctl = Control::new();
    for k in 1..=4 {
        for _ in 0..100 {
            let run = p.install(|| run_threads(Where::Pool(k), k, &ctl, |_, _| Ok(()))).unwrap();
            assert_eq!(run.threads_used(), k, "lanes {:?}", run.lanes);
            assert_eq!(run.threads, k as u32);
            let mut order = run.order.clone();
            order.sort_unstable();
            assert_eq!(order, (0..k as u32).collect::<Vec<_>>(), "each thread ran its body once");
        }
    }
}

#[test]
fn the_k_threads_are_all_alive_at_once() {
    // Every thread waits inside its body until all k are inside: this finishes only if
    // they run at the same time (a Barrier would hang if any two shared a worker).
    let p = pool(3);
    let inside = crate::sync::Barrier::new(3);
    let run = p.install(|| run_threads(Where::Pool(3), 3, &Control::new(), |_, _| {
        inside.wait();
        Ok(())
    }));
    assert_eq!(run.unwrap().threads_used(), 3);
}

#[test]
fn a_self_scheduling_run_starts_all_its_loops_together() {
    // One task per loop, each task waiting until all k tasks have begun: only k loops that
    // are alive at once, on k workers, can get through.
    let p = pool(4);
    let begun = crate::sync::Barrier::new(4);
    let run = p.install(|| run_tasks(Where::Pool(4), 4, &Control::new(), |_, _| {
        begun.wait();
        Ok(())
    }));
    assert_eq!(run.unwrap().threads_used(), 4);
}

#[test]
fn more_threads_than_free_workers_are_refused_not_run_on_fewer() {
    let p = pool(2);
    let ran = AtomicUsize::new(0);
    let result = p.install(|| {
        // Patience far beyond a worker's wake-up (microseconds), so both free ones arrive.
        run_threads_within(Where::Pool(3), 3, &Control::new(), 3000.0, true, |_, _| {
            ran.fetch_add(1, Relaxed);
            Ok(())
        })
    });
    assert_eq!(result.unwrap_err(), Stopped::Short { arrived: 2, asked: 3 });
    assert_eq!(ran.load(Relaxed), 0, "no thread began its work");
    // The pool is free again afterwards: the same run on 2 threads works.
    assert_eq!(p.install(|| run_threads(Where::Pool(2), 2, &Control::new(), |_, _| Ok(()))).unwrap().threads_used(), 2);
}

#[test]
fn a_cancel_releases_threads_waiting_at_the_start_line() {
    let p = pool(2);
    let ctl = Control::new();
    ctl.cancel();
    let result = p.install(|| run_threads(Where::Pool(3), 3, &ctl, |_, _| Ok(())));
    assert_eq!(result.unwrap_err(), Stopped::Cancelled);
}

#[test]
fn threads_at_the_caller_run_one_after_another() {
    let run = run_threads(Where::Caller, 3, &Control::new(), |_, rec| {
        rec.span(SpanKind::Work, || ());
        Ok(())
    })
    .unwrap();
    assert_eq!((run.order, run.lanes, run.threads), (vec![0, 1, 2], vec![0], 1));
}

#[test]
fn a_span_log_names_the_item_and_the_lane_of_each_span() {
    let log = SpanLog::new();
    pool(2).install(|| {
        rayon::scope(|s| {
            for item in 0..4u32 {
                let log = &log;
                s.spawn(move |_| log.span(item, SpanKind::Work, || ()));
            }
        })
    });
    let asked = log.now();
    log.record(9, SpanKind::Wait, asked); // on the calling thread: lane 0
    let run = log.into_run(2, vec![3, 1]);
    let items: BTreeSet<u32> = run.spans.iter().map(|s| s.task).collect();
    assert_eq!(items, BTreeSet::from([0, 1, 2, 3, 9]));
    assert_eq!(run.lanes.first(), Some(&0));
    assert!(run.lanes.iter().all(|&l| l <= 2), "{:?}", run.lanes);
    assert!(run.spans.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
    assert_eq!((run.threads, run.order), (2, vec![3, 1]));
}

#[test]
fn a_cancelled_run_stops_early_and_says_so() {
    let ctl = Control::new();
    let result = pool(2).install(|| {
        run_tasks(Where::Pool(2), 1000, &ctl, |i, _| {
            if i == 10 {
                ctl.cancel();
            }
            workload::io_wait(1, &ctl)
        })
    });
    assert_eq!(result.unwrap_err(), Stopped::Cancelled);
    assert!(ctl.progress().0 < 1000);
}
