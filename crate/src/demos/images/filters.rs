//! The book's four filters, each over one rectangle of the picture, so that a tile and the
//! whole picture run the same code:
//! - grayscale: OpenCV's `cvtColor(…, COLOR_RGB2GRAY)` on 8-bit pixels, in its fixed point;
//! - threshold: `threshold(gray, 127, 255, THRESH_BINARY)`, white where gray > 127;
//! - adaptive-mean and adaptive-gaussian: `adaptiveThreshold(gray, 255, method,
//!   THRESH_BINARY, 11, 2)`: white where a pixel is brighter than the mean (or the
//!   Gaussian-weighted mean) of the 11 × 11 block around it, minus C = 2. Past the picture's
//!   edge the block repeats the edge pixels (OpenCV's `BORDER_REPLICATE`).
//!
//! An adaptive filter reads 5 pixels past its rectangle on every side. A tile gets them from
//! its neighbours' part of the shared picture (its halo), so the tiles together write the
//! same bytes as one pass over the whole picture. Without the halo a tile treats its own
//! edges as the picture's and repeats them, and its border pixels come out differently.

use super::picture::{Gray, Rgba};

crate::choice! {
    #[cfg_attr(test, ts(export_to = "images/"))]
    /// The book's filters.
    pub enum Filter {
        Grayscale = "grayscale",
        Threshold = "threshold",
        AdaptiveMean = "adaptive-mean",
        AdaptiveGaussian = "adaptive-gaussian",
    }
}

/// The block side of the adaptive thresholds, as the book has it (`blockSize = 11`).
pub const BLOCK: u32 = 11;
/// How far the block reaches past a pixel: the halo a tile needs on each side.
pub const HALO: u32 = BLOCK / 2;
/// Subtracted from the block's mean (the book's `C = 2`).
pub const C: i32 = 2;
/// The global threshold.
pub const THRESHOLD: u8 = 127;

/// OpenCV's RGB to gray weights, 0.299, 0.587 and 0.114 in 14-bit fixed point.
const GRAY_WEIGHTS: [u32; 3] = [4899, 9617, 1868];

/// A Gaussian of σ = 2 over 11 taps (for an 11 × 11 block OpenCV takes σ = 0.3·((11 − 1)/2 − 1)
/// plus 0.8), in 8-bit fixed point: the weights sum to 256, so a row then a column pass sums to
/// 65536. OpenCV's bit-exact 8-bit blur also works in 8-bit fixed point per axis; where its
/// rounding of a weight differs by one unit, a pixel at a tie can differ from OpenCV's.
pub const GAUSSIAN: [u32; 11] = [2, 7, 17, 31, 45, 52, 45, 31, 17, 7, 2];
const BOX: [u32; 11] = [1; 11];

impl Filter {
    /// Pixels it reads past a pixel on each side.
    pub fn reach(self) -> u32 {
        match self {
            Filter::Grayscale | Filter::Threshold => 0,
            Filter::AdaptiveMean | Filter::AdaptiveGaussian => HALO,
        }
    }

    /// Whether it reads the colour picture (the others read its gray copy).
    pub fn reads_colour(self) -> bool {
        self == Filter::Grayscale
    }
}

/// A rectangle of pixels, `x0..x1` by `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Rect {
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }
}

/// What a filter reads.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Colour(&'a Rgba),
    Gray(&'a Gray),
}

/// One pixel's gray value, as OpenCV computes it (rounded fixed point).
pub fn gray_of(r: u8, g: u8, b: u8) -> u8 {
    let [wr, wg, wb] = GRAY_WEIGHTS;
    ((u32::from(r) * wr + u32::from(g) * wg + u32::from(b) * wb + (1 << 13)) >> 14) as u8
}

/// The gray copy of a picture.
pub fn grayscale(rgba: &Rgba) -> Gray {
    let bytes = rgba.bytes.chunks_exact(4).map(|p| gray_of(p[0], p[1], p[2])).collect();
    Gray { width: rgba.width, height: rgba.height, bytes }
}

// snippet:start images
/// Filters `rect` of `src` into `out` (one slice per row of `rect`). The block around a pixel
/// is clamped to `bounds`: the whole picture (a tile reads its halo from its neighbours'
/// pixels) or the tile itself (no halo).
// In wasm the kernels may use the 128-bit SIMD instructions, which lets the compiler
// vectorise the weighted sums (scripts/bench-data.mjs measures the difference).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
pub fn filter_rect(filter: Filter, src: Source, rect: Rect, bounds: Rect, out: &mut [&mut [u8]]) {
    match (filter, src) {
        (Filter::Grayscale, Source::Colour(rgba)) => {
            for (row, y) in out.iter_mut().zip(rect.y0..rect.y1) {
                let start = ((y * rgba.width + rect.x0) * 4) as usize;
                let pixels = rgba.bytes[start..start + rect.width() as usize * 4].chunks_exact(4);
                for (o, p) in row.iter_mut().zip(pixels) {
                    *o = gray_of(p[0], p[1], p[2]);
                }
            }
        }
        (Filter::Threshold, Source::Gray(gray)) => {
            for (row, y) in out.iter_mut().zip(rect.y0..rect.y1) {
                let start = (y * gray.width + rect.x0) as usize;
                for (o, &g) in row.iter_mut().zip(&gray.bytes[start..]) {
                    *o = if g > THRESHOLD { 255 } else { 0 };
                }
            }
        }
        (Filter::AdaptiveMean, Source::Gray(gray)) => {
            // The mean of 121 pixels, rounded: sum / 121 is never exactly half-way.
            adaptive(gray, rect, bounds, &BOX, |sum| (sum + 60) / 121, out);
        }
        (Filter::AdaptiveGaussian, Source::Gray(gray)) => {
            adaptive(gray, rect, bounds, &GAUSSIAN, |sum| (sum + (1 << 15)) >> 16, out);
        }
        _ => unreachable!("grayscale reads the colour picture, the others its gray copy"),
    }
}

/// An adaptive threshold with separable weights: each row of the block is weighted first
/// (one pass along the rows), then the row sums down each column. `mean` turns the weighted
/// sum back into a pixel value.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn adaptive(gray: &Gray, rect: Rect, bounds: Rect, weights: &[u32; 11], mean: impl Fn(u32) -> u32, out: &mut [&mut [u8]]) {
    let r = HALO as i64;
    let w = rect.width() as usize;
    let clamp_x = |x: i64| x.clamp(i64::from(bounds.x0), i64::from(bounds.x1) - 1) as u32;
    let clamp_y = |y: i64| y.clamp(i64::from(bounds.y0), i64::from(bounds.y1) - 1) as u32;
    // Row pass over the rectangle's rows and `r` more above and below (clamped to bounds).
    let rows = (rect.y1 - rect.y0) as usize + 2 * HALO as usize;
    let mut across = vec![0u32; rows * w];
    let mut padded = vec![0u8; w + 2 * HALO as usize];
    for (i, y) in (i64::from(rect.y0) - r..i64::from(rect.y1) + r).enumerate() {
        let y = clamp_y(y);
        for (j, p) in padded.iter_mut().enumerate() {
            *p = gray.at(clamp_x(i64::from(rect.x0) + j as i64 - r), y);
        }
        for (x, sum) in across[i * w..(i + 1) * w].iter_mut().enumerate() {
            *sum = padded[x..x + 11].iter().zip(weights).map(|(&p, &k)| u32::from(p) * k).sum();
        }
    }
    // Column pass, then the threshold: white where the pixel is above the mean minus C.
    for (i, row) in out.iter_mut().enumerate() {
        let y = rect.y0 + i as u32;
        for (x, o) in row.iter_mut().enumerate() {
            let sum: u32 = (0..11).map(|j| across[(i + j) * w + x] * weights[j]).sum();
            let pixel = i32::from(gray.at(rect.x0 + x as u32, y));
            *o = if pixel > mean(sum) as i32 - C { 255 } else { 0 };
        }
    }
}
// snippet:end images

/// FNV-1a (32 bits) over `bytes`: the output's checksum in `data-result`.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}
