use super::*;
use crate::demos;

fn run_mode(mode: &str, threads: u32) -> Outcome {
    let raw: Vec<(String, String)> = [("mode", mode), ("threads", &threads.to_string()), ("increments", "3000"), ("hold", "20")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let p = demos::validate("lock", &raw).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads as usize).build().unwrap();
    let ctl = Control::new();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: threads }, &ctl)).unwrap();
    assert_eq!(ctl.progress(), (threads * 3000, threads * 3000));
    o
}

#[test]
fn every_lock_gives_the_exact_total_under_many_threads() {
    for mode in ["mutex", "try", "spin"] {
        let o = run_mode(mode, 4);
        assert_eq!((o.expected, o.actual, o.exact), (12_000, 12_000, true), "{mode}");
        assert_eq!(o.stats.len(), 4);
        assert_eq!(o.threads_used, 4, "{mode}: four distinct workers");
        assert!(o.stats.iter().all(|s| s.acquisitions == 3000));
        assert_eq!(o.timeline.spans.len(), 4 * 2 * SAMPLED as usize, "{mode}");
    }
}

#[test]
fn one_thread_never_fails_to_get_the_lock() {
    let o = run_mode("try", 1);
    assert_eq!(o.stats[0].failed, 0);
    assert!(o.explanation.contains("nobody ever waits"));
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn before_a_run_the_summary_is_the_demo_and_its_inputs() {
    let a = demos::compute("lock", &q(&[("threads", "3"), ("mode", "spin")])).unwrap();
    let expected = serde_json::json!({
        "demo": "lock",
        "params": { "threads": 3, "increments": 20000, "hold": 50, "outside": 50, "mode": "spin" },
    });
    assert_eq!(demos::to_json(&a.summary), expected);
}

#[test]
fn after_a_run_the_summary_has_the_total_and_each_threads_acquisitions() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let feed = Feed::with_capacity(1 << 12);
    let raw = q(&[("threads", "2"), ("increments", "300"), ("hold", "0"), ("outside", "0"), ("mode", "try")]);
    let s = pool.install(|| demos::run("lock", &raw, Env { cores: 2, pool_threads: 2 }, &Control::new(), &feed).map(|a| demos::to_json(&a.summary))).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = ["demo", "params", "threadsUsed", "mode", "threads", "expected", "actual", "exact", "waitMs", "failed", "acquisitions", "lanes"];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(s["demo"], "lock");
    assert_eq!(s["params"]["increments"], 300);
    assert_eq!((s["mode"].as_str(), s["threads"].as_u64(), s["threadsUsed"].as_u64()), (Some("try"), Some(2), Some(2)));
    assert_eq!((s["expected"].as_u64(), s["actual"].as_u64(), s["exact"].as_bool()), (Some(600), Some(600), Some(true)));
    assert_eq!(s["acquisitions"], serde_json::json!([300, 300]));
    assert_eq!(s["waitMs"].as_array().unwrap().len(), 2);
    assert_eq!(s["failed"].as_array().unwrap().len(), 2);
    let lanes: Vec<u64> = s["lanes"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect();
    assert!(lanes[0] != lanes[1] && lanes.iter().all(|&l| l >= 1), "two pool workers: {lanes:?}");
}

#[test]
fn more_threads_than_the_pool_has_are_refused_by_the_registry() {
    let feed = Feed::with_capacity(1 << 12);
    let e = demos::run("lock", &q(&[("threads", "5")]), Env { cores: 2, pool_threads: 4 }, &Control::new(), &feed).err().unwrap();
    assert_eq!(e.to_string(), "threads must be at most 4 here: the engine's pool has 4 workers");
    match e {
        demos::DemoError::Invalid(errs) => assert_eq!(errs[0].param, "threads"),
        other => panic!("{other:?}"),
    }
}
