//! The scheduler's timelines against ones worked out by hand from APScheduler 3.x's rules
//! (the comments walk through each), the cron parser against the `cron` crate and the
//! calendar, and the book's tests of fib.

use super::cron::{self, Cron};
use super::sim::{simulate, Job, Outcome::*, Trigger};
use super::*;
use crate::demos::{compute as compute_demo, run, to_json, Env, Failure};
use crate::live::Feed;

fn job(every_s: i64, duration_ms: i64, max_instances: usize, coalesce: bool, grace_s: i64) -> Job {
    Job { id: "job".into(), trigger: Trigger::Interval { every_ms: every_s * 1000, start_ms: 0 }, duration_ms, max_instances, coalesce, grace_ms: Some(grace_s * 1000) }
}

/// (scheduled s, start s, end s, outcome) of every run time, in scheduled order.
fn runs(t: &Timeline) -> Vec<(f64, f64, f64, sim::Outcome)> {
    t.jobs[0].runs.iter().map(|r| (r.scheduled_ms as f64 / 1000.0, r.start_ms as f64 / 1000.0, r.end_ms as f64 / 1000.0, r.outcome)).collect()
}

fn p(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn the_books_overlapping_job_runs_every_time_with_two_instances_at_most() {
    // The book's example 3: every 3 s, a 4 s job, max_instances = 3. The first fire is one
    // interval after the start (IntervalTrigger's start_date = now + interval). Run 3 s
    // ends at 7, so at 6 two run (3 and 6), at 9 again two (6 and 9): never three.
    let t = simulate(&[job(3, 4000, 3, true, 1)], 10, 12_000, None);
    assert_eq!(runs(&t), vec![(3.0, 3.0, 7.0, Ran), (6.0, 6.0, 10.0, Ran), (9.0, 9.0, 13.0, Ran), (12.0, 12.0, 16.0, Ran)]);
    assert_eq!(t.peak_instances, 2);
    // Worker 1 is free again at 7, so it takes 9; worker 2 (free at 10) takes 12.
    let workers: Vec<_> = t.jobs[0].runs.iter().map(|r| r.worker).collect();
    assert_eq!(workers, vec![Some(0), Some(1), Some(0), Some(1)]);
}

#[test]
fn a_run_due_while_max_instances_run_is_skipped() {
    // Every 3 s, a 10 s job, max_instances = 3. 3 (3-13), 6 (6-16), 9 (9-19) run: three
    // instances. At 12 submit_job finds _instances = 3 >= 3, raises MaxInstancesReachedError
    // and the run time is skipped. At 13 the first ends, so 15 runs (15-25); 16 ends one,
    // 18 runs; 19 ends one, 21 runs.
    let t = simulate(&[job(3, 10_000, 3, true, 1)], 10, 21_000, None);
    assert_eq!(
        runs(&t),
        vec![
            (3.0, 3.0, 13.0, Ran),
            (6.0, 6.0, 16.0, Ran),
            (9.0, 9.0, 19.0, Ran),
            (12.0, 12.0, 12.0, Skipped),
            (15.0, 15.0, 25.0, Ran),
            (18.0, 18.0, 28.0, Ran),
            (21.0, 21.0, 31.0, Ran),
        ]
    );
    assert_eq!(t.peak_instances, 3);
    let said = t.steps.iter().find(|s| s.t_ms == 12_000).map(|s| s.decision.clone()).unwrap_or_default();
    assert!(said.contains("skipped: maximum number of running instances reached (3)"), "{said}");
}

#[test]
fn with_max_instances_1_an_overlapping_job_skips_every_other_time() {
    // APScheduler's default max_instances = 1: every 3 s a 4 s job. 3 runs to 7; at 6 it
    // still runs: skipped; 9 runs to 13; 12 skipped; 15 runs.
    let t = simulate(&[job(3, 4000, 1, true, 1)], 10, 15_000, None);
    let outcomes: Vec<_> = runs(&t).into_iter().map(|r| (r.0, r.3)).collect();
    assert_eq!(outcomes, vec![(3.0, Ran), (6.0, Skipped), (9.0, Ran), (12.0, Skipped), (15.0, Ran)]);
}

#[test]
fn a_scheduler_that_wakes_late_coalesces_the_run_times_it_slept_through() {
    // Every 2 s, an instant job; the scheduler sleeps from 5 s to 11 s. 2 and 4 run. At 11
    // _get_run_times gives [6, 8, 10]; coalesce keeps run_times[-1:] = [10], 6 and 8 are
    // coalesced. 10 starts at 11: late by 1 s, and run_job misses a run only when the
    // difference is greater than the grace time (1 s), so it runs. Then 12.
    let t = simulate(&[job(2, 0, 1, true, 1)], 3, 12_000, Some((5000, 11_000)));
    assert_eq!(
        runs(&t),
        vec![(2.0, 2.0, 2.0, Ran), (4.0, 4.0, 4.0, Ran), (6.0, 11.0, 11.0, Coalesced), (8.0, 11.0, 11.0, Coalesced), (10.0, 11.0, 11.0, Ran), (12.0, 12.0, 12.0, Ran)]
    );
}

#[test]
fn without_coalescing_the_late_run_times_are_missed_one_by_one() {
    // The same, coalesce off: one submission of [6, 8, 10], and run_job goes down the list
    // at 11: 6 is 5 s late, 8 is 3 s late (both more than 1 s: missed), 10 is 1 s late: runs.
    let t = simulate(&[job(2, 0, 1, false, 1)], 3, 12_000, Some((5000, 11_000)));
    let outcomes: Vec<_> = runs(&t).into_iter().map(|r| (r.0, r.1, r.3)).collect();
    assert_eq!(outcomes, vec![(2.0, 2.0, Ran), (4.0, 4.0, Ran), (6.0, 11.0, Missed), (8.0, 11.0, Missed), (10.0, 11.0, Ran), (12.0, 12.0, Ran)]);
}

#[test]
fn a_run_that_waits_for_a_free_worker_can_miss_its_window() {
    // One worker, every 1 s, a 1.5 s job, max_instances 3, grace 0. 1 runs 1-2.5; 2 is
    // submitted (2 instances) and waits in the pool's queue; at 2.5 the worker takes it,
    // 0.5 s late > 0: missed. 3 runs 3-4.5; 4 waits, and at 4.5 is missed too.
    let t = simulate(&[job(1, 1500, 3, true, 0)], 1, 4000, None);
    assert_eq!(runs(&t), vec![(1.0, 1.0, 2.5, Ran), (2.0, 2.5, 2.5, Missed), (3.0, 3.0, 4.5, Ran), (4.0, 4.5, 4.5, Missed)]);
    assert_eq!(t.peak_instances, 2);
}

#[test]
fn the_same_inputs_give_the_same_timeline() {
    let a = to_json(&simulate(&[job(3, 10_000, 3, false, 1)], 2, 60_000, Some((7000, 20_000))));
    let b = to_json(&simulate(&[job(3, 10_000, 3, false, 1)], 2, 60_000, Some((7000, 20_000))));
    assert_eq!(a, b);
}

#[test]
fn every_step_names_its_decision_and_the_state_after_it() {
    let t = simulate(&[job(3, 4000, 3, true, 1)], 2, 9000, None);
    // Steps at 3 (wake), 6 (wake), 7 (end), 9 (wake), 10 (end), 13 (end).
    let at: Vec<_> = t.steps.iter().map(|s| (s.t_ms, s.wake)).collect();
    assert_eq!(at, vec![(3000, true), (6000, true), (7000, false), (9000, true), (10_000, false), (13_000, false)]);
    let s6 = &t.steps[1];
    assert_eq!((s6.instances.clone(), s6.workers.clone(), s6.next_run_ms.clone()), (vec![2], vec![Some((0, 3000)), Some((0, 6000))], vec![Some(9000)]));
    assert!(s6.decision.contains("job submitted (due 6s), instance 2 of at most 3"), "{}", s6.decision);
}

// ---- cron ----

#[test]
fn cron_errors_say_what_is_wrong() {
    let err = |e: &str| Cron::parse(e).unwrap_err().0;
    assert_eq!(err("0 24 * * *"), "the hour field must be 0-23, got 24");
    assert_eq!(err("60 * * * *"), "the minute field must be 0-59, got 60");
    assert_eq!(err("0 0 0 * *"), "the day field must be 1-31, got 0");
    assert_eq!(err("0 0 * 13 *"), "the month field must be 1-12, got 13");
    assert_eq!(err("0 0 * * 8"), "the day_of_week field must be 0-7, got 8");
    assert_eq!(err("0 17 * *"), "a cron expression has 5 fields (minute hour day month day_of_week), got 4");
    assert_eq!(err("0 17 * * funday"), "the day_of_week field must be a number or a name like mon, got \"funday\"");
    assert_eq!(err("*/0 * * * *"), "the minute field's step must be at least 1, got 0");
    assert_eq!(err("0 5-1 * * *"), "the hour field's range 5-1 runs backwards");
    assert_eq!(err("0 1,,2 * * *"), "the hour field has an empty item in \"1,,2\"");
}

#[test]
fn the_books_cron_job_fires_monday_to_friday_at_17() {
    // 2024-03-01 was a Friday: 17:00 that day, then Monday 4 March to Friday 8 March.
    let c = Cron::parse("0 17 * * mon-fri").unwrap();
    let start = cron::parse_datetime("2024-03-01 12:00").unwrap();
    let mut t = start;
    let mut seen = Vec::new();
    for _ in 0..6 {
        t = c.next_after(t).unwrap();
        seen.push(cron::format_minute(t));
    }
    assert_eq!(seen, ["Fri 2024-03-01 17:00", "Mon 2024-03-04 17:00", "Tue 2024-03-05 17:00", "Wed 2024-03-06 17:00", "Thu 2024-03-07 17:00", "Fri 2024-03-08 17:00"]);
    // The same with crontab's numbers (1-5) and with 7 for Sunday.
    assert_eq!(Cron::parse("0 17 * * 1-5").unwrap(), c);
    assert_eq!(Cron::parse("0 0 * * 7").unwrap(), Cron::parse("0 0 * * sun").unwrap());
}

#[test]
fn the_calendar_round_trips_and_knows_its_weekdays() {
    // 1970-01-01 was a Thursday (4), 2000-02-29 a Tuesday (2), 2024-03-01 a Friday (5).
    assert_eq!(cron::weekday(0), 4);
    assert_eq!(cron::weekday(cron::days_from_civil(2000, 2, 29)), 2);
    assert_eq!(cron::weekday(cron::days_from_civil(2024, 3, 1)), 5);
    for d in -800_000..800_000i64 {
        let (y, m, dd) = cron::civil_from_days(d);
        assert_eq!(cron::days_from_civil(y, m, dd), d);
    }
    assert_eq!(cron::parse_datetime("2023-02-29 00:00").unwrap_err().0, "2023-02-29 is not a day of the calendar");
    assert!(cron::parse_datetime("tomorrow").is_err());
}

/// The comparison's draws: a number below `n`.
#[cfg(not(target_arch = "wasm32"))]
struct Mix(crate::sched::random::SplitMix64);
#[cfg(not(target_arch = "wasm32"))]
impl Mix {
    fn next(&mut self, n: u64) -> u64 {
        self.0.below(n as usize) as u64
    }
}

/// One field, as this parser reads it and as the `cron` crate does (whose weekdays count
/// from Sunday = 1).
#[cfg(not(target_arch = "wasm32"))]
fn field(r: &mut Mix, lo: u64, hi: u64, weekday: bool) -> (String, String) {
    let show = |v: u64| if weekday { (v.to_string(), (v % 7 + 1).to_string()) } else { (v.to_string(), v.to_string()) };
    let hi = if weekday { 6 } else { hi };
    match r.next(5) {
        0 => ("*".into(), "*".into()),
        1 => show(lo + r.next(hi - lo + 1)),
        2 => {
            let a = lo + r.next(hi - lo + 1);
            let b = a + r.next(hi - a + 1);
            let ((a1, a2), (b1, b2)) = (show(a), show(b));
            (format!("{a1}-{b1}"), format!("{a2}-{b2}"))
        }
        3 => {
            let s = 1 + r.next(5);
            (format!("*/{s}"), format!("*/{s}"))
        }
        _ => {
            let (a, b) = (lo + r.next(hi - lo + 1), lo + r.next(hi - lo + 1));
            let ((a1, a2), (b1, b2)) = (show(a), show(b));
            (format!("{a1},{b1}"), format!("{a2},{b2}"))
        }
    }
}

// The cron crate is a native dev-dependency only (crate/Cargo.toml).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn next_fire_times_match_the_cron_crate() {
    use chrono::{TimeZone, Utc};
    use std::str::FromStr;
    let mut r = Mix(crate::sched::random::SplitMix64::new(19));
    let mut compared = 0;
    for _ in 0..400 {
        let fs: Vec<(String, String)> = vec![field(&mut r, 0, 59, false), field(&mut r, 0, 23, false), field(&mut r, 1, 28, false), field(&mut r, 1, 12, false), field(&mut r, 0, 6, true)];
        let ours = fs.iter().map(|f| f.0.clone()).collect::<Vec<_>>().join(" ");
        let theirs = format!("0 {}", fs.iter().map(|f| f.1.clone()).collect::<Vec<_>>().join(" "));
        let c = Cron::parse(&ours).unwrap_or_else(|e| panic!("{ours}: {e}"));
        let s = ::cron::Schedule::from_str(&theirs).unwrap_or_else(|e| panic!("{theirs}: {e}"));
        let start_min = cron::parse_datetime("2024-02-27 13:37").unwrap() + r.next(500_000) as i64;
        let mut t = start_min;
        let mut after = Utc.timestamp_opt(start_min * 60, 0).unwrap();
        for _ in 0..5 {
            let (Some(ours_t), Some(theirs_t)) = (c.next_after(t), s.after(&after).next()) else { break };
            assert_eq!(ours_t * 60, theirs_t.timestamp(), "{ours} (theirs {theirs}) after {}", cron::format_minute(t));
            t = ours_t;
            after = theirs_t;
            compared += 1;
        }
    }
    assert!(compared > 1000, "compared {compared}");
}

// ---- the demo ----

#[test]
fn the_demo_reports_each_run_time_in_data_result() {
    let s = to_json(&compute_demo("scheduler", &p(&[("every", "3"), ("duration", "10"), ("instances", "3"), ("horizon", "12")])).unwrap().summary);
    let runs = &s["jobs"][0]["runs"];
    assert_eq!(runs.as_array().map(Vec::len), Some(4));
    assert_eq!((runs[3]["scheduledMs"].as_i64(), runs[3]["outcome"].as_str()), (Some(12_000), Some("skipped")));
    assert_eq!((runs[0]["startMs"].as_i64(), runs[0]["endMs"].as_i64()), (Some(3000), Some(13_000)));
    assert_eq!((s["counts"]["ran"].as_u64(), s["counts"]["skipped"].as_u64(), s["peakInstances"].as_u64()), (Some(3), Some(1), Some(3)));
    assert_eq!(s["driftMs"], serde_json::Value::Null);
}

#[test]
fn blocking_never_returns_to_main_and_background_does() {
    let lines = |kind: &str| to_json(&compute_demo("scheduler", &p(&[("scheduler", kind)])).unwrap().summary)["mainLines"].as_u64();
    // Background: start(), then a line every 2 s up to 20 s: 10 lines.
    assert_eq!(lines("background"), Some(11));
    assert_eq!(lines("blocking"), Some(2));
}

#[test]
fn the_cron_program_lists_its_next_fire_times_and_refuses_bad_expressions() {
    let s = to_json(&compute_demo("scheduler", &p(&[("program", "cron")])).unwrap().summary);
    assert_eq!(s["nextFires"][1], "Mon 2024-03-04 17:00");
    assert_eq!(s["jobs"][0]["runs"][1]["scheduledMs"].as_i64(), Some((3 * 24 + 5) * 3_600_000));
    let e = compute_demo("scheduler", &p(&[("program", "cron"), ("cron", "0 24 * * *")])).err().map(|e| Failure::from(&e)).unwrap();
    assert_eq!(e.errors.unwrap()[0], ParamError { param: "cron".into(), message: "the hour field must be 0-23, got 24".into() });
    let never = compute_demo("scheduler", &p(&[("program", "cron"), ("cron", "0 0 31 2 *")])).err().map(|e| e.to_string());
    assert_eq!(never.as_deref(), Some("0 0 31 2 * never fires in the 8 years after the start"));
}

#[test]
fn a_long_timeline_is_refused_beside_the_horizon() {
    let e = compute_demo("scheduler", &p(&[("every", "1"), ("horizon", "3600")])).err().map(|e| Failure::from(&e)).unwrap();
    assert_eq!(e.errors.unwrap()[0].param, "horizon");
}

#[test]
fn the_books_fib_tests_pass_on_the_pool_and_alone() {
    assert_eq!((fib::fib(0), fib::fib(1), fib::fib(10), fib::fib(20)), (0, 1, 55, 6765));
    let ctl = Control::new();
    let alone = run_tests(4, 1, Where::Caller, &ctl).unwrap();
    assert_eq!((alone.passed, alone.failed, alone.threads_used), (5, 0, 1));
    let k = rayon::current_num_threads().min(4);
    let pool = run_tests(k, 2, Where::Pool(k), &ctl).unwrap();
    assert_eq!((pool.passed, pool.failed, pool.threads_used), (5, 0, k));
    assert!(pool.results.iter().all(|r| r.passed && r.lane >= 1));
}

#[test]
fn a_real_run_plays_the_timeline_on_pool_threads_and_measures_drift() {
    let k = rayon::current_num_threads();
    if k < 2 {
        return;
    }
    let env = Env { cores: k as u32, pool_threads: k as u32 };
    let raw = p(&[("every", "1"), ("duration", "0.5"), ("workers", "1"), ("horizon", "4"), ("scale", "10")]);
    let out = to_json(&run("scheduler", &raw, env, &Control::new(), &Feed::with_capacity(1 << 12)).unwrap().summary);
    assert_eq!(out["clock"], "real");
    // 4 wakeups of the scheduler's thread and 4 starts on the worker.
    assert_eq!(out["driftMs"]["count"].as_u64(), Some(8));
    assert!(out["driftMs"]["min"].as_f64().unwrap() >= 0.0);
    assert_eq!((out["threadsUsed"].as_u64(), out["threads"].as_u64()), (Some(2), Some(2)));
    assert_eq!(out["counts"]["ran"].as_u64(), Some(4));
}

#[test]
fn a_real_run_of_a_cron_schedule_is_refused_with_a_reason() {
    let env = Env { cores: 2, pool_threads: 2 };
    let e = run("scheduler", &p(&[("program", "cron")]), env, &Control::new(), &Feed::with_capacity(1 << 12)).err().map(|e| e.to_string());
    assert!(e.unwrap().contains("the real clock plays interval schedules only"));
}

#[test]
fn drift_takes_the_median_and_the_nearest_rank_99th_percentile() {
    // 1..=200: the median of an even count is the mean of the middle two (100.5); the 99th
    // percentile by nearest rank is the 198th value.
    let d = Drift::of((1..=200).map(f64::from).rev().collect());
    assert_eq!((d.median, d.p99, d.min, d.max, d.count), (100.5, 198.0, 1.0, 200.0, 200));
    assert_eq!(Drift::of(vec![]).count, 0);
}

#[test]
fn a_cancel_stops_a_real_run_part_way() {
    let k = rayon::current_num_threads();
    if k < 2 {
        return;
    }
    // A 100 s timeline at 100 ms a virtual second: 10 s of real time, cancelled once the
    // first wakeup has been counted.
    let env = Env { cores: k as u32, pool_threads: k as u32 };
    let raw = p(&[("every", "1"), ("duration", "50"), ("instances", "1"), ("workers", "1"), ("horizon", "100"), ("scale", "100")]);
    let ctl = Control::new();
    let out = std::thread::scope(|s| {
        let run = s.spawn(|| run("scheduler", &raw, env, &ctl, &Feed::with_capacity(1 << 12)).map(|_| ()));
        while ctl.progress().0 == 0 {
            std::thread::yield_now();
        }
        ctl.cancel();
        run.join().expect("the run's thread")
    });
    assert!(matches!(out, Err(DemoError::Cancelled)), "{:?}", out.err().map(|e| e.to_string()));
}

#[test]
fn a_cron_jobs_steps_say_their_dates() {
    let c = compute(&crate::params::validate(&SPEC, &p(&[("program", "cron")])).unwrap()).unwrap();
    assert_eq!(c.origin_min, cron::parse_datetime("2024-03-01 12:00").ok());
    assert!(c.timeline.steps[0].decision.contains("job submitted (due Fri 2024-03-01 17:00)"), "{}", c.timeline.steps[0].decision);
}
