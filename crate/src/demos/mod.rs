//! The demos, one folder each (`demos/<id>/`), each one [`Demo`], listed once in the
//! registry below. Nothing outside a demo's folder names it: the entry points here
//! ([`compute_for`], [`run_as`], [`stepper::view`], [`schema`]) find a demo by its id in the
//! registry and call it through [`Entry`].
//!
//! Results are serialisable values: the bindings turn them into JS values for the page, and
//! native tests read them as JSON. With every result comes its summary, the numbers the
//! learner sees, which the page puts in its `data-result` attribute for tests and embeds.

mod demo;
pub mod stepper;

pub use demo::{Computed, Demo, Entry, Erased, Ran};

use crate::control::{Cancelled, Control, Standing};
use crate::live::Feed;
use crate::params::{self, DemoSpec, ParamError, Params};
use crate::pool::Stopped;
use serde::Serialize;
use std::fmt;

/// Declares the demo modules and lists them, in book order, as [`REGISTRY`]. Adding a demo
/// is its folder and one line here: `module in "engine" => the value that implements Demo`.
///
/// The engine is the wasm build that runs the demo (see [`ENGINES`]): a page downloads only
/// the engine of the demo it shows. Every build knows every demo's spec (the list of
/// chapters needs them all), but only the demos of its own engine are built into it: the
/// others' code is never referenced, so the linker leaves it out. A native build (and a test
/// build) has every engine's feature, so it has every demo.
macro_rules! registry {
    ($($module:ident in $engine:literal => $demo:expr,)*) => {
        $(pub mod $module;)*
        /// Every demo, in book order.
        pub static REGISTRY: &[Listed] = &[$(Listed {
            spec: &$module::SPEC,
            engine: $engine,
            #[cfg(feature = $engine)]
            entry: Some(&$demo),
            #[cfg(not(feature = $engine))]
            entry: None,
        }),*];
    };
}

registry! {
    concurrency in "primitives" => concurrency::ConcurrencyDemo,
    amdahl in "primitives" => amdahl::AmdahlDemo,
    threads in "primitives" => threads::ThreadsDemo,
    lock in "primitives" => lock::LockDemo,
    queue in "primitives" => queue::QueueDemo,
    pool in "primitives" => pool::PoolDemo,
    guard in "primitives" => guard::GuardDemo,
    requests in "io" => requests::RequestsDemo,
    processes in "io" => processes::ProcessesDemo,
    reduction in "data" => reduction::ReductionDemo,
    images in "data" => images::ImagesDemo,
    eventloop in "async" => eventloop::EventLoopDemo,
    deadlock in "hazards" => deadlock::DeadlockDemo,
    starvation in "hazards" => starvation::StarvationDemo,
    race in "primitives" => race::RaceDemo,
    gil in "memory" => gil::GilDemo,
    structures in "memory" => structures::StructuresDemo,
    atomics in "memory" => atomics::AtomicsDemo,
    server in "async" => server::ServerDemo,
    explorer in "hazards" => explorer::ExplorerDemo,
    scheduler in "async" => scheduler::SchedulerDemo,
}

/// One line of the registry: a demo's spec, the engine that runs it, and the demo itself when
/// this build is that engine.
pub struct Listed {
    pub spec: &'static DemoSpec,
    pub engine: &'static str,
    pub entry: Option<&'static dyn Entry>,
}

/// The wasm engines, each a cargo feature of the same name (crate/Cargo.toml): threads,
/// locks, queues, pools and measuring (chapters 1-4 and 14) in `primitives`; the long-running
/// hazards, deadlocks and starvation with their watchdogs and lock policies (chapters 12 and
/// 13), in `hazards`, with chapter 19's explorer, which tries every interleaving of their
/// programs (with its schedule fuzzer it took `primitives`' first visit to 311 KB, past the
/// 300 KB budget; `hazards`' first visits went from 240 KB to 290 KB); the demos that reach outside the
/// engine (threads blocked in the browser's network stack, worker processes of their own:
/// chapters 5 and 6) in `io`, whose engine worker carries what they need
/// (www/src/engine/io.ts); data parallelism, reductions and image filters over one shared
/// buffer (chapters 7 and 8), in `data`; the event loop of chapters 9-11, which runs on the
/// engine worker's own thread and offloads work to the pool, in `async` (in `io` it took that
/// engine's first visit from 279 KB to 310 KB), chapter 18's server (a `select()` reactor is an
/// event loop over sockets; 31 KB of wasm gzipped), and chapter 19's scheduler, another program on a
/// virtual and a real clock (in `primitives` it took that engine from 251 KB to 270 KB of
/// wasm gzipped, past the first visit's budget; `async` went from 179 KB to 202 KB); the GIL, concurrent data structures and
/// memory models of chapters 15-17, in `memory`. Split because one engine with every demo
/// passed what a first visit may download. The explorer shares an engine with the demos whose runs
/// the page may queue behind one of its explorations.
pub const ENGINES: &[&str] = &["primitives", "hazards", "io", "data", "async", "memory"];

/// What the host offers a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Env {
    /// Logical cores reported by the host (`navigator.hardwareConcurrency`).
    pub cores: u32,
    /// Threads in the pool; 0 when there is none (a page that is not cross-origin isolated).
    pub pool_threads: u32,
}

/// Why a demo gave no result.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoError {
    UnknownDemo(String),
    Invalid(Vec<ParamError>),
    Cancelled,
    /// Cancelled before it began: nothing ran.
    CancelledBeforeStart,
    /// A newer compute of the page replaced this one (see `control.rs`, "Latest wins").
    Superseded,
    /// The demo is built into another engine than this one.
    Elsewhere { id: &'static str, engine: &'static str },
}

impl From<Cancelled> for DemoError {
    fn from(_: Cancelled) -> Self {
        DemoError::Cancelled
    }
}

/// A run whose threads could not all start is refused, never run on fewer threads.
impl From<Stopped> for DemoError {
    fn from(s: Stopped) -> Self {
        match s {
            Stopped::Cancelled => DemoError::Cancelled,
            Stopped::Short { arrived, asked } => DemoError::Invalid(vec![ParamError {
                param: String::new(),
                message: format!(
                    "only {arrived} of the {asked} threads asked for could start together: the engine's other \
                     pool workers were busy, so nothing ran rather than running on fewer; try again"
                ),
            }]),
        }
    }
}

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::UnknownDemo(id) => {
                let ids: Vec<&str> = REGISTRY.iter().map(|d| d.spec.id).collect();
                write!(f, "there is no demo called \"{id}\"; the demos are {}", ids.join(", "))
            }
            DemoError::Invalid(errors) => {
                let msgs: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                f.write_str(&msgs.join("; "))
            }
            DemoError::Cancelled => f.write_str("the run was cancelled"),
            DemoError::CancelledBeforeStart => f.write_str("the run was cancelled before it started: nothing ran"),
            DemoError::Superseded => f.write_str("newer inputs replaced this computation"),
            DemoError::Elsewhere { id, engine } => write!(f, "the {id} demo runs in the {engine} engine, not in this one"),
        }
    }
}

impl std::error::Error for DemoError {}

/// What kind of failure an entry point reports to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    Invalid,
    UnknownDemo,
    Cancelled,
    /// A newer compute replaced this one (the page drops the answer).
    Superseded,
    Panic,
    /// Raised by the engine worker itself (a trap, no pool to measure), never by the core.
    Engine,
}

/// A failure as the page reads it: `{kind, message, errors}`, `errors` being the inputs to
/// mark beside their controls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, rename = "EngineError"))]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    #[cfg_attr(test, ts(optional))]
    pub errors: Option<Vec<ParamError>>,
}

impl From<&DemoError> for Failure {
    fn from(e: &DemoError) -> Self {
        let kind = match e {
            DemoError::UnknownDemo(_) | DemoError::Elsewhere { .. } => ErrorKind::UnknownDemo,
            DemoError::Invalid(_) => ErrorKind::Invalid,
            DemoError::Cancelled | DemoError::CancelledBeforeStart => ErrorKind::Cancelled,
            DemoError::Superseded => ErrorKind::Superseded,
        };
        let errors = match e {
            DemoError::Invalid(errs) => errs.clone(),
            _ => Vec::new(),
        };
        Failure { kind, message: e.to_string(), errors: Some(errors) }
    }
}

/// Demo `id`, if this engine runs it.
pub fn demo(id: &str) -> Result<&'static dyn Entry, DemoError> {
    let listed = listed(id)?;
    listed.entry.ok_or(DemoError::Elsewhere { id: listed.spec.id, engine: listed.engine })
}

fn listed(id: &str) -> Result<&'static Listed, DemoError> {
    REGISTRY.iter().find(|d| d.spec.id == id).ok_or_else(|| DemoError::UnknownDemo(shorten(id)))
}

/// The spec of demo `id` (every engine knows every spec).
pub fn spec(id: &str) -> Result<&'static DemoSpec, DemoError> {
    listed(id).map(|d| d.spec)
}

fn shorten(id: &str) -> String {
    let s: String = id.chars().take(32).collect();
    if s.len() < id.len() {
        format!("{s}…")
    } else {
        s
    }
}

/// Validates `raw` inputs for demo `id`.
pub fn validate(id: &str, raw: &[(String, String)]) -> Result<Params, DemoError> {
    params::validate(spec(id)?, raw).map_err(DemoError::Invalid)
}

/// What `compute` answers: the validated inputs, the keys it ignored, the instant value
/// (for Amdahl, the calculator and the curves; the explorer's whole result; `null` for
/// others), whether it was cancelled part-way, and the summary for `data-result`.
#[derive(Serialize)]
pub struct Answer {
    pub params: std::collections::BTreeMap<&'static str, params::Value>,
    pub ignored: Vec<String>,
    pub value: Erased,
    pub cancelled: bool,
    pub summary: Erased,
}

/// What `run` answers: the outcome the view draws, and the summary for `data-result`.
#[derive(Serialize)]
pub struct RunAnswer {
    pub outcome: Erased,
    pub summary: Erased,
}

/// The instant part of demo `id` (see [`Answer`]).
pub fn compute(id: &str, raw: &[(String, String)]) -> Result<Answer, DemoError> {
    compute_for(id, raw, &Control::new(), 0)
}

/// [`compute`] as the page asks for it: `ticket` is the page's id of a "latest wins" compute
/// (0 for none; see `control.rs`). One that the page replaced or cancelled while it waited in
/// the worker's queue is dropped here, unstarted; an exploration also stops part-way (and
/// reports its progress in `ctl`). `cancelled` says the value is what was found before a
/// Cancel.
pub fn compute_for(id: &str, raw: &[(String, String)], ctl: &Control, ticket: u32) -> Result<Answer, DemoError> {
    match ctl.standing(ticket) {
        Standing::Current => {}
        Standing::Superseded => return Err(DemoError::Superseded),
        Standing::Cancelled => return Err(DemoError::Cancelled),
    }
    let d = demo(id)?;
    let p = params::validate(d.spec(), raw).map_err(DemoError::Invalid)?;
    let c = d.compute(&p, ctl, ticket)?;
    Ok(Answer { ignored: p.ignored.clone(), params: p.values().clone(), value: c.value, cancelled: c.cancelled, summary: c.summary })
}

/// Attaches a picture the learner chose to demo `id` (see [`Demo::attach`]): `rgba` `None`
/// only checks its size.
pub fn attach_for(id: &str, width: u32, height: u32, rgba: Option<Vec<u8>>) -> Result<(), DemoError> {
    demo(id)?.attach(width, height, rgba)
}

/// [`run`] as the page's run number `run_id` (its request id): a run the page cancelled
/// before it began is refused before anything of it happens (see `control.rs`).
pub fn run_as(run_id: u32, id: &str, raw: &[(String, String)], env: Env, ctl: &Control, feed: &Feed) -> Result<RunAnswer, DemoError> {
    ctl.start_run(run_id).map_err(|Cancelled| DemoError::CancelledBeforeStart)?;
    run(id, raw, env, ctl, feed)
}

/// Runs demo `id` for real, reporting progress and honouring cancels through `ctl`, and
/// streaming events the page shows as they happen through `feed`. Its thread inputs are
/// checked against the host's pool first, the same way for every demo.
pub fn run(id: &str, raw: &[(String, String)], env: Env, ctl: &Control, feed: &Feed) -> Result<RunAnswer, DemoError> {
    let d = demo(id)?;
    let p = params::validate(d.spec(), raw).map_err(DemoError::Invalid)?;
    check_threads(d.spec(), &p, env)?;
    feed.clear();
    let r = d.run(&p, env, ctl, feed)?;
    Ok(RunAnswer { outcome: r.outcome, summary: r.summary })
}

/// [`run_as`] for a demo whose run the engine worker's host began (see `Demo::observe`):
/// `seen` is the host's report, read by the demo itself.
pub fn run_observed(run_id: u32, id: &str, raw: &[(String, String)], env: Env, ctl: &Control, seen: &mut dyn erased_serde::Deserializer) -> Result<RunAnswer, DemoError> {
    ctl.start_run(run_id).map_err(|Cancelled| DemoError::CancelledBeforeStart)?;
    let d = demo(id)?;
    let p = params::validate(d.spec(), raw).map_err(DemoError::Invalid)?;
    check_threads(d.spec(), &p, env)?;
    let r = d.observe(&p, env, ctl, seen)?;
    Ok(RunAnswer { outcome: r.outcome, summary: r.summary })
}

/// One message through a worker process of demo `id` (see `Demo::process`).
pub fn process_step(id: &str, msg: &mut dyn erased_serde::Deserializer) -> Result<Erased, DemoError> {
    demo(id)?.process(msg)
}

/// One demo in the schema: its spec and the engine that runs it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
pub struct SchemaEntry {
    #[serde(flatten)]
    pub spec: &'static DemoSpec,
    pub engine: &'static str,
}

/// Every spec, as the page renders its controls and reads each demo's capabilities.
pub fn schema() -> Vec<SchemaEntry> {
    REGISTRY.iter().map(|d| SchemaEntry { spec: d.spec, engine: d.engine }).collect()
}

/// Caps the page must apply itself, before it hands text from a URL to the engine: the page
/// reads a trace (`step=0*5`) to offer Undo, and must not expand `0*999999999` to find out it
/// is too long. Sent with the schema, so that the page has no second copy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub trace_steps: usize,
    /// Query keys that belong to the page, not to a demo (`demo`, `run`, `step`, …).
    pub page_keys: &'static [&'static str],
    /// The words of the control block the page reads and writes (see `control.rs`).
    pub control: crate::control::Words,
}

pub fn limits() -> Limits {
    Limits { trace_steps: crate::sched::MAX_TRACE_LEN, page_keys: params::PAGE_KEYS, control: Control::WORDS }
}

/// Refuses a run whose threads the host's pool cannot give, as the spec declares them
/// ([`params::Threads`]): more threads than the pool has, or a run that needs real threads
/// on a page with no pool. The one check every demo goes through.
pub fn check_threads(spec: &'static DemoSpec, p: &Params, env: Env) -> Result<(), DemoError> {
    let Some(need) = spec.caps.threads.need(p) else { return Ok(()) };
    let (param, message) = if env.pool_threads == 0 {
        match need.needs_pool {
            Some(why) => ("", why.to_string()),
            None => return Ok(()),
        }
    } else if need.threads > env.pool_threads as usize {
        let n = env.pool_threads;
        (need.input, format!("{} must be at most {n} here: the engine's pool has {n} workers{}", need.what, need.why))
    } else {
        return Ok(());
    };
    Err(DemoError::Invalid(vec![ParamError { param: param.to_string(), message }]))
}

/// A serialised result as JSON, for native tests.
#[cfg(test)]
pub fn to_json<T: Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("demo results are plain data")
}

#[cfg(test)]
mod tests;
