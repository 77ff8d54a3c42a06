//! The bindings of hosted runs, built only into the engines whose demos have a host (the
//! `hosts` feature, which `io` turns on; www/src/engine/worker.ts): a host's report in, a
//! worker process's messages through the demo's Rust, and the run begun before the host
//! starts, so that a cancel reaches it.

use super::{guarded, pairs, CONTROL};
use crate::demos::{self, Env};
use wasm_bindgen::prelude::*;

/// Finishes a run that the engine worker's host began with workers of its own (its demo is
/// in the engine's hosts, www/src/engine/worker.ts): `seen` is the host's report. Blocks
/// like `run` (bindings/mod.rs) while the pool measures its side.
#[wasm_bindgen(js_name = runObserved)]
pub fn run_observed(demo: &str, params: JsValue, cores: u32, pool_threads: u32, run_id: u32, seen: JsValue) -> JsValue {
    guarded(|| {
        let raw = pairs(params)?;
        let mut seen = <dyn erased_serde::Deserializer>::erase(serde_wasm_bindgen::Deserializer::from(seen));
        demos::run_observed(run_id, demo, &raw, Env { cores, pool_threads }, &CONTROL, &mut seen)
    })
}

/// Begins run `run_id` before a host starts its workers, so that a cancel from the page
/// reaches the run while the host works (see `control.rs`); false if it was cancelled first.
#[wasm_bindgen(js_name = beginRun)]
pub fn begin_run(run_id: u32) -> bool {
    CONTROL.start_run(run_id).is_ok()
}

/// Whether the page cancelled the run under way: a host asks between its steps.
#[wasm_bindgen(js_name = runCancelled)]
pub fn run_cancelled() -> bool {
    CONTROL.is_cancelled()
}

/// One message through a worker process of `demo`, in the process's own instance: `turn` is
/// `{state, msg}`, the answer `{state, send, againMs, exit}` (see the demo's `process.rs`).
#[wasm_bindgen(js_name = processStep)]
pub fn process_step(demo: &str, turn: JsValue) -> JsValue {
    guarded(|| {
        let mut turn = <dyn erased_serde::Deserializer>::erase(serde_wasm_bindgen::Deserializer::from(turn));
        demos::process_step(demo, &mut turn)
    })
}
