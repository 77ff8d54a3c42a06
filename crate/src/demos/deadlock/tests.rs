//! The deadlock demo on real threads (natively, on a rayon pool one thread larger than the
//! table: the caller, a pool thread here, runs the watchdog as the engine thread does in the
//! browser). Every assertion is about outcomes, never about how long anything took.

use super::*;
use crate::demos;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn threads_for(p: &Params) -> usize {
    if p.choice("scenario") == "two-locks" {
        2
    } else {
        p.int("philosophers") as usize
    }
}

/// Runs the demo with `pairs` on a fresh pool; returns the outcome and the live feed's text.
fn run_with(pairs: &[(&str, &str)], ctl: &Control) -> Result<(Outcome, String), DemoError> {
    let p = demos::validate("deadlock", &q(pairs)).unwrap();
    let k = threads_for(&p);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(k + 1).build().unwrap();
    let feed = Feed::with_capacity(1 << 20);
    let out = pool.install(|| run(&p, Env { cores: 2, pool_threads: k as u32 }, ctl, &feed))?;
    Ok((out, feed.text()))
}

fn ok(pairs: &[(&str, &str)]) -> Outcome {
    run_with(pairs, &Control::new()).unwrap_or_else(|e| panic!("{pairs:?}: {e}")).0
}

#[test]
fn left_then_right_deadlocks_and_the_watchdog_names_every_philosopher() {
    // A long pause: each philosopher holds its left fork until all hold one.
    let (o, feed) = run_with(&[("fix", "none"), ("philosophers", "5"), ("pause", "1000"), ("patience", "100")], &Control::new()).unwrap();
    assert!(o.deadlocked && !o.livelocked);
    let w = o.watchdog.as_ref().unwrap();
    let cycle = w.cycle.as_ref().unwrap();
    assert_eq!(cycle.names, ["P1", "P2", "P3", "P4", "P5"]);
    assert_eq!(cycle.lock_names, ["f2", "f3", "f4", "f5", "f1"]);
    assert!(cycle.text.starts_with("P1 holds f1 and waits for f2, held by P2; P2 holds f2"), "{}", cycle.text);
    assert!(cycle.text.ends_with("P5 holds f5 and waits for f1, held by P1."), "{}", cycle.text);
    assert!(w.message.contains("has a cycle of 5: P1 → P2 → P3 → P4 → P5 → P1. Nobody on it can move: a deadlock."), "{}", w.message);
    assert_eq!(w.edges.len(), 5);
    assert!(w.diners.iter().all(|d| d.state == "waiting"), "the watchdog's picture is from before the rescue: {:?}", w.diners);
    // Nobody ate; everyone gave up and put its forks back, so the run ended normally.
    assert_eq!(o.meals_eaten, 0);
    assert!(!o.all_ate);
    assert!(o.diners.iter().all(|d| d.state == "gave up"), "{:?}", o.diners);
    assert!(o.diners.iter().all(|d| d.waits == 1));
    assert!(o.explanation.contains("circle of 5 waits"));
    // The live feed told the story: the table first, the waits, then the watchdog.
    let first: serde_json::Value = serde_json::from_str(feed.lines().next().unwrap()).unwrap();
    assert_eq!(first["kind"], "table");
    assert_eq!(first["setup"]["names"].as_array().unwrap().len(), 5);
    assert_eq!(feed.matches("\"waits for\"").count(), 5);
    assert!(feed.contains("\"kind\":\"watchdog\",") && feed.contains("\"verdict\":\"deadlock\""));
}

#[test]
fn two_locks_in_opposite_order_deadlock_in_a_cycle_of_two() {
    let o = ok(&[("scenario", "two-locks"), ("pause", "1000"), ("patience", "100")]);
    assert!(o.deadlocked);
    let cycle = o.watchdog.unwrap().cycle.unwrap();
    assert_eq!(cycle.names, ["A", "B"]);
    assert_eq!(cycle.text, "A holds a and waits for b, held by B; B holds b and waits for a, held by A.");
    assert!(o.explanation.starts_with("A took lock a and B took lock b"));
}

#[test]
fn a_global_order_and_a_waiter_never_deadlock_and_every_meal_is_eaten() {
    for fix in ["ordered", "waiter"] {
        for scenario in ["philosophers", "two-locks"] {
            let o = ok(&[("scenario", scenario), ("fix", fix), ("philosophers", "5"), ("meals", "3"), ("pause", "20"), ("patience", "100")]);
            let label = format!("{scenario}, {fix}");
            assert!(!o.deadlocked && !o.livelocked && o.watchdog.is_none(), "{label}: {:?}", o.watchdog);
            assert!(o.all_ate, "{label}");
            assert_eq!(o.meals_eaten, o.meals_goal, "{label}");
            assert!(o.diners.iter().all(|d| d.meals == 3 && d.state == "done"), "{label}: {:?}", o.diners);
            assert_eq!(o.retries, 0, "{label}");
            // One lane per thread, all of them pool threads.
            let mut lanes: Vec<u32> = o.diners.iter().map(|d| d.lane).collect();
            lanes.sort_unstable();
            lanes.dedup();
            assert_eq!(lanes.len(), o.diners.len(), "{label}");
        }
    }
}

#[test]
fn ordered_takes_the_lower_numbered_fork_first() {
    let s = Setup::philosophers(5, Fix::Ordered);
    assert_eq!(s.first, [0, 1, 2, 3, 0]);
    assert_eq!(s.second, [1, 2, 3, 4, 4]);
    let s = Setup::philosophers(5, Fix::None);
    assert_eq!(s.first, [0, 1, 2, 3, 4]);
    assert_eq!(s.second, [1, 2, 3, 4, 0]);
    let s = Setup::two_locks(Fix::None);
    assert_eq!((s.first, s.second), (vec![0, 1], vec![1, 0]));
}

#[test]
fn trylock_finishes_without_a_deadlock() {
    for scenario in ["philosophers", "two-locks"] {
        let o = ok(&[("scenario", scenario), ("fix", "trylock"), ("philosophers", "5"), ("meals", "3"), ("pause", "20"), ("patience", "5000")]);
        assert!(!o.deadlocked && !o.livelocked, "{scenario}: {:?}", o.watchdog);
        assert!(o.all_ate, "{scenario}");
        assert!(o.diners.iter().all(|d| d.meals == 3 && d.state == "done"), "{scenario}: {:?}", o.diners);
        assert!(o.explanation.contains("retries"), "{}", o.explanation);
    }
}

#[test]
fn the_pool_runs_again_after_a_deadlock() {
    // The same pool: the deadlocked run must leave no thread behind.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let feed = Feed::with_capacity(1 << 20);
    let env = Env { cores: 2, pool_threads: 3 };
    let stuck = demos::validate("deadlock", &q(&[("philosophers", "3"), ("pause", "1000"), ("patience", "100")])).unwrap();
    let fixed = demos::validate("deadlock", &q(&[("philosophers", "3"), ("fix", "ordered"), ("meals", "2"), ("pause", "5")])).unwrap();
    let a = pool.install(|| run(&stuck, env, &Control::new(), &feed)).unwrap();
    assert!(a.deadlocked);
    let b = pool.install(|| run(&fixed, env, &Control::new(), &feed)).unwrap();
    assert!(!b.deadlocked && b.all_ate);
}

#[test]
fn a_cancel_stops_a_deadlocked_table() {
    let ctl = Control::new();
    let p = demos::validate("deadlock", &q(&[("philosophers", "3"), ("pause", "1000"), ("patience", "5000")])).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let feed = Feed::with_capacity(1 << 20);
    std::thread::scope(|s| {
        let runner = s.spawn(|| pool.install(|| run(&p, Env { cores: 2, pool_threads: 3 }, &ctl, &feed)));
        // Cancel once all three are stuck waiting for their right fork.
        while feed.text().matches("\"waits for\"").count() < 3 {
            std::thread::yield_now();
        }
        ctl.cancel();
        assert!(matches!(runner.join().unwrap(), Err(DemoError::Cancelled)));
    });
}

#[test]
fn too_many_philosophers_for_the_pool_or_no_pool_is_refused_with_a_sentence() {
    // The registry checks the threads the spec declares, before the demo's run.
    let raw = q(&[("philosophers", "8")]);
    let feed = Feed::with_capacity(1024);
    let run = |env| demos::run("deadlock", &raw, env, &Control::new(), &feed).err();
    match run(Env { cores: 2, pool_threads: 4 }) {
        Some(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "philosophers");
            assert_eq!(e[0].message, "philosophers must be at most 4 here: the engine's pool has 4 workers");
        }
        other => panic!("{other:?}"),
    }
    match run(Env { cores: 2, pool_threads: 0 }) {
        Some(DemoError::Invalid(e)) => assert!(e[0].message.starts_with("this demo needs real threads"), "{}", e[0].message),
        other => panic!("{other:?}"),
    }
}

fn summary_of(pairs: &[(&str, &str)], o: Option<&Outcome>) -> serde_json::Value {
    let p = demos::validate("deadlock", &q(pairs)).unwrap();
    demos::to_json(&DeadlockDemo.summary(&p, None, o))
}

#[test]
fn before_a_run_the_summary_is_the_inputs() {
    let v = summary_of(&[("philosophers", "3")], None);
    assert_eq!(v, serde_json::json!({ "demo": "deadlock", "params": { "scenario": "philosophers", "philosophers": 3, "fix": "none", "meals": 5, "pause": 100, "patience": 500 } }));
}

#[test]
fn the_summary_of_a_deadlock_names_the_cycle_and_every_thread() {
    let pairs = [("scenario", "two-locks"), ("pause", "1000"), ("patience", "100")];
    let o = ok(&pairs);
    let v = summary_of(&pairs, Some(&o));
    assert_eq!((v["demo"].as_str(), v["scenario"].as_str(), v["fix"].as_str()), (Some("deadlock"), Some("two-locks"), Some("none")));
    assert_eq!((v["deadlocked"].as_bool(), v["livelocked"].as_bool(), v["allAte"].as_bool()), (Some(true), Some(false), Some(false)));
    assert_eq!(v["threadsUsed"], 2);
    assert_eq!(v["cycle"], serde_json::json!(["A", "B"]));
    assert_eq!(v["cycleText"], "A holds a and waits for b, held by B; B holds b and waits for a, held by A.");
    assert!(v["watchdog"].as_str().unwrap().contains("a deadlock"), "{}", v["watchdog"]);
    // Nobody finished a round: each took one lock, waited once, and gave up.
    let one = |name: &str| serde_json::json!({ "name": name, "meals": 0, "waits": 1, "retries": 0, "ended": "gave up" });
    assert_eq!(v["meals"], serde_json::json!([one("A"), one("B")]));
    assert_eq!((v["mealsEaten"].as_u64(), v["mealsGoal"].as_u64(), v["retries"].as_u64()), (Some(0), Some(10), Some(0)));
    assert_eq!(v["params"]["scenario"], "two-locks");
    assert_eq!(v.as_object().unwrap().len(), 15, "the keys of the page's summary, no more: {v}");
}

#[test]
fn the_summary_of_an_ordered_table_has_no_cycle_and_every_meal() {
    let pairs = [("philosophers", "3"), ("fix", "ordered"), ("meals", "2"), ("pause", "5")];
    let v = summary_of(&pairs, Some(&ok(&pairs)));
    assert_eq!((v["cycle"].is_null(), v["cycleText"].is_null(), v["watchdog"].is_null()), (true, true, true));
    assert_eq!((v["mealsEaten"].as_u64(), v["mealsGoal"].as_u64(), v["allAte"].as_bool()), (Some(6), Some(6), Some(true)));
    let names: Vec<&str> = v["meals"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["P1", "P2", "P3"]);
    assert!(v["meals"].as_array().unwrap().iter().all(|m| m["meals"] == 2 && m["ended"] == "done"));
}

#[test]
fn the_registry_refuses_two_locks_on_a_pool_of_one() {
    let feed = Feed::with_capacity(1024);
    match demos::run("deadlock", &q(&[("scenario", "two-locks")]), Env { cores: 2, pool_threads: 1 }, &Control::new(), &feed).err() {
        Some(DemoError::Invalid(e)) => assert_eq!(e[0].message, "philosophers must be at most 1 here: the engine's pool has 1 workers"),
        other => panic!("{other:?}"),
    }
}
