//! The scheduler on a virtual clock: APScheduler 3.x's rules, run event by event, so the
//! same inputs always give the same timeline.
//!
//! What it follows, from APScheduler 3.x's source (branch `3.x`):
//! - `schedulers/base.py` `_process_jobs`: on each wakeup, every due job's run times are
//!   `job._get_run_times(now)`, every scheduled time from its `next_run_time` up to `now`
//!   inclusive; with `coalesce` only the last is kept (`run_times[-1:]`), the rest are
//!   dropped (here: `coalesced`). The list goes to `executor.submit_job`; the job's next run
//!   time is `trigger.get_next_fire_time(run_times[-1], now)`.
//! - `executors/base.py` `submit_job`: when `_instances[job.id] >= job.max_instances` it
//!   raises `MaxInstancesReachedError`, and the scheduler logs "Execution of job … skipped:
//!   maximum number of running instances reached": every run time of that submission is
//!   `skipped`. Otherwise the instance count goes up by one per submission (not per run
//!   time) and comes down when the submission's whole list is done.
//! - `executors/base.py` `run_job`: on a worker, for each run time in the list, if
//!   `now - run_time > misfire_grace_time` the run is `missed` ("Run time of job … was missed
//!   by …") and the next one is tried; otherwise the job runs. So a run that waits in the
//!   pool's queue for a free worker can miss its window.
//! - `triggers/interval.py`: the first fire time is the start plus one interval, then every
//!   interval after the previous fire time.
//!
//! What is this model's own choice: when a run ends at the very time another is due, the
//! end comes first (in a real scheduler it is a race); jobs are looked at in the order given.
//! The scheduler can be made to sleep (`pause`), as a suspended laptop or a throttled tab
//! would: when it wakes, several run times of a job are due at once.

use super::cron::Cron;
use serde::Serialize;
use std::collections::VecDeque;

/// When a job is due.
#[derive(Debug, Clone)]
pub enum Trigger {
    /// Every `every_ms`, the first at `start_ms + every_ms`.
    Interval { every_ms: i64, start_ms: i64 },
    /// A cron expression; virtual time 0 is `origin_min` minutes since the epoch.
    Cron { cron: Cron, origin_min: i64 },
}

impl Trigger {
    /// `get_next_fire_time(previous, now)`: the first fire time, or the one after `previous`.
    /// A time on this trigger's clock as the step-through says it: seconds ("6s"), or for a
    /// cron job its date ("Mon 2024-03-04 17:00").
    pub fn label(&self, t: i64) -> String {
        match self {
            Trigger::Interval { .. } => secs(t),
            Trigger::Cron { origin_min, .. } => super::cron::format_minute(origin_min + t.div_euclid(60_000)),
        }
    }

    pub fn next(&self, previous: Option<i64>) -> Option<i64> {
        match self {
            Trigger::Interval { every_ms, start_ms } => Some(previous.map_or(start_ms + every_ms, |p| p + every_ms)),
            Trigger::Cron { cron, origin_min } => {
                // Before the first fire, "after" is the minute before the start, so a start
                // at 17:00 sharp fires at 17:00.
                let after = previous.map_or(origin_min - 1, |p| origin_min + p.div_euclid(60_000));
                cron.next_after(after).map(|t| (t - origin_min) * 60_000)
            }
        }
    }
}

/// One job and its options, as `add_job` takes them.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub trigger: Trigger,
    /// How long one run takes.
    pub duration_ms: i64,
    pub max_instances: usize,
    pub coalesce: bool,
    /// `misfire_grace_time`; `None` runs however late.
    pub grace_ms: Option<i64>,
}

/// What became of one scheduled run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/", rename = "RunOutcome"))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ran,
    Missed,
    Coalesced,
    Skipped,
}

/// One scheduled run time and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub scheduled_ms: i64,
    /// When it started (ran) or was given up (missed, coalesced, skipped).
    pub start_ms: i64,
    /// When it ended; the start for a run that did not run.
    pub end_ms: i64,
    pub outcome: Outcome,
    /// The executor's worker, for a run that reached one.
    pub worker: Option<usize>,
}

/// One job's runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
pub struct JobRuns {
    pub id: String,
    pub runs: Vec<Run>,
}

/// The state after one event, for the step-through.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub t_ms: i64,
    /// What happened and what the scheduler decided.
    pub decision: String,
    /// The job store: each job's next run time.
    pub next_run_ms: Vec<Option<i64>>,
    /// Running instances per job.
    pub instances: Vec<usize>,
    /// What each worker is doing: the job's index and the scheduled time.
    pub workers: Vec<Option<(usize, i64)>>,
    /// Submissions waiting for a free worker.
    pub queued: usize,
    /// The scheduler woke at this step (`_process_jobs` ran); otherwise only runs ended.
    pub wake: bool,
}

/// The whole timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub jobs: Vec<JobRuns>,
    pub steps: Vec<Step>,
    /// The largest number of instances of one job running at once.
    pub peak_instances: usize,
    /// The last time anything happened.
    pub end_ms: i64,
}

struct Submission {
    job: usize,
    run_times: Vec<i64>,
}

struct Busy {
    sub: Submission,
    /// The next run time of `sub` to look at.
    next: usize,
    /// Until when the current run takes the worker.
    until: i64,
    scheduled: i64,
}

/// Runs `jobs` on `workers` workers until `horizon_ms` (no wakeups after it; runs started by
/// then finish). `pause` is a span `[from, to)` in which the scheduler sleeps.
pub fn simulate(jobs: &[Job], workers: usize, horizon_ms: i64, pause: Option<(i64, i64)>) -> Timeline {
    let mut next_run: Vec<Option<i64>> = jobs.iter().map(|j| j.trigger.next(None)).collect();
    let mut instances = vec![0usize; jobs.len()];
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); jobs.len()];
    let mut queue: VecDeque<Submission> = VecDeque::new();
    let mut busy: Vec<Option<Busy>> = (0..workers).map(|_| None).collect();
    let mut steps = Vec::new();
    let mut peak = 0;
    let mut end = 0;

    let wake_at = |next_run: &[Option<i64>]| -> Option<i64> {
        let t = next_run.iter().flatten().copied().min()?;
        let t = match pause {
            Some((from, to)) if t >= from && t < to => to,
            _ => t,
        };
        (t <= horizon_ms).then_some(t)
    };

    loop {
        let finish = busy.iter().flatten().map(|b| b.until).min();
        let wake = wake_at(&next_run);
        let now = match (finish, wake) {
            (None, None) => break,
            (Some(f), Some(w)) => f.min(w),
            (Some(f), None) => f,
            (None, Some(w)) => w,
        };
        end = end.max(now);
        let mut said: Vec<String> = Vec::new();

        // Runs that end now; their workers go on down their lists (run_job's loop).
        for (w, slot) in busy.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|b| b.until == now) {
                let b = slot.take().expect("busy");
                said.push(format!("{} (due {}) ends on worker {}", jobs[b.sub.job].id, jobs[b.sub.job].trigger.label(b.scheduled), w + 1));
                *slot = work(jobs, b.sub, b.next, now, w, &mut runs, &mut instances, &mut said);
            }
        }

        // snippet:start scheduler
        // The scheduler wakes: _process_jobs.
        if wake == Some(now) {
            for (j, job) in jobs.iter().enumerate() {
                let mut run_times = Vec::new();
                while let Some(t) = next_run[j].filter(|&t| t <= now) {
                    run_times.push(t);
                    next_run[j] = job.trigger.next(Some(t));
                }
                if run_times.is_empty() {
                    continue;
                }
                if job.coalesce && run_times.len() > 1 {
                    let last = run_times.pop().expect("one at least");
                    for &t in &run_times {
                        runs[j].push(Run { scheduled_ms: t, start_ms: now, end_ms: now, outcome: Outcome::Coalesced, worker: None });
                    }
                    said.push(format!("{}: {} run times due at once; coalesce keeps the last ({})", job.id, run_times.len() + 1, job.trigger.label(last)));
                    run_times = vec![last];
                }
                if instances[j] >= job.max_instances {
                    for &t in &run_times {
                        runs[j].push(Run { scheduled_ms: t, start_ms: now, end_ms: now, outcome: Outcome::Skipped, worker: None });
                    }
                    said.push(format!(
                        "Execution of job \"{}\" skipped: maximum number of running instances reached ({})",
                        job.id, job.max_instances
                    ));
                } else {
                    instances[j] += 1;
                    peak = peak.max(instances[j]);
                    said.push(format!("{} submitted (due {}), instance {} of at most {}", job.id, list(&job.trigger, &run_times), instances[j], job.max_instances));
                    queue.push_back(Submission { job: j, run_times });
                }
            }
        }
        // snippet:end scheduler

        // Free workers take queued submissions.
        for (w, slot) in busy.iter_mut().enumerate() {
            while slot.is_none() {
                let Some(sub) = queue.pop_front() else { break };
                *slot = work(jobs, sub, 0, now, w, &mut runs, &mut instances, &mut said);
            }
        }
        if !queue.is_empty() {
            said.push(format!("{} submission(s) wait for a free worker", queue.len()));
        }

        steps.push(Step {
            t_ms: now,
            decision: said.join("; "),
            next_run_ms: next_run.clone(),
            instances: instances.clone(),
            workers: busy.iter().map(|b| b.as_ref().map(|b| (b.sub.job, b.scheduled))).collect(),
            queued: queue.len(),
            wake: wake == Some(now),
        });
    }

    let jobs = jobs.iter().zip(runs).map(|(j, mut runs)| {
        runs.sort_by_key(|r| r.scheduled_ms);
        JobRuns { id: j.id.clone(), runs }
    });
    Timeline { jobs: jobs.collect(), steps, peak_instances: peak, end_ms: end }
}

/// A worker goes through `sub`'s run times from `from` at `now` (run_job): missed ones are
/// given up at once, the first that is in time starts, and the worker is busy with it. When
/// the list is done the instance ends and the worker is free (`None`).
#[allow(clippy::too_many_arguments)]
fn work(jobs: &[Job], sub: Submission, from: usize, now: i64, w: usize, runs: &mut [Vec<Run>], instances: &mut [usize], said: &mut Vec<String>) -> Option<Busy> {
    let job = &jobs[sub.job];
    for (i, &t) in sub.run_times.iter().enumerate().skip(from) {
        if job.grace_ms.is_some_and(|g| now - t > g) {
            runs[sub.job].push(Run { scheduled_ms: t, start_ms: now, end_ms: now, outcome: Outcome::Missed, worker: Some(w) });
            said.push(format!("Run time of job \"{}\" was missed by {}", job.id, secs(now - t)));
            continue;
        }
        let until = now + job.duration_ms;
        runs[sub.job].push(Run { scheduled_ms: t, start_ms: now, end_ms: until, outcome: Outcome::Ran, worker: Some(w) });
        said.push(format!("{} (due {}) starts on worker {}", job.id, job.trigger.label(t), w + 1));
        return Some(Busy { scheduled: t, sub, next: i + 1, until });
    }
    instances[sub.job] -= 1;
    None
}

fn secs(ms: i64) -> String {
    format!("{}s", ms as f64 / 1000.0)
}

fn list(trigger: &Trigger, ts: &[i64]) -> String {
    ts.iter().map(|&t| trigger.label(t)).collect::<Vec<_>>().join(", ")
}
