//! The browser's [`Transport`] (crate/src/http.rs), through web-sys.
//!
//! [`Xhr::get`] is a synchronous `XMLHttpRequest` on the calling worker, with its `timeout`:
//! allowed in workers (never on the page), it blocks that thread until the answer or the
//! timeout, as Python's `requests.get` blocks its thread. Pool threads are workers, so a
//! thread per URL really is a thread per request, each waiting on the network stack.
//!
//! [`Xhr::get_all`] is the async contrast: the engine's fetching thread (a worker started by
//! `www/src/engine/io.ts`, running `www/src/engine/fetcher.ts`) sends every request at once
//! with `fetch` and `AbortSignal.timeout`, on one event loop, and writes the results into
//! this module's shared memory; the caller waits for them on an atomic word. That needs
//! shared memory, so a page without cross-origin isolation cannot use it.

use crate::clock;
use crate::http::{Fate, Reply, Transport};
use crate::sync::AtomicI32;
use crate::sync::Ordering::Acquire;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::XmlHttpRequest;

pub struct Xhr;

/// Where the site's root is, seen from the current worker: every worker of the built site
/// (the engine, the pool's, the fetching thread) is a script in `<root>/assets/`.
fn site_root() -> String {
    let location = js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().location();
    let href = location.href();
    match href.find("/assets/") {
        Some(i) if !href.starts_with("blob:") => href[..=i].to_string(),
        _ => format!("{}/", location.origin()),
    }
}

/// The `name` of a thrown DOMException (`TimeoutError`, `NetworkError`), or its text.
fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

fn header(xhr: &XmlHttpRequest, name: &str) -> Option<String> {
    xhr.get_response_header(name).ok().flatten()
}

impl Transport for Xhr {
    fn get(&self, url: &str, timeout_ms: u32) -> Reply {
        let start = clock::now_ms();
        let failed = |fate: Fate, why: String| Reply::without_answer(fate, Some(why), start, clock::now_ms());
        let xhr = match XmlHttpRequest::new() {
            Ok(x) => x,
            Err(e) => return failed(Fate::Failed, error_name(&e)),
        };
        if let Err(e) = xhr.open_with_async("GET", &format!("{}{url}", site_root()), false) {
            return failed(Fate::Failed, error_name(&e));
        }
        xhr.set_timeout(timeout_ms);
        if let Err(e) = xhr.send() {
            let name = error_name(&e);
            let fate = if name == "TimeoutError" { Fate::TimedOut } else { Fate::Failed };
            return failed(fate, name);
        }
        let end = clock::now_ms();
        let status = xhr.status().unwrap_or(0);
        if status == 0 {
            return Reply::without_answer(Fate::Failed, Some("no answer".into()), start, end);
        }
        Reply {
            fate: Fate::Answered,
            status,
            server: header(&xhr, "X-Status-Server"),
            slept_ms: header(&xhr, "X-Slept-Ms").and_then(|s| s.parse().ok()),
            body: xhr.response_text().ok().flatten().unwrap_or_default(),
            error: None,
            start_ms: start,
            end_ms: end,
        }
    }

    fn get_all(&self, urls: &[String], timeout_ms: u32) -> Result<Vec<Reply>, String> {
        // Per request: status, fate (0 answered, 1 timed out, 2 failed), start, end, the
        // server's wait (-1 for none), who answered (1 service worker, 2 serve.mjs, 0 none).
        const FIELDS: usize = 6;
        let mut out = vec![0.0_f64; urls.len() * FIELDS];
        let done = AtomicI32::new(0);
        let root = site_root();
        let list: js_sys::Array = urls.iter().map(|u| JsValue::from_str(&format!("{root}{u}"))).collect();
        fetch_all(&wasm_bindgen::memory(), &done as *const AtomicI32 as u32, out.as_mut_ptr() as u32, &list, timeout_ms)
            .map_err(|e| format!("mode async: the engine's fetching thread is not there ({}); it needs a cross-origin isolated page", error_name(&e)))?;
        // The same word seen from JS, for Atomics.wait.
        let buffer = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer();
        let word = js_sys::Int32Array::new_with_byte_offset_and_length(&buffer, &done as *const AtomicI32 as u32, 1);
        let patience = clock::now_ms() + f64::from(timeout_ms) + 10_000.0;
        while done.load(Acquire) == 0 {
            let left = patience - clock::now_ms();
            if left <= 0.0 {
                return Err("mode async: the engine's fetching thread did not answer".into());
            }
            // Parks this worker until the fetching thread stores 1 and notifies (or time passes).
            let _ = js_sys::Atomics::wait_with_timeout(&word, 0, 0, left);
        }
        let server = |code: f64| match code as u32 {
            1 => Some("service-worker".to_string()),
            2 => Some("serve.mjs".to_string()),
            _ => None,
        };
        Ok(out
            .chunks(FIELDS)
            .map(|f| {
                let fate = match f[1] as u32 {
                    0 => Fate::Answered,
                    1 => Fate::TimedOut,
                    _ => Fate::Failed,
                };
                let error = (fate != Fate::Answered).then(|| if fate == Fate::TimedOut { "TimeoutError".to_string() } else { "fetch failed".to_string() });
                let slept_ms = (f[4] >= 0.0).then_some(f[4]);
                Reply { fate, status: f[0] as u16, server: server(f[5]), slept_ms, body: String::new(), error, start_ms: f[2], end_ms: f[3] }
            })
            .collect())
    }
}

#[wasm_bindgen]
extern "C" {
    /// Set by `www/src/engine/io.ts` on the engine worker: hands the URLs to its fetching thread.
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = playgroundFetchAll)]
    fn fetch_all(memory: &JsValue, done: u32, out: u32, urls: &js_sys::Array, timeout_ms: u32) -> Result<(), JsValue>;
}
