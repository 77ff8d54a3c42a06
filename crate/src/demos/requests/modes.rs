//! The four ways to send a run's requests for real, through a [`Transport`]: one after
//! another, one pool thread per URL, k pool threads sharing the URLs, and every request at
//! once from one thread (async). Then the server's log, for when it finished each one.

use super::status::{self, Planned, SLEEP_MAX_MS};
use super::{Ended, Mode, Outcome, Request, Server};
use crate::clock;
use crate::control::Control;
use crate::demos::DemoError;
use crate::http::{Fate, Reply, Transport};
use crate::pool::{current_lane, run_tasks, run_threads, Where};
use crate::sync::Mutex;

/// One request's reply as the timeline shows it, times from `origin`.
fn record(r: &Planned, reply: &Reply, origin: f64, lane: u32) -> Request {
    let outcome = match reply.fate {
        Fate::Answered => Ended::Ok,
        Fate::TimedOut => Ended::Timeout,
        Fate::Failed => Ended::Error,
    };
    let code = (reply.fate == Fate::Answered).then_some(reply.status);
    Request {
        n: r.n,
        url: r.url.clone(),
        asked: r.code,
        code,
        reason: code.and_then(status::reason),
        outcome,
        start_ms: reply.start_ms - origin,
        end_ms: reply.end_ms - origin,
        lane,
        server_sleep_ms: reply.slept_ms.map_or(r.sleep_ms, |s| s as u32),
        server_done_ms: None,
        error: reply.error.clone(),
    }
}

/// Requests sent and who answered them.
struct Sent {
    /// When the run began ([`clock::now_ms`]): every time counts from here.
    origin: f64,
    requests: Vec<Request>,
    wall_ms: f64,
    servers: Vec<String>,
}

// snippet:start requests
/// Sends the run's requests the way `mode` says, each with the client timeout `timeout`.
fn send(planned: &[Planned], mode: Mode, workers: usize, timeout: u32, ctl: &Control, t: &dyn Transport) -> Result<Sent, DemoError> {
    let origin = clock::now_ms();
    let done = Mutex::new(Vec::with_capacity(planned.len()));
    // What every thread does with one URL: a blocking GET, as requests.get(url, timeout=…).
    let fetch = |r: &Planned| {
        let reply = t.get(&r.url, timeout);
        done.lock().unwrap_or_else(|e| e.into_inner()).push((r.clone(), reply, current_lane()));
    };
    match mode {
        // for url in urls: requests.get(url)
        Mode::Sequential => {
            for r in planned {
                ctl.check()?;
                fetch(r);
                ctl.tick();
            }
        }
        // threads = [Thread(target=ping, args=(url,)) for url in urls]; start all; join all
        Mode::Threads => {
            run_threads(Where::Pool(planned.len()), planned.len(), ctl, |i, _| {
                fetch(&planned[i]);
                Ok(())
            })?;
        }
        // ThreadPoolExecutor(max_workers=k).map(ping, urls)
        Mode::Pool => {
            run_tasks(Where::Pool(workers), planned.len(), ctl, |i, _| {
                fetch(&planned[i]);
                Ok(())
            })?;
        }
        // await asyncio.gather(*(fetch(url) for url in urls)): one thread, no blocking
        Mode::Async => {
            let urls: Vec<String> = planned.iter().map(|r| r.url.clone()).collect();
            let replies = t.get_all(&urls, timeout).map_err(|message| invalid("mode", message))?;
            for (r, reply) in planned.iter().zip(replies) {
                done.lock().unwrap_or_else(|e| e.into_inner()).push((r.clone(), reply, 0));
            }
            ctl.advance(planned.len() as u32);
        }
    }
    // snippet:end requests
    let wall_ms = clock::since(origin);
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(r, _, _)| r.n);
    let mut servers: Vec<String> = done.iter().filter_map(|(_, reply, _)| reply.server.clone()).collect();
    servers.sort();
    servers.dedup();
    let requests = done.iter().map(|(r, reply, lane)| record(r, reply, origin, *lane)).collect();
    Ok(Sent { origin, requests, wall_ms, servers })
}

fn invalid(param: &str, message: String) -> DemoError {
    DemoError::Invalid(vec![crate::params::ParamError { param: param.into(), message }])
}

/// Asks the server when it finished each request of `run` (waiting for the ones still going,
/// whose clients gave up) and fills in `server_done_ms`.
fn read_log(sent: &mut Sent, planned: &[Planned], run: &str, hold: bool, t: &dyn Transport) {
    let longest = planned.iter().map(|r| r.sleep_ms).max().unwrap_or(0);
    let wait = longest + if hold { SLEEP_MAX_MS } else { 0 } + 1000;
    let reply = t.get(&status::log_url(run, planned.len(), wait), wait + 5000);
    if reply.fate != Fate::Answered || reply.status != 200 {
        return;
    }
    for line in status::parse_log(&reply.body) {
        if let Some(r) = sent.requests.iter_mut().find(|r| r.n == line.n) {
            r.server_done_ms = Some(line.finished_ms - sent.origin);
        }
    }
}

/// A real run: the requests, the server's log, and (when asked) the same requests again one
/// after another for the sequential time.
#[allow(clippy::too_many_arguments)]
pub fn real(planned: &[Planned], mode: Mode, workers: usize, timeout: u32, compare: bool, hold: bool, run: &str, ctl: &Control, t: &dyn Transport) -> Result<Outcome, DemoError> {
    let again = compare && mode != Mode::Sequential && !hold;
    ctl.begin((planned.len() * if again { 2 } else { 1 }) as u32);
    let mut sent = send(planned, mode, workers, timeout, ctl, t)?;
    read_log(&mut sent, planned, run, hold, t);
    let (sequential_ms, sequential_skipped) = if mode == Mode::Sequential {
        (Some(sent.wall_ms), None)
    } else if !compare {
        (None, Some("not asked for (compare is off)"))
    } else if hold {
        (None, Some("the rendezvous holds every answer until all requests have arrived, which one after another never happens"))
    } else {
        let again: Vec<Planned> = planned.iter().map(|r| Planned { url: r.url.replace(&format!("run={run}"), &format!("run={run}s")), ..r.clone() }).collect();
        (Some(send(&again, Mode::Sequential, 1, timeout, ctl, t)?.wall_ms), None)
    };
    let mut lanes: Vec<u32> = sent.requests.iter().map(|r| r.lane).collect();
    lanes.sort_unstable();
    lanes.dedup();
    Ok(Outcome {
        mode,
        server: Server::Real,
        threads_used: if mode == Mode::Async { 1 } else { lanes.len() },
        lanes,
        wall_ms: sent.wall_ms,
        sequential_ms,
        sequential_skipped,
        timeout_ms: timeout,
        answered_by: sent.servers,
        requests: sent.requests,
        explanation: String::new(),
    })
}
