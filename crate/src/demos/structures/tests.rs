use super::*;
use crate::demos;
use crate::sync::Barrier;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn run_with(pairs: &[(&str, &str)], pool: u32) -> Outcome {
    let p = demos::validate("structures", &q(pairs)).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool.max(1) as usize).build().unwrap();
    tp.install(|| run(&p, Env { cores: 2, pool_threads: pool }, &Control::new())).unwrap()
}

fn fin(o: &Outcome, v: Variant) -> &Final {
    o.finals.iter().find(|f| f.variant == v).unwrap()
}

#[test]
fn the_exact_counters_end_at_threads_times_ops_and_the_approximate_one_lags_within_its_bound() {
    let o = run_with(&[("threads", "3"), ("ops", "5000"), ("threshold", "10"), ("samples", "1")], 3);
    assert_eq!(o.threads_used, 3);
    for v in [Variant::Mutex, Variant::Atomic, Variant::ShardedPadded, Variant::ShardedPacked] {
        let f = fin(&o, v);
        assert_eq!((f.expected, f.actual, f.lost, f.threads_used), (15_000, 15_000, 0, 3), "{v:?}");
    }
    for v in [Variant::ShardedPadded, Variant::ShardedPacked] {
        // By hand: 5000 = 500 × 10, so each thread moves every increment and leaves 0 in its
        // shard: no lag. The bound is 3 × 9 = 27.
        let f = fin(&o, v);
        assert_eq!((f.lag, f.lag_bound), (Some(0), Some(27)), "{v:?}");
    }
    let u = fin(&o, Variant::Unlocked);
    assert!(u.actual <= 15_000 && u.lost == 15_000 - u.actual);
    // Every variant measured at 1, 2 and 3 threads, each on as many pool threads.
    assert_eq!(o.points.len(), 15);
    assert!(o.points.iter().all(|p| p.threads_used == p.threads as usize && p.samples.ms.len() == 1), "{:?}", o.points);
}

#[test]
fn a_threshold_that_does_not_divide_leaves_the_remainder_in_the_shards_until_the_flush() {
    // By hand: 1003 ops, threshold 10: 100 moves each, 3 left in each of 2 shards: lag 6.
    let o = run_with(&[("threads", "2"), ("ops", "1003"), ("threshold", "10"), ("samples", "1")], 2);
    let f = fin(&o, Variant::ShardedPadded);
    assert_eq!((f.lag, f.lag_bound, f.actual), (Some(6), Some(18), 2006));
}

#[test]
fn the_unlocked_counter_loses_updates_on_real_threads() {
    // Probabilistic: up to 20 runs of two threads, until one loses an update. They are alive
    // at once (the start line); their load-store windows overlapping is what is retried.
    let lost = (0..20).find_map(|_| {
        let o = run_with(&[("threads", "2"), ("ops", "100000"), ("samples", "1")], 2);
        let u = fin(&o, Variant::Unlocked);
        assert_eq!(u.threads_used, 2);
        (u.lost > 0).then_some(u.lost)
    });
    assert!(lost.is_some(), "no update lost in 20 runs of two racing threads");
}

/// Every variant under forced overlap: `k` threads wait at a barrier, then each pushes and
/// pops; against the multiset of all pushed values, nothing lost, nothing twice.
fn hammer<S: Store>(k: usize, ops: u32) -> (u64, u64) {
    let s = S::default();
    let barrier = Barrier::new(k);
    let popped = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..k {
            let (s, barrier, popped) = (&s, &barrier, &popped);
            scope.spawn(move || {
                barrier.wait();
                let got = stacks::churn(s, t, ops);
                popped.lock().unwrap().extend(got);
            });
        }
    });
    let mut all = popped.into_inner().unwrap();
    all.extend(stacks::drain(&s));
    stacks::check(k, ops, all)
}

#[test]
fn stacks_and_queues_lose_nothing_and_duplicate_nothing_under_forced_overlap() {
    for _ in 0..3 {
        assert_eq!(hammer::<stacks::Treiber>(4, 20_000), (0, 0), "treiber");
        assert_eq!(hammer::<stacks::MsQueue>(4, 20_000), (0, 0), "ms queue");
        assert_eq!(hammer::<stacks::LockedStack>(4, 5_000), (0, 0), "locked stack");
        assert_eq!(hammer::<stacks::LockedQueue>(4, 5_000), (0, 0), "locked queue");
    }
}

#[test]
fn the_multiset_check_counts_losses_and_duplicates() {
    // Two threads of 2 pushes: 0, 1, 1<<32, 1<<32 | 1.
    let t1 = 1u64 << 32;
    assert_eq!(stacks::check(2, 2, vec![t1 | 1, 0, 1, t1]), (0, 0));
    assert_eq!(stacks::check(2, 2, vec![t1 | 1, 0, t1]), (1, 0));
    assert_eq!(stacks::check(2, 2, vec![t1 | 1, 0, 0, 1, t1]), (0, 1));
    assert_eq!(stacks::check(2, 2, vec![0, 1, t1, 7 << 40]), (1, 1));
}

#[test]
fn one_thread_pops_a_stack_last_in_first_out_and_a_queue_first_in_first_out() {
    let mut r = stacks::Retired::default();
    let (s, qu) = (stacks::Treiber::default(), stacks::MsQueue::default());
    for v in 1..=3 {
        s.push(v);
        qu.push(v);
    }
    let a: Vec<u64> = std::iter::from_fn(|| s.pop(&mut r)).collect();
    s.retire(std::mem::take(&mut r));
    let b: Vec<u64> = std::iter::from_fn(|| qu.pop(&mut r)).collect();
    qu.retire(r);
    assert_eq!((a, b), (vec![3, 2, 1], vec![1, 2, 3]));
}

#[test]
fn the_stacks_run_reports_every_variant_whole_on_pool_threads() {
    let o = run_with(&[("structure", "stacks"), ("threads", "2"), ("ops", "3000"), ("samples", "2")], 2);
    assert_eq!(o.finals.iter().map(|f| f.variant).collect::<Vec<_>>(), Variant::STACKS);
    for f in &o.finals {
        assert_eq!((f.expected, f.actual, f.lost, f.duplicated, f.threads_used), (6000, 6000, 0, Some(0), 2), "{f:?}");
    }
    assert!(o.explanation.contains("popped exactly once"), "{}", o.explanation);
    assert!(o.points.iter().all(|p| p.samples.ms.len() == 2 && p.ops_per_sec_range[0] <= p.ops_per_sec && p.ops_per_sec <= p.ops_per_sec_range[1]));
}

#[test]
fn without_a_pool_it_runs_the_chosen_count_on_one_thread_and_says_so() {
    let p = demos::validate("structures", &q(&[("threads", "2"), ("ops", "1000"), ("samples", "1")])).unwrap();
    let o = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    assert!(o.sequential && o.threads_used == 1);
    assert_eq!(fin(&o, Variant::Unlocked).lost, 0);
    assert_eq!(o.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [2; 5]);
    assert!(o.explanation.contains("ran one after another"));
}

#[test]
fn too_many_threads_is_refused_beside_the_control() {
    let e = demos::run("structures", &q(&[("threads", "9")]), Env { cores: 2, pool_threads: 4 }, &Control::new(), &Feed::with_capacity(1 << 10));
    let Err(DemoError::Invalid(errs)) = e else { panic!("{:?}", e.err()) };
    assert_eq!(errs[0].param, "threads");
    let Err(DemoError::Invalid(errs)) = demos::validate("structures", &q(&[("threads", "999")])) else { panic!() };
    assert_eq!(errs[0].param, "threads");
    // Stacks keep every node until the sample ends: 3 × 700 000 is past 2 000 000.
    let e = demos::run("structures", &q(&[("structure", "stacks"), ("threads", "3"), ("ops", "700000")]), Env { cores: 2, pool_threads: 4 }, &Control::new(), &Feed::with_capacity(1 << 10));
    let Err(DemoError::Invalid(errs)) = e else { panic!("{:?}", e.err()) };
    assert_eq!((errs[0].param.as_str(), errs[0].message.contains("at most 666666 with 3 threads")), ("ops", true), "{errs:?}");
}

#[test]
fn a_cancel_stops_the_run() {
    let p = demos::validate("structures", &q(&[("threads", "2")])).unwrap();
    let ctl = Control::new();
    ctl.cancel();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let r = tp.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &ctl));
    assert!(matches!(r, Err(DemoError::Cancelled)), "{:?}", r.err());
}

#[test]
fn the_summary_has_the_documented_keys() {
    let a = demos::compute("structures", &q(&[])).unwrap();
    let v = demos::to_json(&a.summary);
    assert_eq!(v["params"], serde_json::json!({"structure": "counters", "threads": 2, "ops": 200000, "threshold": 10, "samples": 3, "story": "aba"}));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["aba", "demo", "params"]);
    let tp = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let raw = q(&[("threads", "2"), ("ops", "1000"), ("samples", "1")]);
    let s = tp.install(|| demos::run("structures", &raw, Env { cores: 2, pool_threads: 2 }, &Control::new(), &Feed::with_capacity(1 << 10)).map(|a| demos::to_json(&a.summary))).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["aba", "demo", "final", "ops", "params", "structure", "threads", "threadsUsed", "throughput"]);
    assert_eq!(s["aba"]["broken"], "1160", "ABA stays in data-result after a run");
    assert_eq!(s["threadsUsed"], 2);
    let vs: Vec<&str> = s["throughput"].as_array().unwrap().iter().map(|t| t["variant"].as_str().unwrap()).collect();
    assert_eq!(vs, ["unlocked", "mutex", "atomic", "sharded-padded", "sharded-packed"]);
    assert_eq!(s["final"][1]["actual"], 2000);
}

#[test]
fn the_step_through_programs_are_explored_and_aba_replays_in_the_step_view() {
    let p = crate::demos::validate("structures", &[]).unwrap();
    let e = steps::explored(&p);
    let by = |s: steps::Story| e.stories.iter().find(|f| f.story == s).unwrap();
    let aba = by(steps::Story::Aba);
    // Counted twice over in sched/chapter16_tests.rs (the explorer, and a memoised recursion).
    assert_eq!((aba.interleavings.unwrap().0, aba.broken.unwrap().0), (146_904_795, 1160));
    assert!(!aba.linearizable);
    let trace = aba.trace.clone().unwrap();
    assert_eq!(aba.threads.len(), 21);
    let raw = [("story".to_string(), "aba".to_string())];
    let v = crate::demos::stepper::view_json("structures", &raw, &trace, None).unwrap();
    assert_eq!(v["machine"]["status"], "done");
    assert_eq!(v["machine"]["vars"]["top"], 2);
    assert_eq!(v["machine"]["vars"]["kept"], 2, "B's node is back on the stack");
    let fresh = by(steps::Story::NoReuse);
    assert_eq!((fresh.broken.unwrap().0, fresh.trace.is_none(), fresh.linearizable), (0, true, true));
    // The book's reader: 2 of 6 orders raise KeyError (worked out in chapter16_tests.rs).
    let delete = by(steps::Story::Delete);
    assert_eq!((delete.interleavings.unwrap().0, delete.broken.unwrap().0, delete.linearizable), (6, 2, false));
    let copy = by(steps::Story::CopyOnRead);
    assert_eq!((copy.broken.unwrap().0, copy.linearizable), (0, true));
    // The step view follows the story input.
    let raw = [("story".to_string(), "delete".to_string())];
    let v = crate::demos::stepper::view_json("structures", &raw, "0.0.1.0*4", None).unwrap();
    assert_eq!(v["machine"]["vars"]["keyerrors"], 1);
    // data-result carries the ABA found, before any run.
    let s = crate::demos::to_json(&StructuresDemo.summary(&p, Some(&e), None));
    assert_eq!(s["aba"]["trace"], trace.as_str());
    assert_eq!(s["aba"]["broken"], "1160");
}
