//! The wasm bindings: the only module that speaks `wasm_bindgen`. It turns JSON text from
//! the engine worker into calls of the plain Rust core and its results back into JSON text,
//! catches panics so they reach the page as errors, and owns the one [`Control`] block that
//! the page's main thread maps through the shared memory.
//!
//! Every entry point returns an envelope, `{"ok":true,"result":…}` or
//! `{"ok":false,"error":{"kind":…,"message":…}}`, so the engine worker never has to guess.

pub mod bench;
pub mod host;

use crate::control::Control;
use crate::demos::{self, DemoError, Env};
use crate::live::Feed;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use wasm_bindgen::prelude::*;

// Exported as `initThreadPool(n)`: starts n Web Workers that share this module's memory.
pub use wasm_bindgen_rayon::init_thread_pool;

/// The control block of the current run (cancel flag, progress). One run at a time: the
/// engine worker serialises requests.
static CONTROL: Control = Control::new();

/// The live feed of the current run (see `live.rs`), allocated on first use.
fn feed() -> &'static Feed {
    static FEED: OnceLock<Feed> = OnceLock::new();
    FEED.get_or_init(|| Feed::with_capacity(FEED_BYTES))
}

/// 256 KiB of JSON lines: a few thousand events, more than any demo shows at once.
const FEED_BYTES: usize = 256 * 1024;

/// Byte address of [`CONTROL`] in the shared memory (see `control.rs` for its layout).
#[wasm_bindgen(js_name = controlAddress)]
pub fn control_address() -> u32 {
    &CONTROL as *const Control as usize as u32
}

/// Where the page finds the live feed: `[length word address, first byte address, capacity,
/// dropped-events word address]`.
#[wasm_bindgen(js_name = feedLayout)]
pub fn feed_layout() -> Vec<u32> {
    let f = feed();
    let (len, bytes, dropped) = f.addresses();
    vec![len as u32, bytes as u32, f.capacity() as u32, dropped as u32]
}

/// Every demo's id, title and typed inputs, as JSON.
#[wasm_bindgen]
pub fn schema() -> String {
    envelope(Ok(demos::schema()))
}

/// Caps the page applies before it touches text from a URL, as JSON (see `demos::limits`).
#[wasm_bindgen]
pub fn limits() -> String {
    demos::limits().to_string()
}

/// The instant part of a demo (for Amdahl: the calculator). `params` is a JSON array of
/// `[name, value]` string pairs, in URL order. `ticket` is the page's id of a "latest wins"
/// compute, 0 for none (see `control.rs`): a replaced one is dropped unstarted.
#[wasm_bindgen]
pub fn compute(demo: &str, params: &str, ticket: u32) -> String {
    guarded(|| demos::compute_for(demo, &pairs(params)?, &CONTROL, ticket))
}

/// Runs a demo on the pool as the page's run `run_id` (its request id; a run cancelled before
/// it began does nothing). Blocks the calling worker until done or cancelled; never call it
/// on a page's main thread.
#[wasm_bindgen]
pub fn run(demo: &str, params: &str, cores: u32, pool_threads: u32, run_id: u32) -> String {
    guarded(|| demos::run_as(run_id, demo, &pairs(params)?, Env { cores, pool_threads }, &CONTROL, feed()))
}

/// The step-through view of a synchronization demo after the threads in `trace` (e.g.
/// "0.1.1") took one step each, or after a seeded random run when `seed` is given. Pure
/// computation: works without shared memory.
#[wasm_bindgen]
pub fn step(demo: &str, params: &str, trace: &str, seed: Option<u32>) -> String {
    guarded(|| demos::stepper::view(demo, &pairs(params)?, trace, seed.map(u64::from)))
}

/// Panics on a pool thread, to prove that a panic reaches the page as an error and that the
/// engine stays usable afterwards (used by the tests; harmless otherwise).
#[wasm_bindgen(js_name = panicOnPool)]
pub fn panic_on_pool(message: &str) -> String {
    guarded(|| {
        rayon::scope(|s| s.spawn(|_| panic!("{message}")));
        Ok(Value::Null)
    })
}

fn pairs(text: &str) -> Result<Vec<(String, String)>, DemoError> {
    serde_json::from_str(text).map_err(|e| {
        demos::DemoError::Invalid(vec![crate::params::ParamError {
            param: String::new(),
            message: format!("the parameters are not a JSON list of [name, value] pairs: {e}"),
        }])
    })
}

fn guarded(f: impl FnOnce() -> Result<Value, DemoError>) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => envelope(result),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a thread panicked".to_string());
            json!({"ok": false, "error": {"kind": "panic", "message": format!("the engine panicked: {message}")}})
                .to_string()
        }
    }
}

fn envelope(result: Result<Value, DemoError>) -> String {
    let v = match result {
        Ok(result) => json!({"ok": true, "result": result}),
        Err(e) => {
            let kind = match &e {
                DemoError::UnknownDemo(_) => "unknown-demo",
                DemoError::Invalid(_) => "invalid",
                DemoError::Cancelled | DemoError::CancelledBeforeStart => "cancelled",
                DemoError::Superseded => "superseded",
            };
            let errors = match &e {
                DemoError::Invalid(errs) => serde_json::to_value(errs).unwrap_or(Value::Null),
                _ => json!([]),
            };
            json!({"ok": false, "error": {"kind": kind, "message": e.to_string(), "errors": errors}})
        }
    };
    v.to_string()
}
