use super::*;
use crate::demos;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn calculator_shows_the_books_example() {
    let p = demos::validate("amdahl", &q(&[("serial", "0.6"), ("processors", "4")])).unwrap();
    let c = calculate(&p);
    assert_eq!(format!("{:.2}", c.speedup), "1.43");
    assert!((c.ceiling.unwrap() - 1.0 / 0.6).abs() < 1e-12);
    assert!((c.parallel - 0.4).abs() < 1e-12);
    assert_eq!(c.gains.len(), 4);
    assert_eq!(c.curves[0].serial, 0.6);
    assert_eq!(c.curves[0].points.len(), 16);
    assert_eq!(c.curves[0].points[3], [4.0, c.speedup]);
    assert_eq!(c.curves.len(), 1 + REFERENCE_FRACTIONS.len());
}

#[test]
fn no_ceiling_when_nothing_is_serial_and_no_duplicate_reference_curve() {
    let p = demos::validate("amdahl", &q(&[("serial", "0.5"), ("processors", "600")])).unwrap();
    let c = calculate(&p);
    assert_eq!(c.curves.len(), REFERENCE_FRACTIONS.len());
    assert_eq!(c.curves[0].points.len(), 1024);
    let p0 = demos::validate("amdahl", &q(&[("serial", "0")])).unwrap();
    assert_eq!(calculate(&p0).ceiling, None);
}

#[test]
fn measured_run_covers_k_1_to_pool_size_with_a_serial_phase_on_one_thread() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let p = demos::validate("amdahl", &q(&[("serial", "0.25"), ("work", "16"), ("threads", "2")])).unwrap();
    let ctl = Control::new();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &ctl)).unwrap();
    let m = o.measured.unwrap();
    assert_eq!((m.serial_units, m.parallel_units), (4, 12));
    assert_eq!(m.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(m.points[0].speedup, 1.0);
    assert_eq!(m.points[0].karp_flatt, None);
    assert!(m.points[1].karp_flatt.is_some() && m.fitted_serial.is_some());
    assert_eq!(ctl.progress(), (REPEATS * 32, REPEATS * 32));
    assert_eq!(m.points[1].samples.ms.len(), REPEATS as usize, "every k is measured REPEATS times");
    assert!(m.warm_up.rounds >= 8, "{:?}", m.warm_up);
    // The serial phase's four units all ran on one lane, before any parallel unit began.
    let serial: Vec<_> = m.timeline.spans.iter().filter(|s| s.task < 4).collect();
    assert_eq!(serial.len(), 4);
    assert!(serial.iter().all(|s| s.lane == serial[0].lane));
    let serial_end = serial.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    assert!(m.timeline.spans.iter().filter(|s| s.task >= 4).all(|s| s.start_ms >= serial_end));
    assert_eq!(m.timeline.order.len(), 16);
}

#[test]
fn the_measurement_is_held_against_the_law_for_the_whole_units_it_ran() {
    // 8 units at B = 0.3: 2.4 serial units round to 2, so the run's serial share is 0.25,
    // and at k = 2 the law allows 1 / (0.25 + 0.75 / 2) = 1.6, not 1.54 (B = 0.3).
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let p = demos::validate("amdahl", &q(&[("serial", "0.3"), ("work", "8"), ("threads", "2")])).unwrap();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &Control::new())).unwrap();
    let m = o.measured.unwrap();
    assert_eq!(m.serial_units, 2);
    assert!((m.points[1].predicted - 1.6).abs() < 1e-12, "{}", m.points[1].predicted);
    assert!(m.explanation.starts_with("The workload is 8 whole units, so its serial part is 2 of them: B = 0.250 rather than 0.3"), "{}", m.explanation);
    assert!((o.calculator.speedup - crate::amdahl::speedup(0.3, 4.0)).abs() < 1e-12, "the calculator keeps the learner's B");
}

#[test]
fn without_a_pool_the_calculator_still_answers() {
    let p = demos::validate("amdahl", &[]).unwrap();
    let o = run(&p, Env { cores: 4, pool_threads: 0 }, &Control::new()).unwrap();
    assert!(o.measured.is_none());
    assert_eq!(format!("{:.2}", o.calculator.speedup), "1.43");
}

#[test]
fn the_summary_of_a_compute_is_the_calculators_figures() {
    let p = demos::validate("amdahl", &q(&[("serial", "0.6"), ("processors", "4")])).unwrap();
    let v = demos::to_json(&Summary::new(&p, Some(&calculate(&p)), None));
    // The book's example: 1 / (0.6 + 0.4 / 4) = 1 / 0.7; Gustafson 0.6 + 0.4 * 4 = 2.2.
    assert_eq!(v["demo"], "amdahl");
    assert_eq!((v["serial"].as_f64(), v["processors"].as_u64()), (Some(0.6), Some(4)));
    assert!((v["speedup"].as_f64().unwrap() - 1.0 / 0.7).abs() < 1e-12);
    assert!((v["ceiling"].as_f64().unwrap() - 1.0 / 0.6).abs() < 1e-12);
    assert!((v["gustafson"].as_f64().unwrap() - 2.2).abs() < 1e-12);
    assert!(v.get("measured").is_none() && v.get("params").is_none(), "{v}");
    let p0 = demos::validate("amdahl", &q(&[("serial", "0")])).unwrap();
    assert!(demos::to_json(&Summary::new(&p0, Some(&calculate(&p0)), None))["ceiling"].is_null());
}

#[test]
fn the_summary_of_a_run_has_every_ks_measurement() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let p = demos::validate("amdahl", &q(&[("serial", "0.25"), ("work", "16"), ("threads", "2")])).unwrap();
    let o = pool.install(|| run(&p, Env { cores: 2, pool_threads: 2 }, &Control::new())).unwrap();
    let v = demos::to_json(&Summary::new(&p, None, Some(&o)));
    assert_eq!((v["serial"].as_f64(), v["processors"].as_u64()), (Some(0.25), Some(4)));
    let m = &v["measured"];
    assert_eq!((m["work"].as_u64(), m["repeats"].as_u64()), (Some(16), Some(3)));
    let points = m["points"].as_array().unwrap();
    assert_eq!(points.iter().map(|p| p["threads"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    // k = 1 is the baseline: speedup 1, no Karp-Flatt; 16 units at B = 0.25 predict 1 / (0.25 + 0.75 / 2) = 1.6 at k = 2.
    assert_eq!((points[0]["speedup"].as_f64(), points[0]["karpFlatt"].is_null()), (Some(1.0), true));
    assert!((points[1]["predicted"].as_f64().unwrap() - 1.6).abs() < 1e-12);
    assert_eq!(points[1]["samplesMs"].as_array().unwrap().len(), 3);
    let best = points[1]["samplesMs"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).fold(f64::INFINITY, f64::min);
    assert_eq!(points[1]["wallMs"].as_f64(), Some(best));
    assert_eq!(points[1]["threadsUsed"], 2);
    assert_eq!(m["lanes"].as_array().unwrap().len(), 2, "the last timeline ran on both threads");
    assert!(m["fittedSerial"].as_f64().is_some() && m["warmUp"]["rounds"].as_u64().unwrap() >= 1);
    let none = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    assert!(demos::to_json(&Summary::new(&p, None, Some(&none))).get("measured").is_none());
}
