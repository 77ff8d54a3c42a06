//! One picture cut into square tiles, and the tiles filtered on k pool threads into one
//! shared output: each thread takes the next tile left (a self-scheduling pool) and writes
//! only that tile's pixels.

use super::filters::{filter_rect, Filter, Rect, Source};
use crate::control::{Cancelled, Control};
use crate::pool::{run_tasks, Run, SpanKind, Stopped, Where};
use crate::sync::Mutex;

/// Tiles a run may have at most: each is a task, a square of the heat map and a number in
/// `data-result`.
pub const MAX_TILES: u32 = 4096;

/// How a picture is cut: `cols` × `rows` tiles of `tile` pixels (smaller at the right and
/// bottom edges), numbered row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub tile: u32,
    pub cols: u32,
    pub rows: u32,
}

impl Layout {
    pub fn new(width: u32, height: u32, tile: u32) -> Layout {
        Layout { width, height, tile, cols: width.div_ceil(tile), rows: height.div_ceil(tile) }
    }

    pub fn tiles(&self) -> u32 {
        self.cols * self.rows
    }

    pub fn whole(&self) -> Rect {
        Rect { x0: 0, y0: 0, x1: self.width, y1: self.height }
    }

    /// Tile `i`'s rectangle.
    pub fn rect(&self, i: u32) -> Rect {
        let (c, r) = (i % self.cols, i / self.cols);
        let (x0, y0) = (c * self.tile, r * self.tile);
        Rect { x0, y0, x1: (x0 + self.tile).min(self.width), y1: (y0 + self.tile).min(self.height) }
    }

    /// `out` (the whole output, row by row) as each tile's rows: tile `i` gets the slices of
    /// its own pixels and nothing else, so threads writing different tiles never share a byte.
    pub fn split<'a>(&self, out: &'a mut [u8]) -> Vec<Vec<&'a mut [u8]>> {
        let mut tiles: Vec<Vec<&mut [u8]>> = (0..self.tiles()).map(|_| Vec::new()).collect();
        for (y, row) in out.chunks_mut(self.width as usize).enumerate() {
            let mut rest = row;
            for c in 0..self.cols {
                let w = self.tile.min(self.width - c * self.tile) as usize;
                let (mine, others) = rest.split_at_mut(w);
                tiles[(y as u32 / self.tile * self.cols + c) as usize].push(mine);
                rest = others;
            }
        }
        tiles
    }
}

/// Filters the whole picture, one tile per task, at `place`, into `out`. With `halo`, a tile's
/// neighbourhoods reach into the neighbouring tiles (the output equals one pass over the
/// whole picture); without it, each tile is filtered as if it were the whole picture.
pub fn filter_tiles(filter: Filter, src: Source, layout: &Layout, halo: bool, place: Where, ctl: &Control, out: &mut [u8]) -> Result<Run, Stopped> {
    // Each tile's rows, taken once by the thread that filters the tile.
    let slots: Vec<Mutex<Option<Vec<&mut [u8]>>>> = layout.split(out).into_iter().map(|t| Mutex::new(Some(t))).collect();
    run_tasks(place, layout.tiles() as usize, ctl, |i, rec| -> Result<(), Cancelled> {
        let mut rows = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take().expect("every tile is filtered once");
        let rect = layout.rect(i as u32);
        let bounds = if halo { layout.whole() } else { rect };
        rec.span(SpanKind::Work, || filter_rect(filter, src, rect, bounds, &mut rows));
        Ok(())
    })
}

/// Which lane filtered each tile in `run`, tile by tile (row by row).
pub fn tile_lanes(run: &Run, tiles: u32) -> Vec<u32> {
    let mut lanes = vec![0; tiles as usize];
    for span in &run.spans {
        if let Some(l) = lanes.get_mut(span.task as usize) {
            *l = span.lane;
        }
    }
    lanes
}
