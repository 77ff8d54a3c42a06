//! The work the demos do. Every function here is deterministic in its result; only its
//! duration depends on the machine.
//!
//! - CPU-bound: the book's primality check by trial division (chapter 1 checks the numbers
//!   from 10^13 to 10^13 + 499, of which 16 are prime and slow to confirm).
//! - I/O-like: a wait that uses no core, standing in for a network or disk request.
//! - Inherently sequential: the book's chain x -> x^2 - x + 1, where step i needs the result
//!   of step i - 1, so no second thread can start early.

use crate::control::{Cancelled, Control};
use std::time::Duration;

/// The 16 primes in 10^13 ..= 10^13 + 499, the range the book's chapter 1 scans. Confirming
/// each takes about 1.6 million trial divisions: these are the slow tasks.
pub const BOOK_PRIMES: [u64; 16] = [
    10_000_000_000_037,
    10_000_000_000_051,
    10_000_000_000_099,
    10_000_000_000_129,
    10_000_000_000_183,
    10_000_000_000_259,
    10_000_000_000_267,
    10_000_000_000_273,
    10_000_000_000_279,
    10_000_000_000_283,
    10_000_000_000_313,
    10_000_000_000_343,
    10_000_000_000_391,
    10_000_000_000_411,
    10_000_000_000_433,
    10_000_000_000_453,
];

/// A smaller prime (about 158 000 trial divisions): one unit of the Amdahl workload.
pub const UNIT_PRIME: u64 = 100_000_000_003;

/// Trial division, as the book writes it: odd divisors up to the square root.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n % 2 == 0 {
        return n == 2;
    }
    let mut d = 3u64;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// The book's CPU-bound task `i`: check the i-th of the book's primes (cycling through 16).
/// Returns the number checked and the verdict, which is always `true` for these inputs.
pub fn prime_task(i: usize) -> (u64, bool) {
    let n = BOOK_PRIMES[i % BOOK_PRIMES.len()];
    (n, is_prime(std::hint::black_box(n)))
}

/// `units` units of pure CPU work (each a primality check of [`UNIT_PRIME`]), checking for
/// cancellation between units. Returns how many units confirmed the prime (= `units`).
pub fn cpu_units(units: u32, ctl: &Control) -> Result<u32, Cancelled> {
    let mut confirmed = 0;
    for _ in 0..units {
        ctl.check()?;
        confirmed += u32::from(is_prime(std::hint::black_box(UNIT_PRIME)));
    }
    Ok(confirmed)
}

/// An I/O-like wait of `ms` milliseconds: the thread sleeps (on wasm, `memory.atomic.wait32`
/// in a worker), using no core. Sleeps in short slices so a cancel is noticed quickly.
pub fn io_wait(ms: u32, ctl: &Control) -> Result<(), Cancelled> {
    const SLICE_MS: u32 = 5;
    let mut left = ms;
    while left > 0 {
        ctl.check()?;
        let now = left.min(SLICE_MS);
        std::thread::sleep(Duration::from_millis(u64::from(now)));
        left -= now;
    }
    ctl.check()
}

/// A short stretch of pure computation, `iters` steps long (the body of a critical section,
/// or the work a thread does between two of them).
pub fn busy(iters: u32) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..iters {
        x = std::hint::black_box(x.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x2545_F491_4F6C_DD1D);
    }
    x
}

/// One step of the book's inherently sequential chain, kept to its last five digits (the
/// book prints the last five digits of the 20th value from 3: 35443).
pub fn chain_step(x: u64) -> u64 {
    const MOD: u64 = 100_000;
    let x = x % MOD;
    (x * x + MOD - x + 1) % MOD
}

/// A chain step with real work attached: the work to do is chosen by the input, so step i
/// cannot begin before step i - 1 has produced its value.
pub fn chain_task(x: u64) -> u64 {
    let (_, prime) = prime_task(x as usize);
    assert!(prime, "the book's primes are prime");
    chain_step(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_primes_are_exactly_the_primes_in_the_books_range() {
        let start = 10_000_000_000_000u64;
        let found: Vec<u64> = (start..start + 500).filter(|&n| is_prime(n)).collect();
        assert_eq!(found, BOOK_PRIMES);
    }

    #[test]
    fn is_prime_on_small_numbers() {
        let small: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(small, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert!(is_prime(UNIT_PRIME));
        assert!(!is_prime(UNIT_PRIME + 2));
    }

    #[test]
    fn prime_tasks_cycle_through_the_book_primes() {
        assert_eq!(prime_task(0), (BOOK_PRIMES[0], true));
        assert_eq!(prime_task(17), (BOOK_PRIMES[1], true));
    }

    #[test]
    fn the_books_chain_ends_in_35443_after_20_steps_from_3() {
        let x = (0..20).fold(3, |x, _| chain_step(x));
        assert_eq!(x, 35443);
        let y = (0..20).fold(3, |x, _| chain_task(x));
        assert_eq!(y, 35443);
    }

    #[test]
    fn cpu_units_stop_when_cancelled() {
        let ctl = Control::new();
        assert_eq!(cpu_units(3, &ctl), Ok(3));
        ctl.cancel();
        assert_eq!(cpu_units(3, &ctl), Err(Cancelled));
        assert_eq!(io_wait(1000, &ctl), Err(Cancelled));
    }
}
