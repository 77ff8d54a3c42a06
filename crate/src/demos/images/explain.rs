//! The sentences under a run.

use super::filters::{Filter, HALO};
use super::{Plan, Point};

pub fn explanation(filter: Filter, plan: &Plan, halo: bool, points: &[Point], identical: bool, differing: u64, pooled: bool) -> String {
    let mut s = format!("{} × {} pixels in {} tiles of {} px. ", plan.width, plan.height, plan.tiles, plan.tile);
    if !pooled {
        s += "This page has no pool (it is not cross-origin isolated), so the tiles ran one after another on one thread. ";
    } else if let Some(best) = points.iter().max_by(|a, b| a.speedup.total_cmp(&b.speedup)) {
        let last = &points[points.len() - 1];
        let threads = |k: u32| if k == 1 { "1 thread".to_string() } else { format!("{k} threads") };
        s += &format!("Best: {:.2}× on {}; {:.2}× on {}. ", best.speedup, threads(best.threads), last.speedup, threads(last.threads));
        if last.threads > 1 && last.speedup < 1.0 {
            s += &format!(
                "More threads were slower here: each tile is about {:.0} µs of work, too little to pay for waking threads and handing out tiles. Make the picture or the tiles larger. ",
                points[0].wall_ms * 1000.0 / f64::from(plan.tiles)
            );
        }
    }
    match (filter.reach(), halo, identical) {
        (0, _, true) => s += "Each output pixel depends on its own input pixel only, so the tiles wrote exactly the bytes of one pass over the whole picture.",
        (_, true, true) => s += &format!(
            "Each tile read a halo of {HALO} pixels from its neighbours, so the tiles wrote exactly the bytes of one pass over the whole picture (checked byte for byte)."
        ),
        (_, false, false) => s += &format!(
            "Without the halo each tile repeated its own edges instead of reading its neighbours: {differing} pixels near the seams (in red) differ from one pass over the whole picture."
        ),
        (_, _, identical) => s += &format!("The tiles and the whole pass {}.", if identical { "agree" } else { "differ" }),
    }
    s
}
