//! Runs one demo natively, as the browser's engine does, and prints its outcome as JSON: the
//! native side of the chapter 7 and 8 rows of `npm run bench` (scripts/bench-data.mjs).
//!
//!   cargo run --release --example run_demo -- <demo> [name=value ...] [--drop=key,key]
//!
//! The global rayon pool has `cores` threads (available parallelism), the same count the
//! browser's bench run asks for. `--drop` leaves top-level keys out of the printed outcome
//! (the images demo's previews, which are megabytes of pixels).

use playground::{demos, Control, Env};

fn main() {
    let mut args = std::env::args().skip(1);
    let demo = args.next().expect("usage: run_demo <demo> [name=value ...] [--drop=key,key]");
    let mut params = Vec::new();
    let mut drop: Vec<String> = Vec::new();
    for a in args {
        if let Some(keys) = a.strip_prefix("--drop=") {
            drop.extend(keys.split(',').map(str::to_string));
        } else {
            let (k, v) = a.split_once('=').unwrap_or_else(|| panic!("{a} is not name=value"));
            params.push((k.to_string(), v.to_string()));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    rayon::ThreadPoolBuilder::new().num_threads(cores as usize).build_global().expect("the global pool starts once");
    let feed = playground::live::Feed::with_capacity(1 << 16);
    let env = Env { cores, pool_threads: cores };
    let out = demos::run(&demo, &params, env, &Control::new(), &feed).unwrap_or_else(|e| panic!("the {demo} demo failed: {e}"));
    let mut outcome = serde_json::to_value(&out.outcome).expect("outcomes are plain data");
    if let Some(map) = outcome.as_object_mut() {
        for k in &drop {
            map.remove(k);
        }
    }
    println!("{}", serde_json::json!({ "cores": cores, "outcome": outcome }));
}
