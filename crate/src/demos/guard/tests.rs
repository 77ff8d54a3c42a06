use super::*;
use crate::demos;

fn run_with(style: &str, failure: &str) -> Outcome {
    let raw: Vec<(String, String)> = [("style", style), ("failure", failure), ("patience", "100")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let p = demos::validate("guard", &raw).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &Control::new())).unwrap()
}

#[test]
fn manual_release_leaks_on_error_and_the_watchdog_recovers() {
    for failure in ["error", "panic"] {
        let o = run_with("manual", failure);
        assert!(o.leaked, "{failure}");
        assert!(o.b_got_lock);
        assert!(o.b_waited_ms >= 100.0);
        assert!(o.watchdog.as_deref().unwrap().contains("its holder A has already finished"));
        let whats: Vec<&str> = o.events.iter().map(|e| e.thread).collect();
        assert_eq!(whats.first(), Some(&"A"));
        assert!(whats.contains(&"watchdog"));
    }
}

#[test]
fn a_guard_releases_on_error_and_poisons_on_panic() {
    let o = run_with("guard", "error");
    assert!(!o.leaked && !o.poisoned && o.b_got_lock && o.watchdog.is_none());
    let o = run_with("guard", "panic");
    assert!(o.poisoned && o.b_got_lock && !o.leaked);
    assert!(o.events.iter().any(|e| e.what.contains("PoisonError")));
}

#[test]
fn nothing_leaks_when_nothing_fails() {
    for style in ["manual", "guard"] {
        let o = run_with(style, "none");
        assert!(!o.leaked && o.b_got_lock && o.watchdog.is_none(), "{style}");
    }
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn summary_of(pairs: &[(&str, &str)]) -> serde_json::Value {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let feed = Feed::with_capacity(1 << 12);
    pool.install(|| demos::run("guard", &q(pairs), Env { cores: 2, pool_threads: 2 }, &Control::new(), &feed).map(|a| demos::to_json(&a.summary))).unwrap()
}

#[test]
fn before_a_run_the_summary_is_the_demo_and_its_inputs() {
    let a = demos::compute("guard", &q(&[("failure", "panic")])).unwrap();
    let expected = serde_json::json!({
        "demo": "guard",
        "params": { "style": "manual", "failure": "panic", "patience": 800 },
    });
    assert_eq!(demos::to_json(&a.summary), expected);
}

#[test]
fn after_a_guarded_error_the_summary_says_released_with_no_watchdog() {
    let s = summary_of(&[("style", "guard"), ("failure", "error")]);
    let expected = serde_json::json!({
        "demo": "guard",
        "params": { "style": "guard", "failure": "error", "patience": 800 },
        "threadsUsed": 2,
        "style": "guard",
        "failure": "error",
        "leaked": false,
        "poisoned": false,
        "bGotLock": true,
        "watchdog": null,
        "events": [
            "A: acquires the lock",
            "A: failed: FileNotFoundError: [Errno 2] No such file or directory: 'missing.txt'; returned early",
            "B: wants the lock",
            "B: got the lock",
        ],
    });
    assert_eq!(s, expected);
}

#[test]
fn after_a_leak_the_summary_carries_the_watchdogs_words() {
    let s = summary_of(&[("style", "manual"), ("failure", "error"), ("patience", "50")]);
    assert_eq!((s["leaked"].as_bool(), s["bGotLock"].as_bool(), s["poisoned"].as_bool()), (Some(true), Some(true), Some(false)));
    let w = s["watchdog"].as_str().unwrap();
    assert!(w.starts_with("no progress for ") && w.ends_with("its holder A has already finished. The lock leaked."), "{w}");
    let events: Vec<&str> = s["events"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(events.iter().filter(|e| e.starts_with("watchdog: ")).count(), 2, "{events:?}");
    assert_eq!(events.last(), Some(&"B: got the lock after the watchdog stepped in"));
}
