use super::*;
use crate::demos;

fn run_with(pairs: &[(&str, &str)], pool: u32) -> Outcome {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("race", &raw).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool.max(1) as usize).build().unwrap();
    tp.install(|| run(&p, Env { cores: 2, pool_threads: pool }, &Control::new())).unwrap()
}

#[test]
fn the_mutex_and_the_atomic_add_are_exact_under_many_threads() {
    let o = run_with(&[("threads", "4"), ("increments", "20000"), ("repeats", "1")], 4);
    assert_eq!(o.expected, 80_000);
    for m in [Version::Mutex, Version::Atomic] {
        let r = o.runs.iter().find(|r| r.method == m).unwrap();
        assert_eq!((r.actual, r.lost), (80_000, 0), "{m:?}");
    }
    let racy = o.runs.iter().find(|r| r.method == Version::Unprotected).unwrap();
    assert!(racy.actual <= 80_000);
    assert!(o.runs.iter().all(|r| r.threads_used == 4), "{:?}", o.runs);
    assert_eq!(o.spread.as_ref().unwrap().actuals.len(), 1);
}

#[test]
fn one_thread_never_loses_an_update() {
    let o = run_with(&[("threads", "1"), ("increments", "5000"), ("method", "unprotected"), ("repeats", "2")], 1);
    assert_eq!(o.spread.unwrap().actuals, [5000, 5000]);
    assert!(o.explanation.contains("One thread alone"));
}

#[test]
fn a_wide_window_loses_updates_on_real_threads() {
    // Two threads, each between its read and its write doing work hundreds of times
    // longer than the store itself: for no update to be lost, the threads would have to
    // never overlap once in 100 000 rounds. They run at the same time on two threads.
    // A race is probabilistic: up to 10 rounds of 10 runs each, until one run loses an
    // update. Both threads are certainly alive at once (the start line); overlap of their
    // windows is what the retries wait for.
    let lost = (0..10).find_map(|_| {
        let o = run_with(&[("threads", "2"), ("increments", "100000"), ("gap", "100"), ("method", "unprotected"), ("repeats", "10")], 2);
        assert_eq!(o.runs[0].threads_used, 2);
        let s = o.spread.expect("the unprotected runs");
        (s.min < o.expected).then_some(o.expected - s.min)
    });
    assert!(lost.is_some(), "no update lost in 100 runs of two racing threads");
}

#[test]
fn without_a_pool_nothing_is_lost_and_the_page_is_told_why() {
    let raw = vec![("method".to_string(), "unprotected".to_string()), ("increments".to_string(), "1000".to_string())];
    let p = demos::validate("race", &raw).unwrap();
    let o = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    assert_eq!(o.runs[0].lost, 0);
    assert!(o.explanation.contains("a race needs two threads"));
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn before_a_run_the_summary_is_the_demo_and_its_inputs() {
    let a = demos::compute("race", &q(&[("method", "atomic"), ("gap", "5")])).unwrap();
    let expected = serde_json::json!({
        "demo": "race",
        "params": { "threads": 4, "increments": 100000, "gap": 5, "repeats": 3, "method": "atomic" },
    });
    assert_eq!(demos::to_json(&a.summary), expected);
}

#[test]
fn after_a_run_the_summary_has_every_version_and_every_racy_total() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let feed = Feed::with_capacity(1 << 12);
    let raw = q(&[("threads", "2"), ("increments", "1000"), ("repeats", "2"), ("method", "all")]);
    let s = pool.install(|| demos::run("race", &raw, Env { cores: 2, pool_threads: 2 }, &Control::new(), &feed).map(|a| demos::to_json(&a.summary))).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["actuals", "demo", "expected", "params", "runs"]);
    assert_eq!((s["demo"].as_str(), s["expected"].as_u64()), (Some("race"), Some(2000)));
    let methods: Vec<&str> = s["runs"].as_array().unwrap().iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["unprotected", "mutex", "atomic"]);
    for r in &s["runs"].as_array().unwrap()[1..] {
        assert_eq!((r["actual"].as_u64(), r["lost"].as_u64(), r["threadsUsed"].as_u64()), (Some(2000), Some(0), Some(2)), "{r}");
        assert!(r["wallMs"].as_f64().unwrap() >= 0.0);
    }
    // Two racy runs, each at most exact; the first is the one in `runs`.
    let actuals: Vec<u64> = s["actuals"].as_array().unwrap().iter().map(|a| a.as_u64().unwrap()).collect();
    assert_eq!(actuals.len(), 2);
    assert!(actuals.iter().all(|&a| a <= 2000));
    assert_eq!(s["runs"][0]["actual"].as_u64(), Some(actuals[0]));
    assert_eq!(s["runs"][0]["lost"].as_u64(), Some(2000 - actuals[0]));
}

#[test]
fn without_the_unprotected_version_the_summary_has_no_racy_totals() {
    let raw = q(&[("threads", "1"), ("increments", "10"), ("method", "mutex")]);
    let a = demos::run("race", &raw, Env { cores: 2, pool_threads: 0 }, &Control::new(), &Feed::with_capacity(1 << 12)).unwrap();
    let s = demos::to_json(&a.summary);
    assert_eq!(s["actuals"], serde_json::json!([]));
    assert_eq!(s["runs"][0]["method"], "mutex");
    assert_eq!(s["runs"][0]["actual"], 10);
}
