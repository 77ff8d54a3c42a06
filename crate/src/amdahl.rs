//! Amdahl's law, Gustafson's law, and reading a serial fraction back out of measurements.
//!
//! Notation follows the book (chapter 2): `b` is the serial fraction B of the work (0..=1),
//! `j` the number of processors. Amdahl: S(j) = 1 / (B + (1 - B) / j), which can never pass
//! the ceiling 1/B however many processors are added. Gustafson looks at the other question:
//! keep the time fixed and grow the problem with j; the scaled speedup is j - B (j - 1).

// snippet:start amdahl
/// Amdahl's speedup for serial fraction `b` on `j` processors.
pub fn speedup(b: f64, j: f64) -> f64 {
    1.0 / (b + (1.0 - b) / j)
}

/// The most any number of processors can give: 1/B (infinite when nothing is serial).
pub fn ceiling(b: f64) -> f64 {
    if b == 0.0 {
        f64::INFINITY
    } else {
        1.0 / b
    }
}

/// What the j-th processor adds: S(j) - S(j-1), for j = 1..=n (the first is S(1) - 1 = 0).
pub fn marginal_gains(b: f64, n: u32) -> Vec<f64> {
    (1..=n)
        .map(|j| {
            let prev = if j == 1 { 1.0 } else { speedup(b, f64::from(j - 1)) };
            speedup(b, f64::from(j)) - prev
        })
        .collect()
}

/// Gustafson's scaled speedup: the work grows with j while the serial part stays fixed.
pub fn gustafson(b: f64, j: f64) -> f64 {
    j - b * (j - 1.0)
}

/// The Karp-Flatt metric: the serial fraction implied by a measured speedup `s` on `j`
/// processors, e = (1/S - 1/j) / (1 - 1/j). Undefined for j = 1 (`None`).
pub fn karp_flatt(s: f64, j: f64) -> Option<f64> {
    if j <= 1.0 || s <= 0.0 || !s.is_finite() {
        return None;
    }
    Some((1.0 / s - 1.0 / j) / (1.0 - 1.0 / j))
}

/// The serial fraction B whose Amdahl curve fits measured `(j, speedup)` points best, in
/// the least-squares sense on 1/S: 1/S - 1/j = B (1 - 1/j) is linear in B. Points at j = 1
/// carry no information and are skipped. `None` when no point has j > 1. The value is not
/// clamped: a fit below 0 means the runs scaled better than linearly (noise, or caches).
pub fn fit_serial_fraction(points: &[(f64, f64)]) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for &(j, s) in points {
        if j <= 1.0 || s <= 0.0 || !s.is_finite() {
            continue;
        }
        let x = 1.0 - 1.0 / j;
        num += (1.0 / s - 1.0 / j) * x;
        den += x * x;
    }
    (den > 0.0).then(|| num / den)
}
// snippet:end amdahl

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_books_example_40_percent_parallel_on_4_processors() {
        // B = 0.6, j = 4: 1 / (0.6 + 0.1) = 1/0.7 = 1.428..., which the book prints as 1.43.
        let s = speedup(0.6, 4.0);
        assert!(close(s, 1.0 / 0.7));
        assert_eq!(format!("{s:.2}"), "1.43");
    }

    #[test]
    fn the_books_trade_off_question() {
        // 4 processors at 40 % parallel vs 2 processors at 80 % parallel: the second wins.
        assert_eq!(format!("{:.2}", speedup(0.6, 4.0)), "1.43");
        assert_eq!(format!("{:.2}", speedup(0.2, 2.0)), "1.67");
    }

    #[test]
    fn all_parallel_scales_linearly_and_all_serial_not_at_all() {
        for j in [1.0, 2.0, 7.0, 1024.0] {
            assert!(close(speedup(0.0, j), j));
            assert!(close(speedup(1.0, j), 1.0));
        }
        assert_eq!(ceiling(0.0), f64::INFINITY);
        assert!(close(ceiling(1.0), 1.0));
    }

    #[test]
    fn speedup_approaches_but_never_passes_the_ceiling() {
        let b = 0.25;
        let mut last = 0.0;
        for j in [1.0, 2.0, 4.0, 16.0, 256.0, 65536.0] {
            let s = speedup(b, j);
            assert!(s > last && s < ceiling(b));
            last = s;
        }
        assert!(ceiling(b) - speedup(b, 1e9) < 1e-6);
    }

    #[test]
    fn each_added_processor_gains_less() {
        let gains = marginal_gains(0.1, 8);
        assert_eq!(gains.len(), 8);
        assert!(close(gains[0], 0.0));
        assert!(gains[1] > gains[2] && gains[2] > gains[7]);
        // The gains add up to S(8) - 1.
        assert!(close(gains.iter().sum::<f64>(), speedup(0.1, 8.0) - 1.0));
    }

    #[test]
    fn karp_flatt_recovers_the_serial_fraction_from_exact_speedups() {
        for b in [0.0, 0.05, 0.3, 0.6, 1.0] {
            for j in [2.0, 3.0, 8.0] {
                let e = karp_flatt(speedup(b, j), j).unwrap();
                assert!(close(e, b), "b={b} j={j} e={e}");
            }
        }
        assert_eq!(karp_flatt(1.0, 1.0), None);
        assert_eq!(karp_flatt(0.0, 4.0), None);
    }

    #[test]
    fn fit_recovers_the_serial_fraction_and_skips_single_thread_points() {
        let b = 0.2;
        let pts: Vec<(f64, f64)> = (1..=6).map(|j| (j as f64, speedup(b, j as f64))).collect();
        assert!(close(fit_serial_fraction(&pts).unwrap(), b));
        assert_eq!(fit_serial_fraction(&[(1.0, 1.0)]), None);
        assert_eq!(fit_serial_fraction(&[]), None);
    }

    #[test]
    fn gustafson_grows_linearly_with_slope_one_minus_b() {
        assert!(close(gustafson(0.6, 1.0), 1.0));
        assert!(close(gustafson(0.6, 4.0), 4.0 - 0.6 * 3.0));
        assert!(close(gustafson(0.0, 9.0), 9.0));
        // Scaled speedup beats fixed-size speedup whenever there is parallel work.
        assert!(gustafson(0.6, 4.0) > speedup(0.6, 4.0));
    }
}
