//! The sentence under a run's headline.

use super::{Ended, Mode, Outcome, Server};

fn secs(ms: f64) -> String {
    format!("{:.2} s", ms / 1000.0)
}

pub fn explanation(o: &Outcome) -> String {
    let n = o.requests.len();
    let timeouts = o.requests.iter().filter(|r| r.outcome == Ended::Timeout).count();
    let waits: f64 = o.requests.iter().map(|r| f64::from(r.server_sleep_ms)).sum();
    let how = match o.mode {
        Mode::Sequential => "one after another on one thread: each waited for the one before".to_string(),
        Mode::Threads => format!("on {} threads, one per URL, all waiting on the server together", o.threads_used),
        Mode::Pool => format!("on a pool of {} threads, each taking the next URL when its request ended", o.threads_used),
        Mode::Async => "all at once from one thread: no thread per request, one event loop waiting for every answer".to_string(),
    };
    let mut s = format!("{n} requests {how}: {} in all, against {} of server waits.", secs(o.wall_ms), secs(waits));
    if let (Some(seq), Mode::Threads | Mode::Pool | Mode::Async) = (o.sequential_ms, o.mode) {
        s.push_str(&format!(" One after another they took {} ({:.1}× as long).", secs(seq), seq / o.wall_ms.max(1e-9)));
    }
    if timeouts > 0 {
        let late = o.requests.iter().filter(|r| r.outcome == Ended::Timeout).filter_map(|r| r.server_done_ms).fold(0.0, f64::max);
        s.push_str(&format!(
            " {timeouts} timed out after {}: the client stopped waiting, but the server did not stop working{}.",
            secs(f64::from(o.timeout_ms)),
            if late > 0.0 { format!(" (its log shows it finished at {})", secs(late)) } else { String::new() }
        ));
    }
    if o.server == Server::Simulated {
        s.push_str(" Simulated: nothing was sent; each answer took exactly its planned wait on a virtual clock.");
    }
    s
}
