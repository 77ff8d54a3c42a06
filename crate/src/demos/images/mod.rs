//! Chapter 8, concurrent image processing: the book's grayscale, global threshold and
//! adaptive thresholds, over tiles of one picture in shared memory, on 1 to k pool threads.
//! The picture is a generated test picture or the learner's own (decoded by the browser,
//! attached to the engine, never sent anywhere). Every run also filters the whole picture
//! in one pass and checks that the tiles wrote the same bytes ([`filters`] explains the
//! halo that makes them equal).

mod explain;
pub mod filters;
pub mod picture;
mod summary;
pub mod tiles;
#[cfg(test)]
mod tests;

pub use filters::Filter;
pub use summary::Summary;

use super::{DemoError, Env};
use crate::clock;
use crate::control::Control;
use crate::demos::Demo;
use crate::live::Feed;
use crate::measure::{self, Samples, WarmUp};
use crate::params::{Caps, DemoSpec, Kind, ParamError, ParamSpec, Params, Threads};
use crate::pool::{Run, Where};
use crate::sync::{Arc, Mutex};
use filters::{filter_rect, fnv1a, Source};
use picture::{Preview, Rgba};
use serde::Serialize;
use tiles::{filter_tiles, tile_lanes, Layout, MAX_TILES};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "images/"))]
    /// Which picture the filters read.
    pub enum Picture {
        /// The generated test picture, `size` pixels wide.
        Test = "test",
        /// The learner's own, attached to the engine.
        Yours = "yours",
    }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "images/"))]
    /// Whether a tile reads its neighbours' pixels.
    pub enum Halo {
        On = "on",
        Off = "off",
    }
}

/// Times each thread count is measured, in rotation (1..k, then again).
pub const REPEATS: u32 = 3;

pub const SPEC: DemoSpec = DemoSpec {
    id: "images",
    chapter: 8,
    also: &[],
    nav: "Image processing",
    title: "Filters over tiles",
    summary: "Grayscale and thresholds over tiles of one picture in shared memory, on 1 to k real threads: the speedup per thread count, which worker filtered which tile, and a check that the tiles wrote the same bytes as one pass over the whole picture.",
    params: &[
        ParamSpec {
            name: "filter",
            label: "Filter",
            help: "grayscale; threshold (gray > 127); adaptive-mean or adaptive-gaussian (11 × 11 block, C = 2)",
            kind: Kind::Choice { values: <Filter as crate::params::Choice>::WORDS },
            default: "adaptive-mean",
        },
        ParamSpec { name: "threads", label: "Threads", help: "Measured on 1, 2, … up to this many pool threads", kind: Kind::Int { min: 1, max: 16 }, default: "4" },
        ParamSpec { name: "tile", label: "Tile side (px)", help: "Square tiles of this many pixels; each is one task", kind: Kind::Int { min: 8, max: 4096 }, default: "128" },
        ParamSpec {
            name: "picture",
            label: "Picture",
            help: "test (generated) or yours (choose or drop one below; it stays on this device)",
            kind: Kind::Choice { values: <Picture as crate::params::Choice>::WORDS },
            default: "test",
        },
        ParamSpec { name: "size", label: "Test picture width (px)", help: "The generated picture's width; its height is 3/4 of it", kind: Kind::Int { min: 16, max: 4096 }, default: "1024" },
        ParamSpec {
            name: "halo",
            label: "Halo",
            help: "on: a tile reads its neighbours' pixels; off: each tile repeats its own edges (wrong at the seams)",
            kind: Kind::Choice { values: <Halo as crate::params::Choice>::WORDS },
            default: "on",
        },
    ],
    caps: Caps {
        instant: false,
        steppable: false,
        live: false,
        threads: Threads::Sum { inputs: &["threads"], extra: 0, what: "threads", why: "", needs_pool: None },
        no_pool: None,
    },
};

/// The picture and how it is cut, known before any run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "images/"))]
pub struct Plan {
    pub picture: Picture,
    pub width: u32,
    pub height: u32,
    pub tile: u32,
    pub cols: u32,
    pub rows: u32,
    pub tiles: u32,
}

/// One thread count's measurement.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "images/"))]
pub struct Point {
    pub threads: u32,
    /// Every time measured at this count, with their median and range.
    pub samples: Samples,
    /// The best of them.
    pub wall_ms: f64,
    /// Best time on 1 thread over best time here, and the range the samples allow.
    pub speedup: f64,
    pub speedup_range: [f64; 2],
    /// Distinct threads that filtered tiles (all k when there are at least k tiles).
    pub threads_used: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "images/"))]
pub struct Outcome {
    pub filter: Filter,
    pub plan: Plan,
    pub halo: bool,
    /// Threads asked for, and the most that filtered tiles in one run.
    pub threads: u32,
    pub threads_used: u32,
    pub points: Vec<Point>,
    #[cfg_attr(test, ts(optional = nullable))]
    pub warm_up: Option<WarmUp>,
    /// One pass over the whole picture on one thread: the bytes the tiles must equal.
    pub whole_ms: f64,
    /// Whether every run's tiles wrote exactly the whole pass's bytes.
    pub identical: bool,
    /// Pixels where the last run differs from the whole pass (0 with the halo).
    pub differing: u64,
    /// FNV-1a (32 bits) of the last run's output bytes.
    pub checksum: u32,
    /// The lane (1 + pool thread) that filtered each tile in the last run at the most threads.
    pub tile_lanes: Vec<u32>,
    /// That run's timeline: one span per tile.
    pub timeline: Run,
    pub input: Preview,
    /// The output, with the pixels that differ from the whole pass in red.
    pub output: Preview,
    pub explanation: String,
}

fn invalid(param: &str, message: impl Into<String>) -> DemoError {
    DemoError::Invalid(vec![ParamError { param: param.into(), message: message.into() }])
}

fn no_picture() -> DemoError {
    invalid("picture", "choose a picture first (Choose a picture, or drop one on the picture): pictures stay on this device, so a link cannot carry one")
}

/// The last test picture made, kept so that runs at one size do not draw it again.
static TEST_PICTURE: Mutex<Option<Arc<Rgba>>> = Mutex::new(None);

/// The picture the inputs name.
fn source(p: &Params) -> Result<Arc<Rgba>, DemoError> {
    match p.pick::<Picture>("picture") {
        Picture::Yours => picture::attached().ok_or_else(no_picture),
        Picture::Test => {
            let width = p.int("size") as u32;
            let mut kept = TEST_PICTURE.lock().unwrap_or_else(|e| e.into_inner());
            match kept.as_ref() {
                Some(pic) if pic.width == width => Ok(pic.clone()),
                _ => {
                    *kept = None; // the old one goes before the new one is drawn
                    let pic = Arc::new(picture::test_picture(width));
                    *kept = Some(pic.clone());
                    Ok(pic)
                }
            }
        }
    }
}

/// The picture's size and tiles, refused past [`MAX_TILES`] (known without drawing the test
/// picture).
pub fn plan(p: &Params) -> Result<Plan, DemoError> {
    let picture = p.pick::<Picture>("picture");
    let (width, height) = match picture {
        Picture::Test => picture::test_size(p.int("size") as u32),
        Picture::Yours => picture::attached().map(|pic| (pic.width, pic.height)).ok_or_else(no_picture)?,
    };
    let tile = p.int("tile") as u32;
    let layout = Layout::new(width, height, tile);
    if layout.tiles() > MAX_TILES {
        let least = (8..=4096).find(|&t| Layout::new(width, height, t).tiles() <= MAX_TILES).unwrap_or(4096);
        return Err(invalid(
            "tile",
            format!("{tile} px tiles cut this {width} × {height} picture into {} tiles; at most {MAX_TILES}: choose {least} px or more", layout.tiles()),
        ));
    }
    Ok(Plan { picture, width, height, tile, cols: layout.cols, rows: layout.rows, tiles: layout.tiles() })
}

pub fn run(p: &Params, env: Env, ctl: &Control) -> Result<Outcome, DemoError> {
    let plan = plan(p)?;
    let pic = source(p)?;
    let filter = p.pick::<Filter>("filter");
    let halo = p.pick::<Halo>("halo") == Halo::On;
    let k = p.int("threads") as u32;
    let layout = Layout::new(plan.width, plan.height, plan.tile);
    let pooled = env.pool_threads > 0;
    let counts: Vec<u32> = if pooled { (1..=k).collect() } else { vec![1] };
    let place = |k: u32| if pooled { Where::Pool(k as usize) } else { Where::Caller };
    ctl.begin(REPEATS * counts.len() as u32 * layout.tiles() + 1);

    // The gray copy is made once, before any timing, for the filters that read it.
    let gray = (!filter.reads_colour()).then(|| filters::grayscale(&pic));
    let src = match &gray {
        Some(g) => Source::Gray(g),
        None => Source::Colour(&pic),
    };
    let n = (plan.width * plan.height) as usize;
    let started = clock::now_ms();
    let mut whole = vec![0u8; n];
    {
        let mut rows: Vec<&mut [u8]> = whole.chunks_mut(plan.width as usize).collect();
        filter_rect(filter, src, layout.whole(), layout.whole(), &mut rows);
    }
    let whole_ms = clock::since(started);
    ctl.advance(1);
    ctl.check()?;

    // Warm code first, on every thread that will be measured: one tile, again and again.
    let warm_up = match pooled {
        true => Some(measure::warm_up(place(k), k as usize, ctl, || {
            let rect = layout.rect(0);
            let mut scratch = vec![0u8; (rect.width() * (rect.y1 - rect.y0)) as usize];
            let mut rows: Vec<&mut [u8]> = scratch.chunks_mut(rect.width() as usize).collect();
            filter_rect(filter, src, rect, if halo { layout.whole() } else { rect }, &mut rows);
            Ok(())
        })?),
        false => None,
    };

    let mut out = vec![0u8; n];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); counts.len()];
    let mut used = vec![0u32; counts.len()];
    let mut identical = true;
    let mut last = None;
    for _ in 0..REPEATS {
        for (i, &c) in counts.iter().enumerate() {
            let run = filter_tiles(filter, src, &layout, halo, place(c), ctl, &mut out)?;
            identical &= out == whole;
            times[i].push(run.wall_ms);
            used[i] = used[i].max(run.threads_used() as u32);
            last = Some(run);
        }
    }
    let timeline = last.expect("at least one run");
    let t1 = Samples::of(times[0].clone());
    let points: Vec<Point> = counts
        .iter()
        .zip(times)
        .zip(&used)
        .map(|((&threads, ms), &threads_used)| {
            let samples = Samples::of(ms);
            let (speedup, speedup_range) = measure::speedup(&t1, &samples);
            Point { threads, wall_ms: samples.min, samples, speedup, speedup_range, threads_used }
        })
        .collect();
    let differing = out.iter().zip(&whole).filter(|(a, b)| a != b).count() as u64;
    let input = picture::preview(plan.width, plan.height, |x, y| {
        let i = ((y * plan.width + x) * 4) as usize;
        [pic.bytes[i], pic.bytes[i + 1], pic.bytes[i + 2], 255]
    });
    let output = picture::preview(plan.width, plan.height, |x, y| {
        let i = (y * plan.width + x) as usize;
        if out[i] == whole[i] { [out[i], out[i], out[i], 255] } else { [230, 20, 40, 255] }
    });
    let explanation = explain::explanation(filter, &plan, halo, &points, identical, differing, pooled);
    Ok(Outcome {
        filter,
        halo,
        threads: k,
        threads_used: used.iter().copied().max().unwrap_or(1),
        tile_lanes: tile_lanes(&timeline, plan.tiles),
        checksum: fnv1a(&out),
        plan,
        points,
        warm_up,
        whole_ms,
        identical,
        differing,
        timeline,
        input,
        output,
        explanation,
    })
}

pub struct ImagesDemo;

impl Demo for ImagesDemo {
    type Computed = Plan;
    type Outcome = Outcome;
    type Summary = Summary;

    fn spec(&self) -> &'static DemoSpec {
        &SPEC
    }

    fn compute(&self, p: &Params, _ctl: &Control, _ticket: u32) -> Result<Plan, DemoError> {
        plan(p)
    }

    fn run(&self, p: &Params, env: Env, ctl: &Control, _feed: &Feed) -> Result<Outcome, DemoError> {
        run(p, env, ctl)
    }

    fn summary(&self, p: &Params, computed: Option<&Plan>, outcome: Option<&Outcome>) -> Summary {
        Summary::new(p, computed, outcome)
    }

    fn attach(&self, width: u32, height: u32, rgba: Option<Vec<u8>>) -> Result<(), DemoError> {
        match rgba {
            None => picture::check_size(width, height),
            Some(bytes) => picture::attach(width, height, bytes),
        }
        .map_err(|message| invalid("picture", message))
    }
}
