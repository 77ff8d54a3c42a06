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
        ("images", &[("threads", "4"), ("size", "64"), ("tile", "16")], 4),
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
    let at = |id: &str| ids.iter().position(|&i| i == id).unwrap_or_else(|| panic!("{id} is missing: {ids:?}"));
    let order = ["guard", "requests", "processes", "reduction", "images", "deadlock"];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "chapters 4, 5, 6, 7, 8 and 12 in book order: {ids:?}");
    assert!(ids.windows(2).any(|w| w == ["deadlock", "starvation"]), "{ids:?}");
    assert!(ids.windows(3).any(|w| w == ["lock", "queue", "pool"]), "{ids:?}");
    let serial = &s[1]["params"].as_array().unwrap().iter().find(|p| p["name"] == "serial").unwrap();
    assert_eq!(serial["type"], "float");
    assert_eq!(serial["min"], 0.0);
    assert_eq!(serial["max"], 1.0);
}
