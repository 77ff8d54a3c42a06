use super::*;
use crate::demos;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn run_in_pool(pairs: &[(&str, &str)], pool_threads: u32) -> Result<Outcome, DemoError> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(pool_threads.max(1) as usize).build().unwrap();
    let p = demos::validate("concurrency", &q(pairs))?;
    let (ctl, env) = (Control::new(), Env { cores: 2, pool_threads });
    // The registry's check of the thread inputs, which comes before every run.
    demos::check_threads(&SPEC, &p, env)?;
    pool.install(|| run(&p, env, &ctl))
}

#[test]
fn cpu_tasks_all_confirm_their_prime_in_both_runs() {
    let o = run_in_pool(&[("kind", "cpu"), ("tasks", "6"), ("threads", "2")], 2).unwrap();
    assert_eq!(o.check.sequential, 6);
    assert_eq!(o.check.concurrent, Some(6));
    assert_eq!(o.sequential.lanes.len(), 1);
    assert_eq!(o.sequential.order, [0, 1, 2, 3, 4, 5]);
    assert_eq!(o.concurrent.as_ref().unwrap().order.len(), 6);
}

#[test]
fn io_waits_overlap_on_threads() {
    let o = run_in_pool(&[("kind", "io"), ("tasks", "8"), ("threads", "8"), ("wait", "30")], 8).unwrap();
    assert_eq!(o.check.concurrent, Some(8));
    let c = o.concurrent.unwrap();
    assert!(c.spans.iter().all(|s| s.kind == SpanKind::Wait));
    // Eight 30 ms waits one after another take at least 240 ms.
    assert!(o.sequential.wall_ms >= 240.0);
    // Threaded, each of the 8 threads starts with a wait of its own, all released together:
    // the waits overlap in time, on 8 lanes (a fact read off the spans, not a timing target).
    assert_eq!(o.threads_used, 8);
    let most_open = c.spans.iter().map(|s| c.spans.iter().filter(|t| t.start_ms < s.end_ms && s.start_ms < t.end_ms).count()).max();
    assert!(most_open >= Some(2), "waits that overlap: {most_open:?}");
}

#[test]
fn chain_steps_never_overlap_and_reach_the_books_digits() {
    let o = run_in_pool(&[("kind", "chain"), ("tasks", "20"), ("threads", "3")], 3).unwrap();
    assert_eq!(o.check.sequential, 35443);
    assert_eq!(o.check.concurrent, Some(35443));
    let c = o.concurrent.unwrap();
    let mut work: Vec<_> = c.spans.iter().filter(|s| s.kind == SpanKind::Work).collect();
    work.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    assert_eq!(work.iter().map(|s| s.task).collect::<Vec<_>>(), (0..20).collect::<Vec<u32>>());
    for w in work.windows(2) {
        assert!(w[0].end_ms <= w[1].start_ms, "steps overlapped: {:?}", w);
    }
}

#[test]
fn without_a_pool_only_the_sequential_run_happens() {
    let o = run_in_pool(&[("tasks", "2")], 0).unwrap();
    assert!(o.concurrent.is_none() && o.speedup.is_none());
    assert!(o.explanation.contains("not cross-origin isolated"));
}

#[test]
fn more_threads_than_the_pool_is_a_clear_error() {
    match run_in_pool(&[("threads", "8")], 2) {
        Err(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "threads");
            assert_eq!(e[0].message, "threads must be at most 2 here: the engine's pool has 2 workers");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn explanations_follow_the_numbers() {
    let env = Env { cores: 2, pool_threads: 4 };
    assert!(explain(TaskKind::Cpu, 2, 2, Some(1.9), env).contains("1.90× faster"));
    assert!(explain(TaskKind::Cpu, 4, 4, Some(1.9), env).contains("extra threads only take turns"));
    assert!(explain(TaskKind::Io, 4, 4, Some(3.8), env).contains("even with only 2 cores"));
    assert!(explain(TaskKind::Chain, 4, 4, Some(0.98), env).contains("took turns"));
}

#[test]
fn the_summary_says_only_the_inputs_before_a_run() {
    let p = demos::validate("concurrency", &q(&[("tasks", "3")])).unwrap();
    let v = demos::to_json(&Summary::new(&p, None));
    assert_eq!(v, serde_json::json!({ "demo": "concurrency", "params": { "kind": "cpu", "tasks": 3, "threads": 4, "wait": 40 } }));
}

#[test]
fn the_summary_of_a_run_carries_both_runs_figures() {
    let pairs = [("kind", "cpu"), ("tasks", "3"), ("threads", "2")];
    let p = demos::validate("concurrency", &q(&pairs)).unwrap();
    let v = demos::to_json(&Summary::new(&p, Some(&run_in_pool(&pairs, 2).unwrap())));
    assert_eq!((v["demo"].as_str(), v["kind"].as_str(), v["tasks"].as_u64(), v["threads"].as_u64()), (Some("concurrency"), Some("cpu"), Some(3), Some(2)));
    assert_eq!(v["params"]["threads"], 2);
    assert_eq!(v["threadsUsed"], 2);
    // CPU runs are measured three times each; the headline times are the best of them.
    let seq: Vec<f64> = v["samples"]["sequential"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!((seq.len(), v["samples"]["concurrent"].as_array().unwrap().len(), v["repeats"].as_u64()), (3, 3, Some(3)));
    assert_eq!(v["sequentialMs"].as_f64().unwrap(), seq.iter().copied().fold(f64::INFINITY, f64::min));
    assert!(v["concurrentMs"].as_f64().unwrap() > 0.0 && v["speedup"].as_f64().unwrap() > 0.0);
    assert_eq!(v["speedupRange"].as_array().unwrap().len(), 2);
    assert_eq!(v["check"], serde_json::json!({ "what": "prime checks that confirmed a prime (of 3)", "sequential": 3, "concurrent": 3 }));
    assert_eq!((v["lanes"]["sequential"].as_array().unwrap().len(), v["lanes"]["concurrent"].as_array().unwrap().len()), (1, 2));
    // One work span per prime check, in each run.
    assert_eq!(v["spans"], serde_json::json!({ "sequential": 3, "concurrent": 3 }));
    let mut order: Vec<u64> = v["order"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    order.sort();
    assert_eq!(order, [0, 1, 2]);
    assert!(v["warmUp"]["rounds"].as_u64().unwrap() >= 1);
}

#[test]
fn without_a_pool_the_summary_has_no_concurrent_figures() {
    let pairs = [("kind", "io"), ("tasks", "2"), ("wait", "1")];
    let p = demos::validate("concurrency", &q(&pairs)).unwrap();
    let v = demos::to_json(&Summary::new(&p, Some(&run_in_pool(&pairs, 0).unwrap())));
    assert_eq!((v["concurrentMs"].is_null(), v["speedup"].is_null(), v["speedupRange"].is_null(), v["warmUp"].is_null()), (true, true, true, true));
    assert_eq!(v["samples"]["concurrent"], serde_json::json!([]));
    assert_eq!(v["lanes"]["concurrent"], serde_json::json!([]));
    assert_eq!(v["spans"], serde_json::json!({ "sequential": 2, "concurrent": 0 }));
    assert_eq!(v["order"], serde_json::json!([0, 1]));
    assert_eq!((v["threadsUsed"].as_u64(), v["repeats"].as_u64()), (Some(1), Some(1)));
}
