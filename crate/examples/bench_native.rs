//! The Amdahl demo's CPU-bound workload on native rayon threads, for `npm run bench` to set
//! against the same workload in the browser.
//!
//!   cargo run --release --example bench_native -- [work=1000] [repeats=3]
//!
//! Runs `demos::run("amdahl", serial=0, work, threads=cores)` `repeats` times on the global
//! rayon pool of `cores` threads (cores = available parallelism) and prints JSON: every run's
//! points (k = 1..=cores), and per k the best (lowest) and median wall time. For context it
//! also times empty `rayon::join`s from outside the pool (an injection round trip) and inside
//! it, as crate/src/bindings/bench.rs does in the browser. Then locks, queues and pool
//! overhead through crate/src/bench.rs (see `sync_suite`), and one OS thread per task.

use playground::{clock, demos, Control, Env};
use serde_json::{json, Value};
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u32| -> u32 {
        args.get(i).map_or(default, |s| s.parse().unwrap_or_else(|_| panic!("argument {} is not a number: {s}", i + 1)))
    };
    let work = arg(0, 1000);
    let repeats = arg(1, 3).max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    rayon::ThreadPoolBuilder::new().num_threads(cores as usize).build_global().expect("the global pool starts once");

    let params: Vec<(String, String)> =
        [("serial", "0".to_string()), ("work", work.to_string()), ("threads", cores.to_string())]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    let env = Env { cores, pool_threads: cores };

    let mut runs: Vec<Vec<Value>> = Vec::new();
    for _ in 0..repeats {
        let ctl = Control::new();
        let feed = playground::live::Feed::with_capacity(1024);
        let out = demos::run("amdahl", &params, env, &ctl, &feed).unwrap_or_else(|e| panic!("the amdahl demo failed: {e}"));
        let out = serde_json::to_value(&out.outcome).expect("results are plain data");
        let points = out["measured"]["points"].as_array().expect("a pool run has measured points");
        runs.push(
            points
                .iter()
                .map(|p| {
                    json!({
                        "threads": p["threads"],
                        "wallMs": p["wall_ms"],
                        "speedup": p["speedup"],
                        "threadsUsed": p["threads_used"],
                    })
                })
                .collect(),
        );
    }

    let per_k: Vec<Value> = (1..=cores)
        .map(|k| {
            let mut walls: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|p| p["threads"] == k))
                .filter_map(|p| p["wallMs"].as_f64())
                .collect();
            walls.sort_by(f64::total_cmp);
            json!({ "threads": k, "bestMs": walls[0], "medianMs": walls[walls.len() / 2] })
        })
        .collect();

    let n = 20_000;
    empty_joins(n / 10);
    let inject_join_ns = empty_joins(n) * 1e6 / f64::from(n);
    let pool_join_ns = rayon::scope(|_| empty_joins(n)) * 1e6 / f64::from(n);

    let out = json!({
        "target": format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        "cores": cores,
        "poolThreads": rayon::current_num_threads(),
        "work": work,
        "repeats": repeats,
        "perK": per_k,
        "runs": runs,
        "dispatch": { "n": n, "injectJoinNs": inject_join_ns, "poolJoinNs": pool_join_ns },
        "sync": sync_suite(cores),
    });
    println!("{out}");
}

/// Locks, queues and pool overhead: the same `playground::bench::suite` the browser runs
/// (`benchSync`), on a rayon pool of the browser's size (www/src/engine/worker.ts poolSize:
/// min(16, max(8, cores)) threads), so that 1-4 producers x 1-4 consumers fit. Sizes come as
/// JSON in BENCH_SYNC_CONFIG (a `SuiteConfig`, camelCase), as bench.mjs sends them to the page.
/// Plus one OS thread per task, which the browser cannot do.
fn sync_suite(cores: u32) -> Value {
    let config = std::env::var("BENCH_SYNC_CONFIG").unwrap_or_else(|_| "{}".into());
    let cfg: playground::bench::SuiteConfig = serde_json::from_str(&config).expect("BENCH_SYNC_CONFIG is a SuiteConfig");
    let threads = (cores as usize).clamp(8, 16);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool for the sync benchmark");
    let suite = pool.install(|| playground::bench::suite(&cfg)).unwrap_or_else(|e| panic!("the sync benchmark failed: {e}"));
    // `cargo test --target wasm32` (the wasm tests) compiles examples too; there is no
    // thread::spawn on wasm, and this example only ever runs natively.
    #[cfg(not(target_arch = "wasm32"))]
    let per_task = json!(playground::bench::thread_per_task(cfg.pool_tasks.min(5000)));
    #[cfg(target_arch = "wasm32")]
    let per_task = Value::Null;
    json!({ "suite": suite, "threadPerTask": per_task })
}

/// `n` empty `rayon::join`s in a row, in milliseconds.
fn empty_joins(n: u32) -> f64 {
    let t = clock::now_ms();
    for _ in 0..n {
        rayon::join(|| black_box(()), || black_box(()));
    }
    clock::since(t)
}
