use super::compete::names;
use super::*;
use crate::demos;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Runs the demo natively on a pool with a thread for every competitor.
fn run_with(pairs: &[(&str, &str)]) -> (Outcome, Feed) {
    let p = demos::validate("starvation", &q(pairs)).unwrap();
    let feed = Feed::with_capacity(1 << 16);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(9).build().unwrap();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: 9 }, &Control::new(), &feed)).unwrap();
    (o, feed)
}

#[test]
fn jains_index_on_exact_inputs() {
    let check = |counts: &[u32], expected: f64| assert!((jain(counts) - expected).abs() < 1e-12, "{counts:?}: {}", jain(counts));
    check(&[1, 1, 1, 1], 1.0);
    check(&[1, 0, 0, 0], 0.25);
    check(&[7, 0, 0, 0, 0], 0.2);
    check(&[2, 1], 0.9);
    check(&[0, 0, 0], 1.0);
    check(&[300, 300, 300, 0, 0], 0.6); // the book's 3 readers and 2 starved writers
}

#[test]
fn threads_are_named_by_role() {
    assert_eq!(names(&[Role::Reader, Role::Reader, Role::Writer, Role::Writer]), ["R1", "R2", "W1", "W2"]);
    assert_eq!(names(&[Role::High, Role::High, Role::Low]), ["H1", "H2", "L"]);
}

#[test]
fn every_thread_is_counted_and_the_samples_agree_with_the_totals() {
    let (o, feed) = run_with(&[("policy", "fair"), ("readers", "3"), ("writers", "2"), ("budget", "300"), ("hold", "2")]);
    assert_eq!(o.names, ["R1", "R2", "R3", "W1", "W2"]);
    assert_eq!(o.threads.len(), 5);
    let counts: Vec<u32> = o.threads.iter().map(|t| t.accesses).collect();
    let last = o.samples.last().unwrap();
    assert_eq!(last.accesses, counts);
    assert_eq!(last.t_ms, 300.0);
    assert_eq!(o.jain, jain(&counts));
    assert_eq!(o.meter.accesses, counts[3] + counts[4]);
    assert_eq!(o.others.accesses, counts[..3].iter().sum::<u32>());
    assert!(o.samples.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
    // Counts only grow.
    for w in o.samples.windows(2) {
        assert!(w[0].accesses.iter().zip(&w[1].accesses).all(|(a, b)| a <= b), "{:?}", w);
    }
    let events: Vec<serde_json::Value> = feed.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events[0]["kind"], "start");
    assert_eq!(events[0]["names"], serde_json::json!(["R1", "R2", "R3", "W1", "W2"]));
    assert_eq!(events.len(), o.samples.len() + 1, "every sample went through the live feed");
    assert_eq!(events.last().unwrap()["accesses"], serde_json::json!(counts));
    assert_eq!(o.timeline.lanes.len(), 5, "five threads on five pool threads");
    assert!(o.timeline.spans.iter().all(|s| s.end_ms >= s.start_ms));
}

#[test]
fn the_fair_and_writer_preferring_locks_let_writers_in() {
    for policy in ["fair", "writers"] {
        let (o, _) = run_with(&[("policy", policy), ("budget", "400"), ("hold", "2")]);
        assert_eq!(demos::to_json(&o.policy), policy);
        assert!(o.threads.iter().filter(|t| t.role == Role::Writer).all(|t| t.accesses > 0), "{policy}: {:?}", o.threads);
        assert!(!o.meter.starved);
    }
}

#[test]
fn aging_lets_the_low_priority_task_run() {
    let (o, _) = run_with(&[("scenario", "priority"), ("aging", "on"), ("high", "3"), ("budget", "400"), ("hold", "2")]);
    assert_eq!(demos::to_json(&o.scenario), "priority");
    assert_eq!(demos::to_json(&o.policy), "aging");
    assert_eq!(o.names, ["H1", "H2", "H3", "L"]);
    let low = o.threads.iter().find(|t| t.role == Role::Low).unwrap();
    assert!(low.accesses > 0, "{:?}", o.threads);
    assert_eq!(o.meter.group, "low-priority task");
}

#[test]
fn too_many_threads_or_no_pool_is_refused_with_a_sentence() {
    // The registry checks the threads the spec declares, before the demo's run.
    let raw = q(&[("readers", "8"), ("writers", "8")]);
    let feed = Feed::with_capacity(1024);
    let run = |env| demos::run("starvation", &raw, env, &Control::new(), &feed).err();
    match run(Env { cores: 2, pool_threads: 8 }) {
        Some(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "writers");
            assert_eq!(e[0].message, "readers + writers must be at most 8 here: the engine's pool has 8 workers, and each thread needs one");
        }
        other => panic!("{other:?}"),
    }
    match run(Env { cores: 2, pool_threads: 0 }) {
        Some(DemoError::Invalid(e)) => assert!(e[0].param.is_empty() && e[0].message.contains("no thread pool")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_cancel_stops_every_thread_even_the_starving_ones() {
    let p = demos::validate("starvation", &q(&[("policy", "readers"), ("budget", "5000"), ("hold", "2")])).unwrap();
    let feed = Feed::with_capacity(1 << 16);
    let ctl = Control::new();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(6).build().unwrap();
    let returned = crate::sync::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            // Cancel once a sample shows a writer blocked in the lock, so that the cancel has
            // a starving thread to wake (not merely hoped to have one).
            let writer_waits = |line: &str| {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                v["kind"] == "sample" && v["waiting"][1].as_u64().unwrap() > 0
            };
            while !feed.text().lines().any(writer_waits) {
                if returned.load(crate::sync::Ordering::Acquire) {
                    return; // the run ended first: the assertion below says so
                }
                std::thread::yield_now();
            }
            ctl.cancel();
        });
        let r = pool.install(|| run(&p, Env { cores: 2, pool_threads: 6 }, &ctl, &feed));
        returned.store(true, crate::sync::Ordering::Release);
        assert!(matches!(r, Err(DemoError::Cancelled)), "{r:?}");
    });
}

fn summary_of(pairs: &[(&str, &str)], o: Option<&Outcome>) -> serde_json::Value {
    let p = demos::validate("starvation", &q(pairs)).unwrap();
    demos::to_json(&StarvationDemo.summary(&p, None, o))
}

#[test]
fn before_a_run_the_summary_is_the_inputs() {
    let v = summary_of(&[("readers", "2")], None);
    let params = serde_json::json!({ "scenario": "readers-writers", "policy": "readers", "readers": 2, "writers": 2, "high": 2, "aging": "off", "budget": 1000, "hold": 5, "pause": 0 });
    assert_eq!(v, serde_json::json!({ "demo": "starvation", "params": params }));
}

#[test]
fn the_summary_lists_every_thread_and_both_meters() {
    let pairs = [("policy", "fair"), ("readers", "2"), ("writers", "1"), ("budget", "200"), ("hold", "2"), ("pause", "1")];
    let (o, _) = run_with(&pairs);
    let v = summary_of(&pairs, Some(&o));
    assert_eq!((v["demo"].as_str(), v["scenario"].as_str(), v["policy"].as_str()), (Some("starvation"), Some("readers-writers"), Some("fair")));
    assert_eq!(v["threadsUsed"], 3);
    assert_eq!(v["names"], serde_json::json!(["R1", "R2", "W1"]));
    assert_eq!(v["roles"], serde_json::json!(["reader", "reader", "writer"]));
    // The per-thread lists are the threads' own numbers, in thread order.
    let accesses: Vec<u64> = v["accesses"].as_array().unwrap().iter().map(|a| a.as_u64().unwrap()).collect();
    assert_eq!(accesses, o.threads.iter().map(|t| u64::from(t.accesses)).collect::<Vec<_>>());
    assert!(accesses.iter().all(|&a| a > 0), "the fair lock lets everyone in: {accesses:?}");
    assert_eq!(v["lanes"].as_array().unwrap().len(), 3);
    assert_eq!((v["waitMs"].as_array().unwrap().len(), v["longestWaitMs"].as_array().unwrap().len()), (3, 3));
    assert_eq!(v["starved"].as_array().unwrap().len(), 3);
    // The writers' meter: the one writer's accesses, as a share of all of them.
    let (w, all) = (accesses[2] as f64, accesses.iter().sum::<u64>() as f64);
    assert_eq!(v["starving"]["group"], "writers");
    assert_eq!(v["starving"]["accesses"].as_u64(), Some(accesses[2]));
    assert!((v["starving"]["share"].as_f64().unwrap() - w / all).abs() < 1e-12);
    assert_eq!(v["others"]["group"], "readers");
    assert_eq!(v["others"]["accesses"].as_u64(), Some(accesses[0] + accesses[1]));
    assert!(v["others"].get("share").is_none(), "the page never gave the others' share");
    let j = v["jain"].as_f64().unwrap();
    assert!(j > 1.0 / 3.0 && j <= 1.0, "{j}");
    assert_eq!(v["samples"].as_u64(), Some(o.samples.len() as u64));
    assert!(o.samples.len() >= 2, "a sample every 50 ms of 200, and the end");
    assert_eq!(v.as_object().unwrap().len(), 16, "the keys of the page's summary, no more: {v}");
}
