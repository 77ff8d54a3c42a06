//! The clients: each one a pool worker with one connection, sending a request, waiting for its
//! reply and checking it, then the next, until the run's duration is up (or its request cap).
//! Then it closes its end and reads on to end of file, so a reply that came twice would be
//! seen. Every reply is checked against a value the client works out itself, not with the
//! server's code: the echo's own text, the calculation done by plain arithmetic, `fib` from an
//! iterative table.

use super::ring::{read_line, Conn, Lines};
use crate::clock;
use crate::control::{Cancelled, Control};
use std::collections::VecDeque;

/// Requests one client sends at most in a run, however fast the server: a bound on the
/// memory a run's latencies take (16 bytes a request, 16 MB at most), far past what a lone
/// client sends in the longest run on this machine's kind (about 100,000 a second for 5 s).
pub const MAX_PER_CLIENT: u64 = 1_000_000;

/// Small `fib` of the mixed load.
pub const SMALL_FIB: u32 = 18;

/// What a run's clients send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    /// Every client cycles through echo, calc and a small fib.
    Mixed,
    /// The classic experiment: client 0 sends echoes until `fib_from_ms`, then `fib(n)` after
    /// `fib(n)`; the others send echoes and calculations throughout.
    Fib { n: u32, fib_from_ms: f64 },
}

/// The iterative Fibonacci the clients check against.
pub fn fib_table(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

/// A request: its line's kind and payload, the result the client expects, and whether it is
/// a fast one (not `fib(n)` of the experiment).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: &'static str,
    pub payload: String,
    pub expect: String,
    pub fast: bool,
}

pub fn request(plan: Plan, client: usize, seq: u64, at_ms: f64) -> Request {
    let echo = || Request { kind: "echo", payload: format!("hello {client}.{seq}"), expect: format!("hello {client}.{seq}"), fast: true };
    let calc = || {
        let (a, b, c) = ((seq % 97) as i64, client as i64 + 1, (seq % 13) as i64 + 2);
        if seq % 2 == 0 {
            Request { kind: "calc", payload: format!("{a} + {b} * {c}"), expect: (a + b * c).to_string(), fast: true }
        } else {
            Request { kind: "calc", payload: format!("({a} - {b}) * {c}"), expect: ((a - b) * c).to_string(), fast: true }
        }
    };
    let fib = |n: u32, fast: bool| Request { kind: "fib", payload: n.to_string(), expect: fib_table(n).to_string(), fast };
    match plan {
        Plan::Mixed => match seq % 3 {
            0 => echo(),
            1 => calc(),
            _ => fib(SMALL_FIB, true),
        },
        Plan::Fib { n, fib_from_ms } if client == 0 && at_ms >= fib_from_ms => fib(n, false),
        Plan::Fib { .. } => if seq % 2 == 0 { echo() } else { calc() },
    }
}

/// What one client saw.
#[derive(Debug, Clone, Default)]
pub struct ClientLog {
    pub sent: u64,
    /// Replies that answered the request just sent, with the right value.
    pub answered: u64,
    /// Replies to the request just sent whose value was wrong.
    pub wrong: u64,
    /// Replies to no request in flight: sent twice, or meant for another client.
    pub stray: u64,
    /// Round-trip time of each answered request, ms.
    pub latencies: Vec<f64>,
    /// When each fast request was answered, ms from the start line.
    pub fast_done: Vec<f64>,
    /// (sent, answered) of each slow `fib` request, ms from the start line.
    pub slow: Vec<(f64, f64)>,
}

/// Splits a reply line into (client, seq, result).
fn parse(line: &str) -> Option<(usize, u64, &str)> {
    let mut p = line.splitn(3, ' ');
    Some((p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next().unwrap_or("")))
}

/// Client `me` on `conn`: requests until `origin + duration_ms`, then close and drain.
pub fn client(me: usize, conn: &Conn, plan: Plan, origin: f64, duration_ms: f64, ctl: &Control) -> Result<ClientLog, Cancelled> {
    let mut log = ClientLog::default();
    let (mut lines, mut pending) = (Lines::default(), VecDeque::new());
    let mut cancelled = false;
    while log.sent < MAX_PER_CLIENT {
        let now = clock::since(origin);
        if now >= duration_ms {
            break;
        }
        if ctl.is_cancelled() {
            cancelled = true;
            break;
        }
        let seq = log.sent;
        let r = request(plan, me, seq, now);
        conn.up.write_all(format!("{me} {seq} {} {}\n", r.kind, r.payload).as_bytes());
        log.sent += 1;
        let t0 = clock::now_ms();
        loop {
            let Some(line) = read_line(&conn.down, &mut lines, &mut pending) else {
                // The server closed before answering: this request stays unanswered.
                break;
            };
            match parse(&line) {
                Some((c, s, result)) if c == me && s == seq => {
                    let done = clock::since(origin);
                    if result == r.expect {
                        log.answered += 1;
                        log.latencies.push(clock::since(t0));
                        if r.fast {
                            log.fast_done.push(done);
                        } else {
                            log.slow.push((now, done));
                        }
                    } else {
                        log.wrong += 1;
                    }
                    break;
                }
                _ => log.stray += 1,
            }
        }
    }
    conn.up.close();
    // Anything after this is a reply to nothing still asked.
    while read_line(&conn.down, &mut lines, &mut pending).is_some() {
        log.stray += 1;
    }
    if cancelled { Err(Cancelled) } else { Ok(log) }
}

/// The `q`-quantile of `xs` by nearest rank (`xs` need not be sorted); 0 for none.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}
