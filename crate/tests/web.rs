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
use playground::sync::{AtomicU32, Ordering::Relaxed};
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
        // A real wait (memory.atomic.wait32 on a pool worker).
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
    // Both loops start together, each with a task of its own: both pool threads ran tasks.
    assert_eq!(run.lanes.len(), POOL, "lanes {:?} ran tasks", run.lanes);
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
    let v = json(&demos::run("concurrency", &raw, Env { cores: 2, pool_threads: 2 }, &ctl, &feed).unwrap().outcome);
    assert_eq!(v["check"]["sequential"], 4, "{}", v["check"]);
    assert_eq!(v["check"]["concurrent"], 4, "{}", v["check"]);
    assert_eq!(v["sequential"]["lanes"], serde_json::json!([0]));
    assert_eq!(v["concurrent"]["threads"], 2);
    assert_eq!(v["concurrent"]["order"].as_array().unwrap().len(), 4);
    let lanes: BTreeSet<u64> =
        v["concurrent"]["lanes"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap()).collect();
    // Both loops start together, each with a task of its own.
    assert_eq!(lanes, BTreeSet::from([1, 2]), "{lanes:?}");
    assert_eq!(v["threads_used"], 2);
    // CPU tasks are measured 3 times, in rotation: 3 x (4 sequential + 4 concurrent).
    assert_eq!(v["repeats"], 3);
    assert_eq!(ctl.progress(), (24, 24));
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

// ---- chapters 3, 4 and 14 on real pool threads ---------------------------------------------

/// A result as JSON, as the page would read it.
fn json<T: serde::Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("results are plain data")
}

/// Runs demo `id` on the test pool and returns its JSON result.
async fn run_demo(id: &str, pairs: &[(&str, &str)]) -> serde_json::Value {
    pool().await;
    let feed = playground::live::Feed::with_capacity(1 << 16);
    let ran = demos::run(id, &q(pairs), Env { cores: 2, pool_threads: POOL as u32 }, &Control::new(), &feed).unwrap_or_else(|e| panic!("{id}: {e}"));
    json(&ran.outcome)
}

#[wasm_bindgen_test]
async fn every_lock_is_exact_on_pool_threads() {
    for mode in ["mutex", "try", "spin"] {
        let v = run_demo("lock", &[("mode", mode), ("threads", "2"), ("increments", "3000"), ("hold", "20")]).await;
        assert_eq!(v["expected"], 6000, "{mode}");
        assert_eq!(v["actual"], 6000, "{mode}");
        let lanes: BTreeSet<u64> = v["stats"].as_array().unwrap().iter().map(|s| s["lane"].as_u64().unwrap()).collect();
        assert_eq!(lanes.len(), 2, "{mode}: both increments loops ran on their own pool thread");
        assert!(lanes.iter().all(|&l| l >= 1), "{mode}: pool lanes, not the engine thread");
    }
}

#[wasm_bindgen_test]
async fn a_leaked_lock_is_detected_and_recovered_on_pool_threads() {
    let v = run_demo("guard", &[("style", "manual"), ("failure", "error"), ("patience", "100")]).await;
    assert_eq!(v["leaked"], true);
    assert_eq!(v["b_got_lock"], true);
    assert!(v["watchdog"].as_str().unwrap().contains("its holder A has already finished"));
    let v = run_demo("guard", &[("style", "guard"), ("failure", "panic")]).await;
    assert_eq!(v["poisoned"], true, "a panic on a pool thread poisons the mutex and is caught");
    assert_eq!(v["leaked"], false);
}

#[wasm_bindgen_test]
async fn the_race_fixes_are_exact_on_pool_threads() {
    let v = run_demo("race", &[("threads", "2"), ("increments", "20000"), ("repeats", "1")]).await;
    let runs = v["runs"].as_array().unwrap();
    for m in ["mutex", "atomic"] {
        let r = runs.iter().find(|r| r["method"] == m).unwrap();
        assert_eq!(r["actual"], 40000, "{m}");
        assert_eq!(r["lost"], 0, "{m}");
    }
    assert!(runs.iter().any(|r| r["method"] == "unprotected"));
    for r in runs {
        assert_eq!(r["threads_used"], 2, "{r}");
    }
}

#[wasm_bindgen_test]
async fn store_buffering_with_atomics_never_reads_both_zero_on_pool_threads() {
    // wasm atomics are all sequentially consistent: no interleaving gives both reads 0.
    let v = run_demo("atomics", &[("test", "sb"), ("access", "atomic"), ("iterations", "5000"), ("adds", "0")]).await;
    assert_eq!(v["threadsUsed"], 2);
    assert_eq!(v["outcomes"]["r0=0,r1=0"], 0);
    let total: u64 = v["outcomes"].as_object().unwrap().values().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!(total, 5000);
}

#[wasm_bindgen_test]
async fn the_treiber_stack_loses_nothing_on_pool_threads() {
    let v = run_demo("structures", &[("structure", "stacks"), ("threads", "2"), ("ops", "5000"), ("samples", "1")]).await;
    for f in v["finals"].as_array().unwrap() {
        assert_eq!((f["expected"].as_u64(), f["actual"].as_u64(), f["lost"].as_u64(), f["duplicated"].as_u64()), (Some(10000), Some(10000), Some(0), Some(0)), "{f}");
        assert_eq!(f["threadsUsed"], 2, "{f}");
    }
    assert!(v["finals"].as_array().unwrap().iter().any(|f| f["variant"] == "treiber"));
}

#[wasm_bindgen_test]
async fn queue_and_pool_demos_deliver_every_item_and_task_once_on_pool_threads() {
    pool().await;
    let env = Env { cores: 2, pool_threads: POOL as u32 };
    let feed = playground::live::Feed::with_capacity(1 << 16);
    let ids = |v: &serde_json::Value| -> Vec<u64> { v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect() };

    // One producer and one consumer on the two pool threads: FIFO order, never over maxsize.
    let raw = q(&[("producers", "1"), ("consumers", "1"), ("items", "6"), ("maxsize", "2"), ("produce", "0"), ("consume", "2")]);
    let v = json(&demos::run("queue", &raw, env, &Control::new(), &feed).unwrap_or_else(|e| panic!("queue: {e}")).outcome);
    assert_eq!(ids(&v["order_out"]), (0..6).collect::<Vec<u64>>());
    assert_eq!(ids(&v["left"]), Vec::<u64>::new());
    assert_eq!(v["order_check"], true);
    assert!(v["fill"].as_array().unwrap().iter().all(|f| f[1].as_f64().unwrap() <= 2.0), "{}", v["fill"]);
    let lanes: BTreeSet<u64> = ["producers", "consumers"].iter().map(|r| v[r][0]["lane"].as_u64().unwrap()).collect();
    assert_eq!(lanes, BTreeSet::from([1, 2]), "producer and consumer each on a pool thread");

    // The pool: both strategies run every task exactly once, on the pool's lanes.
    let raw = q(&[("workers", "2"), ("tasks", "8"), ("size", "1")]);
    let v = json(&demos::run("pool", &raw, env, &Control::new(), &feed).unwrap_or_else(|e| panic!("pool: {e}")).outcome);
    for s in ["queue", "stealing"] {
        let runs = v[s]["runs"].as_array().unwrap();
        assert_eq!(runs.iter().map(|r| r["task"].as_u64().unwrap()).collect::<Vec<_>>(), (0..8).collect::<Vec<u64>>(), "{s}");
        assert!(runs.iter().all(|r| (1..=POOL as u64).contains(&r["lane"].as_u64().unwrap())), "{s}: {runs:?}");
    }
    assert_eq!(v["held_aside"], serde_json::json!([]), "k = pool size: nothing held aside");
    assert_eq!(v["handoff"]["samples"], 25);
}

#[wasm_bindgen_test]
async fn the_watchdog_breaks_a_deadlock_on_pool_threads_and_the_pool_runs_again() {
    // Two philosophers on the two pool threads; the watchdog is this worker (the engine
    // thread's place). Each holds its left fork until both do: a certain cycle of two.
    let v = run_demo("deadlock", &[("philosophers", "2"), ("fix", "none"), ("pause", "1000"), ("patience", "100")]).await;
    assert_eq!(v["deadlocked"], true, "{}", v["watchdog"]);
    let cycle = &v["watchdog"]["cycle"];
    assert_eq!(cycle["names"], serde_json::json!(["P1", "P2"]));
    assert_eq!(cycle["text"], "P1 holds f1 and waits for f2, held by P2; P2 holds f2 and waits for f1, held by P1.");
    assert_eq!(v["meals_eaten"], 0);
    let lanes: BTreeSet<u64> = v["diners"].as_array().unwrap().iter().map(|d| d["lane"].as_u64().unwrap()).collect();
    assert_eq!(lanes, BTreeSet::from([1, 2]), "each philosopher on its own pool thread");
    // Every philosopher gave up, so both pool threads are free: the ordered table eats every meal.
    let v = run_demo("deadlock", &[("philosophers", "2"), ("fix", "ordered"), ("meals", "3"), ("pause", "5")]).await;
    assert_eq!(v["deadlocked"], false);
    assert_eq!(v["all_ate"], true);
    assert_eq!(v["meals_eaten"], 6);
}

// ---- chapter 13: the fair readers-writer lock on real pool threads -----------------------

#[wasm_bindgen_test]
async fn the_fair_lock_serves_in_ticket_order_on_pool_threads_and_lets_writers_in() {
    use playground::locks::rwlock::RawRwLock;
    use playground::locks::rwlock_fair::FairRwLock;
    use playground::sync::{Arc, Mutex};
    pool().await;

    // This worker writes (ticket 0); a pool thread queues to write (ticket 1), the other to
    // read (ticket 2). Released, they go in ticket order: the reader does not overtake.
    let lock = Arc::new(FairRwLock::new());
    let ctl = Arc::new(Control::new());
    let order = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicU32::new(0));
    let holder = lock.write(&ctl).unwrap();
    for (ticket, name) in [(1, "W"), (2, "R")] {
        let (l, c, o, d) = (lock.clone(), ctl.clone(), order.clone(), done.clone());
        rayon::spawn(move || {
            if name == "W" {
                let _g = l.write(&c).unwrap();
                o.lock().unwrap().push(name);
            } else {
                let _g = l.read(&c).unwrap();
                o.lock().unwrap().push(name);
            }
            d.fetch_add(1, Relaxed);
        });
        while lock.tickets() < ticket + 1 {
            std::hint::spin_loop();
        }
    }
    assert_eq!(RawRwLock::waiting(&*lock).writers, 1);
    assert_eq!(RawRwLock::waiting(&*lock).readers, 1);
    drop(holder);
    while done.load(Relaxed) < 2 {
        std::hint::spin_loop();
    }
    assert_eq!(*order.lock().unwrap(), ["W", "R"]);

    // The demo with the fair policy: one reader and one writer on the two pool threads both
    // get in, and the samples end with the run's totals.
    let v = run_demo("starvation", &[("policy", "fair"), ("readers", "1"), ("writers", "1"), ("budget", "300"), ("hold", "2")]).await;
    assert_eq!(v["policy"], "fair");
    assert_eq!(v["names"], serde_json::json!(["R1", "W1"]));
    let threads = v["threads"].as_array().unwrap();
    assert!(threads.iter().all(|t| t["accesses"].as_u64().unwrap() > 0), "{threads:?}");
    let lanes: BTreeSet<u64> = threads.iter().map(|t| t["lane"].as_u64().unwrap()).collect();
    assert_eq!(lanes, BTreeSet::from([1, 2]), "reader and writer each on a pool thread");
    assert_eq!(v["meter"]["starved"], false);
    let last = v["samples"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["accesses"], serde_json::json!(threads.iter().map(|t| t["accesses"].clone()).collect::<Vec<_>>()));
}

#[wasm_bindgen_test]
fn the_explorer_counts_exactly_in_wasm_past_64_bits() {
    use playground::sched::{explore, Instr, Limits, ProgramSpec, ThreadSpec};
    let v = json(&demos::compute("explorer", &q(&[("program", "opposite-locks")])).unwrap());
    assert_eq!(v["value"]["interleavings"], "6");
    assert_eq!(v["value"]["by_outcome"]["deadlock"], "2");
    assert_eq!(v["value"]["counterexample"]["trace"], "0.1");
    // Three threads of 20 local steps: 60! / 20!^3, past u64, through 21^3 states.
    let mut spec = ProgramSpec::new("three");
    for name in ["A", "B", "C"] {
        spec = spec.thread(ThreadSpec::new(name).local("x", 0).steps((0..20).map(|_| Instr::add("x", 1))));
    }
    let e = explore(&playground::sync::Arc::new(spec.build().unwrap()), None, Limits::default());
    assert_eq!(e.states, 9261);
    assert_eq!(e.interleavings.unwrap().0, 577_831_214_478_475_823_831_865_900);
}

#[wasm_bindgen_test]
async fn the_event_loop_parks_in_a_worker_and_offloads_to_pool_threads() {
    // The loop runs on this worker's thread and waits for its timers with a condvar; the
    // offloaded work goes to the pool through rayon::spawn and wakes the loop from there.
    let v = run_demo("eventloop", &[("program", "countdowns"), ("cpu", "1000"), ("offload", "on"), ("speed", "20")]).await;
    assert_eq!(v["offloaded"], 9);
    let pool: Vec<u64> = v["poolThreads"].as_array().unwrap().iter().map(|t| t.as_u64().unwrap()).collect();
    assert!(!pool.is_empty() && pool.iter().all(|&t| t < POOL as u64), "{pool:?}");
    let events = v["events"].as_array().unwrap();
    let at = |what: &str| events.iter().position(|e| e["task"] == "A" && e["what"] == what).unwrap();
    // A and C wake together at 1 s: C runs while A's work is out on the pool.
    assert!(events[at("offload")..at("back")].iter().any(|e| e["task"] != "A" && e["what"] == "run"));
    // A blocking sleep is never shorter than asked: the program's 6.9 s at least, in order.
    let v = run_demo("eventloop", &[("program", "countdowns"), ("blocking", "on"), ("speed", "20")]).await;
    assert!(v["totalMs"].as_f64().unwrap() >= 6900.0, "{}", v["totalMs"]);
    let lines: Vec<&str> = v["events"].as_array().unwrap().iter().filter(|e| e["what"] == "print").map(|e| e["detail"].as_str().unwrap()).collect();
    assert_eq!(lines, ["A = 3", "A = 2", "A = 1", "B = 3", "B = 2", "B = 1", "C = 3", "C = 2", "C = 1"]);
}

#[wasm_bindgen_test]
async fn the_simulated_gil_lets_one_pool_thread_run_at_a_time() {
    let v = run_demo("gil", &[("mode", "gil"), ("threads", "2"), ("work", "100"), ("interval", "1")]).await;
    assert_eq!(v["threadsUsed"], 2);
    let mut holds: Vec<(f64, f64, u64)> = v["holds"].as_array().unwrap().iter().map(|h| (h["startMs"].as_f64().unwrap(), h["endMs"].as_f64().unwrap(), h["lane"].as_u64().unwrap())).collect();
    holds.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(holds.windows(2).all(|w| w[0].1 <= w[1].0), "two pool threads held the GIL at once: {holds:?}");
    let lanes: BTreeSet<u64> = holds.iter().map(|h| h.2).collect();
    assert_eq!(lanes.len(), 2, "both pool threads held it: {holds:?}");
    assert!(lanes.iter().all(|&l| l >= 1), "pool lanes, not the engine thread");
}
