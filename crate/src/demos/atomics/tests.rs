use super::*;
use crate::demos;
use std::collections::BTreeSet;

fn params(pairs: &[(&str, &str)]) -> Params {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    demos::validate("atomics", &raw).unwrap()
}

fn run_with(pairs: &[(&str, &str)], pool: usize) -> Outcome {
    let p = params(pairs);
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool).build().unwrap();
    tp.install(|| run(&p, Env { cores: 2, pool_threads: pool as u32 }, &Control::new())).unwrap()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Written by hand from the published results (Sewell et al., CACM 2010; the herdtools
/// x86 catalogue): SC allows exactly the outcomes of an interleaving; TSO adds SB's
/// both-zero outcome and nothing else.
#[test]
fn the_models_allow_the_published_outcome_sets() {
    let sb_sc = ["r0=0,r1=1", "r0=1,r1=0", "r0=1,r1=1"];
    let cases: [(Test, &[&str], &[&str]); 3] = [
        (Test::Sb, &sb_sc, &["r0=0,r1=0", "r0=0,r1=1", "r0=1,r1=0", "r0=1,r1=1"]),
        // MP: r0 = y, r1 = x; seeing the flag (y) but not the data (x) is forbidden by both.
        (Test::Mp, &["r0=0,r1=0", "r0=0,r1=1", "r0=1,r1=1"], &["r0=0,r1=0", "r0=0,r1=1", "r0=1,r1=1"]),
        // LB: both loads seeing the other's later store is forbidden by both.
        (Test::Lb, &["r0=0,r1=0", "r0=0,r1=1", "r0=1,r1=0"], &["r0=0,r1=0", "r0=0,r1=1", "r0=1,r1=0"]),
    ];
    for (test, sc, tso) in cases {
        let a = allowed(test);
        assert_eq!(a.sc.iter().cloned().collect::<BTreeSet<_>>(), set(sc), "{test:?} under SC");
        assert_eq!(a.tso.iter().cloned().collect::<BTreeSet<_>>(), set(tso), "{test:?} under TSO");
    }
    // IRIW: the two readers disagreeing on the order of the two writes (r0=1,r1=0 and
    // r2=1,r3=0) is forbidden by both; each of the other 15 combinations is allowed.
    let mut iriw = BTreeSet::new();
    for bits in 0..16u8 {
        let r: Vec<u8> = (0..4).map(|i| (bits >> i) & 1).collect();
        if r != [1, 0, 1, 0] {
            iriw.insert(format!("r0={},r1={},r2={},r3={}", r[0], r[1], r[2], r[3]));
        }
    }
    let a = allowed(Test::Iriw);
    assert_eq!(a.sc.iter().cloned().collect::<BTreeSet<_>>(), iriw);
    assert_eq!(a.tso.iter().cloned().collect::<BTreeSet<_>>(), iriw);
}

#[test]
fn sb_with_atomics_never_reads_both_zero_and_counts_every_iteration() {
    let o = run_with(&[("test", "sb"), ("access", "atomic"), ("iterations", "3000"), ("adds", "0")], 2);
    assert_eq!(o.threads_used, 2);
    assert_eq!(o.outcomes.values().sum::<u64>(), 3000);
    assert_eq!(o.outcomes["r0=0,r1=0"], 0);
    assert!(o.rows.iter().all(|r| r.sc || r.count == 0), "{:?}", o.rows);
}

#[test]
fn atomic_runs_show_only_sc_outcomes_in_every_test() {
    // IRIW's 4 threads share this machine's 2 cores, so each of its rounds waits for the
    // scheduler: fewer of them.
    for (test, k, n) in [("mp", 2, 1000), ("lb", 2, 1000), ("iriw", 4, 150)] {
        let o = run_with(&[("test", test), ("access", "atomic"), ("iterations", &n.to_string()), ("adds", "0")], k);
        assert_eq!((o.threads, o.threads_used), (k, k));
        assert_eq!(o.outcomes.values().sum::<u64>(), n, "{test}");
        for (name, &count) in &o.outcomes {
            assert!(count == 0 || o.allowed.sc.contains(name), "{test}: {name} seen {count} times");
        }
    }
}

/// On x86 the CPU is TSO and volatile accesses keep their order in the machine code, so the
/// plain runs can show SB's weak outcome but never a TSO-forbidden one.
#[cfg(target_arch = "x86_64")]
#[test]
fn plain_runs_on_x86_never_show_what_tso_forbids() {
    for test in ["sb", "mp", "lb"] {
        let o = run_with(&[("test", test), ("access", "plain"), ("iterations", "3000"), ("adds", "0")], 2);
        assert_eq!(o.outcomes.values().sum::<u64>(), 3000);
        assert!(o.rows.iter().all(|r| r.tso || r.count == 0), "{test}: {:?}", o.rows);
        assert!(o.rows.iter().all(|r| r.verdict != Verdict::ForbiddenSeen));
    }
}

/// An enumerator written for this test alone: each of `t` threads does `n` times
/// tmp = counter; tmp += 1; counter = tmp. Returns (interleavings, final counter -> count).
fn enumerate(t: usize, n: usize) -> (u128, BTreeMap<i64, u128>) {
    fn go(pc: &mut Vec<usize>, tmp: &mut Vec<i64>, counter: i64, n: usize, finals: &mut BTreeMap<i64, u128>) {
        let mut any = false;
        for i in 0..pc.len() {
            if pc[i] == 3 * n {
                continue;
            }
            any = true;
            let (saved_pc, saved_tmp) = (pc[i], tmp[i]);
            let mut c = counter;
            match pc[i] % 3 {
                0 => tmp[i] = counter,
                1 => tmp[i] += 1,
                _ => c = tmp[i],
            }
            pc[i] += 1;
            go(pc, tmp, c, n, finals);
            pc[i] = saved_pc;
            tmp[i] = saved_tmp;
        }
        if !any {
            *finals.entry(counter).or_default() += 1;
        }
    }
    let mut finals = BTreeMap::new();
    go(&mut vec![0; t], &mut vec![0; t], 0, n, &mut finals);
    (finals.values().sum(), finals)
}

#[test]
fn the_lost_update_counts_match_an_independent_enumeration() {
    // By hand for the smallest case: 6!/(3!3!) = 20 interleavings of two threads' 3 steps.
    assert_eq!(enumerate(2, 1).0, 20);
    for &(t, n) in adds::CASES {
        let c = adds::counted(t, n);
        let (total, finals) = enumerate(t, n);
        let want = (t * n) as i64;
        assert_eq!(c.interleavings, total.to_string(), "{t} threads × {n}");
        let lost: u128 = finals.iter().filter(|(v, _)| **v < want).map(|(_, c)| c).sum();
        assert_eq!(c.lost, lost.to_string(), "{t} threads × {n}");
        let got: BTreeMap<i64, u128> = c.finals.iter().map(|(v, k)| (*v, k.parse().unwrap())).collect();
        assert_eq!(got, finals, "{t} threads × {n}");
        assert!(c.example.is_some());
    }
}

#[test]
fn the_split_add_never_gains_and_the_atomic_add_is_exact() {
    let o = run_with(&[("test", "sb"), ("iterations", "10"), ("adds", "20000")], 2);
    let a = o.add.unwrap();
    assert_eq!((a.expected, a.atomic, a.threads_used), (40_000, 40_000, 2));
    assert!(a.split <= 40_000 && a.split >= 20_000);
}

#[test]
fn bad_inputs_are_refused_with_a_message_beside_their_control() {
    let raw = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    let Err(DemoError::Invalid(e)) = demos::validate("atomics", &raw("test", "tso")) else { panic!() };
    assert_eq!(e[0].param, "test");
    let Err(DemoError::Invalid(e)) = demos::validate("atomics", &raw("iterations", "0")) else { panic!() };
    assert_eq!(e[0].param, "iterations");
    // IRIW needs 4 threads: a pool of 2 refuses it before anything runs.
    let p = params(&[("test", "iriw")]);
    let err = demos::check_threads(&SPEC, &p, Env { cores: 2, pool_threads: 2 }).unwrap_err();
    assert!(err.to_string().contains("at most 2"), "{err}");
    // Without a pool the run is refused with the reason; the compute still answers.
    let err = demos::check_threads(&SPEC, &params(&[]), Env { cores: 2, pool_threads: 0 }).unwrap_err();
    assert!(err.to_string().contains("no thread pool"), "{err}");
    assert_eq!(model(&params(&[])).weak, "r0=0,r1=0");
}

#[test]
fn the_summary_carries_the_documented_fields() {
    let p = params(&[("iterations", "200"), ("adds", "0")]);
    let o = run_with(&[("iterations", "200"), ("adds", "0")], 2);
    let s = demos::to_json(&Summary::new(&p, None, Some(&o)));
    for key in ["test", "access", "threads", "threadsUsed", "iterations", "outcomes", "allowed"] {
        assert!(!s[key].is_null(), "{key} missing in {s}");
    }
    assert_eq!(s["allowed"]["tso"].as_array().unwrap().len(), 4);
    assert_eq!(s["outcomes"].as_object().unwrap().len(), 4);
}
