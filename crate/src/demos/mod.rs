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
    reduction in "primitives" => reduction::ReductionDemo,
    deadlock in "hazards" => deadlock::DeadlockDemo,
    starvation in "hazards" => starvation::StarvationDemo,
    race in "primitives" => race::RaceDemo,
    explorer in "primitives" => explorer::ExplorerDemo,
}

/// One line of the registry: a demo's spec, the engine that runs it, and the demo itself when
/// this build is that engine.
pub struct Listed {
    pub spec: &'static DemoSpec,
    pub engine: &'static str,
    pub entry: Option<&'static dyn Entry>,
}

/// The wasm engines, each a cargo feature of the same name (crate/Cargo.toml): threads,
/// locks, queues, pools, measuring and the explorer (chapters 1-8, 14 and 19) in
/// `primitives`; the long-running hazards, deadlocks and starvation with their watchdogs and
/// lock policies (chapters 12 and 13), in `hazards`. Split because one engine with every
/// demo passed what a first visit may download. The explorer shares an engine with the
/// demos whose runs the page may queue behind one of its explorations.
pub const ENGINES: &[&str] = &["primitives", "hazards"];

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
mod tests {
    use super::*;
    use serde_json::Value;

    // The entry points with their answers as JSON, as the page would read them.
    fn run(id: &str, raw: &[(String, String)], env: Env, ctl: &Control, feed: &Feed) -> Result<Value, DemoError> {
        super::run(id, raw, env, ctl, feed).map(|a| to_json(&a.outcome))
    }
    fn run_as(n: u32, id: &str, raw: &[(String, String)], env: Env, ctl: &Control, feed: &Feed) -> Result<Value, DemoError> {
        super::run_as(n, id, raw, env, ctl, feed).map(|a| to_json(&a.outcome))
    }
    fn compute(id: &str, raw: &[(String, String)]) -> Result<Value, DemoError> {
        super::compute(id, raw).map(|a| to_json(&a))
    }
    fn compute_for(id: &str, raw: &[(String, String)], ctl: &Control, ticket: u32) -> Result<Value, DemoError> {
        super::compute_for(id, raw, ctl, ticket).map(|a| to_json(&a))
    }
    fn schema() -> Value {
        to_json(&super::schema())
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn demo_ids_are_unique_and_every_default_is_valid() {
        let specs: Vec<&DemoSpec> = super::schema().iter().map(|e| e.spec).collect();
        for (i, d) in specs.iter().enumerate() {
            assert!(specs[i + 1..].iter().all(|o| o.id != d.id));
            validate(d.id, &[]).unwrap_or_else(|e| panic!("{}: {e}", d.id));
        }
    }

    #[test]
    fn unknown_demo_names_the_real_ones() {
        let e = compute("nope", &[]).unwrap_err();
        let ids: Vec<&str> = super::schema().iter().map(|d| d.spec.id).collect();
        assert_eq!(e.to_string(), format!("there is no demo called \"nope\"; the demos are {}", ids.join(", ")));
        assert!(e.to_string().contains("the demos are concurrency, amdahl, threads"));
        assert!(e.to_string().contains("lock, queue, pool"), "{e}");
        let long = "x".repeat(100);
        let shown = format!("\"{}…\"", "x".repeat(32));
        assert!(compute(&long, &[]).unwrap_err().to_string().contains(&shown));
    }

    #[test]
    fn compute_reports_bad_inputs_per_parameter() {
        match compute("amdahl", &q(&[("serial", "2"), ("processors", "0")])) {
            Err(DemoError::Invalid(errs)) => {
                let names: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
                assert_eq!(names, ["serial", "processors"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn compute_returns_checked_inputs_and_what_it_ignored() {
        let v = compute("amdahl", &q(&[("serial", "0.25"), ("colour", "red")])).unwrap();
        assert_eq!(v["params"]["serial"], 0.25);
        assert_eq!(v["params"]["processors"], 4);
        assert_eq!(v["ignored"], serde_json::json!(["colour"]));
        assert_eq!(v["value"]["speedup"], crate::amdahl::speedup(0.25, 4.0));
        assert_eq!(compute("concurrency", &[]).unwrap()["value"], Value::Null);
    }

    #[test]
    fn every_demo_that_says_k_threads_runs_k_distinct_threads_every_time() {
        // Inputs small enough that a thread's whole job is shorter than a worker's wake-up:
        // before the start line, these ran on fewer threads than asked, some of the time.
        let cases: &[(&str, &[(&str, &str)], usize)] = &[
            ("threads", &[("threads", "4"), ("count", "1"), ("delay", "1"), ("stagger", "0")], 4),
            ("lock", &[("threads", "4"), ("increments", "1"), ("hold", "0"), ("outside", "0"), ("mode", "spin")], 4),
            ("lock", &[("threads", "3"), ("increments", "1"), ("hold", "0"), ("outside", "0"), ("mode", "mutex")], 3),
            ("guard", &[("style", "guard"), ("failure", "none")], 2),
            ("queue", &[("producers", "2"), ("consumers", "3"), ("items", "1"), ("produce", "0"), ("consume", "0")], 5),
            ("starvation", &[("readers", "2"), ("writers", "2"), ("budget", "200"), ("hold", "1"), ("pause", "0")], 4),
            ("deadlock", &[("philosophers", "4"), ("fix", "ordered"), ("meals", "1"), ("pause", "0")], 4),
        ];
        let pool = rayon::ThreadPoolBuilder::new().num_threads(6).build().unwrap();
        let env = Env { cores: 2, pool_threads: 6 };
        let feed = Feed::with_capacity(1 << 20);
        for (id, inputs, k) in cases {
            for _ in 0..5 {
                let v = pool.install(|| run(id, &q(inputs), env, &Control::new(), &feed)).unwrap();
                assert_eq!(v["threads_used"], *k, "{id} {inputs:?}");
            }
        }
        // The race: every method's run, every time.
        for _ in 0..5 {
            let v = pool.install(|| run("race", &q(&[("threads", "4"), ("increments", "10"), ("repeats", "3"), ("method", "all")]), env, &Control::new(), &feed)).unwrap();
            let used: Vec<u64> = v["runs"].as_array().unwrap().iter().map(|r| r["threads_used"].as_u64().unwrap()).collect();
            assert_eq!(used, [4, 4, 4]);
        }
    }

    #[test]
    fn a_run_cancelled_before_it_began_does_nothing_and_the_next_one_runs() {
        let (ctl, feed) = (Control::new(), Feed::with_capacity(1 << 12));
        let env = Env { cores: 2, pool_threads: 0 };
        let raw = q(&[("kind", "cpu"), ("tasks", "3"), ("threads", "1")]);
        ctl.cancel_run(2); // pressed while run 2 waited behind a compute
        assert_eq!(run_as(2, "concurrency", &raw, env, &ctl, &feed), Err(DemoError::CancelledBeforeStart));
        assert_eq!(ctl.progress(), (0, 0), "nothing of it ran");
        assert_eq!(feed.text(), "");
        let v = run_as(3, "concurrency", &raw, env, &ctl, &feed).unwrap();
        assert_eq!(v["tasks"], 3);
        assert_eq!(DemoError::CancelledBeforeStart.to_string(), "the run was cancelled before it started: nothing ran");
    }

    #[test]
    fn a_replaced_or_cancelled_compute_waiting_in_the_queue_is_dropped() {
        let ctl = Control::new();
        ctl.ask_compute(4);
        ctl.ask_compute(5);
        assert_eq!(compute_for("amdahl", &[], &ctl, 4), Err(DemoError::Superseded));
        let v = compute_for("amdahl", &[], &ctl, 5).unwrap();
        assert_eq!((v["params"]["processors"].as_i64(), v["cancelled"].as_bool()), (Some(4), Some(false)));
        assert!(compute_for("amdahl", &[], &ctl, 0).is_ok(), "a compute with no ticket always runs");
        ctl.cancel_compute();
        assert_eq!(compute_for("explorer", &[], &ctl, 5), Err(DemoError::Cancelled));
    }

    /// The page must pick a demo's engine before any engine runs, so the registry's engine
    /// of every demo is written for it, next to the generated types (and checked for
    /// freshness with them by `npm test`).
    #[test]
    fn every_demo_names_a_known_engine_and_the_page_gets_the_table() {
        let mut text = String::from("// Written by crate/src/demos/mod.rs (cargo test) from its registry. Do not edit.\n\n");
        text.push_str("/** The wasm engines; the first is started when the page names no demo. */\n");
        let engines: Vec<String> = ENGINES.iter().map(|e| format!("'{e}'")).collect();
        text.push_str(&format!("export const ENGINES = [{}] as const;\n\n", engines.join(", ")));
        text.push_str("/** Which engine runs each demo. */\nexport const ENGINE_OF: Record<string, (typeof ENGINES)[number]> = {\n");
        for d in REGISTRY {
            assert!(ENGINES.contains(&d.engine), "{} names engine {}", d.spec.id, d.engine);
            assert!(d.entry.is_some(), "a test build has every engine");
            text.push_str(&format!("  {}: '{}',\n", d.spec.id, d.engine));
        }
        text.push_str("};\n");
        let dir = std::path::PathBuf::from(std::env::var("TS_RS_EXPORT_DIR").expect("set in .cargo/config.toml"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("engines.ts"), text).unwrap();
        assert_eq!(ENGINES[0], REGISTRY[0].engine, "the default demo is in the default engine");
    }

    #[test]
    fn limits_carry_the_trace_cap_the_engine_enforces() {
        let cap = to_json(&limits())["traceSteps"].as_u64().unwrap() as usize;
        assert_eq!(cap, crate::sched::MAX_TRACE_LEN);
        assert_eq!(format!("0*{cap}").parse::<crate::sched::Trace>().unwrap().len(), cap);
        assert!(format!("0*{}", cap + 1).parse::<crate::sched::Trace>().is_err());
    }

    #[test]
    fn schema_lists_every_demo_with_typed_params() {
        let s = schema();
        let ids: Vec<&str> = s.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(ids, super::schema().iter().map(|d| d.spec.id).collect::<Vec<_>>());
        assert_eq!(ids[..3], ["concurrency", "amdahl", "threads"]);
        assert!(ids.contains(&"explorer"), "{ids:?}");
        assert!(ids.windows(3).any(|w| w == ["guard", "reduction", "deadlock"]), "chapters 4, 7 and 12 in book order: {ids:?}");
        assert!(ids.windows(2).any(|w| w == ["deadlock", "starvation"]), "{ids:?}");
        assert!(ids.windows(3).any(|w| w == ["lock", "queue", "pool"]), "{ids:?}");
        let serial = &s[1]["params"].as_array().unwrap().iter().find(|p| p["name"] == "serial").unwrap();
        assert_eq!(serial["type"], "float");
        assert_eq!(serial["min"], 0.0);
        assert_eq!(serial["max"], 1.0);
    }
}
