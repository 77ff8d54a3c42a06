//! The status route the site answers itself: `status/<code>?sleep=<ms>&jitter=<ms>&seed=<s>&n=<i>`.
//!
//! The book fetches httpstat.us, which is unreliable and cannot be reached from here. So the
//! site answers the same kind of route on any static host: a service worker
//! (`www/public/status-route.js`, loaded by `www/public/coi-sw.js`) and `scripts/serve.mjs`
//! run the same code. Each answer waits `sleep` ms plus a seeded jitter of at most `jitter`
//! ms ([`jitter`], the same integer hash on both sides), so a run reproduces; the wait never
//! passes [`SLEEP_MAX_MS`], the input's maximum. `hold=<k>&run=<token>` makes the server hold
//! every answer of that run until k of its requests have arrived: the proof that they were in
//! flight together. `status/log?run=<token>&count=<n>&wait=<ms>` lists when the server
//! finished each request of a run, also those whose client had already given up.
//!
//! Codes and limits are validated here, in Rust, before anything is sent; the server checks
//! them again and refuses with 400 and a `X-Status-Refused` header.

/// The statuses the route answers, with their reason phrases (the book's six among them:
/// 200, 400, 404, 408, 500 and Cloudflare's 524).
pub const CODES: &[(u16, &str)] = &[
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (408, "Request Timeout"),
    (418, "I'm a teapot"),
    (429, "Too Many Requests"),
    (500, "Internal Server Error"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
    (524, "A Timeout Occurred"),
];

/// The longest a server waits before it answers (the book's slow response: 20 s).
pub const SLEEP_MAX_MS: u32 = 20_000;
/// The most jitter one answer gets.
pub const JITTER_MAX_MS: u32 = 1_000;
/// The most requests a run sends (and a rendezvous holds).
pub const MAX_REQUESTS: usize = 16;

pub fn reason(code: u16) -> Option<&'static str> {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, r)| *r)
}

/// A 32-bit integer hash of `(seed, n)`, written so that JavaScript computes the same with
/// `Math.imul` and `>>> 0` (status-route.js): murmur3's finaliser over `seed ^ n·φ`.
pub fn mix(seed: u32, n: u32) -> u32 {
    let mut x = seed ^ n.wrapping_mul(0x9E37_79B9);
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x = x.wrapping_mul(0xC2B2_AE35);
    x ^= x >> 16;
    x
}

/// The jitter of request `n`: 0 to `max` ms, the same on every run with the same seed.
pub fn jitter(seed: u32, n: u32, max: u32) -> u32 {
    mix(seed, n) % (max + 1)
}

/// How long the server waits before answering request `n`: never past [`SLEEP_MAX_MS`].
pub fn server_sleep(sleep: u32, jitter_max: u32, seed: u32, n: u32) -> u32 {
    sleep.saturating_add(jitter(seed, n, jitter_max)).min(SLEEP_MAX_MS)
}

/// One request of a run, as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub n: u32,
    pub code: u16,
    /// The route's URL, relative to the site's root.
    pub url: String,
    /// How long the server will wait before it answers.
    pub sleep_ms: u32,
}

/// The URL of request `n`. `hold` = 0 for none.
pub fn url(code: u16, sleep: u32, jitter_max: u32, seed: u32, n: u32, run: &str, hold: usize) -> String {
    let mut u = format!("status/{code}?sleep={sleep}&jitter={jitter_max}&seed={seed}&n={n}&run={run}");
    if hold > 0 {
        u.push_str(&format!("&hold={hold}"));
    }
    u
}

/// The URL that asks the server when it finished the `count` requests of `run`, waiting at
/// most `wait` ms for the last of them.
pub fn log_url(run: &str, count: usize, wait: u32) -> String {
    format!("status/log?run={run}&count={count}&wait={wait}")
}

/// One line of the server's log: request `n` of a run arrived and was answered (or, for a
/// client that gave up, would have been) at these times ([`crate::clock::now_ms`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logged {
    pub n: u32,
    pub code: u16,
    pub received_ms: f64,
    pub finished_ms: f64,
}

/// Reads the log's body: one line per request, `n code receivedMs finishedMs`.
pub fn parse_log(body: &str) -> Vec<Logged> {
    body.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let n = f.next()?.parse().ok()?;
            let code = f.next()?.parse().ok()?;
            let received_ms = f.next()?.parse().ok()?;
            let finished_ms = f.next()?.parse().ok()?;
            Some(Logged { n, code, received_ms, finished_ms })
        })
        .collect()
}
