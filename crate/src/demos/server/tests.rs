use super::ring::{read_line, Conn, Lines, Readiness, Ring, WouldBlock};
use super::*;
use crate::demos::validate;
use crate::sched::replay;
use crate::sync::Arc;
use std::collections::VecDeque;

fn params(pairs: &[(&str, &str)]) -> Params {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    validate("server", &raw).unwrap()
}

fn native_run(pairs: &[(&str, &str)]) -> Outcome {
    let p = params(pairs);
    let k = match p.pick::<Variant>("server") {
        Variant::Threads => 2 * p.int("clients") as usize,
        _ => p.int("clients") as usize + 1,
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap();
    pool.install(|| run(&p, Env { cores: 2, pool_threads: k as u32 }, &Control::new())).unwrap()
}

#[test]
fn a_ring_wraps_around_and_keeps_the_order_of_its_bytes() {
    let ring = Ring::with_capacity(8, None);
    let mut out = [0u8; 8];
    assert_eq!(ring.read(&mut out, false), Err(WouldBlock), "empty and open: a non-blocking read would block");
    assert_eq!(ring.try_write(b"abcdef"), 6);
    assert_eq!(ring.read(&mut out[..4], false), Ok(4));
    assert_eq!(&out[..4], b"abcd");
    // 2 bytes left at 4..6; 6 more fit, running past the end to the start.
    assert_eq!(ring.try_write(b"ghijklmn"), 6, "only the free room is written");
    assert_eq!(ring.wraps(), 1);
    assert!(!ring.writable_now());
    assert_eq!(ring.read(&mut out, false), Ok(8));
    assert_eq!(&out, b"efghijkl");
    ring.close();
    assert_eq!(ring.read(&mut out, false), Ok(0), "closed and drained: end of file");
}

#[test]
fn a_blocking_read_waits_for_the_writer_and_a_full_ring_holds_the_writer_back() {
    let ring = Ring::with_capacity(4, None);
    let (lines, got) = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let (mut lines, mut pending) = (Lines::default(), VecDeque::new());
            let mut got = Vec::new();
            while let Some(l) = read_line(&ring, &mut lines, &mut pending) {
                got.push(l);
            }
            (lines.is_empty(), got)
        });
        // 26 bytes through a 4-byte ring: the writer must wait for the reader many times.
        ring.write_all(b"first line\nsecond line\nend");
        ring.write_all(b"\n");
        ring.close();
        reader.join().unwrap()
    });
    assert!(lines);
    assert_eq!(got, ["first line", "second line", "end"]);
}

#[test]
fn readiness_wakes_a_waiter_only_for_a_change_after_it_looked() {
    let r = Arc::new(Readiness::default());
    let ring = Ring::new(Some(Arc::clone(&r)));
    let seen = r.generation();
    ring.try_write(b"x");
    r.wait_past(seen); // returns at once: the write came after `seen`
    let seen = r.generation();
    let woke = std::thread::scope(|s| {
        let h = s.spawn(|| {
            r.wait_past(seen);
            true
        });
        let mut buf = [0u8; 1];
        assert_eq!(ring.read(&mut buf, false), Ok(1)); // a read is a change too (room to write)
        h.join().unwrap()
    });
    assert!(woke);
}

#[test]
fn the_calculator_evaluates_with_precedence_and_explains_bad_input() {
    for (e, v) in [("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("-3 * -(2 - 7)", -15), ("7 / 2", 3), ("-7 / 2", -3), ("10 - 4 - 3", 3), ("  42 ", 42)] {
        assert_eq!(calc::eval(e), Ok(v), "{e}");
    }
    assert_eq!(calc::eval("1 / 0"), Err("division by zero".into()));
    assert_eq!(calc::eval("2 + x"), Err("unexpected 'x' at 5".into()));
    assert_eq!(calc::eval("(1 + 2"), Err("expected ')' at 7".into()));
    assert_eq!(calc::eval("3 +"), Err("expected a number at the end".into()));
    assert_eq!(calc::eval("99999999999 * 99999999999"), Err("overflow".into()));
}

#[test]
fn requests_are_answered_with_their_client_and_seq() {
    assert_eq!(handle("3 17 echo hello 3.17"), "3 17 hello 3.17\n");
    assert_eq!(handle("1 2 calc (40 - 2) * 3"), "1 2 114\n");
    // fib(30) = 832040 (a table value), fib(10) = 55 (the book's unit test).
    assert_eq!(handle("2 9 fib 30"), "2 9 832040\n");
    assert_eq!((fib(10), fib_table(10), fib_table(30)), (55, 55, 832_040));
    assert_eq!(handle("2 9 fib 36"), "2 9 error fib takes a whole number from 0 to 35\n");
    assert_eq!(handle("2 9 sleep 1"), "2 9 error unknown request \"sleep\"\n");
}

#[test]
fn the_reactor_serves_interleaved_partial_requests_on_every_connection() {
    // Two connections whose requests arrive in pieces, interleaved, before the reactor starts.
    let r = Arc::new(Readiness::default());
    let conns = [Conn::new(Some(Arc::clone(&r))), Conn::new(Some(Arc::clone(&r)))];
    conns[0].up.try_write(b"0 0 echo a");
    conns[1].up.try_write(b"1 0 calc 6 * 7\n1 1 ec");
    conns[0].up.try_write(b"b\n");
    conns[1].up.try_write(b"ho z\n");
    conns.iter().for_each(|c| c.up.close());
    let (lp, served) = serve::reactor(&conns, &r, crate::clock::now_ms());
    assert_eq!(served, [1, 2]);
    assert_eq!(lp.first[0].ready, [0, 1], "both ready on the first turn");
    let read_all = |c: &Conn| {
        let (mut lines, mut pending, mut all) = (Lines::default(), VecDeque::new(), Vec::new());
        while let Some(l) = read_line(&c.down, &mut lines, &mut pending) {
            all.push(l);
        }
        all
    };
    assert_eq!(read_all(&conns[0]), ["0 0 ab"]);
    assert_eq!(read_all(&conns[1]), ["1 0 42", "1 1 z"]);
}

#[test]
fn every_server_answers_every_request_exactly_once_on_real_threads() {
    for server in ["blocking", "threads", "reactor"] {
        let o = native_run(&[("server", server), ("clients", "3"), ("duration", "150")]);
        assert!(o.requests >= 3, "{server}: {}", o.requests);
        assert_eq!(o.answered, o.requests, "{server}");
        assert_eq!((o.wrong, o.stray), (0, 0), "{server}");
        assert_eq!(o.per_client.iter().map(|c| c.served).sum::<u64>(), o.requests, "{server}: the server counted the same");
        assert!(o.exactly_once, "{server}");
        let k = if server == "threads" { 6 } else { 4 };
        assert_eq!(o.threads_used, k, "{server}: every client and server thread on a worker of its own");
        assert!(o.per_client.iter().all(|c| c.answered >= 1), "{server}: every client got at least its first answer");
    }
}

#[test]
fn the_blocking_server_serves_one_client_to_its_end_before_the_next() {
    let o = native_run(&[("server", "blocking"), ("clients", "3"), ("duration", "150")]);
    // Clients 2 and 3 sent their first request at the start and waited for client 1 to go:
    // by then the run was over, so that one request is all either sent.
    assert!(o.per_client[1..].iter().all(|c| c.requests <= 1 && c.answered == c.requests), "{:?}", o.per_client);
    assert!(o.exactly_once);
}

#[test]
fn the_reactor_reports_its_ready_sets_and_the_fib_experiment_its_two_rates() {
    let o = native_run(&[("server", "reactor"), ("clients", "3"), ("duration", "300"), ("load", "fib"), ("fib", "27")]);
    let lp = o.reactor.as_ref().unwrap();
    assert_eq!(lp.by_size.iter().sum::<u64>(), lp.ticks);
    assert!(lp.first.iter().all(|t| !t.ready.is_empty() && t.ready.iter().all(|&c| c < 3)));
    let f = o.fib.as_ref().unwrap();
    assert!(f.from_ms.unwrap() >= 100.0, "client 1 turns to fib a third of the way in");
    assert!(f.slow_answered >= 1);
    assert!(f.fast_rps_before.is_some() && f.fast_rps_during.is_some());
    assert!(o.per_client[0].slow && !o.per_client[1].slow);
    assert!(o.exactly_once);
}

#[test]
fn bad_inputs_are_refused_beside_their_control() {
    let raw = |pairs: &[(&str, &str)]| -> Vec<(String, String)> { pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() };
    let errors = |pairs: &[(&str, &str)]| match validate("server", &raw(pairs)) {
        Err(DemoError::Invalid(e)) => e,
        other => panic!("{:?}", other.map(|_| ())),
    };
    let e = errors(&[("clients", "9")]);
    assert_eq!(e[0].param, "clients");
    assert!(e[0].message.contains("from 1 to 8"), "{}", e[0].message);
    assert_eq!(errors(&[("fib", "40")])[0].param, "fib");
}

#[test]
fn the_step_through_reactor_serves_the_ready_set_one_connection_at_a_time() {
    let p = steps::program(Variant::Reactor, 2);
    let name = |t: &str| p.threads.iter().position(|x| x.name == t).unwrap();
    let (c1, c2, r) = (name("client 1"), name("client 2"), name("reactor"));
    // Both clients send (put up, put ready) before the reactor moves: the ready set is [1, 2].
    let trace: crate::sched::Trace = [c1, c1, c2, c2].as_slice().into();
    let m = replay(&Arc::new(p.clone()), &trace).unwrap();
    assert_eq!(m.state().queues["ready"].iter().copied().collect::<Vec<_>>(), [1, 2]);
    // The reactor takes connection 1 from the ready set, echoes 11 to client 1, counts it.
    let mut steps: Vec<usize> = trace.steps().to_vec();
    steps.extend([r; 7]); // get ready, jump_if (not 2), get up1, put down1, add, write, jump
    let m = replay(&Arc::new(p.clone()), &steps.as_slice().into()).unwrap();
    assert_eq!(m.state().queues["ready"].iter().copied().collect::<Vec<_>>(), [2]);
    assert_eq!(m.state().queues["down1"].iter().copied().collect::<Vec<_>>(), [11]);
    assert_eq!(m.var("answered"), 1);
    // Every interleaving ends with all four requests answered and nothing deadlocked.
    let e = crate::sched::explore(&Arc::new(p), None, crate::sched::Limits::default());
    assert!(e.complete && e.by_outcome.deadlock.unwrap().0 == 0);
    assert!(e.final_states.iter().all(|f| f.summary.starts_with("answered = 4")), "{:?}", e.final_states.iter().map(|f| &f.summary).collect::<Vec<_>>());
    for v in [Variant::Blocking, Variant::Threads] {
        let e = crate::sched::explore(&Arc::new(steps::program(v, 2)), None, crate::sched::Limits::default());
        assert!(e.complete && e.by_outcome.deadlock.unwrap().0 == 0, "{v:?}");
        assert!(e.final_states.iter().all(|f| f.summary.starts_with("answered = 4")), "{v:?}");
    }
}

#[test]
fn the_sweep_runs_every_server_the_pool_has_room_for_and_names_the_rest() {
    let p = params(&[("server", "reactor"), ("clients", "2"), ("duration", "100"), ("sweep", "on")]);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: 3 }, &Control::new())).unwrap();
    let s = o.sweep.unwrap();
    let at: Vec<(Variant, u32)> = s.points.iter().map(|x| (x.server, x.clients)).collect();
    assert_eq!(at, [(Variant::Blocking, 1), (Variant::Blocking, 2), (Variant::Threads, 1), (Variant::Reactor, 1), (Variant::Reactor, 2)]);
    assert_eq!(s.skipped, ["threads at 2 clients needs 4 workers, and the pool has 3"]);
    for x in &s.points {
        assert!(x.exactly_once && x.answered == x.requests && x.requests >= 1, "{x:?}");
        assert_eq!(x.threads_used, x.clients + if x.server == Variant::Threads { x.clients } else { 1 });
    }
}
