//! Tests of `stepper.rs`.
use super::*;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The step view of `id` with `pairs`: its scaled list, its sentence, and its threads.
fn scaled_view(id: &str, pairs: &[(&str, &str)]) -> (Vec<(String, i64, i64)>, Option<String>, usize) {
    let v = view_json(id, &q(pairs), "", None).unwrap();
    let scaled = v["scaled"].as_array().unwrap().iter().map(|s| (s["what"].as_str().unwrap().to_string(), s["asked"].as_i64().unwrap(), s["shown"].as_i64().unwrap())).collect();
    (scaled, v["scaledNote"].as_str().map(str::to_string), v["program"]["threads"].as_array().unwrap().len())
}

#[test]
fn the_step_view_says_what_it_shows_of_the_inputs_and_it_is_what_it_shows() {
    let t = |w: &str, a: i64, s: i64| (w.to_string(), a, s);
    // 8 threads asked: 4 shown, and the board really has 4.
    let (scaled, note, threads) = scaled_view("race", &[("threads", "8")]);
    assert_eq!((scaled, threads), (vec![t("threads", 8, 4)], 4));
    assert_eq!(note.unwrap(), "The step view shows 4 of your 8 threads, to tell the idea in a few clicks; the real run uses your inputs.");
    // One thread asked: a race needs two, and the view says so.
    let (scaled, note, threads) = scaled_view("lock", &[("threads", "1")]);
    assert_eq!((scaled, threads), (vec![t("threads", 1, 2)], 2));
    assert!(note.unwrap().contains("2 threads where you asked for 1"));
    // Within the limits: the inputs exactly, and nothing said.
    let (scaled, note, threads) = scaled_view("race", &[("threads", "3")]);
    assert_eq!((scaled.len(), note, threads), (0, None, 3));
    let (scaled, _, threads) = scaled_view("threads", &[("threads", "2"), ("count", "9")]);
    assert_eq!((scaled, threads), (vec![t("lines per thread", 9, 5)], 2));
    let (scaled, _, threads) = scaled_view("deadlock", &[("philosophers", "8")]);
    assert_eq!((scaled.len(), threads), (0, 8), "the philosophers are shown at every size");
    // The queue: one producer and one consumer, the items in all, and the places.
    let (scaled, _, threads) = scaled_view("queue", &[("producers", "2"), ("consumers", "2"), ("items", "8"), ("maxsize", "10")]);
    assert_eq!(scaled, vec![t("threads", 4, 2), t("items", 16, 5), t("places in the queue", 10, 4)]);
    assert_eq!(threads, 2);
    let (_, note, _) = scaled_view("queue", &[("producers", "2"), ("consumers", "2"), ("items", "8"), ("maxsize", "10")]);
    assert_eq!(note.unwrap(), "The step view shows 2 of your 4 threads, 5 of your 16 items and 4 of your 10 places in the queue, to tell the idea in a few clicks; the real run uses your inputs.");
    let (scaled, _, _) = scaled_view("queue", &[("producers", "1"), ("consumers", "1"), ("items", "3"), ("maxsize", "2")]);
    assert_eq!(scaled, vec![], "1 + 1 threads, 3 items, 2 places: exactly as asked");
    // Starvation: R1, R2 and W.
    let (scaled, _, threads) = scaled_view("starvation", &[("readers", "3"), ("writers", "2")]);
    assert_eq!((scaled, threads), (vec![t("readers", 3, 2), t("writers", 2, 1)], 3));
    let (scaled, _, _) = scaled_view("pool", &[("workers", "8"), ("tasks", "40")]);
    assert_eq!(scaled, vec![t("tasks", 40, 6), t("workers", 8, 3)]);
}

#[test]
fn an_unbounded_queue_is_stepped_as_one_that_never_fills() {
    let v = view_json("queue", &q(&[("producers", "1"), ("consumers", "1"), ("items", "3"), ("maxsize", "0")]), "", None).unwrap();
    assert_eq!(v["scaled"], serde_json::json!([]));
    assert!(v["story"].as_str().unwrap().starts_with("The queue is unbounded: the producer never blocks."));
    // The producer puts all three and finishes without the consumer taking a step.
    let v = view_json("queue", &q(&[("producers", "1"), ("consumers", "1"), ("items", "3"), ("maxsize", "0")]), "0*9", None);
    let m = &v.unwrap()["machine"];
    assert_eq!(m["threads"][0]["status"], "finished", "{m}");
}

#[test]
fn the_view_replays_the_trace_and_lists_every_thread() {
    let v = view_json("guard", &q(&[("style", "manual")]), "0.0", None).unwrap();
    assert_eq!(v["program"]["threads"][0]["name"], "A");
    assert_eq!(v["machine"]["status"], "deadlocked");
    assert_eq!(v["machine"]["trace"], "0.0");
    // A has ended holding the lock: B is blocked, and A is named.
    let blocked = &v["machine"]["blocked"][0]["message"];
    assert_eq!(blocked, "B waits for lock \"lock\", held by A, which has finished without releasing it");
    let v = view_json("guard", &q(&[("style", "manual")]), "0.0.1", None);
    assert!(matches!(v, Err(DemoError::Invalid(e)) if e[0].param == "step"));
}

#[test]
fn the_guarded_program_always_finishes() {
    let v = view_json("guard", &q(&[("style", "guard")]), "0.0.0.1.1.1", None).unwrap();
    assert_eq!(v["machine"]["status"], "done");
}

#[test]
fn a_seeded_run_is_the_same_every_time_and_replays() {
    let a = view_json("pool", &q(&[]), "", Some(7)).unwrap();
    let b = view_json("pool", &q(&[]), "", Some(7)).unwrap();
    assert_eq!(a["machine"], b["machine"]);
    assert_eq!(a["machine"]["status"], "done");
    let trace = a["machine"]["trace"].as_str().unwrap().to_string();
    let c = view_json("pool", &q(&[]), &trace, None).unwrap();
    assert_eq!(a["machine"], c["machine"]);
}

#[test]
fn the_pool_runs_every_task_once_in_any_schedule() {
    for seed in 0..20 {
        let v = view_json("pool", &q(&[("tasks", "4"), ("workers", "2")]), "", Some(seed)).unwrap();
        let mut ran: Vec<String> = v["machine"]["output"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["text"].as_str().unwrap().rsplit(' ').next().unwrap().to_string())
            .collect();
        ran.sort();
        assert_eq!(ran, ["1", "2", "3", "4"], "seed {seed}");
    }
}

#[test]
fn garbage_traces_and_other_demos_are_refused_with_a_message() {
    match view_json("threads", &[], "0.x", None) {
        Err(DemoError::Invalid(e)) => assert!(e[0].message.starts_with("step: "), "{}", e[0].message),
        other => panic!("{other:?}"),
    }
    match view_json("amdahl", &[], "", None) {
        Err(DemoError::Invalid(e)) => assert!(e[0].message.contains("has no step-through view")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_deadlock_is_reached_by_hand_and_the_fixes_never_deadlock() {
    // Every philosopher takes its left fork: nobody can step.
    let v = view_json("deadlock", &q(&[("philosophers", "5")]), "0.1.2.3.4", None).unwrap();
    assert_eq!(v["machine"]["status"], "deadlocked");
    assert_eq!(v["machine"]["blocked"].as_array().unwrap().len(), 5);
    assert_eq!(v["machine"]["blocked"][0]["message"], "P1 waits for lock \"f2\", held by P2");
    let v = view_json("deadlock", &q(&[("scenario", "two-locks")]), "0.1", None).unwrap();
    assert_eq!(v["machine"]["status"], "deadlocked");
    assert_eq!(v["program"]["threads"][1]["name"], "B");
    for fix in ["ordered", "trylock", "waiter"] {
        for scenario in ["philosophers", "two-locks"] {
            let raw = q(&[("scenario", scenario), ("fix", fix), ("philosophers", "4")]);
            for seed in 0..30 {
                let v = view_json("deadlock", &raw, "", Some(seed)).unwrap();
                assert_ne!(v["machine"]["status"], "deadlocked", "{scenario}, {fix}, seed {seed}");
            }
        }
    }
    // With a waiter, the left-forks-first schedule cannot even be played: the last
    // philosopher cannot sit down.
    let v = view_json("deadlock", &q(&[("philosophers", "3"), ("fix", "waiter")]), "0.0.1.1", None).unwrap();
    assert_eq!(v["machine"]["status"], "running");
    assert!(view_json("deadlock", &q(&[("philosophers", "3"), ("fix", "waiter")]), "0.0.1.1.2", None).is_err());
}
