//! Chapter 18: a server from scratch, under real load. Clients on pool workers send echo,
//! calculator and Fibonacci requests over simulated sockets ([`ring`]: a connection is two
//! byte rings in the shared memory) to one of three servers:
//!
//! - `blocking`: one thread serving one connection at a time, to its end (the book's echo
//!   and calculator servers); the other clients wait, connected but unserved;
//! - `threads`: a thread per connection, each on a pool worker of its own;
//! - `reactor`: one thread over every connection, asking each turn which are ready as
//!   `select()` does, with a small state machine per connection (the book's reactor with
//!   generators as callbacks).
//!
//! The run lasts `duration` ms, then every client stops sending, closes its end and reads on
//! to end of file; every run stops by itself. Each client checks each reply against its own
//! expected value, so "answered" means answered once, to the right request, correctly.

mod calc;
mod load;
mod ring;
mod serve;
mod steps;
mod summary;
#[cfg(test)]
mod tests;

pub use load::{fib_table, Plan};
pub use serve::{fib, handle, Loop, Tick};
pub use summary::Summary;

use super::{DemoError, Env};
use crate::control::Control;
use crate::demos::{stepper::Fit, Demo};
use crate::live::Feed;
use crate::measure::{self, WarmUp};
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamSpec, Params, Switch, Threads};
use crate::pool::{run_threads, Where};
use crate::sched::Program;
use crate::sync::{Arc, Mutex};
use load::{client, quantile, ClientLog};
use ring::{Conn, Readiness};
use serde::Serialize;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "server/"))]
    /// How the server serves its connections.
    pub enum Variant { Blocking = "blocking", Threads = "threads", Reactor = "reactor" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "server/"))]
    /// What the clients send.
    pub enum Load { Mixed = "mixed", Fib = "fib" }
}

/// Bins of the fast-requests-per-second timeline.
pub const BINS: usize = 20;

const NEEDS_POOL: &str = "the clients and the server block on their sockets, so each needs a thread of its own, which needs a cross-origin isolated page; the step-through shows the same servers";
const EACH: &str = ", and each client and each server thread needs one of its own";

pub const SPEC: DemoSpec = DemoSpec {
    id: "server",
    chapter: 18,
    also: &[],
    nav: "A server from scratch",
    title: "A server from scratch",
    summary: "Clients on real threads send echo, calculator and Fibonacci requests over simulated sockets to a blocking server, a thread per connection, or a select() reactor: requests per second, latency percentiles, the ready set of every loop turn, and what one fib(30) does to everyone else.",
    params: &[
        ParamSpec {
            name: "server",
            label: "Server",
            help: "blocking: one connection at a time; threads: a thread per connection; reactor: one thread polling every connection, as select() does",
            kind: Kind::Choice { values: Variant::WORDS },
            default: "reactor",
        },
        ParamSpec { name: "clients", label: "Clients", help: "Client threads, each with one connection", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        ParamSpec {
            name: "load",
            label: "Load",
            help: "mixed: every client cycles through echo, calc and fib(18); fib: client 1 switches to fib(n) a third of the way in, the others send fast requests",
            kind: Kind::Choice { values: Load::WORDS },
            default: "mixed",
        },
        ParamSpec { name: "fib", label: "fib(n)", help: "The slow request of the fib load: the book's recursive fib, fib(30) is 1.6 million calls", kind: Kind::Int { min: 20, max: 35 }, default: "30" },
        ParamSpec { name: "duration", label: "Duration (ms)", help: "How long the clients send; then they stop and wait for their last replies", kind: Kind::Int { min: 100, max: 5000 }, default: "1000" },
        ParamSpec {
            name: "sweep",
            label: "Sweep",
            help: "on: after the run, every server at 1 to the chosen number of clients, the mixed load, 400 ms each (those the pool has room for)",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "off",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::ByChoice {
            choice: "server",
            cases: &[
                ("blocking", Threads::Sum { inputs: &["clients"], extra: 1, what: "clients + 1 server thread", why: EACH, needs_pool: Some(NEEDS_POOL) }),
                ("threads", Threads::Sum { inputs: &["clients", "clients"], extra: 0, what: "clients + one server thread per client", why: EACH, needs_pool: Some(NEEDS_POOL) }),
                ("reactor", Threads::Sum { inputs: &["clients"], extra: 1, what: "clients + 1 reactor thread", why: EACH, needs_pool: Some(NEEDS_POOL) }),
            ],
        },
        no_pool: None,
    },
};

/// One client's figures.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PerClient {
    pub client: u32,
    pub requests: u64,
    pub answered: u64,
    pub wrong: u64,
    /// Replies to no request in flight (a reply sent twice would count here).
    pub stray: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Requests the server side counted for this connection.
    pub served: u64,
    /// This client sent the slow `fib(n)` of the fib load.
    pub slow: bool,
}

#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// The fast requests per second before client 1 turned to `fib(n)`, and while it was at it.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FibExperiment {
    pub n: u32,
    /// When client 1 sent its first `fib(n)`, ms from the start line; `None` if it never got to.
    pub from_ms: Option<f64>,
    pub slow_answered: u64,
    pub fast_rps_before: Option<f64>,
    pub fast_rps_during: Option<f64>,
    /// Fast replies that arrived while a `fib(n)` request was in flight (strictly between its
    /// send and its reply): with a thread per connection they go on; a reactor can answer
    /// only those it had read before it began the fib.
    pub fast_inside_slow: u64,
    /// (start, end) of each `fib(n)` request, ms.
    pub slow_spans: Vec<(f64, f64)>,
}

#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub server: Variant,
    pub load: Load,
    pub clients: u32,
    pub duration_ms: u32,
    pub threads_used: u32,
    pub warm_up: WarmUp,
    pub requests: u64,
    pub answered: u64,
    pub wrong: u64,
    pub stray: u64,
    /// Every request answered once, rightly: `answered == requests`, nothing wrong or stray,
    /// and the server's own count the same.
    pub exactly_once: bool,
    /// Answered requests per second, from the start line to the last reply.
    pub rps: f64,
    pub elapsed_ms: f64,
    pub latency_ms: Latency,
    pub per_client: Vec<PerClient>,
    /// Fast requests answered in each of [`BINS`] equal slices of the run, per second.
    pub fast_rps_bins: Vec<f64>,
    pub bin_ms: f64,
    pub fib: Option<FibExperiment>,
    /// The reactor's loop turns and ready sets (`None` for the other servers).
    pub reactor: Option<Loop>,
    /// Times a ring's read or write wrapped around its end.
    pub wraps: u64,
    /// With `sweep` on: every server at 1 to `clients` clients.
    pub sweep: Option<Sweep>,
    pub explanation: String,
}

/// The requests answered between `from` and `to` ms, per second.
fn rate_between(done: &[f64], from: f64, to: f64) -> Option<f64> {
    (to > from).then(|| done.iter().filter(|&&t| t >= from && t < to).count() as f64 / ((to - from) / 1000.0))
}

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

/// One point of the sweep: a server at a number of clients, the mixed load.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepPoint {
    pub server: Variant,
    pub clients: u32,
    pub threads_used: u32,
    pub requests: u64,
    pub answered: u64,
    pub exactly_once: bool,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The sweep: every server at 1 to `clients` clients, for [`SWEEP_MS`] each.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    pub duration_ms: f64,
    pub points: Vec<SweepPoint>,
    /// Points the pool is too small for, in words.
    pub skipped: Vec<String>,
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

#[allow(clippy::too_many_arguments)]
fn outcome(variant: Variant, load_kind: Load, plan: Plan, c: usize, duration: f64, threads_used: u32, warm_up: WarmUp, logs: &[ClientLog], served: &[u64], reactor: Option<Loop>, wraps: u64, env: Env) -> Outcome {
    let all: Vec<f64> = logs.iter().flat_map(|l| l.latencies.iter().copied()).collect();
    let fast: Vec<f64> = logs.iter().flat_map(|l| l.fast_done.iter().copied()).collect();
    let last = logs.iter().flat_map(|l| l.fast_done.iter().chain(l.slow.iter().map(|s| &s.1))).fold(0.0f64, |a, &b| a.max(b));
    let elapsed_ms = last.max(1e-3);
    let (requests, answered) = (logs.iter().map(|l| l.sent).sum::<u64>(), logs.iter().map(|l| l.answered).sum::<u64>());
    let (wrong, stray) = (logs.iter().map(|l| l.wrong).sum::<u64>(), logs.iter().map(|l| l.stray).sum::<u64>());
    let exactly_once = answered == requests && wrong == 0 && stray == 0 && served.iter().sum::<u64>() == requests;
    let per_client: Vec<PerClient> = logs
        .iter()
        .enumerate()
        .map(|(i, l)| PerClient {
            client: i as u32 + 1,
            requests: l.sent,
            answered: l.answered,
            wrong: l.wrong,
            stray: l.stray,
            p50_ms: quantile(&l.latencies, 0.5),
            p99_ms: quantile(&l.latencies, 0.99),
            served: served[i],
            slow: !l.slow.is_empty(),
        })
        .collect();
    let bin_ms = elapsed_ms / BINS as f64;
    let fast_rps_bins = (0..BINS).map(|b| rate_between(&fast, b as f64 * bin_ms, (b + 1) as f64 * bin_ms + if b == BINS - 1 { 1e-9 } else { 0.0 }).unwrap_or(0.0)).collect();
    let fib = match plan {
        Plan::Fib { n, .. } => {
            let spans = logs[0].slow.clone();
            let from = spans.first().map(|s| s.0);
            let until = spans.last().map(|s| s.1);
            Some(FibExperiment {
                n,
                from_ms: from,
                slow_answered: spans.len() as u64,
                fast_rps_before: from.and_then(|f| rate_between(&fast, 0.0, f)),
                fast_rps_during: from.zip(until).and_then(|(f, u)| rate_between(&fast, f, u)),
                fast_inside_slow: fast.iter().filter(|&&t| spans.iter().any(|&(a, b)| t > a && t < b)).count() as u64,
                slow_spans: spans,
            })
        }
        Plan::Mixed => None,
    };
    let latency_ms = Latency { p50: quantile(&all, 0.5), p99: quantile(&all, 0.99), max: quantile(&all, 1.0) };
    let rps = answered as f64 / (elapsed_ms / 1000.0);
    let explanation = explain(variant, c, &per_client, fib.as_ref(), reactor.as_ref(), env, exactly_once);
    Outcome {
        server: variant,
        load: load_kind,
        clients: c as u32,
        duration_ms: duration as u32,
        threads_used,
        warm_up,
        requests,
        answered,
        wrong,
        stray,
        exactly_once,
        rps,
        elapsed_ms,
        latency_ms,
        per_client,
        fast_rps_bins,
        bin_ms,
        fib,
        reactor,
        wraps,
        sweep: None,
        explanation,
    }
}

fn explain(variant: Variant, c: usize, per: &[PerClient], fib: Option<&FibExperiment>, lp: Option<&Loop>, env: Env, once: bool) -> String {
    let mut parts = Vec::new();
    match variant {
        Variant::Blocking if c > 1 => {
            let later: u64 = per.iter().skip(1).map(|p| p.answered).sum();
            parts.push(format!(
                "The blocking server served client 1 to the end before it read a byte from anyone else: clients 2 to {c} each sent one request and waited the whole run for it ({later} answers between them, each after the clients before it had gone)."
            ));
        }
        Variant::Blocking => parts.push("With one client, the blocking server is as good as any: it never has two connections to choose between.".into()),
        Variant::Threads => parts.push(format!(
            "A thread per connection: {c} server threads, each blocked on its own connection's read until a request came, on {} cores.",
            env.cores
        )),
        Variant::Reactor => {
            if let Some(lp) = lp {
                let multi: u64 = lp.by_size.iter().skip(2).sum();
                parts.push(format!(
                    "One reactor thread served all {c} connections: {} turns of its loop found something ready ({} of them more than one connection at once), and {} times it slept in select() because nothing was.",
                    crate::sched::explore::grouped(u128::from(lp.ticks)),
                    crate::sched::explore::grouped(u128::from(multi)),
                    crate::sched::explore::grouped(u128::from(lp.sleeps))
                ));
            }
        }
    }
    if let Some(f) = fib {
        match (f.fast_rps_before, f.fast_rps_during) {
            (Some(b), Some(d)) => parts.push(format!(
                "The fib({}) experiment: the other clients' fast requests went at {} per second before client 1 asked for fib({}), and {} per second while it did{}.",
                f.n,
                crate::sched::explore::grouped(b.round() as u128),
                f.n,
                crate::sched::explore::grouped(d.round() as u128),
                match variant {
                    Variant::Reactor => ": the reactor computes each fib inline, and no other connection is served meanwhile. The book's remedy is to hand such work to a pool (run_in_executor) and go on looping",
                    Variant::Threads => ": each connection has its own thread, so fib takes one core and the others go on",
                    Variant::Blocking => "",
                }
            )),
            _ => parts.push(format!("Client 1 never got to send fib({}) in this run (the server was busy with others, or the run too short).", f.n)),
        }
    }
    parts.push(if once {
        "Every request was answered exactly once, with the right value, as each client checked.".into()
    } else {
        "Not every request was answered exactly once: see the per-client table.".into()
    });
    parts.join(" ")
}

/// Chapter 18's demo in the registry.
pub struct ServerDemo;

impl Demo for ServerDemo {
    type Computed = ();
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, _p: &Params, _ctl: &Control, _ticket: u32) -> Result<(), DemoError> {
        Ok(())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, _computed: Option<&()>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}
