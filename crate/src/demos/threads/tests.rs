use super::*;
use crate::demos;

fn run_with(pairs: &[(&str, &str)], pool: u32) -> Outcome {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("threads", &raw).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool.max(1) as usize).build().unwrap();
    let feed = Feed::with_capacity(1 << 16);
    let out = tp.install(|| run(&p, Env { cores: 2, pool_threads: pool }, &Control::new(), &feed)).unwrap();
    assert_eq!(feed.text().lines().count(), out.lines.len(), "the feed carried every line");
    out
}

#[test]
fn every_thread_counts_down_in_its_own_order() {
    let o = run_with(&[("threads", "3"), ("count", "4"), ("delay", "2"), ("stagger", "1")], 3);
    assert_eq!(o.lines.len(), 12);
    for name in ["A", "B", "C"] {
        let mine: Vec<&str> = o.lines.iter().filter(|l| l.thread == name).map(|l| l.text.as_str()).collect();
        assert_eq!(mine, [format!("{name}: 4"), format!("{name}: 3"), format!("{name}: 2"), format!("{name}: 1")]);
    }
    assert_eq!(o.lives.len(), 3);
}

#[test]
fn with_the_lock_each_thread_finishes_before_the_next_prints() {
    let o = run_with(&[("threads", "3"), ("count", "3"), ("delay", "2"), ("lock", "on")], 3);
    assert_eq!(o.switches, 2, "{:?}", o.lines.iter().map(|l| &l.text).collect::<Vec<_>>());
    assert!(o.explanation.contains("lock"));
}

#[test]
fn without_the_lock_the_threads_overlap_in_time() {
    // Two 10-line countdowns with 5 ms sleeps: each lasts at least 45 ms, and both start
    // at once, so their lifetimes must overlap (a fact about threads, not a timing target).
    let o = run_with(&[("threads", "2"), ("count", "10"), ("delay", "5"), ("stagger", "0")], 2);
    let (a, b) = (&o.lives[0], &o.lives[1]);
    assert!(a.start_ms < b.end_ms && b.start_ms < a.end_ms, "{a:?} {b:?}");
    assert!(o.active.iter().any(|p| p[1] == 2.0));
    assert_eq!(o.threads_used, 2);
}

#[test]
fn active_count_steps_up_and_down() {
    let lives = [
        Life { name: "A".into(), lane: 1, start_ms: 0.0, end_ms: 10.0 },
        Life { name: "B".into(), lane: 2, start_ms: 5.0, end_ms: 20.0 },
    ];
    assert_eq!(active_counts(&lives), [[0.0, 1.0], [5.0, 2.0], [10.0, 1.0], [20.0, 0.0]]);
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn before_a_run_the_summary_is_the_demo_and_its_inputs() {
    let a = demos::compute("threads", &q(&[("lock", "on")])).unwrap();
    let expected = serde_json::json!({
        "demo": "threads",
        "params": { "threads": 3, "count": 5, "delay": 100, "stagger": 30, "lock": "on" },
    });
    assert_eq!(demos::to_json(&a.summary), expected);
}

#[test]
fn after_a_locked_run_the_summary_has_each_countdown_whole() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let feed = Feed::with_capacity(1 << 12);
    let raw = q(&[("threads", "2"), ("count", "2"), ("delay", "1"), ("stagger", "0"), ("lock", "on")]);
    let s = pool.install(|| demos::run("threads", &raw, Env { cores: 2, pool_threads: 2 }, &Control::new(), &feed).map(|a| demos::to_json(&a.summary))).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = ["demo", "params", "threadsUsed", "lock", "lines", "switches", "threads", "peakActive"];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!((s["demo"].as_str(), s["lock"].as_bool(), s["threadsUsed"].as_u64()), (Some("threads"), Some(true), Some(2)));
    // The lock makes one countdown finish before the other prints: one switch.
    let lines: Vec<&str> = s["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines == ["A: 2", "A: 1", "B: 2", "B: 1"] || lines == ["B: 2", "B: 1", "A: 2", "A: 1"], "{lines:?}");
    assert_eq!(s["switches"], 1);
    let names: Vec<&str> = s["threads"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A", "B"]);
    assert_ne!(s["threads"][0]["lane"], s["threads"][1]["lane"]);
    // Both threads are started together (the start line), so both were alive at once.
    assert_eq!(s["peakActive"], 2);
}

#[test]
fn more_threads_than_the_pool_has_are_refused_by_the_registry() {
    let feed = Feed::with_capacity(1 << 12);
    let e = demos::run("threads", &q(&[("threads", "3")]), Env { cores: 2, pool_threads: 2 }, &Control::new(), &feed).err().unwrap();
    assert_eq!(e.to_string(), "threads must be at most 2 here: the engine's pool has 2 workers");
}
