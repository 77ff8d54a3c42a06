use super::*;
use crate::demos;

fn run_with(pairs: &[(&str, &str)], pool: u32) -> Outcome {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("pool", &raw).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(pool as usize).build().unwrap();
    let feed = Feed::with_capacity(1 << 18);
    let o = tp.install(|| run(&p, Env { cores: 2, pool_threads: pool }, &Control::new(), &feed)).unwrap();
    let takes = feed.text().lines().filter(|l| l.contains("\"e\":\"take\"")).count();
    assert_eq!(takes, 2 * o.tasks as usize, "the feed carried every take");
    o
}

fn assert_every_task_once(s: &Strategy, n: u32, lanes_allowed: &[u32]) {
    let tasks: Vec<u32> = s.runs.iter().map(|r| r.task).collect();
    assert_eq!(tasks, (0..n).collect::<Vec<_>>(), "{}: every task exactly once", s.name);
    assert!(s.runs.iter().all(|r| lanes_allowed.contains(&r.lane) && r.worker >= 1), "{}: {:?}", s.name, s.runs);
    assert_eq!(s.workers.iter().map(|w| w.tasks).sum::<u32>(), n);
}

#[test]
fn splitmix64_matches_the_reference_sequence() {
    // The first outputs for seed 0 of Vigna's splitmix64.c.
    let mut r = SplitMix64(0);
    assert_eq!([r.next_u64(), r.next_u64(), r.next_u64()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F]);
}

#[test]
fn task_sizes_are_fixed_by_the_seed_and_stay_in_the_spread() {
    assert_eq!(task_sizes(50, 10, 80, 7), task_sizes(50, 10, 80, 7));
    assert_ne!(task_sizes(50, 10, 80, 7), task_sizes(50, 10, 80, 8));
    assert_eq!(task_sizes(5, 10, 0, 3), [10; 5]);
    let s = task_sizes(1000, 10, 50, 1);
    assert!(s.iter().all(|&x| (5..=15).contains(&x)), "{s:?}");
    assert!(s.iter().any(|&x| x < 8) && s.iter().any(|&x| x > 12));
    assert!(task_sizes(100, 1, 100, 1).iter().all(|&x| x >= 1));
}

#[test]
fn both_strategies_run_every_task_exactly_once_on_k_workers() {
    let o = run_with(&[("workers", "3"), ("tasks", "30"), ("size", "1"), ("spread", "100")], 4);
    // The queue's workers are the k threads of run_threads; stealing runs on the k lanes left free.
    assert_every_task_once(&o.queue, 30, &[1, 2, 3, 4]);
    let free: Vec<u32> = (1..=4).filter(|l| !o.held_aside.contains(l)).collect();
    assert_eq!(o.held_aside.len(), 1, "one of the four pool threads held aside");
    assert_eq!(free.len(), 3);
    assert_every_task_once(&o.stealing, 30, &free);
    assert_eq!(o.stealing.workers.len(), 3);
    assert_eq!(o.queue.workers.len(), 3);
    let lanes: std::collections::BTreeSet<u32> = o.queue.workers.iter().map(|w| w.lane).collect();
    assert_eq!(lanes.len(), 3, "each queue worker on a thread of its own");
    for s in [&o.queue, &o.stealing] {
        assert!(s.workers.iter().all(|w| w.idle_ms >= 0.0 && w.idle_ms <= s.wall_ms));
        assert_eq!(s.timeline.order.len(), 30);
    }
    assert_eq!(o.handoff.as_ref().map(|h| h.samples), Some(handoff::HANDOFFS));
    assert!(o.explanation.contains("30 tasks"));
}

#[test]
fn one_worker_runs_every_task_in_order() {
    let o = run_with(&[("workers", "1"), ("tasks", "12"), ("size", "1"), ("spread", "0")], 2);
    for s in [&o.queue, &o.stealing] {
        assert_eq!(s.timeline.lanes.len(), 1, "{}", s.name);
        assert_eq!(s.workers[0].tasks, 12);
    }
    // One worker taking from a FIFO queue runs the tasks in order: one streak of 12.
    assert_eq!(o.queue.timeline.order, (0..12).collect::<Vec<_>>());
    assert_eq!(o.queue.streak, 12.0);
}

#[test]
fn a_cancel_stops_the_pool_run() {
    let raw: Vec<(String, String)> = [("workers", "2"), ("tasks", "500"), ("size", "100")].iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = demos::validate("pool", &raw).unwrap();
    let tp = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let ctl = Control::new();
    let feed = Feed::with_capacity(1 << 16);
    std::thread::scope(|s| {
        s.spawn(|| {
            while ctl.progress().0 < 2 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            ctl.cancel();
        });
        let r = tp.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &ctl, &feed));
        assert!(matches!(r, Err(DemoError::Cancelled)), "{:?}", r.map(|o| o.explanation));
    });
    assert!(ctl.progress().0 < 1000);
}

#[test]
fn no_pool_or_too_many_workers_is_refused() {
    let p = demos::validate("pool", &[("workers".to_string(), "8".to_string())]).unwrap();
    // The registry's check of the thread inputs, which comes before every run.
    let no_pool = demos::check_threads(&SPEC, &p, Env { cores: 2, pool_threads: 0 }).unwrap_err();
    assert!(no_pool.to_string().contains("needs real threads"), "{no_pool}");
    let small = demos::check_threads(&SPEC, &p, Env { cores: 2, pool_threads: 4 }).unwrap_err();
    assert!(small.to_string().contains("at most 4"), "{small}");
}

#[test]
fn the_summary_says_only_the_inputs_before_a_run() {
    let p = demos::validate("pool", &[]).unwrap();
    let v = demos::to_json(&Summary::new(&p, None));
    assert_eq!(v, serde_json::json!({ "demo": "pool", "params": { "workers": 4, "tasks": 40, "size": 6, "spread": 80, "seed": 1 } }));
}

#[test]
fn the_summary_of_a_run_says_who_ran_which_task() {
    let pairs = [("workers", "1"), ("tasks", "5"), ("size", "1"), ("spread", "0")];
    let o = run_with(&pairs, 2);
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let v = demos::to_json(&Summary::new(&demos::validate("pool", &raw).unwrap(), Some(&o)));
    assert_eq!((v["demo"].as_str(), v["workers"].as_u64(), v["tasks"].as_u64(), v["poolThreads"].as_u64()), (Some("pool"), Some(1), Some(5), Some(2)));
    // No spread: every task is one unit.
    assert_eq!(v["sizes"], serde_json::json!([1, 1, 1, 1, 1]));
    // One worker on a pool of two: the other pool thread was held aside for the stealing run.
    assert_eq!(v["heldAside"].as_array().unwrap().len(), 1);
    for name in ["queue", "stealing"] {
        let s = &v[name];
        let a = s["assignment"].as_array().unwrap();
        assert_eq!(a.iter().map(|t| t[0].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1, 2, 3, 4], "{name}");
        let lane = a[0][1].as_u64().unwrap();
        assert!(a.iter().all(|t| t[1].as_u64() == Some(lane)), "{name}: one worker ran everything");
        let w = s["perWorker"].as_array().unwrap();
        assert_eq!((w.len(), w[0]["worker"].as_u64(), w[0]["lane"].as_u64(), w[0]["tasks"].as_u64()), (1, Some(1), Some(lane), Some(5)), "{name}");
        assert!(w[0].get("busyMs").is_none());
        assert!(s["wallMs"].as_f64().unwrap() > 0.0 && s["idleMs"].as_f64().unwrap() >= 0.0);
    }
    // One worker through a FIFO queue runs the five tasks as one streak.
    assert_eq!(v["queue"]["streak"], 5.0);
    assert!(v["handoffUs"].as_f64().unwrap() > 0.0 && v["warmUp"]["rounds"].as_u64().unwrap() >= 1);
}
