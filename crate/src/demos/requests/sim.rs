//! The simulated server: the same plan on a virtual clock. Nothing is sent; each request
//! takes exactly its planned server wait, or the client's timeout if that comes first, so a
//! run gives the same timeline every time. The page uses it where no service worker answers
//! the status route, and it is the independent check of a real run's shape in the tests.

use super::status::Planned;
use super::{Ended, Mode, Outcome, Request, Server};

/// Request `r` sent at `start` on `lane`.
fn sent(r: &Planned, start: f64, lane: u32, timeout: u32) -> Request {
    let timed_out = r.sleep_ms > timeout;
    let end = start + f64::from(r.sleep_ms.min(timeout));
    Request {
        n: r.n,
        url: r.url.clone(),
        asked: r.code,
        code: (!timed_out).then_some(r.code),
        reason: if timed_out { None } else { super::status::reason(r.code) },
        outcome: if timed_out { Ended::Timeout } else { Ended::Ok },
        start_ms: start,
        end_ms: end,
        lane,
        server_sleep_ms: r.sleep_ms,
        server_done_ms: Some(start + f64::from(r.sleep_ms)),
        error: None,
    }
}

/// The requests of `mode` on the virtual clock.
fn timeline(planned: &[Planned], mode: Mode, workers: usize, timeout: u32) -> Vec<Request> {
    match mode {
        Mode::Sequential => {
            let mut t = 0.0;
            planned
                .iter()
                .map(|r| {
                    let q = sent(r, t, 0, timeout);
                    t = q.end_ms;
                    q
                })
                .collect()
        }
        Mode::Threads => planned.iter().enumerate().map(|(i, r)| sent(r, 0.0, i as u32 + 1, timeout)).collect(),
        Mode::Async => planned.iter().map(|r| sent(r, 0.0, 0, timeout)).collect(),
        Mode::Pool => {
            // Thread s takes request s first; then whichever thread is free first (the lower
            // one on a tie) takes the next request.
            let k = workers.max(1);
            let mut free = vec![0.0_f64; k];
            planned
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let w = if i < k { i } else { (0..k).min_by(|&a, &b| free[a].total_cmp(&free[b])).unwrap_or(0) };
                    let q = sent(r, free[w], w as u32 + 1, timeout);
                    free[w] = q.end_ms;
                    q
                })
                .collect()
        }
    }
}

fn wall(requests: &[Request]) -> f64 {
    requests.iter().map(|r| r.end_ms).fold(0.0, f64::max)
}

pub fn simulate(planned: &[Planned], mode: Mode, workers: usize, timeout: u32) -> Outcome {
    let requests = timeline(planned, mode, workers, timeout);
    let mut lanes: Vec<u32> = requests.iter().map(|r| r.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    Outcome {
        mode,
        server: Server::Simulated,
        threads_used: lanes.len(),
        lanes,
        wall_ms: wall(&requests),
        sequential_ms: Some(wall(&timeline(planned, Mode::Sequential, 1, timeout))),
        sequential_skipped: None,
        timeout_ms: timeout,
        answered_by: vec!["virtual clock".to_string()],
        requests,
        explanation: String::new(),
    }
}
