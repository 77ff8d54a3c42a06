use super::*;
use crate::demos::validate;

fn report(pairs: &[(&str, &str)]) -> Report {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    compute(&validate("explorer", &raw).unwrap())
}

#[test]
fn every_example_is_explored_within_the_default_limit() {
    for id in examples::IDS {
        let r = report(&[("program", id)]);
        assert!(r.exploration.complete, "{id}: {}", r.explanation);
        assert!(r.exploration.final_states_total > 0, "{id}");
    }
}

#[test]
fn the_lost_update_in_words() {
    let r = report(&[]);
    assert_eq!((r.program_id, r.uses), ("lost-update", &["threads"][..]));
    assert_eq!(
        r.explanation,
        "20 interleavings of A, B, counted through 22 distinct states, reach 2 final states. \
         Of these, 18 break the assertion. The shortest counterexample takes 6 steps. \
         Done one at a time, in the 2 orders each thread's own order allows, the operations give 1 result; \
         18 interleavings end in a result none of them gives, so the object is not linearizable. \
         The shortest, in 6 steps, ends with counter = 1."
    );
    let r = report(&[("program", "philosophers-ordered"), ("k", "3")]);
    assert_eq!(r.exploration.threads, ["P1", "P2", "P3"]);
    assert!(r.explanation.ends_with("reach 1 final state. None of them deadlocks or fails."), "{}", r.explanation);
    let r = report(&[("program", "locked-increment"), ("threads", "3")]);
    assert!(r.explanation.ends_with("In every one of them counter == 3 holds and nothing deadlocks."), "{}", r.explanation);
}

#[test]
fn a_small_limit_stops_with_a_message() {
    let r = report(&[("threads", "8"), ("limit", "100")]);
    assert!(!r.exploration.complete);
    assert!(r.exploration.stopped.as_deref().unwrap().starts_with("Stopped after 100 states (the limit)."));
    assert!(r.explanation.starts_with("At least "), "{}", r.explanation);
    // 100 states of the 8-thread lost update reach no final state yet: nothing found, and
    // the page says that this proves nothing.
    assert!(r.exploration.counterexample.is_none());
    assert!(r.explanation.contains("None of those found deadlocks or fails, which proves nothing about the rest"), "{}", r.explanation);
}

#[test]
fn counterexamples_replay_in_the_step_through_view() {
    for (program, status) in [("lost-update", "done"), ("opposite-locks", "deadlocked"), ("philosophers", "deadlocked"), ("leaked-lock", "deadlocked")] {
        let raw = vec![("program".to_string(), program.to_string())];
        let r = compute(&validate("explorer", &raw).unwrap());
        let bad = r.exploration.counterexample.unwrap_or_else(|| panic!("{program} has a counterexample"));
        let v = crate::demos::stepper::view_json("explorer", &raw, &bad.trace, None).unwrap();
        assert_eq!(v["machine"]["status"], status, "{program}");
        assert_eq!(v["machine"]["trace"], bad.trace.as_str());
    }
    let v = crate::demos::stepper::view_json("explorer", &[("program".to_string(), "lost-update".to_string())], "0.0.1.0.1.1", None).unwrap();
    assert_eq!(v["machine"]["vars"]["counter"], 1);
}

#[test]
fn a_newer_input_abandons_an_exploration_and_cancel_keeps_the_part_explored() {
    // Five threads: 26,789 states, many watches' worth (six took 15 s of a debug build's
    // time for each of the two full searches, and set the floor of cargo test's time).
    let raw: Vec<(String, String)> = [("program", "lost-update"), ("threads", "5"), ("limit", "500000")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let p = validate("explorer", &raw).unwrap();
    let full = compute(&p);
    assert!(full.exploration.complete && full.exploration.states > 3 * crate::sched::explore::WATCH_EVERY, "{}", full.exploration.states);

    // Replaced by a newer compute while it runs: the search notices at its next watch
    // (here the first, after about WATCH_EVERY states) and gives up.
    let every = crate::sched::explore::WATCH_EVERY as u32;
    let ctl = Control::new();
    ctl.ask_compute(5);
    ctl.ask_compute(6);
    assert!(matches!(compute_watched(&p, &ctl, 5), Err(DemoError::Superseded)));
    let (seen, limit) = ctl.explored();
    assert!((every..2 * every).contains(&seen) && limit == 500_000, "stopped at the first watch: {seen}");

    ctl.cancel_compute();
    let r = compute_watched(&p, &ctl, 6).unwrap();
    let e = &r.exploration;
    assert!(e.cancelled && !e.complete);
    assert!((every as usize..2 * every as usize).contains(&e.states), "{}", e.states);
    let stopped = format!("Stopped after {} states (cancelled).", crate::sched::explore::grouped(e.states as u128));
    assert!(e.stopped.as_deref().unwrap().starts_with(&stopped), "{:?}", e.stopped);
    assert!(r.explanation.starts_with("At least "), "{}", r.explanation);
    assert_eq!(ctl.explored().0 as usize, e.states, "the page read how far it got");

    // The newest one runs to the end and reports its progress.
    ctl.ask_compute(7);
    let r = compute_watched(&p, &ctl, 7).unwrap();
    assert!(r.exploration.complete && !r.exploration.cancelled);
    assert_eq!(r.exploration.states, full.exploration.states);
    // Then the fuzzer ran its 3 × 1,000 schedules, and its progress is the last the page read.
    assert_eq!(ctl.explored(), (3_000, 3_000 | crate::control::FUZZING));
    assert_eq!(r.fuzzing.runs.iter().map(|f| f.schedules).sum::<usize>(), 3_000);
    assert!(r.nth > full.nth, "each exploration is counted");
}

#[test]
fn the_fuzzer_stands_beside_the_exhaustive_count_in_words() {
    let r = report(&[]);
    let z = &r.fuzzing;
    assert_eq!((z.strategy, z.seed, z.depth, z.steps), (Strategy::Pct, 1, 2, 6));
    assert_eq!(z.runs.iter().map(|f| f.strategy).collect::<Vec<_>>(), [Strategy::Naive, Strategy::Pct, Strategy::Uniform]);
    let pct = z.chosen.as_ref().unwrap();
    assert_eq!(pct.schedules, 1000);
    assert!(
        z.headline.starts_with(&format!("The PCT fuzzer (depth 2) broke counter == 2 in {} of 1,000 schedules (", pct.failures)),
        "{}",
        z.headline
    );
    assert!(z.headline.ends_with("; exhaustively, 18 of 20 interleavings break it (90 %)."), "{}", z.headline);
    // By hand (see sched/explore/fuzz_tests.rs): the naive scheduler fails 3/4 of the time.
    let naive = &z.runs[0];
    assert_eq!(naive.expected, Some(0.75));
    assert_eq!(z.runs[2].expected, Some(0.9));
    let why = z.why.as_deref().unwrap();
    assert!(why.contains("Here its exact chance of failing is 75 % ("), "{why}");
    assert!(why.contains("while 18 of the 20 interleavings fail (90 %)"), "{why}");
    // The first failing schedule replays to a lost update in the step-through view.
    let first = pct.first_failing.as_ref().unwrap();
    let v = crate::demos::stepper::view_json("explorer", &[], &first.trace, None).unwrap();
    assert_eq!(v["machine"]["status"], "done");
    assert_eq!(v["machine"]["vars"]["counter"], 1);

    let json = serde_json::to_value(Summary::new(&validate("explorer", &[]).unwrap(), Some(&r))).unwrap();
    let f = &json["fuzzer"];
    assert_eq!(f["exhaustive"], serde_json::json!({ "interleavings": "20", "failing": "18", "exact": true }));
    assert_eq!(f["schedules"], 1000);
    assert_eq!(f["failures"], pct.failures);
    assert_eq!(f["naiveExact"], 0.75);
    assert_eq!(f["strategies"].as_object().unwrap().keys().collect::<Vec<_>>(), ["naive", "pct", "uniform"]);
    assert_eq!(f["firstFailing"]["threads"].as_array().unwrap().len(), 6);
}

#[test]
fn past_the_state_limit_there_is_no_uniform_sampler_but_pct_still_finds_the_bug() {
    let r = report(&[("threads", "7"), ("limit", "10000"), ("strategy", "uniform")]);
    let z = &r.fuzzing;
    assert!(z.chosen.is_none());
    assert!(z.headline.starts_with("The uniform sampler weighs each choice"), "{}", z.headline);
    assert_eq!(z.runs.iter().map(|f| f.strategy).collect::<Vec<_>>(), [Strategy::Naive, Strategy::Pct]);
    assert!(z.runs[1].failures > 0, "PCT finds the lost update where the explorer could not finish");
    assert!(z.why.is_none());
    let r = report(&[("threads", "7"), ("limit", "10000")]);
    assert!(r.fuzzing.headline.contains("the explorer stopped at its state limit"), "{}", r.fuzzing.headline);
    // A program where nothing fails.
    let r = report(&[("program", "locked-increment")]);
    assert!(r.fuzzing.headline.starts_with("The PCT fuzzer (depth 2) met no failing schedule in 1,000; exhaustively, none of the 2 interleavings fails."), "{}", r.fuzzing.headline);
}

#[test]
fn percentages_read_as_the_page_shows_them() {
    use fuzzing::percent;
    assert_eq!([percent(0.0), percent(0.9), percent(0.334), percent(0.0042), percent(0.00001), percent(1.0)], ["0 %", "90 %", "33.4 %", "0.42 %", "< 0.01 %", "100 %"]);
}

#[test]
fn the_growth_table_is_the_multinomial() {
    let g = growth();
    let row = |n: u32| g.iter().find(|r| r.steps == n).unwrap();
    let shown = |c: Option<Count>| c.map(|c| c.0);
    assert_eq!(row(3).interleavings.map(shown), [Some(20), Some(1680), Some(369_600)]);
    assert_eq!(row(5).interleavings[0].map(|c| c.0), Some(252));
    assert_eq!(row(10).interleavings[0].map(|c| c.0), Some(184_756));
    assert_eq!(row(3).states, [16, 64, 256]);
}

fn summary_json(pairs: &[(&str, &str)]) -> serde_json::Value {
    let raw: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let p = validate("explorer", &raw).unwrap();
    crate::demos::to_json(&ExplorerDemo.summary(&p, Some(&compute(&p)), None))
}

#[test]
fn the_choice_lists_every_example() {
    assert_eq!(Example::WORDS, examples::IDS);
}

#[test]
fn the_summary_of_the_lost_update_counts_its_orders() {
    let v = summary_json(&[("program", "lost-update"), ("threads", "2")]);
    assert_eq!(v["demo"], "explorer");
    assert_eq!(v["params"], serde_json::json!({ "program": "lost-update", "threads": 2, "k": 5, "limit": 200000, "strategy": "pct", "schedules": 1000, "seed": 1, "depth": 2 }));
    assert_eq!(v["program"], "lost-update");
    // C(6, 3) orders of two 3-step threads; only the 2 serial ones keep both updates.
    assert_eq!(v["interleavings"], "20");
    assert_eq!((v["counting"].as_str(), v["complete"].as_bool(), v["cancelled"].as_bool()), (Some("exact"), Some(true), Some(false)));
    assert_eq!(v["finalStates"], serde_json::json!({ "counter = 1": "18", "counter = 2": "2" }));
    assert_eq!((v["broken"].as_str(), v["deadlocks"].as_str(), v["failed"].as_str()), (Some("18"), Some("0"), Some("0")));
    assert_eq!(v["assertion"], "counter == 2");
    assert_eq!(v["stopped"], serde_json::Value::Null);
    assert_eq!(v["counterexample"]["outcome"], "broken");
    assert_eq!(v["counterexample"]["threads"].as_array().unwrap().len(), 6);
    // Done atomically, the two increments give counter = 2 in either order; the 18 that end
    // at 1 are what no order gives.
    assert_eq!(
        v["linearizability"],
        serde_json::json!({ "linearizable": false, "complete": true, "orders": "2", "sequential": ["counter = 2"], "matching": "2", "notMatching": "18", "witness": v["counterexample"]["trace"] })
    );
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = ["demo", "params", "program", "interleavings", "counting", "states", "complete", "cancelled", "stopped", "nth", "assertion", "deadlocks", "broken", "failed", "finalStates", "counterexample", "linearizability", "fuzzer"];
    want.sort();
    assert_eq!(keys, want, "the keys of the page's summary, no more");
}

#[test]
fn the_summary_names_the_threads_of_a_deadlock() {
    let v = summary_json(&[("program", "opposite-locks")]);
    assert_eq!(v["counterexample"], serde_json::json!({ "outcome": "deadlock", "trace": "0.1", "threads": ["A", "B"], "summary": "a held by A, b held by B" }));
    assert_eq!((v["interleavings"].as_str(), v["deadlocks"].as_str()), (Some("6"), Some("2")));
    assert_eq!(v["finalStates"]["every lock free"], "4");
    assert_eq!(v["assertion"], serde_json::Value::Null);
    let v = summary_json(&[("program", "philosophers-ordered"), ("k", "4")]);
    assert_eq!((v["deadlocks"].as_str(), &v["counterexample"]), (Some("0"), &serde_json::Value::Null));
}

#[test]
fn the_summary_keeps_the_final_states_in_the_explorers_order() {
    let raw = vec![("program".to_string(), "lost-update".to_string()), ("threads".to_string(), "3".to_string())];
    let p = validate("explorer", &raw).unwrap();
    let s = serde_json::to_string(&ExplorerDemo.summary(&p, Some(&compute(&p)), None)).unwrap();
    let (a, b, c) = (s.find("\"counter = 1\"").unwrap(), s.find("\"counter = 2\"").unwrap(), s.find("\"counter = 3\"").unwrap());
    assert!(a < b && b < c, "{s}");
    assert!(s.contains("\"counter = 3\":\"6\""), "only the 3! serial orders keep every update: {s}");
}

#[test]
fn trace_names_read_repeats_and_unknown_threads() {
    let t = ["A".to_string(), "B".to_string()];
    assert_eq!(summary::trace_names("0.1*3", &t), ["A", "B", "B", "B"]);
    assert_eq!(summary::trace_names("", &t), Vec::<String>::new());
    assert_eq!(summary::trace_names("5", &t), ["5"]);
}

#[test]
fn with_no_exploration_the_summary_is_the_inputs() {
    let p = validate("explorer", &[]).unwrap();
    let v = crate::demos::to_json(&ExplorerDemo.summary(&p, None, None));
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert_eq!(v["demo"], "explorer");
}

#[test]
fn the_explorer_finds_aba_on_the_treiber_stack_and_replays_it() {
    let raw = vec![("program".to_string(), "treiber-aba".to_string())];
    let r = compute(&validate("explorer", &raw).unwrap());
    let e = &r.exploration;
    assert_eq!(e.assertion.as_deref(), Some("top != kept"));
    assert!(e.complete);
    let c = e.counterexample.as_ref().expect("ABA found");
    // Replayed in the step-through view, the shortest one ends with B's node on top.
    let v = crate::demos::stepper::view_json("explorer", &raw, &c.trace, None).unwrap();
    assert_eq!(v["machine"]["status"], "done");
    assert_eq!(v["machine"]["vars"]["top"], v["machine"]["vars"]["kept"], "{}", c.trace);
    let l = r.linearizability.as_ref().unwrap();
    assert!(!l.linearizable && l.complete);
    assert!(r.explanation.contains("so the object is not linearizable"), "{}", r.explanation);
    // Without reuse: nothing broken, and linearizable.
    let r = compute(&validate("explorer", &[("program".to_string(), "treiber-fresh".to_string())]).unwrap());
    assert!(r.exploration.counterexample.is_none() && r.linearizability.as_ref().unwrap().linearizable, "{}", r.explanation);
    assert!(r.explanation.ends_with("so this history is linearizable."), "{}", r.explanation);
    // Programs that are not about an object have no check.
    let r = compute(&validate("explorer", &[("program".to_string(), "philosophers".to_string())]).unwrap());
    assert!(r.linearizability.is_none());
}
