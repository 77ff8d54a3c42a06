//! What `npm run bench` measures of the pool itself: how long an empty task takes to travel
//! from the engine worker into the pool and back, and how cheap an empty `rayon::join` is once
//! the caller is already a pool thread. Timed with [`clock::now_ms`], which in a cross-origin
//! isolated worker has a resolution of about 5 µs, so each figure is the mean over `n` ops.
//! This module adds about 17 KB to the wasm (4 KB gzipped), most of it `rayon::join`.

use crate::clock;
use std::hint::black_box;
use wasm_bindgen::prelude::*;

/// Nanoseconds per op, as JSON:
/// - `injectJoinNs`: `rayon::join(|| (), || ())` called from the engine worker (outside the
///   pool): the pair is injected into the pool and the caller blocks until a pool thread ran it.
/// - `injectScopeNs`: `rayon::scope` with one empty spawn, from the engine worker.
/// - `poolJoinNs`: an empty `rayon::join` on a pool thread (n joins inside one outer scope).
/// - `poolSpawnNs`: an empty `Scope::spawn` on a pool thread (n spawns inside one scope,
///   including the wait for all of them).
#[wasm_bindgen(js_name = benchDispatch)]
pub fn bench_dispatch(n: u32) -> JsValue {
    let n = n.max(1);
    let ns = |ms: f64| ms * 1e6 / f64::from(n);
    let warm = n.min(200);

    empty_joins(warm);
    let inject_join = ns(empty_joins(n));

    empty_scopes(warm);
    let inject_scope = ns(empty_scopes(n));

    // The outer scope's body runs on a pool thread, so every join in it stays in the pool.
    let pool_join = ns(rayon::scope(|_| empty_joins(n)));

    let pool_spawn = rayon::scope(|_| {
        let t = clock::now_ms();
        rayon::scope(|s| {
            for _ in 0..n {
                s.spawn(|_| black_box(()));
            }
        });
        ns(clock::since(t))
    });

    super::to_js(&Dispatch { n, pool_threads: rayon::current_num_threads(), inject_join_ns: inject_join, inject_scope_ns: inject_scope, pool_join_ns: pool_join, pool_spawn_ns: pool_spawn })
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Dispatch {
    n: u32,
    pool_threads: usize,
    inject_join_ns: f64,
    inject_scope_ns: f64,
    pool_join_ns: f64,
    pool_spawn_ns: f64,
}

/// `n` empty `rayon::join`s in a row, in milliseconds. One function for both callers (outside
/// and inside the pool) so the join is instantiated once (a second one cost ~6 KB of wasm).
fn empty_joins(n: u32) -> f64 {
    let t = clock::now_ms();
    for _ in 0..n {
        rayon::join(|| black_box(()), || black_box(()));
    }
    clock::since(t)
}

/// `n` scopes with one empty spawn each, in milliseconds.
fn empty_scopes(n: u32) -> f64 {
    let t = clock::now_ms();
    for _ in 0..n {
        rayon::scope(|s| s.spawn(|_| black_box(())));
    }
    clock::since(t)
}

/// Locks, queues and pool overhead (crate/src/bench.rs, the same code natively):
/// `config` is a [`crate::bench::SuiteConfig`] in camelCase (missing fields take defaults);
/// the answer is a [`crate::bench::Suite`], or `{"error": …}`. There is no thread-per-task
/// figure here: `std::thread::spawn` is unsupported on wasm32.
#[wasm_bindgen(js_name = benchSync)]
pub fn bench_sync(config: JsValue) -> JsValue {
    let out = serde_wasm_bindgen::from_value::<crate::bench::SuiteConfig>(config)
        .map_err(|e| format!("bad config: {e}"))
        .and_then(|cfg| crate::bench::suite(&cfg));
    match out {
        Ok(suite) => super::to_js(&suite),
        Err(error) => super::to_js(&Failed { error }),
    }
}

#[derive(serde::Serialize)]
struct Failed {
    error: String,
}
