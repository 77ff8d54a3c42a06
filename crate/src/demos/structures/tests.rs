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
fn two_threads_that_both_load_before_either_stores_lose_exactly_one_update() {
    // Forced, not by luck: each thread loads, then both meet at a barrier, then both store
    // what they loaded plus one. Two increments, one update lost.
    let c = AtomicU64::new(0);
    let meet = Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| counters::increment_unlocked(&c, || {
                meet.wait();
            }));
        }
    });
    assert_eq!(c.into_inner(), 1, "2 increments, 1 lost");
    // The same rendezvous for ten rounds: every round loses exactly one of its two.
    let c = AtomicU64::new(0);
    let meet = Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..10 {
                    counters::increment_unlocked(&c, || {
                        meet.wait();
                    });
                    meet.wait(); // both stored before the next round loads
                }
            });
        }
    });
    assert_eq!(c.into_inner(), 10, "20 increments, 10 lost");
}

#[test]
fn the_unlocked_counter_loses_updates_on_real_threads_with_the_default_gap() {
    // Probabilistic, bounded: up to 10 runs of two pool threads at the default gap (100
    // iterations between load and store), until one loses an update.
    let lost = (0..10).find_map(|_| {
        let o = run_with(&[("threads", "2"), ("ops", "100000"), ("samples", "1")], 2);
        let u = fin(&o, Variant::Unlocked);
        assert_eq!((u.threads_used, o.gap), (2, 100));
        assert_eq!(u.lost, u.expected - u.actual);
        (u.lost > 0).then_some(u.lost)
    });
    assert!(lost.is_some(), "no update lost in 10 runs of two racing threads");
}

#[test]
fn a_gap_of_zero_is_the_bare_load_then_store() {
    let o = run_with(&[("threads", "1"), ("ops", "1000"), ("gap", "0"), ("samples", "1")], 1);
    let u = fin(&o, Variant::Unlocked);
    assert_eq!((u.expected, u.actual, u.lost, o.gap), (1000, 1000, 0, 0));
    assert!(o.explanation.contains("nothing was lost"), "{}", o.explanation);
}

/// Every variant under forced overlap: `k` threads wait at a barrier, then each pushes and
/// pops; against the multiset of all pushed values, nothing lost, nothing twice.
fn hammer<S: stacks::Store>(k: usize, ops: u32) -> (u64, u64) {
    let s = S::new(k);
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
        assert_eq!(hammer::<lockfree::Treiber>(4, 20_000), (0, 0), "treiber");
        assert_eq!(hammer::<lockfree::MsQueue>(4, 20_000), (0, 0), "ms queue");
        assert_eq!(hammer::<library::EpochTreiber>(4, 20_000), (0, 0), "epoch treiber");
        assert_eq!(hammer::<library::Seg>(4, 20_000), (0, 0), "seg queue");
        assert_eq!(hammer::<library::Ring>(4, 20_000), (0, 0), "array queue");
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
    fn popped<S: stacks::Store>() -> Vec<u64> {
        let mut r = stacks::Retired::default();
        let s = S::new(2); // the ring then has room for 4: enough for 3
        for v in 1..=3 {
            s.push(v);
        }
        let out = std::iter::from_fn(|| s.pop(&mut r)).collect();
        s.retire(r);
        out
    }
    let lifo = vec![3, 2, 1];
    let fifo = vec![1, 2, 3];
    assert_eq!(popped::<lockfree::Treiber>(), lifo);
    assert_eq!(popped::<library::EpochTreiber>(), lifo);
    assert_eq!(popped::<stacks::LockedStack>(), lifo);
    assert_eq!(popped::<lockfree::MsQueue>(), fifo);
    assert_eq!(popped::<library::Seg>(), fifo);
    assert_eq!(popped::<library::Ring>(), fifo);
    assert_eq!(popped::<stacks::LockedQueue>(), fifo);
}

#[test]
fn the_stacks_run_reports_every_variant_whole_on_pool_threads() {
    let o = run_with(&[("structure", "stacks"), ("threads", "2"), ("ops", "3000"), ("samples", "2")], 2);
    assert_eq!(o.finals.iter().map(|f| f.variant).collect::<Vec<_>>(), Variant::STACKS);
    assert_eq!(o.finals.len(), 7, "the teaching ones and crossbeam's");
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
    assert_eq!(v["params"], serde_json::json!({"structure": "counters", "threads": 2, "ops": 200000, "threshold": 10, "gap": 100, "samples": 3, "story": "aba"}));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["aba", "demo", "params"]);
    let tp = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let raw = q(&[("threads", "2"), ("ops", "1000"), ("samples", "1")]);
    let s = tp.install(|| demos::run("structures", &raw, Env { cores: 2, pool_threads: 2 }, &Control::new(), &Feed::with_capacity(1 << 10)).map(|a| demos::to_json(&a.summary))).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["aba", "demo", "final", "gap", "ops", "params", "structure", "threads", "threadsUsed", "throughput"]);
    assert_eq!(s["aba"]["broken"], "1160", "ABA stays in data-result after a run");
    assert_eq!(s["threadsUsed"], 2);
    let vs: Vec<&str> = s["throughput"].as_array().unwrap().iter().map(|t| t["variant"].as_str().unwrap()).collect();
    assert_eq!(vs, ["unlocked", "mutex", "atomic", "sharded-padded", "sharded-packed"]);
    assert_eq!(s["final"][1]["actual"], 2000);
}

#[test]
fn the_step_through_programs_are_explored_and_aba_replays_in_the_step_view() {
    let p = crate::demos::validate("structures", &[]).unwrap();
    let e = steps::explored();
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

#[test]
fn a_reader_that_checks_then_waits_while_the_key_is_deleted_meets_a_key_error() {
    // Forced with a rendezvous: the reader checks `key in d` (there), then waits; the
    // deleter deletes; then the reader reads `d[key]`: gone. Copy-on-read, the same
    // rendezvous, reads its snapshot, taken before the delete, and gets the value.
    for (copy, want) in [(false, dict::Read::KeyError), (true, dict::Read::Value(dict::VALUE))] {
        let d = dict::dict();
        let (checked, deleted) = (Barrier::new(2), Barrier::new(2));
        let got = std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut between = || {
                    checked.wait();
                    deleted.wait();
                };
                if copy { dict::copy_on_read(&d, dict::KEY, &mut between) } else { dict::check_then_read(&d, dict::KEY, &mut between) }
            });
            s.spawn(|| {
                checked.wait();
                d.lock().unwrap().remove(&dict::KEY);
                deleted.wait();
            });
            reader.join().unwrap()
        });
        assert_eq!(got, want);
    }
    // Without anything between, a key that is absent is reported absent, never an error.
    let d = dict::dict();
    d.lock().unwrap().remove(&dict::KEY);
    assert_eq!(dict::check_then_read(&d, dict::KEY, &mut || ()), dict::Read::Absent);
    assert_eq!(dict::copy_on_read(&d, dict::KEY, &mut || ()), dict::Read::Absent);
}

#[test]
fn the_dict_run_counts_key_errors_for_check_then_read_and_none_for_copy_on_read() {
    // Probabilistic for check-then-read (bounded: up to 10 runs); copy-on-read must have
    // none in every run, and every run's reads add up. 50 000 reads: long enough to span
    // several time slices of a loaded machine (a run inside one slice, with the deleter
    // descheduled, races nothing).
    let mut seen = 0;
    for _ in 0..10 {
        let o = run_with(&[("structure", "dict"), ("threads", "2"), ("ops", "50000"), ("samples", "1")], 2);
        assert_eq!(o.finals.iter().map(|f| f.variant).collect::<Vec<_>>(), Variant::DICT);
        assert_eq!(o.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [2, 2], "the dict starts at 2 threads");
        for f in &o.finals {
            assert_eq!((f.expected, f.threads_used, f.lost), (50_000, 2, 0), "{f:?}");
            assert_eq!(f.actual + f.absent.unwrap() + f.key_errors.unwrap(), f.expected, "{f:?}");
        }
        assert_eq!(fin(&o, Variant::CopyOnRead).key_errors, Some(0));
        seen = fin(&o, Variant::CheckThenRead).key_errors.unwrap();
        if seen > 0 {
            assert!(o.explanation.contains("KeyError"), "{}", o.explanation);
            break;
        }
    }
    assert!(seen > 0, "no KeyError in 10 runs of a reader racing a deleter");
}

#[test]
fn the_dict_needs_a_reader_and_a_deleter_and_without_a_pool_nothing_races() {
    let Err(DemoError::Invalid(errs)) = demos::compute("structures", &q(&[("structure", "dict"), ("threads", "1")])) else { panic!() };
    assert_eq!((errs[0].param.as_str(), errs[0].message.as_str()), ("threads", "threads must be at least 2 for the dict: one deleter and at least one reader, got 1"));
    let p = demos::validate("structures", &q(&[("structure", "dict"), ("threads", "3"), ("ops", "1000"), ("samples", "1")])).unwrap();
    let o = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    for f in &o.finals {
        // Two readers of 1000 ran before the deleter: every read found the value.
        assert_eq!((f.expected, f.actual, f.absent, f.key_errors), (2000, 2000, Some(0), Some(0)), "{f:?}");
    }
    assert!(o.explanation.contains("ran one after another"), "{}", o.explanation);
}

#[test]
fn the_stacks_limit_is_shown_beside_the_control_before_a_run() {
    let Err(DemoError::Invalid(errs)) = demos::compute("structures", &q(&[("structure", "stacks"), ("threads", "3"), ("ops", "700000")])) else { panic!() };
    assert_eq!(errs[0].param, "ops");
    assert!(demos::compute("structures", &q(&[("structure", "counters"), ("threads", "3"), ("ops", "700000")])).is_ok());
}
