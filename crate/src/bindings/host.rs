//! What the core needs from the browser: a clock that agrees across workers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type Performance;

    // Each worker has its own `performance`, hence a thread-local static.
    #[wasm_bindgen(thread_local_v2, js_name = performance)]
    static PERFORMANCE: Performance;

    #[wasm_bindgen(method)]
    fn now(this: &Performance) -> f64;

    #[wasm_bindgen(method, getter, js_name = timeOrigin)]
    fn time_origin(this: &Performance) -> f64;
}

/// Milliseconds since the Unix epoch with sub-millisecond resolution, comparable between
/// workers (each worker's `performance.now()` counts from its own start).
pub fn epoch_ms() -> f64 {
    PERFORMANCE.with(|p| p.time_origin() + p.now())
}
