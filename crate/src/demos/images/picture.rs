//! The pictures the filters read: a generated test picture (no licence question, the same
//! bytes on every machine) or the learner's own, decoded by the browser and attached to the
//! engine (`attach`); and small previews of them for the page.

use crate::sync::{Arc, Mutex};
use serde::{Serialize, Serializer};

/// Pixels of a learner's picture at most: 16 megapixels, a 4096 × 4096 photo. Its RGBA bytes
/// (64 MiB), its gray copy and the two outputs a run keeps come to about 112 MiB of the
/// engine's 512 MiB memory.
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// The longest side a picture may have.
pub const MAX_SIDE: u32 = 8192;
/// The longest side of a preview sent to the page (the view shows it at most this wide).
pub const PREVIEW_SIDE: u32 = 720;

/// An RGBA picture, 4 bytes a pixel, rows top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// A one-channel picture, 1 byte a pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Gray {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl Gray {
    pub fn at(&self, x: u32, y: u32) -> u8 {
        self.bytes[(y * self.width + x) as usize]
    }
}

/// Bytes that cross to the page as one `Uint8Array` (serde-wasm-bindgen turns
/// `serialize_bytes` into one), not as an array of numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// A small RGBA copy of a picture for the page to draw.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "images/"))]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    #[cfg_attr(test, ts(type = "Uint8Array"))]
    pub rgba: Bytes,
}

/// Why a picture cannot be used, in the words shown beside the picture control.
pub fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("the picture has no pixels".into());
    }
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!("the picture is {width} × {height}: a side may be at most {MAX_SIDE} pixels"));
    }
    if pixels > MAX_PIXELS {
        let mp = pixels as f64 / 1e6;
        return Err(format!(
            "the picture is {width} × {height} ({mp:.1} megapixels): at most {:.1} megapixels (4096 × 4096); make it smaller and try again",
            MAX_PIXELS as f64 / 1e6
        ));
    }
    Ok(())
}

/// The learner's picture, attached once and read by every run until another replaces it.
/// One per engine: it lives in the engine worker's memory and is never sent anywhere.
static ATTACHED: Mutex<Option<Arc<Rgba>>> = Mutex::new(None);

/// Keeps `rgba` as the learner's picture (replacing the one before), after checking it.
pub fn attach(width: u32, height: u32, bytes: Vec<u8>) -> Result<(), String> {
    check_size(width, height)?;
    if bytes.len() as u64 != u64::from(width) * u64::from(height) * 4 {
        return Err(format!("{} bytes are not a {width} × {height} RGBA picture", bytes.len()));
    }
    // Drop the old picture before keeping the new one, so two never need memory at once
    // longer than the copy in `bytes`.
    *ATTACHED.lock().unwrap_or_else(|e| e.into_inner()) = None;
    *ATTACHED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(Rgba { width, height, bytes }));
    Ok(())
}

/// The learner's picture, if one is attached.
pub fn attached() -> Option<Arc<Rgba>> {
    ATTACHED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A small, fast integer hash of a pixel's place: the test picture's noise and its "letters".
fn mix(a: u32, b: u32) -> u32 {
    let mut h = a.wrapping_mul(0x9E37_79B1) ^ b.wrapping_mul(0x85EB_CA77);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    h
}

/// The test picture's size at `width`: 3/4 as high.
pub fn test_size(width: u32) -> (u32, u32) {
    (width, (width * 3 / 4).max(1))
}

/// The test picture, `width` wide and 3/4 as high: a page of blocky text and three coloured
/// discs under uneven light, bright at the top left and dark at the bottom right. A global
/// threshold at 127 loses the text at both ends (the bright end turns all white, the dark
/// end all black); an adaptive threshold, which compares each pixel with its neighbours,
/// keeps it everywhere.
pub fn test_picture(width: u32) -> Rgba {
    let (width, height) = test_size(width);
    let (w, h) = (width as f32, height as f32);
    let line = (height / 14).max(6);
    let letter = (line / 2).max(3);
    let stroke = (line / 7).max(1);
    let discs = [(0.78f32, 0.22f32, [200u8, 40, 40]), (0.86, 0.5, [40, 160, 60]), (0.8, 0.78, [50, 70, 200])];
    let radius = w.min(h) * 0.09;
    let mut bytes = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let (u, v) = (x as f32 / w, y as f32 / h);
            // The light: from 235 at the top left to 55 at the bottom right.
            let light = 235.0 - 180.0 * (0.55 * u + 0.45 * v);
            let mut rgb = [light + 6.0, light, light - 8.0];
            let in_text = u < 0.66 && u > 0.06 && v > 0.06 && v < 0.94;
            let (row, dy) = (y / line, y % line);
            let (col, dx) = (x / letter, x % letter);
            let glyph = mix(col, row) % 8;
            let body = dy >= line / 4 && dy < line / 4 + line / 2;
            let ink = in_text
                && body
                && glyph != 0
                && (dx < stroke
                    || (glyph & 1 == 1 && dy < line / 4 + stroke)
                    || (glyph & 2 == 2 && dy >= line / 4 + line / 2 - stroke)
                    || (glyph & 4 == 4 && dy >= line / 2 && dy < line / 2 + stroke))
                && dx < letter - stroke;
            if ink {
                rgb = [rgb[0] - 55.0, rgb[1] - 50.0, rgb[2] - 35.0];
            }
            for &(cx, cy, colour) in &discs {
                let (ddx, ddy) = (x as f32 - cx * w, y as f32 - cy * h);
                if ddx * ddx + ddy * ddy < radius * radius {
                    let shade = light / 235.0;
                    rgb = colour.map(|c| f32::from(c) * shade);
                }
            }
            // A little grain: ±1, less than C = 2, so flat paper stays white under an adaptive
            // threshold (as a scan's smooth background does).
            let noise = (mix(x, y ^ 0x5bd1) % 3) as f32 - 1.0;
            for c in rgb {
                bytes.push((c + noise).round().clamp(0.0, 255.0) as u8);
            }
            bytes.push(255);
        }
    }
    Rgba { width, height, bytes }
}

/// A copy at most [`PREVIEW_SIDE`] on its longer side (nearest pixel), as RGBA.
pub fn preview(width: u32, height: u32, rgba_at: impl Fn(u32, u32) -> [u8; 4]) -> Preview {
    let scale = (f64::from(width.max(height)) / f64::from(PREVIEW_SIDE)).max(1.0);
    let (pw, ph) = (((f64::from(width) / scale) as u32).max(1), ((f64::from(height) / scale) as u32).max(1));
    let mut rgba = Vec::with_capacity((pw * ph * 4) as usize);
    for py in 0..ph {
        let y = ((f64::from(py) * scale) as u32).min(height - 1);
        for px in 0..pw {
            let x = ((f64::from(px) * scale) as u32).min(width - 1);
            rgba.extend_from_slice(&rgba_at(x, y));
        }
    }
    Preview { width: pw, height: ph, rgba: Bytes(rgba) }
}
