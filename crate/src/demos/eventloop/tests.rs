//! The event loop's numbers against values worked out by hand (the countdowns, from the
//! book's periods) or by a separate small simulator of one cook written here.

use super::*;
use crate::control::Control;
use crate::params::validate;

fn params(query: &str) -> Params {
    let raw: Vec<(String, String)> = query.split('&').filter(|kv| !kv.is_empty()).map(|kv| {
        let (k, v) = kv.split_once('=').expect("k=v");
        (k.to_string(), v.to_string())
    }).collect();
    validate(&SPEC, &raw).expect("valid inputs")
}

fn trace(query: &str) -> Trace {
    let p = params(query);
    trace::virtual_trace(&Setup::of(&p), p.int("at") as usize).expect("a trace")
}

fn prints(t: &[Event]) -> Vec<(f64, String)> {
    t.iter().filter(|e| e.what == aio::What::Print).map(|e| (e.t, e.detail.clone())).collect()
}

fn times(t: &Trace, name: &str) -> Vec<f64> {
    prints(&t.events).into_iter().filter(|(_, l)| l.starts_with(&format!("{name} ="))).map(|(t, _)| t).collect()
}

#[test]
fn overlapped_countdowns_tick_at_multiples_of_their_periods_and_end_at_3_s() {
    let t = trace("program=countdowns");
    // By hand, from the book's periods: A every 1 s, B every 0.8 s, C every 0.5 s.
    assert_eq!(times(&t, "A"), [1000.0, 2000.0, 3000.0]);
    assert_eq!(times(&t, "B"), [800.0, 1600.0, 2400.0]);
    assert_eq!(times(&t, "C"), [500.0, 1000.0, 1500.0]);
    assert_eq!(t.total_ms, 3000.0);
    // In sequence: 3 × (1 + 0.8 + 0.5) s.
    assert_eq!(t.sequential_ms, 6900.0);
    assert!(t.per_task.iter().all(|p| p.busy_ms == 0.0 && p.scheduled_ms == 0.0), "sleeping tasks are idle: {:?}", t.per_task);
}

#[test]
fn a_blocking_sleep_makes_the_countdowns_sequential_again() {
    let t = trace("program=countdowns&blocking=on");
    assert_eq!(times(&t, "A"), [1000.0, 2000.0, 3000.0]);
    assert_eq!(times(&t, "B"), [3800.0, 4600.0, 5400.0]);
    assert_eq!(times(&t, "C"), [5900.0, 6400.0, 6900.0]);
    assert_eq!(t.total_ms, 6900.0);
    assert_eq!(t.sequential_ms, 6900.0);
    // A held the loop for its 3 s; C waited ready (scheduled) for A and B: 5.4 s.
    let c = t.per_task.iter().find(|p| p.name == "C").unwrap();
    assert_eq!((c.busy_ms, c.scheduled_ms, c.idle_ms), (1500.0, 5400.0, 0.0));
}

#[test]
fn offloaded_work_overlaps_on_the_pool_and_work_on_the_loop_does_not() {
    // By hand: each tick sleeps its period, then 200 ms of work. Offloaded, the work of the
    // three countdowns runs side by side on the virtual pool, so each tick ends 200 ms after
    // its sleep: A at 1200, 2400, 3600.
    let off = trace("program=countdowns&cpu=200&offload=on");
    assert_eq!(times(&off, "A"), [1200.0, 2400.0, 3600.0]);
    assert_eq!(times(&off, "B"), [1000.0, 2000.0, 3000.0]);
    assert_eq!(times(&off, "C"), [700.0, 1400.0, 2100.0]);
    assert!(off.per_task.iter().all(|p| p.busy_ms == 0.0));
    // 600 ms of work, by hand. On the loop the work runs one piece at a time: C computes
    // from 0.5 s to 1.1 s while B and A, due at 0.8 s and 1 s, wait their turn, and so on; the
    // loop never idles after 0.5 s, so it ends at 0.5 + 9 × 0.6 = 5.9 s.
    let on = trace("program=countdowns&cpu=600");
    assert_eq!(times(&on, "C"), [1100.0, 2900.0, 4700.0]);
    assert_eq!(times(&on, "B"), [1700.0, 3500.0, 5300.0]);
    assert_eq!(times(&on, "A"), [2300.0, 4100.0, 5900.0]);
    for w in on.events.iter().filter(|e| e.what == aio::What::Cpu) {
        let (from, to) = (w.t, w.t + 600.0);
        assert!(!on.events.iter().any(|e| e.what == aio::What::Run && e.t > from && e.t < to), "a task ran during {w:?}");
    }
    assert_eq!(on.per_task.iter().map(|p| p.busy_ms).sum::<f64>(), 9.0 * 600.0);
    // Offloaded, each piece runs as soon as its sleep ends: C 0.5-1.1 s, B 0.8-1.4 s, ...
    let off = trace("program=countdowns&cpu=600&offload=on");
    assert_eq!(times(&off, "C"), [1100.0, 2200.0, 3300.0]);
    assert_eq!(times(&off, "B"), [1400.0, 2800.0, 4200.0]);
    assert_eq!(times(&off, "A"), [1600.0, 3200.0, 4800.0]);
}

/// One cook, worked out apart from the loop: dishes start in `order`; the cook takes the
/// first ready dish, does its hands-on steps, and starts its wait; finished waits join the
/// back of the line in the order they finish.
fn one_cook(order: &[usize]) -> f64 {
    use cooking::{Step, DISHES};
    let (mut t, mut line, mut waits): (f64, Vec<usize>, Vec<(f64, usize, usize)>) = (0.0, order.to_vec(), Vec::new());
    let mut next = vec![0usize; DISHES.len()];
    let mut seq = 0;
    while !line.is_empty() || !waits.is_empty() {
        if line.is_empty() {
            waits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            t = t.max(waits[0].0);
        } else {
            let d = line.remove(0);
            while let Some(Step::Hands(_, m)) = DISHES[d].steps.get(next[d]) {
                t += m * cooking::MINUTE;
                next[d] += 1;
            }
            if let Some(Step::Wait(_, m)) = DISHES[d].steps.get(next[d]) {
                seq += 1;
                waits.push((t + m * cooking::MINUTE, seq, d));
                next[d] += 1;
            }
        }
        waits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        while waits.first().is_some_and(|w| w.0 <= t) {
            line.push(waits.remove(0).2);
        }
    }
    t
}

#[test]
fn the_cooking_schedules_get_faster_and_the_best_is_the_fastest_of_every_order() {
    let t = trace("program=cooking");
    let s = t.schedules.as_ref().unwrap();
    let totals: Vec<f64> = s.iter().map(|s| s.total_ms).collect();
    // The book's totals, which these dishes were chosen to give: 28, 17 and 15 minutes.
    assert_eq!(totals, [28_000.0, 17_000.0, 15_000.0]);
    let all: f64 = cooking::DISHES.iter().flat_map(|d| d.steps).map(|s| match s {
        cooking::Step::Hands(_, m) | cooking::Step::Wait(_, m) => m * cooking::MINUTE,
    }).sum();
    assert_eq!(totals[0], all, "one after another is the sum of every step");
    assert_eq!(totals[1], one_cook(&[0, 1, 2]));
    let best = cooking::orders().iter().map(|o| one_cook(o)).fold(f64::INFINITY, f64::min);
    assert_eq!(totals[2], best);
    let order: Vec<usize> = s[2].order.iter().map(|n| cooking::DISHES.iter().position(|d| d.name == n).unwrap()).collect();
    assert_eq!(one_cook(&order), best);
    assert_eq!(t.total_ms, totals[1], "the trace is the overlapped schedule");
    // Watching the oven (blocking) costs the bake's 7 minutes of the cook's time.
    let watched = trace("program=cooking&blocking=on");
    assert!(watched.total_ms > t.total_ms);
}

#[test]
fn every_item_is_consumed_once_in_the_order_it_was_put() {
    for q in ["program=channels", "program=channels&producers=3&consumers=1&items=13&maxsize=1&seed=7", "program=channels&maxsize=0&items=40&consumers=4"] {
        let t = trace(q);
        let c = t.channel.as_ref().unwrap();
        let mut sorted = c.consumed.clone();
        sorted.sort();
        let items = params(q).int("items") as u32;
        assert_eq!(sorted, (0..items).collect::<Vec<_>>(), "{q}");
        assert_eq!(c.consumed, c.produced, "{q}: a FIFO queue hands items out in the order they were put");
        let maxsize = params(q).int("maxsize") as usize;
        assert!(maxsize == 0 || c.peak <= maxsize, "{q}: peak {}", c.peak);
    }
    let full = trace("program=channels&maxsize=1&producers=3&consumers=1");
    assert!(full.events.iter().any(|e| e.detail.ends_with("(queue full)")), "producers wait for room");
}

#[test]
fn every_echo_client_gets_each_message_back_after_two_network_trips() {
    let t = trace("program=echo&clients=4");
    let clients = t.echo.as_ref().unwrap();
    assert_eq!(clients.len(), 4);
    for c in clients {
        assert_eq!((c.sent, c.echoed), (programs::MESSAGES, programs::MESSAGES), "{c:?}");
        assert_eq!(c.rtt_ms.len(), 3);
        // There and back: twice a one-way delay of 50 ms plus up to 50 ms of jitter.
        assert!(c.rtt_ms.iter().all(|&r| (100.0..=200.0).contains(&r) && r == c.rtt_ms[0]), "{c:?}");
    }
    // A blocking handler: while the server handles one message, nobody else runs, so round
    // trips grow by at least the handler's 150 ms.
    let slow = trace("program=echo&clients=4&blocking=on");
    for (a, b) in slow.echo.as_ref().unwrap().iter().zip(clients) {
        assert!(a.rtt_ms.iter().zip(&b.rtt_ms).all(|(x, y)| *x >= y + programs::SLOW_HANDLER_MS), "{a:?} against {b:?}");
    }
}

#[test]
fn stepping_back_and_forth_gives_the_states_of_a_replay() {
    for program in ["countdowns", "cooking", "channels", "echo", "downloads"] {
        let n = trace(&format!("program={program}")).events.len();
        for k in [0, 1, n / 3, n / 2, n - 1, n] {
            let here = trace(&format!("program={program}&at={k}")).state;
            assert_eq!(here.step, k);
            let ahead = (k + 3).min(n);
            let _ = trace(&format!("program={program}&at={ahead}"));
            assert_eq!(trace(&format!("program={program}&at={k}")).state, here, "{program} step {k}");
        }
        // The state after the last event: everything done, nothing queued.
        let last = trace(&format!("program={program}&at={n}")).state;
        assert!(last.tasks.iter().all(|t| t.state == aio::TaskState::Done), "{program}: {last:?}");
        assert!(last.ready.is_empty() && last.timers.is_empty() && last.running.is_none());
    }
}

#[test]
fn a_step_past_the_end_is_refused_beside_its_input() {
    let p = params("program=countdowns&at=999");
    match trace::virtual_trace(&Setup::of(&p), 999) {
        Err(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "at");
            assert!(e[0].message.contains("the step must be 0-"), "{}", e[0].message);
        }
        other => panic!("{:?}", other.map(|t| t.total_ms)),
    }
}

#[test]
fn a_real_run_that_would_last_too_long_says_which_speed_would_do() {
    // One consumer and 40 items of at least 0.7 s each: more than 28 s of work, and the
    // producers' waits on top; over the 30 s a real run may last.
    let p = params("program=channels&items=40&consumers=1&speed=1");
    match run_real(&p, &Control::new()) {
        Err(DemoError::Invalid(e)) => {
            assert_eq!(e[0].param, "speed");
            assert!(e[0].message.contains("set the speed to 2 or more"), "{}", e[0].message);
        }
        other => panic!("{:?}", other.map(|o| o.total_ms)),
    }
}

#[test]
fn the_real_clock_keeps_the_order_and_a_blocking_sleep_takes_at_least_its_time() {
    let o = run_real(&params("program=countdowns&blocking=on&speed=20"), &Control::new()).unwrap();
    // A sleep is never shorter than asked: 6.9 s of the program's time at least.
    assert!(o.total_ms >= 6900.0, "{}", o.total_ms);
    let lines: Vec<String> = o.events.iter().filter(|e| e.what == aio::What::Print).map(|e| e.detail.clone()).collect();
    assert_eq!(lines, ["A = 3", "A = 2", "A = 1", "B = 3", "B = 2", "B = 1", "C = 3", "C = 2", "C = 1"]);
    assert_eq!(o.threads_used, 1);
}

#[test]
fn real_offloaded_work_runs_on_pool_threads_while_the_loop_goes_on() {
    let o = run_real(&params("program=countdowns&cpu=1000&offload=on&speed=20"), &Control::new()).unwrap();
    assert_eq!(o.offloaded, 9);
    assert!(o.threads_used >= 2 && !o.pool_threads.is_empty(), "{:?}", o.pool_threads);
    // A and C both wake at 1 s: C is polled right after A handed its work over, so C's work
    // goes out before A's comes back. The loop went on while A's work was out.
    let a_out = o.events.iter().position(|e| e.task == "A" && e.what == aio::What::Offload).unwrap();
    let a_back = o.events.iter().position(|e| e.task == "A" && e.what == aio::What::Back).unwrap();
    assert!(o.events[a_out..a_back].iter().any(|e| e.task != "A" && e.what == aio::What::Run), "{:?}", &o.events[a_out..a_back]);
}

#[test]
fn the_nav_entries_set_inputs_the_spec_has() {
    for also in SPEC.also {
        for (name, value) in also.params {
            let p = SPEC.params.iter().find(|p| p.name == *name).expect("an input of the spec");
            assert!(crate::params::validate(&SPEC, &[(p.name.to_string(), value.to_string())]).is_ok());
        }
    }
}

#[test]
fn five_downloads_overlapped_take_the_longest_one_and_in_sequence_their_sum() {
    let t = trace("program=downloads&seed=3");
    // By hand: a file takes its request (150 ms and its seeded extra) and then, per chunk,
    // 100 ms to arrive and 20 ms to write.
    let alone: Vec<f64> = programs::FILES
        .iter()
        .enumerate()
        .map(|(i, (_, chunks))| programs::REQUEST_MS + (programs::jitter(3, 400 + i as u64, 0) / 2.0).round() + f64::from(*chunks) * 120.0)
        .collect();
    let lines = prints(&t.events);
    for ((file, chunks), ms) in programs::FILES.iter().zip(&alone) {
        assert!(lines.iter().any(|(at, l)| *l == format!("{file}: {chunks} chunks in {ms} ms") && at == ms), "{file}: {lines:?}");
    }
    assert_eq!(t.total_ms, alone.iter().copied().fold(0.0, f64::max));
    assert_eq!(t.sequential_ms, alone.iter().sum::<f64>());
    // Blocking writes: while one file is written nothing else runs, so the run takes longer.
    assert!(trace("program=downloads&seed=3&blocking=on").total_ms > t.total_ms);
}
