//! The wasm bindings: the only module that speaks `wasm_bindgen`. It turns the page's
//! requests into calls of the plain Rust core and its results into JS values (through
//! serde-wasm-bindgen, as plain objects and numbers: no JSON text crosses), catches panics so
//! they reach the page as errors, and owns the one [`Control`] block that the page's main
//! thread maps through the shared memory.
//!
//! Every entry point returns an envelope, `{ok: true, result}` or
//! `{ok: false, error: {kind, message, errors}}`, so the engine worker never has to guess.

pub mod bench;
pub mod host;
pub mod xhr;
#[cfg(feature = "hosts")]
pub mod hosted;

use crate::control::Control;
use crate::demos::{self, DemoError, Env, ErrorKind, Failure};
use crate::live::Feed;
use crate::params::ParamError;
use crate::sync::OnceLock;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use wasm_bindgen::prelude::*;

// Exported as `initThreadPool(n)`: starts n Web Workers that share this module's memory.
pub use wasm_bindgen_rayon::init_thread_pool;

/// The control block of the current run (cancel flag, progress). One run at a time: the
/// engine worker serialises requests.
pub(crate) static CONTROL: Control = Control::new();

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

/// Every demo's id, title, typed inputs and capabilities.
#[wasm_bindgen]
pub fn schema() -> JsValue {
    host::log_panics();
    envelope(Ok(demos::schema()))
}

/// Caps the page applies before it touches text from a URL (see `demos::limits`).
#[wasm_bindgen]
pub fn limits() -> JsValue {
    to_js(&demos::limits())
}

/// The instant part of a demo (for Amdahl: the calculator). `params` is an array of
/// `[name, value]` string pairs, in URL order. `ticket` is the page's id of a "latest wins"
/// compute, 0 for none (see `control.rs`): a replaced one is dropped unstarted.
#[wasm_bindgen]
pub fn compute(demo: &str, params: JsValue, ticket: u32) -> JsValue {
    guarded(|| demos::compute_for(demo, &pairs(params)?, &CONTROL, ticket))
}

/// Runs a demo on the pool as the page's run `run_id` (its request id; a run cancelled before
/// it began does nothing). Blocks the calling worker until done or cancelled; never call it
/// on a page's main thread.
#[wasm_bindgen]
pub fn run(demo: &str, params: JsValue, cores: u32, pool_threads: u32, run_id: u32) -> JsValue {
    guarded(|| demos::run_as(run_id, demo, &pairs(params)?, Env { cores, pool_threads }, &CONTROL, feed()))
}

/// The step-through view of a synchronization demo after the threads in `trace` (e.g.
/// "0.1.1") took one step each, or after a seeded random run when `seed` is given. Pure
/// computation: works without shared memory.
#[wasm_bindgen]
pub fn step(demo: &str, params: JsValue, trace: &str, seed: Option<u32>) -> JsValue {
    guarded(|| demos::stepper::view(demo, &pairs(params)?, trace, seed.map(u64::from)))
}

/// Hands demo `demo` a picture the learner chose: `width` × `height` RGBA pixels, decoded by
/// the browser in the engine worker. Without `rgba`, only checks that a picture of that size
/// would be taken, so the worker reads out no pixels of one that would not.
#[wasm_bindgen]
pub fn attach(demo: &str, width: u32, height: u32, rgba: Option<Vec<u8>>) -> JsValue {
    guarded(|| demos::attach_for(demo, width, height, rgba))
}

/// Panics on a pool thread, to prove that a panic reaches the page as an error and that the
/// engine stays usable afterwards (used by the tests; harmless otherwise).
#[wasm_bindgen(js_name = panicOnPool)]
pub fn panic_on_pool(message: &str) -> JsValue {
    guarded(|| {
        rayon::scope(|s| s.spawn(|_| panic!("{message}")));
        Ok(())
    })
}

pub(crate) fn pairs(value: JsValue) -> Result<Vec<(String, String)>, DemoError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        DemoError::Invalid(vec![ParamError {
            param: String::new(),
            message: format!("the parameters are not a list of [name, value] pairs: {e}"),
        }])
    })
}

/// The JS value of `v`: objects as plain objects (not `Map`s), 64-bit numbers as numbers.
/// Bytes (`serialize_bytes`: the images demo's pictures) become one `Uint8Array`, not an array
/// of numbers.
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible().serialize_bytes_as_arrays(false)).unwrap_or_else(|e| JsValue::from_str(&format!("unserialisable result: {e}")))
}

pub(crate) fn guarded<T: Serialize>(f: impl FnOnce() -> Result<T, DemoError>) -> JsValue {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => envelope(result),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a thread panicked".to_string());
            let error = Failure { kind: ErrorKind::Panic, message: format!("the engine panicked: {message}"), errors: Some(Vec::new()) };
            to_js(&Envelope::<()>::Err { ok: false, error })
        }
    }
}

/// What every entry point answers.
#[derive(Serialize)]
#[serde(untagged)]
enum Envelope<T> {
    Ok { ok: bool, result: T },
    Err { ok: bool, error: Failure },
}

fn envelope<T: Serialize>(result: Result<T, DemoError>) -> JsValue {
    match result {
        Ok(result) => to_js(&Envelope::Ok { ok: true, result }),
        Err(e) => to_js(&Envelope::<T>::Err { ok: false, error: Failure::from(&e) }),
    }
}
