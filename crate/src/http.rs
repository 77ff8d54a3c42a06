//! A blocking HTTP GET with a client timeout, as the plain-Rust core sees it.
//!
//! The requests demo (chapter 5) sends real requests from real threads: in the browser each
//! pool thread is a Web Worker, where a synchronous `XMLHttpRequest` is allowed and blocks
//! that thread until the answer comes or its `timeout` passes, which is exactly Python's
//! `requests.get(url, timeout=…)` on a thread. The browser's side of it lives in
//! `bindings/xhr.rs` (web-sys); the core calls it through [`Transport`], so the demo's logic
//! builds and is tested natively with an in-process server instead
//! (`demos/requests/local.rs`).

/// How one request ended, from the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// An HTTP answer arrived (any status, 200 or 524 alike).
    Answered,
    /// The client's timeout passed first: the client gave up, the server may still be working.
    TimedOut,
    /// No answer at all (network error, refused).
    Failed,
}

/// What a request brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub fate: Fate,
    /// The HTTP status, 0 when there was no answer.
    pub status: u16,
    /// The `X-Status-Server` header: who answered the status route (`service-worker`,
    /// `serve.mjs`, `in-process`).
    pub server: Option<String>,
    /// The `X-Slept-Ms` header: how long the server waited before it answered.
    pub slept_ms: Option<f64>,
    pub body: String,
    /// Why it failed, in the browser's words.
    pub error: Option<String>,
    /// When the request was sent and when it ended, on [`crate::clock::now_ms`].
    pub start_ms: f64,
    pub end_ms: f64,
}

impl Reply {
    /// A reply with no answer.
    pub fn without_answer(fate: Fate, error: Option<String>, start_ms: f64, end_ms: f64) -> Reply {
        Reply { fate, status: 0, server: None, slept_ms: None, body: String::new(), error, start_ms, end_ms }
    }
}

/// Sends GET requests. `url` is relative to the site's root (`status/200?sleep=100`).
pub trait Transport: Sync {
    /// One request, blocking the calling thread until it ends or `timeout_ms` passes.
    fn get(&self, url: &str, timeout_ms: u32) -> Reply;

    /// Every URL at once from one thread, the way `asyncio` or `fetch` would: no thread per
    /// request, one event loop, each request with its own timeout. Blocks the caller until
    /// all have ended. `Err` says why this host cannot.
    fn get_all(&self, urls: &[String], timeout_ms: u32) -> Result<Vec<Reply>, String>;
}

/// The browser's transport: synchronous XHR on the calling worker, `fetch` with
/// `AbortSignal.timeout` on the engine's fetching thread.
#[cfg(target_arch = "wasm32")]
pub fn browser() -> &'static dyn Transport {
    &crate::bindings::xhr::Xhr
}
