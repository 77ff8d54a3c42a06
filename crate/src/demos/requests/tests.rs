use super::status::{self, mix, server_sleep};
use super::*;
use crate::demos::{self, to_json};

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn params(inputs: &[(&str, &str)]) -> Params {
    demos::validate("requests", &q(inputs)).unwrap()
}

fn simulated(inputs: &[(&str, &str)]) -> Outcome {
    let mut all = vec![("server", "simulated")];
    all.extend_from_slice(inputs);
    run_with(&params(&all), Env { cores: 2, pool_threads: 0 }, &Control::new(), local::server()).unwrap()
}

/// A real run against the in-process server on a rayon pool of `pool` threads.
fn real(pool: usize, inputs: &[(&str, &str)]) -> Outcome {
    let p = params(inputs);
    let rayon = rayon::ThreadPoolBuilder::new().num_threads(pool).build().unwrap();
    let env = Env { cores: 2, pool_threads: pool as u32 };
    rayon.install(|| run_with(&p, env, &Control::new(), local::server())).unwrap()
}

fn invalid(r: Result<Outcome, DemoError>) -> (String, String) {
    match r {
        Err(DemoError::Invalid(e)) => (e[0].param.clone(), e[0].message.clone()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_jitter_is_the_same_integer_hash_as_javascripts() {
    // Values printed by node with Math.imul and >>> 0, the code of www/public/status-route.js.
    assert_eq!([mix(0, 0), mix(1, 0), mix(1, 1), mix(1, 5), mix(123456, 7)], [0, 1364076727, 920564995, 280495159, 1473868312]);
    let sleeps: Vec<u32> = (0..6).map(|n| server_sleep(100, 40, 1, n)).collect();
    assert_eq!(sleeps, [103, 131, 101, 119, 114, 114]);
    assert_eq!(server_sleep(19_990, 1000, 1, 1), status::SLEEP_MAX_MS, "never past the input's maximum");
}

#[test]
fn the_server_files_share_the_codes_and_limits_with_rust() {
    let route = include_str!("../../../../www/public/status-route.js");
    for (code, reason) in status::CODES {
        assert!(route.contains(&format!("{code}: '{}'", reason.replace('\'', "\\'"))), "{code} {reason} missing from status-route.js");
    }
    assert!(route.contains("SLEEP_MAX_MS = 20000"));
    assert!(route.contains("JITTER_MAX_MS = 1000"));
    assert!(route.contains("MAX_REQUESTS = 16"));
}

#[test]
fn the_books_six_codes_make_six_urls_with_their_waits() {
    let plan = plan(&params(&[]), "r1").unwrap();
    let codes: Vec<u16> = plan.iter().map(|r| r.code).collect();
    assert_eq!(codes, [200, 400, 404, 408, 500, 524]);
    assert_eq!(plan[0].url, "status/200?sleep=100&jitter=40&seed=1&n=0&run=r1");
    assert_eq!(plan.iter().map(|r| r.sleep_ms).collect::<Vec<_>>(), [103, 131, 101, 119, 114, 114]);
    let slow = super::plan(&params(&[("slow", "20000"), ("hold", "on")]), "r2").unwrap();
    assert_eq!(slow.len(), 7);
    assert_eq!(slow[6].url, "status/200?sleep=20000&jitter=0&seed=1&n=6&run=r2&hold=7");
    assert_eq!(slow[6].sleep_ms, 20_000);
}

#[test]
fn unknown_codes_and_waits_out_of_range_are_refused_beside_their_control() {
    let e = demos::compute("requests", &q(&[("codes", "200,299,404.5")])).err().unwrap();
    match e {
        DemoError::Invalid(errs) => {
            assert_eq!(errs[0].param, "codes");
            assert!(errs[0].message.ends_with("it does not know 299, 404.5"), "{}", errs[0].message);
        }
        other => panic!("{other:?}"),
    }
    match demos::compute("requests", &q(&[("sleep", "20001")])).err().unwrap() {
        DemoError::Invalid(errs) => assert_eq!(errs[0].message, "sleep must be a whole number from 0 to 20000, got 20001"),
        other => panic!("{other:?}"),
    }
    let sixteen = vec!["200"; 16].join(",");
    let (param, message) = invalid(run_with(&params(&[("codes", &sixteen), ("slow", "5")]), Env { cores: 2, pool_threads: 8 }, &Control::new(), local::server()));
    assert_eq!(param, "codes");
    assert!(message.contains("at most 16 requests"), "{message}");
}

#[test]
fn without_a_pool_only_sequential_requests_are_real() {
    let no_pool = Env { cores: 2, pool_threads: 0 };
    let (param, message) = invalid(run_with(&params(&[("mode", "threads")]), no_pool, &Control::new(), local::server()));
    assert_eq!(param, "mode");
    assert!(message.contains("no pool of threads"), "{message}");
    let (param, message) = invalid(run_with(&params(&[("mode", "threads")]), Env { cores: 2, pool_threads: 4 }, &Control::new(), local::server()));
    assert_eq!(param, "codes");
    assert!(message.contains("needs 6 pool threads, and the engine's pool has 4"), "{message}");
    let o = run_with(&params(&[("mode", "threads"), ("server", "simulated")]), no_pool, &Control::new(), local::server()).unwrap();
    assert_eq!(o.threads_used, 6, "the virtual clock needs no pool");
}

#[test]
fn on_the_virtual_clock_sequential_adds_the_waits_and_threads_take_the_longest() {
    let seq = simulated(&[("mode", "sequential")]);
    assert_eq!(seq.wall_ms, 682.0, "103 + 131 + 101 + 119 + 114 + 114");
    assert_eq!(seq.sequential_ms, Some(682.0));
    assert_eq!(seq.threads_used, 1);
    assert_eq!(seq.requests[1].start_ms, 103.0);
    let threads = simulated(&[("mode", "threads")]);
    assert_eq!(threads.wall_ms, 131.0);
    assert_eq!(threads.lanes, [1, 2, 3, 4, 5, 6]);
    assert_eq!(threads.sequential_ms, Some(682.0));
    let codes: Vec<Option<u16>> = threads.requests.iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(200), Some(400), Some(404), Some(408), Some(500), Some(524)]);
    let asyncio = simulated(&[("mode", "async")]);
    assert_eq!((asyncio.wall_ms, asyncio.threads_used), (131.0, 1));
}

#[test]
fn a_pool_of_two_gives_each_url_to_the_first_free_thread() {
    // Waits 103 131 101 119 114 114 on 2 threads: t1 takes 0 (0-103), t2 takes 1 (0-131);
    // t1 is free first: 2 (103-204); t2: 3 (131-250); t1: 4 (204-318); t2: 5 (250-364).
    let o = simulated(&[("mode", "pool"), ("workers", "2")]);
    let got: Vec<(u32, f64, f64)> = o.requests.iter().map(|r| (r.lane, r.start_ms, r.end_ms)).collect();
    assert_eq!(got, [(1, 0.0, 103.0), (2, 0.0, 131.0), (1, 103.0, 204.0), (2, 131.0, 250.0), (1, 204.0, 318.0), (2, 250.0, 364.0)]);
    assert_eq!(o.wall_ms, 364.0);
    assert_eq!(o.threads_used, 2);
}

#[test]
fn the_books_custom_timeout_gives_up_while_the_server_works_on() {
    // The book: a 20 s response, a 5 s timeout.
    let o = simulated(&[("mode", "threads"), ("slow", "20000"), ("timeout", "5000")]);
    let slow = &o.requests[6];
    assert_eq!((slow.outcome, slow.code, slow.end_ms, slow.server_done_ms), (Ended::Timeout, None, 5000.0, Some(20_000.0)));
    assert_eq!(o.wall_ms, 5000.0);
    assert!(o.explanation.contains("1 timed out after 5.00 s"), "{}", o.explanation);
    assert!(o.explanation.contains("finished at 20.00 s"), "{}", o.explanation);
    // Without the timeout, join waits the whole 20 s.
    assert_eq!(simulated(&[("mode", "threads"), ("slow", "20000"), ("timeout", "30000")]).wall_ms, 20_000.0);
}

#[test]
fn real_threads_are_in_flight_together_the_rendezvous_proves_it() {
    // The server holds every answer until all six requests have arrived: only requests in
    // flight together are answered at all (one after another, the first would wait forever).
    let o = real(8, &[("mode", "threads"), ("hold", "on"), ("sleep", "5"), ("jitter", "0")]);
    assert!(o.requests.iter().all(|r| r.outcome == Ended::Ok), "{:?}", o.requests);
    assert_eq!(o.threads_used, 6);
    assert_eq!(o.lanes.len(), 6);
    assert!(o.lanes.iter().all(|&l| l > 0), "pool threads, not the engine thread");
    assert_eq!(o.answered_by, ["in-process"]);
    assert_eq!(o.sequential_ms, None);
    assert!(o.sequential_skipped.unwrap().contains("rendezvous"));
    // Every request started before any was answered.
    let last_start = o.requests.iter().map(|r| r.start_ms).fold(0.0, f64::max);
    let first_end = o.requests.iter().map(|r| r.end_ms).fold(f64::INFINITY, f64::min);
    assert!(last_start <= first_end);
}

#[test]
fn one_after_another_the_rendezvous_never_comes_and_the_client_times_out() {
    // The second request is answered the moment it arrives (no wait), well within its 1 s.
    let o = real(2, &[("mode", "sequential"), ("codes", "200,404"), ("hold", "on"), ("sleep", "0"), ("jitter", "0"), ("timeout", "1000")]);
    assert_eq!(o.requests[0].outcome, Ended::Timeout, "held until the second arrives, which waits for the first");
    assert_eq!(o.requests[1].outcome, Ended::Ok, "the second completes the rendezvous");
    assert_eq!(o.requests[1].code, Some(404));
    assert_eq!(o.threads_used, 1);
    assert_eq!(o.lanes.len(), 1, "one thread (here the pool thread the test runs on)");
    assert!(o.requests[0].server_done_ms.unwrap() >= o.requests[0].end_ms, "the server answered the first only after its client left");
}

#[test]
fn a_real_pool_of_k_sends_every_request_on_k_threads_and_compares_with_sequential() {
    let o = real(4, &[("mode", "pool"), ("workers", "3"), ("sleep", "10"), ("jitter", "0")]);
    assert_eq!(o.threads_used, 3);
    assert!(o.requests.iter().all(|r| r.outcome == Ended::Ok && r.code == Some(r.asked)));
    assert!(o.requests.iter().all(|r| r.server_done_ms.is_some()), "the server's log covers every request");
    assert!(o.sequential_ms.unwrap() >= 60.0, "six waits of 10 ms one after another");
    let a = real(2, &[("mode", "async"), ("sleep", "10"), ("jitter", "0"), ("compare", "off")]);
    assert_eq!((a.threads_used, a.lanes.clone()), (1, vec![0]), "async: the one thread's lane");
    assert_eq!(a.sequential_ms, None);
}

#[test]
fn the_summary_lists_each_request_as_data_result_documents_it() {
    let o = simulated(&[("mode", "sequential"), ("codes", "200,524")]);
    let p = params(&[("mode", "sequential"), ("codes", "200,524"), ("server", "simulated")]);
    let s = to_json(&Summary::new(&p, None, Some(&o)));
    assert_eq!(s["demo"], "requests");
    assert_eq!(s["mode"], "sequential");
    assert_eq!(s["server"], "simulated");
    assert_eq!(s["wallMs"], 234.0, "103 + 131");
    assert_eq!(s["sequentialMs"], 234.0);
    assert_eq!(s["threadsUsed"], 1);
    assert_eq!(s["requests"][1]["url"], "status/524?sleep=100&jitter=40&seed=1&n=1&run=sim");
    assert_eq!(s["requests"][1]["code"], 524);
    assert_eq!(s["requests"][1]["outcome"], "ok");
    assert_eq!(s["requests"][1]["startMs"], 103.0);
    assert_eq!(s["requests"][1]["endMs"], 234.0);
    assert_eq!(s["requests"][1]["lane"], 0);
    let before = to_json(&Summary::new(&p, Some(&RequestsDemo.compute(&p, &Control::new(), 0).unwrap()), None));
    assert_eq!(before["requests"], serde_json::Value::Null);
    assert_eq!(before["urls"][0], "status/200?sleep=100&jitter=40&seed=1&n=0&run=");
}

// The step-through, by the exhaustive explorer and by replay.

fn stepped(inputs: &[(&str, &str)]) -> (crate::sync::Arc<crate::sched::Program>, &'static str) {
    let (program, story) = crate::demos::stepper::program_for("requests", &params(inputs)).unwrap();
    (crate::sync::Arc::new(program), story)
}

fn names(p: &crate::sched::Program) -> Vec<String> {
    (0..p.threads.len()).map(|t| p.thread_name(t).to_string()).collect()
}

#[test]
fn the_step_view_shows_three_clients_their_servers_and_the_main_that_joins_them() {
    use crate::sched::{explore, Limits};
    let (program, story) = stepped(&[("mode", "threads")]);
    assert_eq!(names(&program), ["C1", "C2", "C3", "M", "S1", "S2", "S3"], "3 of the 6 requests");
    assert!(story.starts_with("Step every client"));
    // Every order of two requests (seven threads have too many to list in a unit test).
    let (two, _) = stepped(&[("mode", "threads"), ("codes", "200,404")]);
    let e = explore(&two, None, Limits::default());
    assert!(e.complete && !e.cyclic);
    assert_eq!(e.by_outcome.deadlock.unwrap_or_default().0, 0, "every order ends with every thread joined");
    // Every client sends first: all three requests are in flight before any answer.
    let m = crate::sched::replay(&program, &"0.1.2".parse().unwrap()).unwrap();
    assert_eq!(m.state().queues["req1"].len() + m.state().queues["req2"].len() + m.state().queues["req3"].len(), 3);
    assert!(!m.can_step(3), "M waits in join");
    assert!(!m.can_step(0), "C1 waits for its answer");
}

#[test]
fn one_after_another_m_waits_for_each_answer_before_the_next() {
    let (program, story) = stepped(&[("mode", "sequential"), ("codes", "200,404")]);
    assert_eq!(names(&program), ["M", "S1", "S2"]);
    assert!(story.starts_with("M sends a request"));
    // M sends request 1 and blocks: only S1 can move, request 2 is not sent yet.
    let m = crate::sched::replay(&program, &"0".parse().unwrap()).unwrap();
    assert_eq!(m.runnable(), [1]);
    assert!(m.state().queues["req2"].is_empty());
}

#[test]
fn the_custom_timeout_gives_up_and_the_server_finishes_anyway() {
    use crate::sched::{explore, Limits};
    // The book's: a 20 s page, a 5 s timeout. The view shows 200 and the slow one.
    let (program, story) = stepped(&[("mode", "threads"), ("codes", "200"), ("slow", "20000"), ("timeout", "5000")]);
    assert_eq!(names(&program), ["C1", "C2", "M", "S1", "S2"]);
    assert!(story.starts_with("A client whose request is slower"));
    let e = explore(&program, None, Limits::default());
    assert!(e.complete && !e.cyclic);
    assert_eq!(e.by_outcome.deadlock.unwrap_or_default().0, 0);
    // C2 sends and looks before S2 answers: it gives up, M joins both, and S2 still finishes.
    // Threads: C1 0, C2 1, M 2, S1 3, S2 4.
    let trace = "1.1.1.1.0.3.3.3.3.0.0.0.2.2.2.2.2.2.2.4.4.4.4";
    let m = crate::sched::replay(&program, &trace.parse().unwrap()).unwrap();
    let printed: Vec<&str> = m.state().output.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(printed, ["Custom timeout", "working (sleep)", "finished 200", "200 OK", "every thread joined", "working (sleep)", "finished 200"]);
    assert!(m.is_done());
}
