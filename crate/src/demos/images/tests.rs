use super::filters::{filter_rect, fnv1a, gray_of, grayscale, Rect, Source, GAUSSIAN};
use super::picture::{check_size, test_picture, Gray};
use super::tiles::{filter_tiles, Layout};
use super::*;
use crate::demos;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn run_on(pool_threads: usize, inputs: &[(&str, &str)]) -> Outcome {
    let p = demos::validate("images", &q(inputs)).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(pool_threads).build().unwrap();
    let env = Env { cores: 2, pool_threads: pool_threads as u32 };
    pool.install(|| run(&p, env, &Control::new())).unwrap()
}

/// A gray picture of seeded noise with some structure, independent of the test picture.
fn noise(width: u32, height: u32, seed: u32) -> Gray {
    let mut s = seed.wrapping_mul(2654435761).max(1);
    let bytes = (0..width * height)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let (x, y) = (i % width, i / width);
            ((x * 7 + y * 3) as u8).wrapping_add((s % 64) as u8)
        })
        .collect();
    Gray { width, height, bytes }
}

/// OpenCV's adaptive threshold, written out directly from its definition: for each pixel,
/// the weighted mean of the 11 × 11 block around it (edge pixels repeated past the picture),
/// rounded, minus C; white where the pixel is above it. No separable passes, no tiles.
fn by_definition(g: &Gray, weights: &[u32; 11], divide: impl Fn(u64) -> i64) -> Vec<u8> {
    let (w, h) = (g.width as i64, g.height as i64);
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0u64;
            for dy in -5..=5i64 {
                for dx in -5..=5i64 {
                    let (sx, sy) = ((x + dx).clamp(0, w - 1), (y + dy).clamp(0, h - 1));
                    let weight = u64::from(weights[(dx + 5) as usize] * weights[(dy + 5) as usize]);
                    sum += weight * u64::from(g.at(sx as u32, sy as u32));
                }
            }
            let pixel = i64::from(g.at(x as u32, y as u32));
            out.push(if pixel > divide(sum) - 2 { 255 } else { 0 });
        }
    }
    out
}

fn whole(filter: Filter, g: &Gray) -> Vec<u8> {
    let layout = Layout::new(g.width, g.height, g.width.max(g.height));
    let mut out = vec![0; (g.width * g.height) as usize];
    let mut rows: Vec<&mut [u8]> = out.chunks_mut(g.width as usize).collect();
    filter_rect(filter, Source::Gray(g), layout.whole(), layout.whole(), &mut rows);
    out
}

fn tiled(filter: Filter, g: &Gray, tile: u32, halo: bool, threads: usize) -> Vec<u8> {
    let layout = Layout::new(g.width, g.height, tile);
    let mut out = vec![0; (g.width * g.height) as usize];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| filter_tiles(filter, Source::Gray(g), &layout, halo, Where::Pool(threads), &Control::new(), &mut out)).unwrap();
    out
}

#[test]
fn gray_uses_opencvs_weights_rounded() {
    // 0.299, 0.587, 0.114 of 255, rounded: 76.2, 149.7, 29.1.
    assert_eq!(gray_of(255, 0, 0), 76);
    assert_eq!(gray_of(0, 255, 0), 150);
    assert_eq!(gray_of(0, 0, 255), 29);
    assert_eq!(gray_of(255, 255, 255), 255);
    assert_eq!(gray_of(0, 0, 0), 0);
    // Within one of the floating-point formula everywhere on a grid of colours.
    for r in (0..=255).step_by(17) {
        for g in (0..=255).step_by(15) {
            for b in (0..=255).step_by(51) {
                let exact = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
                assert!((f64::from(gray_of(r as u8, g as u8, b as u8)) - exact).abs() <= 0.5 + 1e-3, "{r} {g} {b}");
            }
        }
    }
}

#[test]
fn the_gaussian_weights_are_sigma_two_rounded_to_256ths() {
    // σ = 0.3·((11 − 1)/2 − 1) + 0.8 = 2; weights e^(−i²/8), scaled to sum 256.
    let g: Vec<f64> = (-5..=5).map(|i: i32| (-(f64::from(i * i)) / 8.0).exp()).collect();
    let total: f64 = g.iter().sum();
    let mut w: Vec<u32> = g.iter().map(|v| (v * 256.0 / total).round() as u32).collect();
    let short = 256 - w.iter().sum::<u32>();
    w[5] += short; // the rounding lost one; the centre takes it
    assert_eq!(w, GAUSSIAN);
    assert_eq!(GAUSSIAN.iter().sum::<u32>(), 256);
}

#[test]
fn threshold_is_white_above_127_only() {
    let g = Gray { width: 4, height: 1, bytes: vec![0, 127, 128, 255] };
    assert_eq!(whole(Filter::Threshold, &g), [0, 0, 255, 255]);
}

#[test]
fn adaptive_thresholds_on_a_flat_picture_and_one_dark_dot() {
    // Flat 100: the mean is 100, and 100 > 100 − 2, so all white.
    let flat = Gray { width: 15, height: 13, bytes: vec![100; 15 * 13] };
    assert!(whole(Filter::AdaptiveMean, &flat).iter().all(|&p| p == 255));
    assert!(whole(Filter::AdaptiveGaussian, &flat).iter().all(|&p| p == 255));
    // A dot of 0 in 200: its block's mean is (120·200)/121 = 198.3 → 198; 0 < 196, so black;
    // its neighbours (200 > 196) stay white.
    let mut dot = Gray { width: 21, height: 21, bytes: vec![200; 21 * 21] };
    dot.bytes[10 * 21 + 10] = 0;
    let out = whole(Filter::AdaptiveMean, &dot);
    assert_eq!(out.iter().filter(|&&p| p == 0).count(), 1);
    assert_eq!(out[10 * 21 + 10], 0);
}

#[test]
fn both_adaptive_filters_match_their_definition() {
    for (w, h, seed) in [(37, 29, 1), (11, 11, 2), (5, 40, 3), (64, 3, 4)] {
        let g = noise(w, h, seed);
        let mean = by_definition(&g, &[1; 11], |s| ((s + 60) / 121) as i64);
        assert_eq!(whole(Filter::AdaptiveMean, &g), mean, "{w}×{h}");
        let gauss = by_definition(&g, &GAUSSIAN, |s| ((s + 32768) >> 16) as i64);
        assert_eq!(whole(Filter::AdaptiveGaussian, &g), gauss, "{w}×{h}");
    }
}

#[test]
fn tiles_with_the_halo_write_the_whole_pass_bytes_for_every_filter_and_tile_size() {
    let g = noise(53, 41, 7);
    let rgba = test_picture(48);
    for filter in [Filter::Threshold, Filter::AdaptiveMean, Filter::AdaptiveGaussian] {
        let reference = whole(filter, &g);
        for tile in [1, 2, 3, 5, 8, 10, 11, 16, 17, 40, 53, 64] {
            for threads in [1, 3] {
                assert_eq!(tiled(filter, &g, tile, true, threads), reference, "{filter:?} tile {tile} threads {threads}");
            }
        }
    }
    // Grayscale reads the colour picture.
    let layout = Layout::new(rgba.width, rgba.height, 7);
    let mut out = vec![0; (rgba.width * rgba.height) as usize];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    pool.install(|| filter_tiles(Filter::Grayscale, Source::Colour(&rgba), &layout, false, Where::Pool(3), &Control::new(), &mut out)).unwrap();
    assert_eq!(out, grayscale(&rgba).bytes);
}

#[test]
fn without_the_halo_adaptive_tiles_go_wrong_at_the_seams_only() {
    let g = noise(64, 64, 9);
    let reference = whole(Filter::AdaptiveMean, &g);
    let out = tiled(Filter::AdaptiveMean, &g, 16, false, 2);
    let differ: Vec<(u32, u32)> = (0..64 * 64).filter(|&i| out[i as usize] != reference[i as usize]).map(|i| (i % 64, i / 64)).collect();
    assert!(!differ.is_empty(), "repeating a tile's own edges changes some border pixels");
    // A pixel more than 5 from every inner seam (16, 32, 48) has the same block either way.
    let near_seam = |v: u32| [16u32, 32, 48].iter().any(|&s| v + 5 >= s && v < s + 5);
    assert!(differ.iter().all(|&(x, y)| near_seam(x) || near_seam(y)), "{differ:?}");
    // Pointwise filters need no halo.
    assert_eq!(tiled(Filter::Threshold, &g, 16, false, 2), whole(Filter::Threshold, &g));
}

#[test]
fn layout_splits_the_output_into_disjoint_tiles_that_cover_it() {
    let layout = Layout::new(10, 7, 4);
    assert_eq!((layout.cols, layout.rows, layout.tiles()), (3, 2, 6));
    assert_eq!(layout.rect(5), Rect { x0: 8, y0: 4, x1: 10, y1: 7 });
    let mut out = vec![0u8; 70];
    for (i, rows) in layout.split(&mut out).into_iter().enumerate() {
        let r = layout.rect(i as u32);
        assert_eq!(rows.len() as u32, r.y1 - r.y0);
        for row in rows {
            assert_eq!(row.len() as u32, r.width());
            row.iter_mut().for_each(|p| *p += i as u8 + 1);
        }
    }
    // Every byte written exactly once, by the tile whose rectangle holds it.
    for (j, &p) in out.iter().enumerate() {
        let (x, y) = (j as u32 % 10, j as u32 / 10);
        assert_eq!(u32::from(p), (y / 4) * 3 + x / 4 + 1);
    }
}

#[test]
fn fnv1a_matches_published_test_vectors() {
    assert_eq!(fnv1a(b""), 0x811c_9dc5);
    assert_eq!(fnv1a(b"a"), 0xe40c_292c);
    assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
}

#[test]
fn picture_size_limits() {
    assert!(check_size(4096, 4096).is_ok());
    assert!(check_size(8192, 2048).is_ok());
    let err = check_size(4097, 4096).unwrap_err();
    assert!(err.contains("4097 × 4096") && err.contains("16.8 megapixels") && err.contains("at most 16.8"), "{err}");
    assert!(check_size(8193, 10).unwrap_err().contains("at most 8192"));
    assert!(check_size(0, 10).is_err());
}

#[test]
fn too_many_tiles_are_refused_beside_the_tile_control() {
    let p = demos::validate("images", &q(&[("size", "4096"), ("tile", "8")])).unwrap();
    let DemoError::Invalid(errors) = plan(&p).unwrap_err() else { panic!() };
    assert_eq!(errors[0].param, "tile");
    // 4096 × 3072 in 8 px tiles: 512 × 384 = 196608 tiles. 56 px: 74 × 55 = 4070 tiles, the
    // first under 4096 (55 px: 75 × 56 = 4200).
    assert!(errors[0].message.contains("196608 tiles") && errors[0].message.contains("choose 56 px"), "{}", errors[0].message);
    let p = demos::validate("images", &q(&[("size", "4096"), ("tile", "64")])).unwrap();
    assert_eq!(plan(&p).unwrap().tiles, 3072);
}

#[test]
fn a_run_measures_every_thread_count_and_checks_the_tiles() {
    let o = run_on(4, &[("size", "96"), ("tile", "16"), ("threads", "4"), ("filter", "adaptive-gaussian")]);
    assert_eq!((o.plan.width, o.plan.height, o.plan.tiles), (96, 72, 30));
    assert_eq!(o.points.iter().map(|p| p.threads).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(o.points.iter().all(|p| p.samples.ms.len() == REPEATS as usize));
    assert_eq!(o.points[0].speedup, 1.0);
    assert_eq!(o.points.iter().map(|p| p.threads_used).collect::<Vec<_>>(), [1, 2, 3, 4], "k distinct workers for k threads");
    assert!(o.identical && o.differing == 0);
    // The checksum is of the definition's output, found without tiles or the demo.
    let gray = grayscale(&test_picture(96));
    assert_eq!(o.checksum, fnv1a(&by_definition(&gray, &GAUSSIAN, |s| ((s + 32768) >> 16) as i64)));
    // The last run was on 4 threads: its 30 tiles ran on lanes 1..=4, each on exactly one.
    assert_eq!(o.tile_lanes.len(), 30);
    assert!(o.tile_lanes.iter().all(|&l| (1..=4).contains(&l)));
    assert_eq!(o.timeline.spans.len(), 30);
    assert!(o.output.width <= picture::PREVIEW_SIDE && o.output.rgba.0.len() as u32 == o.output.width * o.output.height * 4);
}

#[test]
fn without_a_pool_one_thread_is_measured_and_said() {
    let p = demos::validate("images", &q(&[("size", "64"), ("tile", "16")])).unwrap();
    let o = run(&p, Env { cores: 2, pool_threads: 0 }, &Control::new()).unwrap();
    assert_eq!(o.points.len(), 1);
    assert_eq!(o.threads_used, 1);
    assert!(o.explanation.contains("no pool"));
}

#[test]
fn without_the_halo_the_run_says_how_many_pixels_differ() {
    let o = run_on(2, &[("size", "64"), ("tile", "16"), ("threads", "2"), ("halo", "off")]);
    assert!(!o.identical);
    assert!(o.differing > 0);
    assert!(o.explanation.contains(&format!("{} pixels", o.differing)));
    // Red marks them in the output's preview (64 px: the preview is the picture itself).
    let red = o.output.rgba.0.chunks(4).filter(|p| p == &[230, 20, 40, 255]).count() as u64;
    assert_eq!(red, o.differing);
}

#[test]
fn the_summary_carries_what_data_result_documents() {
    let o = run_on(2, &[("size", "64"), ("tile", "32"), ("threads", "2"), ("filter", "threshold")]);
    let p = demos::validate("images", &q(&[("size", "64"), ("tile", "32"), ("threads", "2"), ("filter", "threshold")])).unwrap();
    let v = demos::to_json(&Summary::new(&p, None, Some(&o)));
    assert_eq!(v["filter"], "threshold");
    assert_eq!((v["width"].as_u64(), v["height"].as_u64(), v["tiles"].as_u64()), (Some(64), Some(48), Some(4)));
    assert_eq!(v["points"].as_array().unwrap().len(), 2);
    assert_eq!(v["points"][0]["speedup"], 1.0);
    assert!(v["points"][1]["wallMs"].as_f64().unwrap() > 0.0);
    assert_eq!(v["identical"], true);
    assert_eq!(v["tileLanes"].as_array().unwrap().len(), 4);
    // Before a run: the plan only.
    let before = demos::to_json(&Summary::new(&p, Some(&plan(&p).unwrap()), None));
    assert_eq!(before["tiles"], 4);
    assert!(before["points"].is_null() && before["checksum"].is_null());
}

#[test]
fn a_learners_picture_is_checked_then_kept() {
    let d = demos::demo("images").unwrap();
    assert!(d.attach(5000, 5000, None).is_err(), "checked from the size alone");
    let DemoError::Invalid(e) = d.attach(2, 2, Some(vec![0; 3])).unwrap_err() else { panic!() };
    assert_eq!(e[0].param, "picture");
    // 3 × 2 pixels: red, green, blue / white, black, gray.
    let px = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [128, 128, 128]];
    d.attach(3, 2, Some(px.iter().flat_map(|c| [c[0], c[1], c[2], 255]).collect())).unwrap();
    let o = run_on(2, &[("picture", "yours"), ("filter", "grayscale"), ("tile", "8"), ("threads", "1")]);
    assert_eq!((o.plan.width, o.plan.height), (3, 2));
    assert_eq!(o.checksum, fnv1a(&[76, 150, 29, 255, 0, 128]));
    // Other demos take no pictures.
    assert!(demos::demo("reduction").unwrap().attach(3, 2, None).is_err());
}
