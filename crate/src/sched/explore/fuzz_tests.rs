//! The fuzzer against numbers worked out apart from it: a small enumerator of the lost update
//! written here from scratch, PCT's odds by hand, and convergence of the uniform sampler to
//! the explorer's exact ratio (and of the naive one to its exact odds) within five binomial
//! standard errors. Every run is seeded, so each assertion passes or fails the same way on
//! every machine: the tolerances say how unlucky a seed would have to be, not a retry budget.

use super::*;
use crate::sched::explore::{explore_keeping, Limits};
use crate::sched::{chapter16, examples, replay, Assertion, Cmp, Trace};

fn tree_of(program: &Arc<Program>, assertion: Option<&Assertion>) -> Tree {
    let (_, tree) = explore_keeping(program, assertion, Limits::default(), &mut |_| None).expect("not abandoned");
    tree.expect("counted exactly")
}

fn lost_update(threads: usize) -> (Arc<Program>, Option<Assertion>) {
    (Arc::new(examples::lost_update(threads)), Some(Assertion::new("counter", Cmp::Eq, threads as i64)))
}

fn cfg(schedules: usize, seed: u64) -> Config {
    Config { schedules, seed, depth: 2, steps: 6, max_steps: 10_000 }
}

fn run(program: &Arc<Program>, assertion: Option<&Assertion>, strategy: Strategy, tree: Option<&Tree>, cfg: &Config) -> Fuzzed {
    fuzz(program, assertion, strategy, tree, cfg, &mut |_| None).expect("not abandoned, and a tree for uniform")
}

/// `|rate - p|` within five standard errors of a binomial proportion over `n` runs (plus one
/// run's worth, for p near 0 or 1 where the normal approximation is poor).
fn within_five_sigma(rate: f64, p: f64, n: usize) -> bool {
    let sigma = (p * (1.0 - p) / n as f64).sqrt();
    (rate - p).abs() <= 5.0 * sigma + 1.0 / n as f64
}

/// The lost update of two threads (read, add, write each), enumerated here without the
/// machine: every order of AAABBB, the counter simulated by hand, and the naive scheduler's
/// chance of each order (1/2 per step while both threads have steps left, 1 after).
fn enumerate_two_increments() -> (u32, u32, f64) {
    let (mut total, mut lost, mut naive_lost) = (0, 0, 0.0);
    for mask in 0u32..64 {
        if mask.count_ones() != 3 {
            continue; // bit i set: step i is A's
        }
        let (mut counter, mut tmp, mut pc, mut chance) = (0i64, [0i64; 2], [0usize; 2], 1.0);
        for i in 0..6 {
            let t = ((mask >> i) & 1) as usize ^ 1; // 0 = A, 1 = B
            if pc[0] < 3 && pc[1] < 3 {
                chance /= 2.0;
            }
            match pc[t] {
                0 => tmp[t] = counter,
                1 => tmp[t] += 1,
                _ => counter = tmp[t],
            }
            pc[t] += 1;
        }
        total += 1;
        if counter != 2 {
            lost += 1;
            naive_lost += chance;
        }
    }
    (total, lost, naive_lost)
}

#[test]
fn the_tree_agrees_with_a_separate_enumerator_of_the_lost_update() {
    let (total, lost, naive_lost) = enumerate_two_increments();
    assert_eq!((total, lost), (20, 18));
    assert_eq!(naive_lost, 0.75, "by hand: each serial order has chance 1/8, so 1 - 2/8");
    let (p, a) = lost_update(2);
    let tree = tree_of(&p, a.as_ref());
    assert_eq!(tree.interleavings(), u128::from(total));
    assert_eq!(tree.failing(), u128::from(lost));
    assert!((tree.naive_failure() - naive_lost).abs() < 1e-12, "{}", tree.naive_failure());
}

#[test]
fn the_uniform_sampler_meets_every_interleaving_equally_often() {
    let (p, a) = lost_update(2);
    let tree = tree_of(&p, a.as_ref());
    let c = cfg(40_000, 11);
    let mut counts = std::collections::HashMap::new();
    for i in 0..c.schedules {
        *counts.entry(one_schedule(&p, Strategy::Uniform, Some(&tree), &c, i).trace().to_string()).or_insert(0usize) += 1;
    }
    assert_eq!(counts.len(), 20, "all C(6, 3) orders met");
    // Each order 1/20 of 40,000 = 2,000 times; sigma = sqrt(2000 * 19/20) ~ 43.6.
    for (trace, n) in &counts {
        assert!((*n as f64 - 2000.0).abs() <= 5.0 * 43.6, "{trace}: {n}");
    }
}

#[test]
fn the_uniform_rate_converges_to_the_exhaustive_ratio() {
    let programs: Vec<(&str, Arc<Program>, Option<Assertion>)> = vec![
        ("lost-update 2", lost_update(2).0, lost_update(2).1),
        ("lost-update 3", lost_update(3).0, lost_update(3).1),
        ("opposite-locks", Arc::new(examples::opposite_order_locks()), None),
        ("philosophers 3", Arc::new(examples::philosophers(3, false)), None),
        ("dict-delete", Arc::new(chapter16::dict_race(false, false)), Some(chapter16::dict_assertion())),
    ];
    for (name, p, a) in &programs {
        let tree = tree_of(p, a.as_ref());
        let exact = tree.failing() as f64 / tree.interleavings() as f64;
        assert!(exact > 0.0 && exact < 1.0, "{name}: a program with both outcomes ({exact})");
        let mut errors = Vec::new();
        for n in [1_000, 10_000, 100_000] {
            let f = run(p, a.as_ref(), Strategy::Uniform, Some(&tree), &cfg(n, 5));
            assert_eq!(f.expected, Some(exact));
            assert!(within_five_sigma(f.rate, exact, n), "{name}, {n} schedules: {} against {exact}", f.rate);
            errors.push((f.rate - exact).abs());
        }
        // Converging: the error at 100,000 schedules is within 5 sigma there, which is a
        // tenth of 5 sigma at 1,000.
        assert!(errors[2] <= 5.0 * (exact * (1.0 - exact) / 100_000.0).sqrt() + 1e-5, "{name}: {errors:?}");
    }
}

#[test]
fn the_naive_rate_converges_to_its_own_odds_not_to_the_exhaustive_ratio() {
    let (p, a) = lost_update(2);
    let tree = tree_of(&p, a.as_ref());
    let f = run(&p, a.as_ref(), Strategy::Naive, Some(&tree), &cfg(100_000, 3));
    assert_eq!(f.expected, Some(0.75));
    assert!(within_five_sigma(f.rate, 0.75, 100_000), "{}", f.rate);
    // 0.9 is 73 standard errors away (sigma = 0.00137): the naive fuzzer cannot be mistaken
    // for a uniform one here.
    assert!((f.rate - 0.9).abs() > 0.1, "{}", f.rate);
    // The same on a program whose odds only the machine's tree knows.
    let (p3, a3) = lost_update(3);
    let tree3 = tree_of(&p3, a3.as_ref());
    let f3 = run(&p3, a3.as_ref(), Strategy::Naive, Some(&tree3), &cfg(100_000, 3));
    let exact3 = tree3.naive_failure();
    assert!(within_five_sigma(f3.rate, exact3, 100_000), "{} against {exact3}", f3.rate);
    assert!(exact3 < tree3.failing() as f64 / tree3.interleavings() as f64);
}

#[test]
fn pct_finds_the_lost_update_with_the_odds_worked_out_by_hand() {
    let (p, a) = lost_update(2);
    // Depth 1: no change point, so the higher-priority thread runs to the end first. Every
    // run is serial and none loses an update.
    let serial = run(&p, a.as_ref(), Strategy::Pct, None, &Config { depth: 1, ..cfg(2_000, 1) });
    assert_eq!(serial.failures, 0);
    assert_eq!(serial.distinct, 2, "AAABBB and BBBAAA");
    // Depth 2, k = 6: the change point falls at step s in 1..=6. The first thread has then
    // taken s - 1 steps; it loses B's update exactly when it has read but not written,
    // s - 1 in {1, 2}: 2 chances in 6.
    let f = run(&p, a.as_ref(), Strategy::Pct, None, &cfg(60_000, 9));
    assert!(within_five_sigma(f.rate, 1.0 / 3.0, 60_000), "{}", f.rate);
    assert!(f.rate >= 1.0 / (2.0 * 6.0), "PCT's bound 1 / (n k^(d-1))");
    assert_eq!(f.expected, None);
}

#[test]
fn the_same_seed_gives_the_same_schedules_and_a_failing_one_replays_to_the_failure() {
    let (p, a) = lost_update(3);
    let tree = tree_of(&p, a.as_ref());
    for strategy in [Strategy::Naive, Strategy::Pct, Strategy::Uniform] {
        let c = cfg(500, 42);
        let (x, y) = (run(&p, a.as_ref(), strategy, Some(&tree), &c), run(&p, a.as_ref(), strategy, Some(&tree), &c));
        assert_eq!((x.failures, x.distinct), (y.failures, y.distinct), "{strategy:?}");
        let first = x.first_failing.expect("the lost update is common");
        assert_eq!(Some(&first.trace), y.first_failing.as_ref().map(|f| &f.trace));
        let again = one_schedule(&p, strategy, Some(&tree), &c, first.index);
        assert_eq!(again.trace().to_string(), first.trace, "schedule i is the same run on its own");
        let end = replay(&p, &first.trace.parse::<Trace>().unwrap()).unwrap();
        assert_eq!(outcome_of(&end, a.as_ref()), Outcome::Broken);
        assert!(end.var("counter") < 3);
        let other = run(&p, a.as_ref(), strategy, Some(&tree), &cfg(500, 43));
        assert_ne!(other.first_failing.map(|f| (f.index, f.trace)), Some((first.index, first.trace)), "{strategy:?}: another seed, other schedules");
    }
}

#[test]
fn cancel_keeps_the_runs_so_far_and_a_newer_input_abandons() {
    let (p, a) = lost_update(2);
    let f = fuzz(&p, a.as_ref(), Strategy::Naive, None, &cfg(10_000, 1), &mut |done| (done >= 512).then_some(Halt::Cancel)).unwrap();
    assert!(f.cancelled);
    assert_eq!(f.schedules, 512);
    assert_eq!(f.rate, f.failures as f64 / 512.0);
    assert!(fuzz(&p, a.as_ref(), Strategy::Naive, None, &cfg(10_000, 1), &mut |_| Some(Halt::Abandon)).is_none());
}

#[test]
fn uniform_needs_every_interleaving_counted() {
    let (p, a) = lost_update(7);
    let (e, tree) = explore_keeping(&p, a.as_ref(), Limits { max_states: 1_000 }, &mut |_| None).unwrap();
    assert!(!e.complete);
    assert!(tree.is_none(), "no exact counts past the state limit");
    assert!(fuzz(&p, a.as_ref(), Strategy::Uniform, None, &cfg(10, 1), &mut |_| None).is_none());
    // PCT and the naive scheduler still run, and still find the lost update.
    let f = run(&p, a.as_ref(), Strategy::Pct, None, &Config { steps: 21, ..cfg(1_000, 1) });
    assert!(f.failures > 0);
}


#[test]
fn pct_can_starve_a_spin_loop_and_those_runs_are_unfinished_not_failures() {
    use crate::sched::{Instr, ProgramSpec, ThreadSpec};
    // B spins on try_lock while A holds the lock (the explorer's own cycle example).
    let spin = Arc::new(
        ProgramSpec::new("spin")
            .lock("m")
            .thread(ThreadSpec::new("A").steps([Instr::lock("m"), Instr::unlock("m")]))
            .thread(ThreadSpec::new("B").steps([Instr::try_lock("m", 0), Instr::unlock("m")]))
            .build()
            .unwrap(),
    );
    let (e, tree) = explore_keeping(&spin, None, Limits::default(), &mut |_| None).unwrap();
    assert!(e.cyclic && tree.is_none(), "infinitely many interleavings: no uniform sampler");
    let c = Config { steps: 4, max_steps: 200, ..cfg(1_000, 4) };
    // PCT is not fair: once A, holding the lock, drops below B, B spins and A never runs
    // again. That needs A first (1/2) and the change point at step 2 (1/4): 1/8 of the runs.
    let pct = run(&spin, None, Strategy::Pct, None, &c);
    assert!(within_five_sigma(pct.unfinished as f64 / 1000.0, 0.125, 1000), "{}", pct.unfinished);
    assert_eq!(pct.failures, 0);
    // The naive scheduler lets A go with chance 1/2 at each spin: all 1,000 runs end.
    let naive = run(&spin, None, Strategy::Naive, None, &c);
    assert_eq!((naive.unfinished, naive.failures), (0, 0));
}
