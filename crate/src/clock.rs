//! One clock for every thread of a run, in milliseconds.
//!
//! `std::time::Instant` panics on wasm32-unknown-unknown. In the browser each worker has its
//! own `performance.timeOrigin`, so `performance.now()` values from two workers are not
//! comparable; `timeOrigin + now()` is, which is what a cross-thread timeline needs.
//! Natively the clock counts from the first call in the process.

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use crate::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    crate::bindings::host::epoch_ms()
}

/// Milliseconds since `start` (a value of [`now_ms`]).
pub fn since(start: f64) -> f64 {
    now_ms() - start
}
