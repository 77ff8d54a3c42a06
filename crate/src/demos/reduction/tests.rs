use super::*;
use crate::demos::{self, to_json};
use crate::sched::{explore, replay, Assertion, Cmp, Limits, Trace};
use crate::sync::Arc;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn run_on(pool_threads: usize, inputs: &[(&str, &str)]) -> Outcome {
    let p = demos::validate("reduction", &q(inputs)).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(pool_threads).build().unwrap();
    let env = Env { cores: 2, pool_threads: pool_threads as u32 };
    pool.install(|| run(&p, env, &Control::new())).unwrap()
}

fn way<'a>(o: &'a Outcome, name: &str) -> &'a Way {
    o.ways.iter().find(|w| w.way == name).unwrap()
}

#[test]
fn the_books_list_takes_three_rounds_and_five_additions() {
    for threads in ["1", "2", "3", "4"] {
        let o = run_on(4, &[("values", "1,4,8,3,2,5"), ("threads", threads)]);
        let expected: Vec<Vec<f64>> = vec![vec![1.0, 4.0, 8.0, 3.0, 2.0, 5.0], vec![5.0, 11.0, 7.0], vec![16.0, 7.0], vec![23.0]];
        assert_eq!(o.rounds.as_ref(), Some(&expected));
        assert_eq!((o.result, o.additions, o.depth), (23.0, 5, 3));
        assert_eq!(o.round_sizes, [6, 3, 2, 1]);
        assert_eq!(o.threads_used, threads.parse::<usize>().unwrap(), "k distinct workers, all alive at once");
        assert_eq!(way(&o, "sequential").depth, Some(5));
        assert_eq!(way(&o, "rayon").result, 23.0);
        assert_eq!(way(&o, "sequential").result, 23.0);
        assert!(o.floats.is_none(), "whole numbers: no float sums");
    }
}

#[test]
fn each_pair_is_combined_by_the_worker_whose_block_it_is_in() {
    // Three pairs on two threads: blocks of two, so W0 combines pairs 0 and 1, W1 pair 2;
    // then one pair (W0) and 7 carried; then one pair (W0).
    let o = run_on(2, &[("values", "1,4,8,3,2,5"), ("threads", "2")]);
    let by = o.combined_by.unwrap();
    assert_eq!(by, vec![vec![Some(0), Some(0), Some(1)], vec![Some(0), None], vec![Some(0)]]);
    assert_eq!(o.timeline.lanes.len(), 2);
}

#[test]
fn zero_to_nineteen_sums_to_190() {
    let values: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    let o = run_on(4, &[("values", &values.join(",")), ("threads", "4")]);
    assert_eq!(o.result, 190.0);
    assert_eq!((o.additions, o.depth), (19, 5), "20 → 10 → 5 → 3 → 2 → 1");
    assert_eq!(o.round_sizes, [20, 10, 5, 3, 2, 1]);
    assert_eq!(way(&o, "rayon").result, 190.0);
}

#[test]
fn product_and_max_agree_every_way() {
    let o = run_on(3, &[("values", "1,4,8,3,2,5"), ("operator", "product"), ("threads", "3")]);
    assert_eq!(o.result, 960.0);
    assert!(o.ways.iter().all(|w| w.result == 960.0));
    let o = run_on(3, &[("values", "1,4,8,3,2,5"), ("operator", "max"), ("threads", "2")]);
    assert!(o.ways.iter().all(|w| w.result == 8.0));
}

#[test]
fn subtraction_depends_on_the_shape_of_the_tree() {
    let o = run_on(2, &[("values", "1,4,8,3,2,5"), ("operator", "subtract"), ("threads", "2")]);
    // By hand: [1-4, 8-3, 2-5] = [-3, 5, -3]; [-3-5, -3] = [-8, -3]; -8-(-3) = -5.
    assert_eq!(o.rounds.clone().unwrap(), vec![vec![1.0, 4.0, 8.0, 3.0, 2.0, 5.0], vec![-3.0, 5.0, -3.0], vec![-8.0, -3.0], vec![-5.0]]);
    assert_eq!(o.result, -5.0);
    // Left to right: 1 - 4 - 8 - 3 - 2 - 5 = -21.
    assert_eq!(way(&o, "sequential").result, -21.0);
    assert!(o.explanation.contains("Subtraction is not associative: the tree gives -5, left to right gives -21"), "{}", o.explanation);
}

#[test]
fn a_mean_of_means_is_not_the_mean() {
    let o = run_on(2, &[("values", "1,4,8,3,2,5"), ("operator", "mean"), ("threads", "2")]);
    // By hand: [2.5, 5.5, 3.5]; [4, 3.5]; 3.75 — the mean of the six is 23/6.
    assert_eq!(o.rounds.clone().unwrap()[1..], [vec![2.5, 5.5, 3.5], vec![4.0, 3.5], vec![3.75]]);
    assert_eq!(o.result, 3.75);
    // Left to right: 2.5, 5.25, 4.125, 3.0625, 4.03125.
    assert_eq!(way(&o, "sequential").result, 4.03125);
}

#[test]
fn numpys_example_the_running_sum_drifts_and_the_pairwise_one_does_not() {
    let o = run_on(4, &[("values", "0.1*500000,-50000"), ("threads", "4")]);
    assert_eq!(o.count, 500_001);
    assert!(o.rounds.is_none() && o.combined_by.is_none(), "too many to draw");
    let f = o.floats.expect("a float sum");
    // The running sum, as CPython computes it (`s = 0.0; for _ in range(500000): s += 0.1`,
    // then `s - 50000`): an independent implementation of the same IEEE additions.
    assert_eq!(f.sequential, -4.4710031943395734e-07);
    // The exact value: 0.1 is 3602879701896397 / 2^55 as a double, so the exact sum minus
    // 50000 is (500000 · 3602879701896397 − 50000 · 2^55) / 2^55 = 100000 / 2^55.
    let exact = (500_000i128 * 3_602_879_701_896_397 - 50_000i128 * (1i128 << 55)) as f64 / 2f64.powi(55);
    assert_eq!(exact, 100_000.0 / 2f64.powi(55));
    // Pairwise summation's error bound: about log2(n) roundings of the total (2^-53 each).
    let bound = 20.0 * 50_000.0 * 2f64.powi(-53);
    assert!((f.pairwise - exact).abs() <= bound, "pairwise {} vs exact {exact}", f.pairwise);
    assert!((f.sequential - exact).abs() > 1000.0 * bound, "the running sum is far worse");
    assert_eq!(f.by_threads["1"], f.sequential, "one thread is the running sum");
    assert_eq!(f.by_threads.len(), 4);
    assert_eq!(f.threads_used["4"], 4);
    // Four running sums of 125,000 each are better than one of 500,000.
    assert!((f.by_threads["4"] - exact).abs() < (f.sequential - exact).abs());
    assert_eq!(o.result, f.pairwise);
    assert!(o.explanation.contains("19 rounds of 500,000 combinations"), "{}", o.explanation);
    assert!(o.explanation.contains("the running sum -4.4710031943395734e-7"), "{}", o.explanation);
}

#[test]
fn without_a_pool_one_thread_does_the_rounds_and_rayon_is_skipped() {
    let p = demos::validate("reduction", &q(&[("values", "1,4,8,3,2,5"), ("threads", "4")])).unwrap();
    let o = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    assert_eq!((o.result, o.threads_used), (23.0, 1));
    assert!(way(&o, "rayon").skipped.is_some());
    let s = to_json(&Summary::new(&p, Some(&o)));
    assert_eq!(s["ways"]["rayon"], serde_json::Value::Null);
    assert_eq!(s["ways"]["tree"], 23.0);
}

#[test]
fn one_number_is_its_own_reduction() {
    let o = run_on(2, &[("values", "42"), ("threads", "2")]);
    assert_eq!((o.result, o.additions, o.depth), (42.0, 0, 0));
    assert_eq!(o.rounds.clone().unwrap(), vec![vec![42.0]]);
}

#[test]
fn bad_lists_are_refused_beside_the_control() {
    let msg = |v: &str| match demos::validate("reduction", &q(&[("values", v)])) {
        Err(DemoError::Invalid(e)) => (e[0].param.clone(), e[0].message.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(msg("1,x"), ("values".to_string(), "values must be numbers from -1000000000000000 to 1000000000000000 separated by commas (x*n is n copies of x), got \"x\"".to_string()));
    assert_eq!(msg("1*1000001").1, "values: the n of x*n must be a whole number from 1 to 1000000, got \"1000001\"");
    assert_eq!(msg("1*600000,2*600000").1, "values must hold at most 1000000 numbers in all");
}

#[test]
fn the_summary_is_what_data_result_documents() {
    let p = demos::validate("reduction", &q(&[("values", "1,4,8,3,2,5"), ("threads", "2")])).unwrap();
    let before = to_json(&Summary::new(&p, None));
    assert_eq!(before["demo"], "reduction");
    assert_eq!(before["values"], "1,4,8,3,2,5");
    assert_eq!(before["params"]["values"], "1,4,8,3,2,5");
    assert_eq!((before["count"].as_u64(), before["operator"].as_str()), (Some(6), Some("sum")));
    assert_eq!(before["result"], serde_json::Value::Null);
    let o = run_on(2, &[("values", "1,4,8,3,2,5"), ("threads", "2")]);
    let s = to_json(&Summary::new(&p, Some(&o)));
    assert_eq!(s["rounds"], serde_json::json!([[1.0, 4.0, 8.0, 3.0, 2.0, 5.0], [5.0, 11.0, 7.0], [16.0, 7.0], [23.0]]));
    assert_eq!((s["result"].as_f64(), s["additions"].as_u64(), s["depth"].as_u64()), (Some(23.0), Some(5), Some(3)));
    assert_eq!(s["threadsUsed"], 2);
    assert_eq!(s["roundSizes"], serde_json::json!([6, 3, 2, 1]));
    assert_eq!(s["ways"], serde_json::json!({"tree": 23.0, "rayon": 23.0, "sequential": 23.0}));
    assert_eq!(s["results"], serde_json::Value::Null);
    let p = demos::validate("reduction", &q(&[("values", "0.1*10")])).unwrap();
    let o = run_on(2, &[("values", "0.1*10"), ("threads", "2")]);
    let s = to_json(&Summary::new(&p, Some(&o)));
    // By hand in doubles: ten running additions of 0.1 give 0.9999999999999999; the tree
    // (0.2 ×5 → 0.4, 0.4, 0.2 → 0.8, 0.2 → 1.0) gives 1.
    assert_eq!(s["results"]["sequential"], 0.9999999999999999);
    assert_eq!(s["results"]["pairwise"], 1.0);
    assert_eq!(s["results"]["byThreads"]["1"], 0.9999999999999999);
}

// The step-through: the book's order loses a partial sum in some interleaving; the fixed
// order in none. Every interleaving, by the exhaustive explorer.

fn explored(order: Order) -> crate::sched::Exploration {
    let program = Arc::new(steps::round(&[1, 4, 8, 3, 2, 5], order));
    explore(&program, Some(&Assertion::new("total", Cmp::Eq, 16 + 7)), Limits::default())
}

#[test]
fn some_interleaving_of_the_books_order_prints_a_wrong_total() {
    let e = explored(Order::Book);
    assert!(e.complete && !e.cyclic);
    assert!(e.by_outcome.broken.unwrap().0 > 0);
    assert_eq!(e.by_outcome.deadlock.unwrap_or_default().0, 0);
    let bad = e.counterexample.expect("a wrong total");
    let program = Arc::new(steps::round(&[1, 4, 8, 3, 2, 5], Order::Book));
    let m = replay(&program, &bad.trace.parse::<Trace>().unwrap()).unwrap();
    let total = m.var("total");
    // The sum of some but not all of the partial sums 5, 11 and 7 (the shortest drops all).
    assert!([0, 5, 11, 7, 16, 12, 18].contains(&total), "{total}");
}

#[test]
fn no_interleaving_of_the_fixed_order_loses_a_sum() {
    let e = explored(Order::Fixed);
    assert!(e.complete && !e.cyclic);
    assert_eq!(e.by_outcome.broken.unwrap_or_default().0, 0);
    assert_eq!(e.by_outcome.deadlock.unwrap_or_default().0, 0);
    assert!(e.by_outcome.ok.unwrap().0 > 0);
    assert!(e.counterexample.is_none());
}

#[test]
fn the_story_trace_of_the_book_loses_w1s_sum() {
    // W1 (thread 0) adds and calls task_done; W2, W3 run to the end; M joins and drains.
    let program = Arc::new(steps::round(&[1, 4, 8, 3, 2, 5], Order::Book));
    let m = replay(&program, &"0.0.1.1.1.2.2.2.3*17".parse::<Trace>().unwrap()).unwrap();
    assert_eq!(m.var("total"), 18, "11 + 7: W1's 5 never counted");
    let fixed = Arc::new(steps::round(&[1, 4, 8, 3, 2, 5], Order::Fixed));
    assert!(replay(&fixed, &"0.0.1.1.1.2.2.2.3*17".parse::<Trace>().unwrap()).is_err(), "M waits for W1's task_done");
    let m = replay(&fixed, &"0*3.1*3.2*3.3*20".parse::<Trace>().unwrap()).unwrap();
    assert_eq!((m.var("total"), m.is_done()), (23, true));
    let view = crate::demos::stepper::view_json("reduction", &q(&[("order", "fixed")]), "", None).unwrap();
    assert_eq!(view["program"]["threads"][0]["listing"], serde_json::json!(["s += b", "results.put(s)", "task_done.put(1)"]));
}

#[test]
fn the_step_view_takes_the_learners_first_pairs_or_the_books_numbers() {
    let values: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    let v = crate::demos::stepper::view_json("reduction", &q(&[("values", &values.join(","))]), "", None).unwrap();
    assert_eq!(v["scaled"], serde_json::json!([{"what": "pairs of numbers", "asked": 10, "shown": 3}]));
    assert_eq!(v["program"]["threads"].as_array().unwrap().len(), 4, "W1, W2, W3 and M");
    // Fractions are not what the scheduler's whole-number steps hold: the book's numbers.
    let v = crate::demos::stepper::view_json("reduction", &q(&[("values", "0.1*4")]), "", None).unwrap();
    let locals = &v["machine"]["threads"][0]["locals"];
    assert_eq!((locals["s"].as_i64(), locals["b"].as_i64()), (Some(1), Some(4)), "{v}");
}
