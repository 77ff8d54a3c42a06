//! What the core needs from the browser, through web-sys: a clock that agrees across
//! workers, and the console for what only a developer needs to see.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // Each worker has its own `performance`, hence a thread-local static (the global
    // `performance` of a worker or of the page, whichever runs this).
    #[wasm_bindgen(thread_local_v2, js_name = performance)]
    static PERFORMANCE: web_sys::Performance;
}

/// Milliseconds since the Unix epoch with sub-millisecond resolution, comparable between
/// workers (each worker's `performance.now()` counts from its own start).
pub fn epoch_ms() -> f64 {
    PERFORMANCE.with(|p| p.time_origin() + p.now())
}

/// Sends a panic's message and place to the console as well, once per panic, before it
/// unwinds to the entry point that turns it into the page's error: the page shows the
/// message, the console keeps where it happened.
pub fn log_panics() {
    static ONCE: crate::sync::OnceLock<()> = crate::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::warn_1(&JsValue::from_str(&format!("playground engine: {info}")));
        }))
    });
}
