//! The book's unit tests of a Fibonacci function (chapter 19, examples 5-7), run
//! concurrently the way its `ConcurrentTestSuite(suite, fork_for_tests(4))` runs them: each
//! test is one task, and k workers take the next test until none is left.
//!
//! The book's `fib` is Python's, on integers without a bound; `fib(500000)` has about
//! 104,000 digits and the tests compare it modulo 10^10. Here `fib` works modulo 10^10 all
//! the way (the last ten digits of a sum depend only on the last ten digits of its terms), so
//! the numbers the tests check are the book's and the work is a loop of the same length.

use serde::Serialize;

/// The tests compare modulo this (the book's `self.mod = 10 ** 10`).
pub const MOD: u64 = 10_000_000_000;

/// The book's iterative `fib` (example 6), modulo [`MOD`].
pub fn fib(i: u64) -> u64 {
    if i <= 1 {
        return i;
    }
    let (mut a, mut b) = (0u64, 1u64);
    let mut n = 1;
    while n < i {
        (a, b) = (b, (a + b) % MOD);
        n += 1;
    }
    b
}

/// One of the book's tests: its name and the checks it makes, `fib(i) == expected`.
pub struct Case {
    pub name: &'static str,
    pub checks: &'static [(u64, u64)],
}

/// The book's tests: `test_start_values` and `test_other_values` (example 5: fib(10) = 55),
/// and the three big values of examples 6 and 7, as the book prints them.
pub const CASES: &[Case] = &[
    Case { name: "test_start_values", checks: &[(0, 0), (1, 1)] },
    Case { name: "test_other_values", checks: &[(10, 55)] },
    Case { name: "test_big_value_v1", checks: &[(499_990, 9_998_843_695)] },
    Case { name: "test_big_value_v2", checks: &[(499_995, 1_798_328_130)] },
    Case { name: "test_big_value_v3", checks: &[(500_000, 9_780_453_125)] },
];

/// What one test found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export, export_to = "scheduler/"))]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub name: &'static str,
    pub passed: bool,
    /// `fib(i) = got (expected e)` for each check.
    pub detail: String,
    /// The pool thread (lane) that ran it: 0 is the calling thread.
    pub lane: u32,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// Runs test `c` `rounds` times (the same answer each time; more rounds make the work long
/// enough to measure) and says whether every check held.
pub fn check(c: &Case, rounds: u32) -> (bool, String) {
    let mut passed = true;
    let mut said = Vec::new();
    for &(i, want) in c.checks {
        let mut got = fib(i);
        for _ in 1..rounds {
            got = std::hint::black_box(fib(std::hint::black_box(i)));
        }
        passed &= got == want;
        said.push(format!("fib({i}) = {got}{}", if got == want { String::new() } else { format!(", expected {want}") }));
    }
    (passed, said.join("; "))
}
