use super::*;
use crate::demos;
use crate::sync::Ordering::{Acquire, Release};
use crate::sync::{AtomicBool, AtomicU32, AtomicUsize, Mutex};
use crate::pool::run_threads;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap()
}

#[test]
fn the_gil_lets_one_thread_at_a_time_run() {
    // Three threads meet at a barrier, then each runs 3,000 bytecodes under the GIL, checking
    // for a drop request after each; inside every bytecode, the count of threads in one is 1.
    let gil = Gil::new(1.0, clock::now_ms());
    let inside = AtomicU32::new(0);
    let most = AtomicU32::new(0);
    let meet = Barrier::new(3);
    let ctl = Control::new();
    let run = pool(3)
        .install(|| {
            run_threads(Where::Pool(3), 3, &ctl, |i, rec| {
                meet.wait();
                let mut held = gil.take(i, rec.lane());
                for _ in 0..3000 {
                    let now = inside.fetch_add(1, Relaxed) + 1;
                    most.fetch_max(now, Relaxed);
                    std::hint::black_box(crate::workload::busy(500));
                    inside.fetch_sub(1, Relaxed);
                    held = held.check().0;
                }
                Ok(())
            })
        })
        .unwrap();
    assert_eq!(run.threads_used(), 3);
    assert_eq!(most.into_inner(), 1, "two threads ran bytecode at once");
    // The holds it recorded never overlap either.
    let holds = gil.holds();
    assert!(holds.windows(2).all(|w| w[0].end_ms <= w[1].start_ms), "{holds:?}");
    assert!(gil.switches() >= 2, "all three threads got it: {}", gil.switches());
}

#[test]
fn a_drop_request_hands_the_gil_over_at_the_next_check() {
    // A holds the GIL; B asks for it. A checks until it sees B's drop request; its next check
    // must hand the GIL to B (which notes that it ran) before A runs another bytecode.
    let gil = Gil::new(1.0, clock::now_ms());
    let b_ran = AtomicBool::new(false);
    let a_holds = Barrier::new(2);
    let ctl = Control::new();
    let checks_after = AtomicUsize::new(usize::MAX);
    pool(2)
        .install(|| {
            run_threads(Where::Pool(2), 2, &ctl, |i, rec| {
                if i == 0 {
                    let mut held = gil.take(0, rec.lane());
                    a_holds.wait();
                    // Checks made with the request already standing before them: the
                    // first must switch. (The request may also land between reading it and
                    // checking, and then that check switches without having been counted.)
                    let mut checks = 0usize;
                    loop {
                        let standing = held.requested();
                        let (h, switched) = held.check();
                        held = h;
                        if standing {
                            checks += 1;
                        }
                        if switched {
                            assert!(b_ran.load(Acquire), "A switched but B did not run");
                            break;
                        }
                    }
                    checks_after.store(checks, Relaxed);
                } else {
                    a_holds.wait();
                    let held = gil.take(1, rec.lane());
                    b_ran.store(true, Release);
                    drop(held);
                }
                Ok(())
            })
        })
        .unwrap();
    assert!(checks_after.into_inner() <= 1, "a check with the request standing did not switch");
    assert_eq!(gil.switches(), 2, "A to B, and B back to A");
}

#[test]
fn an_io_wait_releases_the_gil() {
    // A holds the GIL and waits for I/O until B has taken the GIL and let it go: possible
    // only if the I/O wait released it (bounded: 2 s, then the test fails instead of hanging).
    let gil = Gil::new(5.0, clock::now_ms());
    let b_done = Mutex::new(false);
    let b_cv = crate::sync::Condvar::new();
    let a_waits = Barrier::new(2);
    let ctl = Control::new();
    let b_got_it = AtomicBool::new(false);
    pool(2)
        .install(|| {
            run_threads(Where::Pool(2), 2, &ctl, |i, rec| {
                if i == 0 {
                    let held = gil.take(0, rec.lane());
                    let (_held, finished) = held.io(|| {
                        a_waits.wait();
                        let g = b_done.lock().unwrap();
                        let (g, _) = b_cv.wait_timeout_while(g, std::time::Duration::from_secs(2), |d| !*d).unwrap();
                        *g
                    });
                    assert!(finished, "B never got the GIL while A waited for I/O");
                } else {
                    a_waits.wait();
                    drop(gil.take(1, rec.lane()));
                    b_got_it.store(true, Release);
                    *b_done.lock().unwrap() = true;
                    b_cv.notify_all();
                }
                Ok(())
            })
        })
        .unwrap();
    assert!(b_got_it.into_inner());
}

/// An enumerator written for the test: every string of thread ids in which thread t appears
/// `per` times (each appearance one atomic segment of its `n += 1`), filtered from all
/// strings of that length, then run.
fn brute(k: usize, per: usize) -> BTreeMap<i64, u64> {
    let len = k * per;
    let mut finals = BTreeMap::new();
    for code in 0..(k as u64).pow(len as u32) {
        let mut c = code;
        let order: Vec<usize> = (0..len).map(|_| { let t = (c % k as u64) as usize; c /= k as u64; t }).collect();
        if (0..k).any(|t| order.iter().filter(|&&x| x == t).count() != per) {
            continue;
        }
        let (mut n, mut pc, mut tmp) = (0i64, vec![0; k], vec![0i64; k]);
        for t in order {
            for _ in 0..3 / per {
                match pc[t] {
                    0 => tmp[t] = n,
                    1 => tmp[t] += 1,
                    _ => n = tmp[t],
                }
                pc[t] += 1;
            }
        }
        *finals.entry(n).or_insert(0u64) += 1;
    }
    finals
}
use std::collections::BTreeMap;

#[test]
fn the_step_policies_give_the_enumerated_outcomes() {
    // By hand, two threads: 6!/(3!3!) = 20 orders of bytecodes; n ends at 2 only when one
    // thread's store comes before the other's load (2 orders), so 18 lose an update. Under
    // back-edges only, 2 orders, neither loses one.
    let any2 = outcomes(2, Policy::Any);
    assert_eq!((any2.interleavings, any2.lost, any2.finals.clone()), (20, 18, vec![(1, 18), (2, 2)]));
    let back2 = outcomes(2, Policy::Backedge);
    assert_eq!((back2.interleavings, back2.lost, back2.finals.clone()), (2, 0, vec![(2, 2)]));
    for k in 2..=3 {
        for (policy, per) in [(Policy::Any, 3), (Policy::Backedge, 1)] {
            let o = outcomes(k, policy);
            let b: Vec<(i64, u64)> = brute(k, per).into_iter().collect();
            assert_eq!(o.finals, b, "{k} threads, {policy:?}");
        }
    }
    assert_eq!(outcomes(3, Policy::Any).interleavings, 1680, "9!/(3!3!3!)");
    assert_eq!(outcomes(3, Policy::Backedge).interleavings, 6, "3!");
}

#[test]
fn the_step_program_loses_an_update_only_when_any_bytecode_may_switch() {
    let view = |policy: &str, trace: &str| demos::stepper::view_json("gil", &q(&[("policy", policy), ("threads", "2")]), trace, None);
    // A loads, B runs its whole n += 1, A adds and stores: n = 1.
    let v = view("any", "0.1.1.1.0.0").unwrap();
    assert_eq!(v["machine"]["vars"]["n"], 1, "{v}");
    // Under back-edges only, B cannot run while A holds the GIL inside n += 1.
    assert!(view("backedge", "0.0.1").is_err(), "B ran while A held the GIL");
    let v = view("backedge", "0.0.0.0.0.1.1.1.1.1").unwrap();
    assert_eq!(v["machine"]["vars"]["n"], 2, "{v}");
}

#[test]
fn bad_inputs_are_refused_with_a_message() {
    for (k, v) in [("threads", "999"), ("interval", "0"), ("mode", "nogil"), ("policy", "sometimes"), ("work", "1")] {
        match demos::validate("gil", &q(&[(k, v)])) {
            Err(DemoError::Invalid(errs)) => assert!(errs.iter().any(|e| e.param == k && !e.message.is_empty()), "{k}={v}: {errs:?}"),
            other => panic!("{k}={v} was taken: {:?}", other.map(|_| ())),
        }
    }
}

fn run_with(pairs: &[(&str, &str)], pool_n: u32) -> Outcome {
    let p = demos::validate("gil", &q(pairs)).unwrap();
    pool(pool_n.max(1) as usize).install(|| run(&p, Env { cores: 2, pool_threads: pool_n }, &Control::new())).unwrap()
}

#[test]
fn a_real_run_in_each_mode_uses_every_thread() {
    for mode in ["gil", "free-threaded", "processes"] {
        let o = run_with(&[("mode", mode), ("threads", "2"), ("work", "10"), ("interval", "1")], 2);
        assert_eq!((o.threads, o.threads_used), (2, 2), "{mode}");
        assert_eq!(o.one.samples.ms.len(), ROUNDS);
        let holds = &o.holds;
        if mode == "gil" {
            assert!(holds.windows(2).all(|w| w[0].end_ms <= w[1].start_ms), "{mode}: {holds:?}");
            assert!(o.convoy.is_some());
        } else {
            // Each thread noted its start before the barrier, so both were running at once.
            assert_eq!(holds.len(), 2);
            assert!(holds[0].end_ms > holds[1].start_ms, "{mode}: {holds:?}");
            assert_eq!(o.switches, 0);
        }
    }
}

#[test]
fn without_a_pool_the_threads_run_in_turn_and_it_says_so() {
    let o = run_with(&[("mode", "gil"), ("threads", "2"), ("work", "10")], 0);
    assert!(!o.pooled);
    assert!(o.convoy.is_none());
    assert!(o.explanation.contains("one after another"), "{}", o.explanation);
}
