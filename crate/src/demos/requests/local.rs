//! The status route answered in-process, for native builds and tests: the same rules as
//! `www/public/status-route.js` (the service worker's and `scripts/serve.mjs`'s), with real
//! waits on the calling thread. A client that gives up stops waiting; the server's log still
//! says when the answer would have been ready, as a server that keeps working would.

use super::status::{self, SLEEP_MAX_MS};
use crate::clock;
use crate::http::{Fate, Reply, Transport};
use crate::sync::{Condvar, Mutex, OnceLock};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Default)]
struct State {
    /// Requests that arrived, per run.
    arrived: HashMap<String, usize>,
    /// (run, n, code, received, finished).
    log: Vec<(String, u32, u16, f64, f64)>,
    /// Held requests whose client gave up: (run, n, code, received, wait), logged when the
    /// rendezvous completes, as a server still holding them would finish them then.
    held: Vec<(String, u32, u16, f64, u32)>,
}

#[derive(Default)]
pub struct LocalServer {
    state: Mutex<State>,
    changed: Condvar,
}

/// The one in-process server.
pub fn server() -> &'static LocalServer {
    static SERVER: OnceLock<LocalServer> = OnceLock::new();
    SERVER.get_or_init(LocalServer::default)
}

fn query<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let (_, q) = url.split_once('?')?;
    q.split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

fn num(url: &str, key: &str) -> u32 {
    query(url, key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl LocalServer {
    fn lock(&self) -> crate::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `until` (a [`clock::now_ms`] value) or until `done` holds of the state.
    fn wait_until(&self, until: f64, done: impl Fn(&State) -> bool) -> bool {
        let mut s = self.lock();
        loop {
            if done(&s) {
                return true;
            }
            let left = until - clock::now_ms();
            if left <= 0.0 {
                return false;
            }
            s = self.changed.wait_timeout(s, Duration::from_secs_f64(left / 1000.0)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    fn status(&self, url: &str, timeout_ms: u32, start: f64) -> Reply {
        let code: u16 = url.trim_start_matches("status/").split('?').next().and_then(|c| c.parse().ok()).unwrap_or(0);
        let (sleep, jitter) = (num(url, "sleep"), num(url, "jitter"));
        if status::reason(code).is_none() || sleep > SLEEP_MAX_MS || jitter > status::JITTER_MAX_MS {
            return Reply { fate: Fate::Answered, status: 400, server: Some("in-process".into()), slept_ms: None, body: "refused".into(), error: None, start_ms: start, end_ms: clock::now_ms() };
        }
        let (run, n, hold) = (query(url, "run").unwrap_or("").to_string(), num(url, "n"), num(url, "hold") as usize);
        let deadline = start + f64::from(timeout_ms);
        let slept = status::server_sleep(sleep, jitter, num(url, "seed"), n);
        {
            let mut s = self.lock();
            let arrived = s.arrived.entry(run.clone()).or_default();
            *arrived += 1;
            if hold > 0 && *arrived >= hold {
                let now = clock::now_ms();
                let (done, kept): (Vec<_>, Vec<_>) = s.held.drain(..).partition(|h| h.0 == run);
                s.held = kept;
                s.log.extend(done.into_iter().map(|(r, n, c, received, wait)| (r, n, c, received, now + f64::from(wait))));
            }
        }
        self.changed.notify_all();
        // The rendezvous: hold until `hold` requests of this run arrived, or the client leaves.
        let released = if hold > 0 {
            let until = deadline.min(start + f64::from(SLEEP_MAX_MS));
            if !self.wait_until(until, |s| s.arrived.get(&run).copied().unwrap_or(0) >= hold) {
                self.lock().held.push((run, n, code, start, slept));
                return Reply::without_answer(Fate::TimedOut, Some("timed out".into()), start, clock::now_ms());
            }
            clock::now_ms()
        } else {
            start
        };
        let finished = released + f64::from(slept);
        self.lock().log.push((run, n, code, start, finished));
        self.changed.notify_all();
        let answered = finished <= deadline;
        let end = finished.min(deadline);
        self.wait_until(end, |_| false);
        if !answered {
            return Reply::without_answer(Fate::TimedOut, Some("timed out".into()), start, clock::now_ms());
        }
        let reason = status::reason(code).unwrap_or("");
        Reply { fate: Fate::Answered, status: code, server: Some("in-process".into()), slept_ms: Some(f64::from(slept)), body: format!("{code} {reason}"), error: None, start_ms: start, end_ms: clock::now_ms() }
    }

    fn log(&self, url: &str, start: f64) -> Reply {
        let (run, count, wait) = (query(url, "run").unwrap_or("").to_string(), num(url, "count") as usize, num(url, "wait"));
        let until = start + f64::from(wait.min(2 * SLEEP_MAX_MS));
        // Until every request of the run is logged and finished, or the wait is over.
        let finished = |s: &State| {
            let mine: Vec<_> = s.log.iter().filter(|e| e.0 == run).collect();
            mine.len() >= count && mine.iter().all(|e| e.4 <= clock::now_ms())
        };
        // The finishing times are in the log already, so this waits for the clock: poll it.
        while !finished(&self.lock()) && clock::now_ms() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let s = self.lock();
        let body: String = s.log.iter().filter(|e| e.0 == run && e.4 <= clock::now_ms()).map(|e| format!("{} {} {} {}\n", e.1, e.2, e.3, e.4)).collect();
        Reply { fate: Fate::Answered, status: 200, server: Some("in-process".into()), slept_ms: None, body, error: None, start_ms: start, end_ms: clock::now_ms() }
    }
}

impl Transport for LocalServer {
    fn get(&self, url: &str, timeout_ms: u32) -> Reply {
        let start = clock::now_ms();
        if url.starts_with("status/log") {
            self.log(url, start)
        } else {
            self.status(url, timeout_ms, start)
        }
    }

    fn get_all(&self, urls: &[String], timeout_ms: u32) -> Result<Vec<Reply>, String> {
        // Natively there is no event loop to lend: a scoped thread per request stands in.
        Ok(std::thread::scope(|s| {
            let handles: Vec<_> = urls.iter().map(|u| s.spawn(move || self.get(u, timeout_ms))).collect();
            handles.into_iter().map(|h| h.join().expect("a request thread panicked")).collect()
        }))
    }
}
