//! Chapter 5, concurrent web requests: the book's status pages (200, 400, 404, 408, 500 and
//! 524) fetched one after another, with one thread per URL, on a pool of k threads, and from
//! one thread with `fetch` (async), against a status server built into the site
//! ([`status`]). The requests are real: pool threads block in a synchronous XMLHttpRequest
//! (through [`crate::http::Transport`]), so "one thread per request" literally means threads
//! waiting on I/O together ([`modes`]). A client timeout ends the client's wait, not the
//! server's work: the server's log says when it finished anyway.
//!
//! The simulated server ([`sim`]) runs the same plan on a virtual clock: the same view,
//! deterministic, for a page where no service worker can answer the route. The step-through
//! ([`steps`]) lets the learner choose the order: clients, server threads and the joining main.

mod explain;
#[cfg(not(target_arch = "wasm32"))]
pub mod local;
mod modes;
mod sim;
pub mod status;
mod steps;
mod summary;
// Native only: the tests answer requests with the in-process server (local.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use summary::Summary;

use super::{DemoError, Env};
use crate::control::Control;
use crate::demos::Demo;
use crate::http::Transport;
use crate::demos::stepper::Fit;
use crate::live::Feed;
use crate::params::{Caps, Choice, DemoSpec, Kind, ParamError, ParamSpec, Params, Switch, Threads};
use crate::sched::Program;
use serde::Serialize;
use status::{Planned, MAX_REQUESTS, SLEEP_MAX_MS};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "requests/"))]
    /// How the requests are sent.
    pub enum Mode {
        /// One after another on the engine thread.
        Sequential = "sequential",
        /// One pool thread per URL, all started together.
        Threads = "threads",
        /// k pool threads taking the next URL until none are left.
        Pool = "pool",
        /// Every request at once from one thread: `fetch` with `AbortSignal.timeout`.
        Async = "async",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "requests/"))]
    /// Who answers.
    pub enum Server {
        /// The site's status route, over the browser's network stack.
        Real = "real",
        /// The same plan on a virtual clock: nothing is sent.
        Simulated = "simulated",
    }
}


pub const SPEC: DemoSpec = DemoSpec {
    id: "requests",
    chapter: 5,
    also: &[],
    nav: "Web requests",
    title: "Concurrent web requests",
    summary: "Fetch status pages from a server built into this site, one after another, with one thread per URL, on a pool of k threads, or from one thread with fetch: real requests from real threads, each waiting on I/O.",
    params: &[
        ParamSpec {
            name: "mode",
            label: "Mode",
            help: "sequential: one after another; threads: one thread per URL; pool: k threads share the URLs; async: fetch from one thread",
            kind: Kind::Choice { values: Mode::WORDS },
            default: "threads",
        },
        ParamSpec {
            name: "codes",
            label: "Status codes",
            help: "One request per code, separated by commas (200, 201, 202, 400, 401, 403, 404, 408, 418, 429, 500, 502, 503, 504, 524)",
            kind: Kind::List { min: 100.0, max: 599.0, items: MAX_REQUESTS },
            default: "200,400,404,408,500,524",
        },
        ParamSpec { name: "sleep", label: "Server wait (ms)", help: "How long the server waits before each answer", kind: Kind::Int { min: 0, max: SLEEP_MAX_MS as i64 }, default: "100" },
        ParamSpec { name: "jitter", label: "Jitter (ms)", help: "At most this much more per answer, the same on every run with the same seed", kind: Kind::Int { min: 0, max: status::JITTER_MAX_MS as i64 }, default: "40" },
        ParamSpec { name: "seed", label: "Seed", help: "Chooses the jitter of each answer", kind: Kind::Int { min: 0, max: 999_999 }, default: "1" },
        ParamSpec {
            name: "slow",
            label: "Slow URL (ms)",
            help: "One more request for 200 whose answer waits this long (the book's: 20000); 0 = none",
            kind: Kind::Int { min: 0, max: SLEEP_MAX_MS as i64 },
            default: "0",
        },
        ParamSpec { name: "timeout", label: "Client timeout (ms)", help: "How long a client waits for an answer before it gives up", kind: Kind::Int { min: 100, max: 30_000 }, default: "10000" },
        ParamSpec { name: "workers", label: "Pool threads (k)", help: "Threads of the pool mode", kind: Kind::Int { min: 1, max: 16 }, default: "3" },
        ParamSpec {
            name: "server",
            label: "Server",
            help: "real: the site's status route; simulated: the same plan on a virtual clock, nothing sent",
            kind: Kind::Choice { values: Server::WORDS },
            default: "real",
        },
        ParamSpec {
            name: "hold",
            label: "Rendezvous",
            help: "on: the server holds every answer until all requests of the run have arrived, which proves they were in flight together",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "off",
        },
        ParamSpec {
            name: "compare",
            label: "Also sequentially",
            help: "on: after a concurrent run, send the same requests one after another too, for the sequential time",
            kind: Kind::Choice { values: Switch::WORDS },
            default: "on",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: true,
        live: false,
        threads: Threads::ByChoice {
            choice: "mode",
            cases: &[("pool", Threads::Sum { inputs: &["workers"], extra: 0, what: "pool threads (k)", why: "", needs_pool: None })],
        },
        no_pool: None,
    },
};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "requests/"))]
    /// How a request ended: `ok` for any HTTP answer (a 500 is an answer), `timeout` when
    /// the client gave up first, `error` when nothing came back.
    pub enum Ended { Ok = "ok", Timeout = "timeout", Error = "error" }
}

/// One request of a run, as the client and the server saw it. Times are milliseconds from
/// the run's start; every request is queued from 0 until `start_ms`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "requests/"))]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub n: u32,
    pub url: String,
    /// The status asked for.
    pub asked: u16,
    /// The status that came back; `None` when none did.
    pub code: Option<u16>,
    pub reason: Option<&'static str>,
    pub outcome: Ended,
    pub start_ms: f64,
    pub end_ms: f64,
    /// The thread that sent it: 0 the engine thread, `i + 1` pool thread `i`.
    pub lane: u32,
    /// How long the server waited before its answer (as planned, for one the client gave up on).
    pub server_sleep_ms: u32,
    /// When the server finished with it, from its log (after `end_ms` for a timeout: the
    /// server kept working after the client left).
    pub server_done_ms: Option<f64>,
    pub error: Option<String>,
}

/// One run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "requests/"))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub mode: Mode,
    pub server: Server,
    pub requests: Vec<Request>,
    pub wall_ms: f64,
    /// The same requests one after another: this run's wall time in sequential mode, a
    /// second pass when `compare` is on, the sum on the virtual clock.
    pub sequential_ms: Option<f64>,
    /// Why there is no sequential time.
    pub sequential_skipped: Option<&'static str>,
    /// Distinct threads that sent requests (1 for sequential and async).
    pub threads_used: usize,
    /// The lanes that sent requests, ascending.
    pub lanes: Vec<u32>,
    pub timeout_ms: u32,
    /// Who answered the route (`service-worker`, `serve.mjs`, `in-process`, `virtual clock`).
    pub answered_by: Vec<String>,
    pub explanation: String,
}

/// What a compute answers: the URLs a run would fetch and how long each answer waits.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "requests/"))]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub url: String,
    pub code: u16,
    pub sleep_ms: u32,
}

/// The requests of a run with these inputs, `run` naming it on the server.
pub fn plan(p: &Params, run: &str) -> Result<Vec<Planned>, DemoError> {
    let codes = &p.list("codes").numbers;
    let unknown: Vec<String> = codes.iter().filter(|c| c.fract() != 0.0 || status::reason(**c as u16).is_none()).map(|c| c.to_string()).collect();
    if !unknown.is_empty() {
        let known: Vec<String> = status::CODES.iter().map(|(c, _)| c.to_string()).collect();
        let message = format!("codes: the server answers {}; it does not know {}", known.join(", "), unknown.join(", "));
        return Err(DemoError::Invalid(vec![ParamError { param: "codes".into(), message }]));
    }
    let (sleep, jitter, seed, slow) = (p.int("sleep") as u32, p.int("jitter") as u32, p.int("seed") as u32, p.int("slow") as u32);
    let mut asked: Vec<(u16, u32, u32)> = codes.iter().map(|&c| (c as u16, sleep, jitter)).collect();
    if slow > 0 {
        if asked.len() == MAX_REQUESTS {
            let message = format!("codes: a run sends at most {MAX_REQUESTS} requests, and the slow URL is one more; remove a code or set slow to 0");
            return Err(DemoError::Invalid(vec![ParamError { param: "codes".into(), message }]));
        }
        asked.push((200, slow, 0));
    }
    let hold = if p.on("hold") { asked.len() } else { 0 };
    Ok(asked
        .into_iter()
        .enumerate()
        .map(|(i, (code, sleep, jitter))| {
            let n = i as u32;
            Planned { n, code, url: status::url(code, sleep, jitter, seed, n, run, hold), sleep_ms: status::server_sleep(sleep, jitter, seed, n) }
        })
        .collect())
}

/// A real run needs threads the page may not have: refused with a sentence, before anything is sent.
fn check_pool(p: &Params, env: Env, count: usize) -> Result<(), DemoError> {
    let mode = p.pick::<Mode>("mode");
    let refuse = |param: &str, message: String| Err(DemoError::Invalid(vec![ParamError { param: param.into(), message }]));
    if p.pick::<Server>("server") == Server::Simulated {
        return Ok(());
    }
    match mode {
        Mode::Sequential => Ok(()),
        Mode::Threads | Mode::Pool | Mode::Async if env.pool_threads == 0 => refuse(
            "mode",
            format!(
                "mode {}: this page has no pool of threads (it is not cross-origin isolated), so only sequential requests are real here; choose sequential, or the simulated server",
                mode.word()
            ),
        ),
        Mode::Threads if count > env.pool_threads as usize => refuse(
            "codes",
            format!("one thread per URL needs {count} pool threads, and the engine's pool has {}: fewer codes, or the pool mode", env.pool_threads),
        ),
        _ => Ok(()),
    }
}

/// A token that names one run on the server (its rendezvous and its log).
fn token() -> String {
    use crate::sync::{AtomicU32, Ordering::Relaxed};
    static RUNS: AtomicU32 = AtomicU32::new(0);
    // The clock tells this engine's runs from an earlier engine's; the counter, runs apart.
    format!("r{}-{}", crate::clock::now_ms() as u64, RUNS.fetch_add(1, Relaxed))
}

pub fn run_with(p: &Params, env: Env, ctl: &Control, transport: &dyn Transport) -> Result<Outcome, DemoError> {
    let server = p.pick::<Server>("server");
    let run = if server == Server::Simulated { "sim".to_string() } else { token() };
    let planned = plan(p, &run)?;
    check_pool(p, env, planned.len())?;
    let (mode, timeout, workers) = (p.pick::<Mode>("mode"), p.int("timeout") as u32, p.int("workers") as usize);
    let mut o = match server {
        Server::Simulated => sim::simulate(&planned, mode, workers, timeout),
        Server::Real => {
            let compare = p.on("compare");
            let hold = p.on("hold");
            modes::real(&planned, mode, workers, timeout, compare, hold, &run, ctl, transport)?
        }
    };
    o.explanation = explain::explanation(&o);
    Ok(o)
}

pub struct RequestsDemo;

impl Demo for RequestsDemo {
    type Computed = Vec<PlanView>;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Vec<PlanView>, DemoError> {
        Ok(plan(p, "")?.into_iter().map(|r| PlanView { url: r.url, code: r.code, sleep_ms: r.sleep_ms }).collect())
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        #[cfg(target_arch = "wasm32")]
        let transport = crate::http::browser();
        #[cfg(not(target_arch = "wasm32"))]
        let transport = local::server();
        run_with(p, env, ctl, transport)
    }

    fn summary(&self, p: &Params, computed: Option<&Vec<PlanView>>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }

    fn step(&self, fit: &mut Fit) -> Option<(Program, &'static str)> {
        Some(steps::story(fit))
    }
}
