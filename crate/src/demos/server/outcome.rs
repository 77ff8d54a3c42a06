//! What a load test found: the figures each client kept, put together into the outcome the
//! page shows (per client, latency, the fib experiment, the sweep) and the words explaining it.

use super::load::{quantile, ClientLog};
use super::{Loop, Load, Plan, Variant, BINS};
use crate::demos::Env;
use crate::measure::WarmUp;
use serde::Serialize;

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

/// The requests answered between `from` and `to` ms, per second.
fn rate_between(done: &[f64], from: f64, to: f64) -> Option<f64> {
    (to > from).then(|| done.iter().filter(|&&t| t >= from && t < to).count() as f64 / ((to - from) / 1000.0))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn outcome(variant: Variant, load_kind: Load, plan: Plan, c: usize, duration: f64, threads_used: u32, warm_up: WarmUp, logs: &[ClientLog], served: &[u64], reactor: Option<Loop>, wraps: u64, env: Env) -> Outcome {
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
