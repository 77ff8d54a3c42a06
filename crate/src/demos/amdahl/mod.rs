//! Chapter 2: Amdahl's law, calculated and measured.
//!
//! The calculator is pure math ([`crate::amdahl`]). The measured part runs a workload of
//! `work` units, of which the fraction `serial` must run on one thread and the rest is
//! shared by k threads, for k = 1..=K on the real pool; the measured speedups are set
//! against the curve Amdahl predicts, and the serial fraction that fits them is reported.

use crate::demos::Demo;
use crate::live::Feed;
use super::{DemoError, Env};
use crate::amdahl as law;
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::params::{Caps, Threads as ThreadsNeed, DemoSpec, Kind, ParamSpec, Params};
use crate::measure::{self, Samples, WarmUp};
use crate::pool::{run_tasks, Run, SpanKind, Stopped, Where};
use crate::workload;
use serde::Serialize;

mod summary;
pub use summary::Summary;

pub const SPEC: DemoSpec = DemoSpec {
    id: "amdahl",
    chapter: 2,
    also: &[],
    nav: "Amdahl's law",
    title: "Amdahl's law",
    summary: "How much faster can more processors make a program that is partly serial? Calculate it, then measure it.",
    params: &[
        ParamSpec {
            name: "serial",
            label: "Serial fraction B",
            help: "The share of the work that only one processor can do (0 to 1)",
            kind: Kind::Float { min: 0.0, max: 1.0, step: 0.01 },
            default: "0.6",
        },
        ParamSpec {
            name: "processors",
            label: "Processors j",
            help: "How many processors share the parallel part",
            kind: Kind::Int { min: 1, max: 1024 },
            default: "4",
        },
        ParamSpec {
            name: "work",
            label: "Work units (measured)",
            help: "Size of the measured workload; each unit is one prime check of about a millisecond",
            kind: Kind::Int { min: 8, max: 4000 },
            default: "240",
        },
        ParamSpec {
            name: "threads",
            label: "Threads to measure (0 = all cores)",
            help: "The largest k the measured run goes up to",
            kind: Kind::Int { min: 0, max: 16 },
            default: "0",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: false,
        live: false,
        // 0 means "as many as the cores", which never passes the pool; without a pool the
        // calculator still answers.
        threads: ThreadsNeed::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: Some("Measuring needs real threads, which this page does not have; the calculator works."),
    },
};

/// The serial fractions drawn as reference curves, beside the learner's own.
pub const REFERENCE_FRACTIONS: [f64; 5] = [0.05, 0.1, 0.25, 0.5, 0.75];

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "amdahl/"))]
pub struct Curve {
    pub serial: f64,
    /// `[j, S(j)]` for j = 1..=max_processors.
    pub points: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "amdahl/"))]
pub struct Calculator {
    pub serial: f64,
    pub parallel: f64,
    pub processors: u32,
    pub speedup: f64,
    /// 1/B; `null` in JSON when B = 0 (no ceiling).
    pub ceiling: Option<f64>,
    /// S(j) - S(j-1) for j = 1..=min(processors, 32).
    pub gains: Vec<f64>,
    /// Gustafson's scaled speedup at the same B and j.
    pub gustafson: f64,
    /// The learner's curve first, then the references; j = 1..=max(16, 2 * processors) capped at 1024.
    pub curves: Vec<Curve>,
    pub gustafson_curve: Vec<[f64; 2]>,
}

pub fn calculate(p: &Params) -> Calculator {
    let b = p.float("serial");
    let j = p.int("processors") as u32;
    let max_j = (2 * j).clamp(16, 1024);
    let curve = |serial: f64| Curve {
        serial,
        points: (1..=max_j).map(|k| [f64::from(k), law::speedup(serial, f64::from(k))]).collect(),
    };
    let mut curves = vec![curve(b)];
    curves.extend(REFERENCE_FRACTIONS.iter().filter(|&&r| (r - b).abs() > 1e-9).map(|&r| curve(r)));
    Calculator {
        serial: b,
        parallel: 1.0 - b,
        processors: j,
        speedup: law::speedup(b, f64::from(j)),
        ceiling: Some(law::ceiling(b)).filter(|c| c.is_finite()),
        gains: law::marginal_gains(b, j.min(32)),
        gustafson: law::gustafson(b, f64::from(j)),
        curves,
        gustafson_curve: (1..=max_j).map(|k| [f64::from(k), law::gustafson(b, f64::from(k))]).collect(),
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "amdahl/"))]
pub struct Point {
    pub threads: u32,
    /// The best (fastest) of this k's measured times.
    pub wall_ms: f64,
    /// Every time measured at this k, in rotation with the other k, and their range.
    pub samples: Samples,
    /// T(1) / T(k), best against best.
    pub speedup: f64,
    /// The speedups the samples allow: slowest T(k) against fastest T(1), and the reverse.
    pub speedup_range: [f64; 2],
    /// What Amdahl predicts at k for the workload's serial share (`serial_units / work`: the
    /// learner's B, rounded to whole units).
    pub predicted: f64,
    /// The serial fraction this one measurement implies (`null` at k = 1).
    pub karp_flatt: Option<f64>,
    /// Threads that shared the parallel phase (the fewest of any sample).
    pub threads_used: usize,
}

/// Times each k is measured, in rotation: 1..K, then 1..K again, and so on.
pub const REPEATS: u32 = 3;
/// A measured speedup this far above the law (relative) is pointed out, with the reason.
const ABOVE_LAW: f64 = 0.02;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "amdahl/"))]
pub struct Measured {
    pub work: u32,
    pub serial_units: u32,
    pub parallel_units: u32,
    /// How the kernel was brought to the browser's optimised tier before measuring.
    pub warm_up: WarmUp,
    pub repeats: u32,
    pub points: Vec<Point>,
    /// The B whose Amdahl curve fits the measured points best (`null` with one point).
    pub fitted_serial: Option<f64>,
    /// The timeline of the last run with the most threads: a serial phase on one thread,
    /// then the parallel phase shared by all.
    pub timeline: Run,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "amdahl/"))]
pub struct Outcome {
    pub calculator: Calculator,
    /// `None` when the host has no pool (a page that is not cross-origin isolated).
    pub measured: Option<Measured>,
    pub cores: u32,
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let calculator = calculate(p);
    if env.pool_threads == 0 {
        return Ok(Outcome { calculator, measured: None, cores: env.cores });
    }
    let asked = p.int("threads") as u32;
    let max_k = if asked == 0 { env.cores.clamp(1, env.pool_threads) } else { asked };
    let work = p.int("work") as u32;
    let b = calculator.serial;
    let serial_units = (f64::from(work) * b).round() as u32;
    let parallel_units = work - serial_units;
    // The workload is made of whole units, so its serial share is B rounded: the measurement
    // is held against the law for that share (the calculator above keeps the learner's B).
    let b_run = f64::from(serial_units) / f64::from(work);
    ctl.begin(REPEATS * max_k * work);

    // Every thread that will measure runs the kernel until it stops getting faster.
    let warm_up = measure::warm_up(Where::Pool(max_k as usize), max_k as usize, ctl, || workload::cpu_units(1, ctl).map(drop))?;

    // Rotation: k = 1..K, then again, so that a slow moment of the machine is shared out.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); max_k as usize];
    let mut used = vec![usize::MAX; max_k as usize];
    let mut timeline = None;
    for _ in 0..REPEATS {
        for k in 1..=max_k as usize {
            let (run, threads_used) = run_phases(serial_units, parallel_units, k, ctl)?;
            times[k - 1].push(run.wall_ms);
            used[k - 1] = used[k - 1].min(threads_used);
            timeline = Some(run);
        }
    }
    let t1 = Samples::of(times[0].clone());
    let points: Vec<Point> = times
        .into_iter()
        .zip(used)
        .enumerate()
        .map(|(i, (ms, threads_used))| {
            let k = i as u32 + 1;
            let samples = Samples::of(ms);
            let (speedup, speedup_range) = measure::speedup(&t1, &samples);
            Point {
                threads: k,
                wall_ms: samples.min,
                samples,
                speedup,
                speedup_range,
                predicted: law::speedup(b_run, f64::from(k)),
                karp_flatt: law::karp_flatt(speedup, f64::from(k)),
                threads_used,
            }
        })
        .collect();
    let pairs: Vec<(f64, f64)> = points.iter().map(|p| (f64::from(p.threads), p.speedup)).collect();
    let fitted_serial = law::fit_serial_fraction(&pairs);
    let mut explanation = explain(b_run, &points, fitted_serial);
    if (b_run - b).abs() > 1e-9 {
        explanation = format!(
            "The workload is {work} whole units, so its serial part is {serial_units} of them: B = {b_run:.3} rather than {b}, \
             and the predictions below are for that. {explanation}"
        );
    }
    Ok(Outcome {
        calculator,
        measured: Some(Measured {
            work,
            serial_units,
            parallel_units,
            warm_up,
            repeats: REPEATS,
            points,
            fitted_serial,
            timeline: timeline.expect("k starts at 1"),
            explanation,
        }),
        cores: env.cores,
    })
}

/// The serial phase on one pool thread, then the parallel phase on k, as one timeline; also
/// how many threads the parallel phase used.
fn run_phases(serial_units: u32, parallel_units: u32, k: usize, ctl: &Control) -> Result<(Run, usize), Stopped> {
    let unit = |_: usize, rec: &crate::pool::Recorder| -> Result<(), Cancelled> {
        rec.span(SpanKind::Work, || workload::cpu_units(1, ctl)).map(drop)
    };
    let start = clock::now_ms();
    let serial = run_tasks(Where::Pool(1), serial_units as usize, ctl, unit)?;
    let offset = clock::since(start);
    let mut parallel = run_tasks(Where::Pool(k), parallel_units as usize, ctl, unit)?;
    let wall_ms = clock::since(start);

    let mut spans = serial.spans;
    spans.extend(parallel.spans.drain(..).map(|mut s| {
        s.start_ms += offset;
        s.end_ms += offset;
        s.task += serial_units;
        s
    }));
    let parallel_threads = parallel.threads_used();
    let mut lanes = serial.lanes;
    lanes.extend(parallel.lanes);
    lanes.sort_unstable();
    lanes.dedup();
    let mut order = serial.order;
    order.extend(parallel.order.iter().map(|t| t + serial_units));
    Ok((Run { threads: k as u32, lanes, wall_ms, spans, order }, parallel_threads))
}

pub fn explain(b: f64, points: &[Point], fitted: Option<f64>) -> String {
    let last = points.last().expect("k starts at 1");
    let k = last.threads;
    if k == 1 {
        return format!(
            "With one thread there is nothing to compare yet; on this machine's cores Amdahl's law with B = {b:.2} \
             allows at most {:.2}× on {k} thread.",
            last.predicted
        );
    }
    let fit = fitted.map_or(String::new(), |f| format!(", and the serial fraction that fits the measurements is {f:.2}"));
    let mut text = format!(
        "With B = {b:.2}, Amdahl predicts {:.2}× on {k} threads; this run measured {:.2}× (best of {REPEATS} runs, \
         {:.2}× to {:.2}×){fit}. The serial part does not shrink as threads are added, which is why the curve flattens.",
        last.predicted, last.speedup, last.speedup_range[0], last.speedup_range[1]
    );
    if let Some(p) = points.iter().find(|p| p.speedup > p.predicted * (1.0 + ABOVE_LAW)) {
        text += &if p.speedup_range[0] <= p.predicted {
            format!(
                " At k = {}, the best runs came out above the law ({:.2}× against {:.2}×), but within this run's own \
                 spread: that is measurement noise, not the law failing.",
                p.threads, p.speedup, p.predicted
            )
        } else {
            format!(
                " At k = {}, even the lowest measurement ({:.2}×) beat the law ({:.2}×). The law cannot be beaten by \
                 threads alone: something else changed between the runs, such as another program on the cores, the \
                 browser recompiling the engine, or caches. Run it again.",
                p.threads, p.speedup_range[0], p.predicted
            )
        };
    }
    text
}

/// Chapter 2's demo in the registry.
pub struct AmdahlDemo;

impl Demo for AmdahlDemo {
    type Computed = Calculator;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Calculator, DemoError> {
        Ok(calculate(p))
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&Calculator>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }
}

#[cfg(test)]
mod tests;
