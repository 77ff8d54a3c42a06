//! Browser tests of the wasm build, run by `scripts/test-wasm.sh` (wasm-pack test, headless
//! Chromium). They assert behaviour only, never timings.
//!
//! They run in a dedicated worker, as the real engine does: blocking (`Atomics.wait`, which
//! rayon and `io_wait` use) is forbidden on a page's main thread. The pool is started once per
//! test binary (wasm-bindgen-rayon cannot start a second pool) and every threaded test awaits
//! that same start-up.
#![cfg(target_arch = "wasm32")]

use playground::control::Control;
use playground::demos::{self, Env};
use playground::pool::{run_tasks, Run, Span, SpanKind, Where};
use playground::{amdahl, params, workload};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Threads in the test pool.
const POOL: usize = 2;

thread_local! {
    /// The promise of the one pool start-up; tests that run interleaved await the same one.
    static POOL_STARTED: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// Starts the pool on first use and waits until its threads are ready.
async fn pool() {
    let promise = POOL_STARTED.with(|p| {
        p.borrow_mut().get_or_insert_with(|| wasm_bindgen_rayon::init_thread_pool(POOL)).clone()
    });
    JsFuture::from(promise).await.expect("the thread pool starts");
    assert_eq!(rayon::current_num_threads(), POOL);
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Spans on one lane (one thread) never overlap in time.
fn assert_lanes_never_overlap(run: &Run) {
    for lane in &run.lanes {
        let mut mine: Vec<&Span> = run.spans.iter().filter(|s| s.lane == *lane).collect();
        mine.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        for w in mine.windows(2) {
            assert!(w[0].end_ms <= w[1].start_ms, "lane {lane} ran two spans at once: {w:?}");
        }
    }
}

// ---- a. plain logic, compiled to wasm ---------------------------------------------------

#[wasm_bindgen_test]
fn runs_in_a_cross_origin_isolated_dedicated_worker() {
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    let scope = js_sys::Reflect::get(&global, &"constructor".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
        .map(|f| String::from(f.name()));
    assert_eq!(scope.as_deref(), Some("DedicatedWorkerGlobalScope"));
    // Shared memory (and so the pool) needs COOP/COEP, which the test runner serves.
    let isolated = js_sys::Reflect::get(&global, &"crossOriginIsolated".into()).unwrap();
    assert_eq!(isolated.as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn amdahl_speedup_of_the_books_example() {
    assert_eq!(format!("{:.2}", amdahl::speedup(0.6, 4.0)), "1.43");
}

#[wasm_bindgen_test]
fn params_reject_zero_threads_with_the_exact_message() {
    let spec = demos::spec("concurrency").unwrap();
    let errs = params::validate(spec, &q(&[("threads", "0")])).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].param, "threads");
    assert_eq!(errs[0].message, "threads must be a whole number from 1 to 16, got 0");
}

#[wasm_bindgen_test]
fn the_book_primes_are_prime_and_their_neighbours_are_not() {
    for n in workload::BOOK_PRIMES {
        assert!(workload::is_prime(n), "{n}");
        assert!(!workload::is_prime(n + 1), "{}", n + 1);
    }
}

#[wasm_bindgen_test]
fn the_chain_reaches_35443_after_20_steps_from_3() {
    assert_eq!((0..20).fold(3, |x, _| workload::chain_step(x)), 35443);
}

// ---- b. real threads --------------------------------------------------------------------

#[wasm_bindgen_test]
async fn pool_runs_every_task_once_on_two_threads() {
    pool().await;
    const TASKS: usize = 20;
    let ctl = Control::new();
    let runs: Vec<AtomicU32> = (0..TASKS).map(|_| AtomicU32::new(0)).collect();
    let run = run_tasks(Where::Pool(POOL), TASKS, &ctl, |i, rec| {
        // A real wait (memory.atomic.wait32 on a pool worker), so both threads get a share.
        rec.span(SpanKind::Wait, || workload::io_wait(10, &ctl))?;
        runs[i].fetch_add(1, Relaxed);
        Ok(())
    })
    .unwrap();

    let counts: Vec<u32> = runs.iter().map(|c| c.load(Relaxed)).collect();
    assert_eq!(counts, vec![1; TASKS], "every task runs exactly once");
    let mut order = run.order.clone();
    order.sort_unstable();
    assert_eq!(order, (0..TASKS as u32).collect::<Vec<_>>());
    assert_eq!(run.spans.len(), TASKS);
    assert_eq!(run.threads, POOL as u32);
    assert!(run.lanes.len() >= 2, "only lanes {:?} ran tasks", run.lanes);
    assert!(run.lanes.iter().all(|l| (1..=POOL as u32).contains(l)), "lanes {:?}", run.lanes);
    assert_lanes_never_overlap(&run);
    assert_eq!(ctl.progress().0, TASKS as u32);
}

#[wasm_bindgen_test]
async fn concurrency_demo_checks_agree_on_the_pool() {
    pool().await;
    let ctl = Control::new();
    let raw = q(&[("kind", "cpu"), ("tasks", "4"), ("threads", "2")]);
    let feed = playground::live::Feed::with_capacity(1024);
    let v = demos::run("concurrency", &raw, Env { cores: 2, pool_threads: 2 }, &ctl, &feed).unwrap();
    assert_eq!(v["check"]["sequential"], 4, "{}", v["check"]);
    assert_eq!(v["check"]["concurrent"], 4, "{}", v["check"]);
    assert_eq!(v["sequential"]["lanes"], serde_json::json!([0]));
    assert_eq!(v["concurrent"]["threads"], 2);
    assert_eq!(v["concurrent"]["order"].as_array().unwrap().len(), 4);
    let lanes: BTreeSet<u64> =
        v["concurrent"]["lanes"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect();
    assert!(!lanes.is_empty() && lanes.iter().all(|l| (1..=2).contains(l)), "{lanes:?}");
    assert_eq!(ctl.progress(), (8, 8));
}

// ---- c. a panic on a pool thread --------------------------------------------------------

#[wasm_bindgen_test]
async fn a_panic_on_a_pool_thread_is_caught_and_the_pool_survives() {
    pool().await;
    // Runs on a pool thread (the caller is not one); rayon re-raises it here.
    let caught = catch_unwind(|| rayon::scope(|s| s.spawn(|_| panic!("boom"))));
    let payload = caught.expect_err("the panic reaches the caller as an Err");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));

    // The pool still runs tasks, on its own threads.
    let ctl = Control::new();
    let done = AtomicU32::new(0);
    let run = catch_unwind(AssertUnwindSafe(|| {
        run_tasks(Where::Pool(POOL), 8, &ctl, |_, rec| {
            rec.span(SpanKind::Work, || workload::is_prime(workload::UNIT_PRIME));
            done.fetch_add(1, Relaxed);
            Ok(())
        })
    }))
    .expect("no panic after the first one")
    .unwrap();
    assert_eq!(done.into_inner(), 8);
    assert_eq!(run.order.len(), 8);
    assert!(run.lanes.iter().all(|l| (1..=POOL as u32).contains(l)), "lanes {:?}", run.lanes);
}
