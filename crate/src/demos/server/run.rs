//! Running the demo: one load test on pool workers all alive at once (the server's threads,
//! then the clients), and with `sweep` on, every server at 1 to `clients` clients after it.

use super::load::{client, ClientLog};
use super::outcome::{outcome, Outcome, Sweep, SweepPoint};
use super::ring::{Conn, Readiness};
use super::{handle, serve, Load, Loop, Plan, Variant, NEEDS_POOL};
use crate::control::Control;
use crate::demos::{DemoError, Env};
use crate::measure::{self, WarmUp};
use crate::params::{Choice, Params};
use crate::pool::{run_threads, Where};
use crate::sync::{Arc, Mutex};

/// Warms every thread on the code of a request and a ring's round trip.
fn warm(place: Where, k: usize, ctl: &Control) -> Result<WarmUp, DemoError> {
    Ok(measure::warm_up(place, k, ctl, || {
        let conn = Conn::new(None);
        for line in ["0 0 echo warm", "0 1 calc (2 + 3) * 4", "0 2 fib 12"] {
            conn.up.write_all(line.as_bytes());
            let mut buf = [0u8; 64];
            let _ = conn.up.read(&mut buf, false);
            std::hint::black_box(handle(line));
        }
        Ok(())
    })?)
}

/// Each point of the sweep runs this long at most.
pub const SWEEP_MS: f64 = 400.0;

/// One load test: which server, how many clients, what they send, for how long.
#[derive(Debug, Clone, Copy)]
struct Setup {
    variant: Variant,
    load: Load,
    plan: Plan,
    clients: usize,
    duration: f64,
}

impl Setup {
    /// Pool workers the test takes: every client, and one server thread (one per client for
    /// a thread per connection).
    fn threads(&self) -> usize {
        self.clients + if self.variant == Variant::Threads { self.clients } else { 1 }
    }
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let variant = p.pick::<Variant>("server");
    let load = p.pick::<Load>("load");
    let clients = p.int("clients") as usize;
    let duration = p.int("duration") as f64;
    let n = p.int("fib") as u32;
    let plan = match load {
        Load::Mixed => Plan::Mixed,
        Load::Fib => Plan::Fib { n, fib_from_ms: duration / 3.0 },
    };
    if env.pool_threads == 0 {
        // The registry refuses this before the run (check_threads); a caller that skipped it
        // gets the same words.
        return Err(DemoError::Invalid(vec![crate::params::ParamError { param: String::new(), message: NEEDS_POOL.into() }]));
    }
    let main = Setup { variant, load, plan, clients, duration };
    let (mut points, mut skipped) = (Vec::new(), Vec::new());
    if p.on("sweep") {
        for v in Variant::ALL.iter().copied() {
            for c in 1..=clients {
                let s = Setup { variant: v, load: Load::Mixed, plan: Plan::Mixed, clients: c, duration: duration.min(SWEEP_MS) };
                if s.threads() > env.pool_threads as usize {
                    skipped.push(format!("{} at {c} clients needs {} workers, and the pool has {}", v.word(), s.threads(), env.pool_threads));
                } else {
                    points.push(s);
                }
            }
        }
    }
    ctl.begin((main.threads() + points.iter().map(Setup::threads).sum::<usize>()) as u32);
    let mut o = load_test(&main, env, ctl)?;
    if p.on("sweep") {
        let mut done = Vec::new();
        for s in &points {
            let r = load_test(s, env, ctl)?;
            done.push(SweepPoint {
                server: s.variant,
                clients: s.clients as u32,
                threads_used: r.threads_used,
                requests: r.requests,
                answered: r.answered,
                exactly_once: r.exactly_once,
                rps: r.rps,
                p50_ms: r.latency_ms.p50,
                p99_ms: r.latency_ms.p99,
            });
        }
        o.sweep = Some(Sweep { duration_ms: duration.min(SWEEP_MS), points: done, skipped });
    }
    Ok(o)
}

/// Runs one load test on `s.threads()` pool workers, all alive at once: the server's threads
/// first, then the clients, warmed up first.
fn load_test(s: &Setup, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let Setup { variant, load, plan, clients: c, duration } = *s;
    let servers = if variant == Variant::Threads { c } else { 1 };
    let k = s.threads();
    let place = Where::Pool(k);
    let warm_up = warm(place, k, ctl)?;

    let readiness = Arc::new(Readiness::default());
    let conns: Vec<Conn> = (0..c).map(|_| Conn::new((variant == Variant::Reactor).then(|| Arc::clone(&readiness)))).collect();
    let logs: Mutex<Vec<Option<ClientLog>>> = Mutex::new(vec![None; c]);
    let served: Mutex<Vec<u64>> = Mutex::new(vec![0; c]);
    let reactor_loop: Mutex<Option<Loop>> = Mutex::new(None);
    let run = run_threads(place, k, ctl, |i, rec| {
        let origin = rec.origin();
        if i < servers {
            // The server's threads: 0 for blocking and reactor, one per connection for threads.
            match variant {
                Variant::Blocking => {
                    let counts: Vec<u64> = conns.iter().map(serve::serve_one).collect();
                    *served.lock().unwrap_or_else(|e| e.into_inner()) = counts;
                }
                Variant::Threads => {
                    let n = serve::serve_one(&conns[i]);
                    served.lock().unwrap_or_else(|e| e.into_inner())[i] = n;
                }
                Variant::Reactor => {
                    let (lp, counts) = serve::reactor(&conns, &readiness, origin);
                    *served.lock().unwrap_or_else(|e| e.into_inner()) = counts;
                    *reactor_loop.lock().unwrap_or_else(|e| e.into_inner()) = Some(lp);
                }
            }
            Ok(())
        } else {
            let me = i - servers;
            let log = client(me, &conns[me], plan, origin, duration, ctl)?;
            logs.lock().unwrap_or_else(|e| e.into_inner())[me] = Some(log);
            Ok(())
        }
    })?;
    let logs: Vec<ClientLog> = logs.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().map(|l| l.expect("every client reported")).collect();
    let served = served.into_inner().unwrap_or_else(|e| e.into_inner());
    let reactor = reactor_loop.into_inner().unwrap_or_else(|e| e.into_inner());
    let wraps = conns.iter().map(|c| c.up.wraps() + c.down.wraps()).sum();
    Ok(outcome(variant, load, plan, c, duration, run.threads_used() as u32, warm_up, &logs, &served, reactor, wraps, env))
}
