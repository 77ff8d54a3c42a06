//! The server's side: what a request line asks for and its reply, and the three ways to serve
//! the connections.
//!
//! A request is one line, `client seq kind payload`: `echo text`, `calc 2 + 3 * 4` or
//! `fib 30`. The reply repeats `client seq` and gives the result (`error reason` for bad
//! input), so a client can tell which request a reply answers.

use super::calc;
use super::ring::{read_line, Conn, Lines, Readiness, WouldBlock};
use crate::clock;
use serde::Serialize;
use std::collections::VecDeque;

/// The largest `fib` a request may ask for (fib(35) is about 30 million calls).
pub const MAX_FIB: u32 = 35;

/// Loop ticks of the reactor kept for the page (the count goes on past them).
pub const TICKS_KEPT: usize = 300;

// snippet:start server
/// The book's Fibonacci, recursive on purpose: fib(30) is 1.6 million calls of pure CPU.
pub fn fib(n: u32) -> u64 {
    if n < 2 { u64::from(n) } else { fib(n - 1) + fib(n - 2) }
}

/// Answers one request line.
pub fn handle(line: &str) -> String {
    let mut parts = line.splitn(4, ' ');
    let (client, seq, kind, payload) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let result = match kind {
        "echo" => payload.to_string(),
        "calc" => calc::eval(payload).map_or_else(|e| format!("error {e}"), |v| v.to_string()),
        "fib" => match payload.parse::<u32>() {
            Ok(n) if n <= MAX_FIB => fib(n).to_string(),
            _ => format!("error fib takes a whole number from 0 to {MAX_FIB}"),
        },
        other => format!("error unknown request {other:?}"),
    };
    format!("{client} {seq} {result}\n")
}

/// One connection served to its end, blocking: read a line, answer it, until the client
/// closes. The book's blocking server does this for one client after another; thread per
/// connection does it for each on its own thread.
pub fn serve_one(conn: &Conn) -> u64 {
    let (mut lines, mut pending, mut served) = (Lines::default(), VecDeque::new(), 0);
    while let Some(line) = read_line(&conn.up, &mut lines, &mut pending) {
        conn.down.write_all(handle(&line).as_bytes());
        served += 1;
    }
    conn.down.close();
    served
}

/// One turn of the reactor's loop: the connections `select()` found ready.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tick {
    /// Milliseconds from the start line.
    pub at_ms: f64,
    /// The ready connections, by client number.
    pub ready: Vec<u32>,
    /// Requests answered in this turn (computed inline, on the loop's one thread).
    pub answered: u32,
}

/// What the reactor's loop did.
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "server/"))]
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Loop {
    /// Turns of the loop that found something ready.
    pub ticks: u64,
    /// Times the loop slept in `select()` because nothing was ready.
    pub sleeps: u64,
    /// `by_size[n]`: turns that found `n` connections ready.
    pub by_size: Vec<u64>,
    /// The first [`TICKS_KEPT`] turns.
    pub first: Vec<Tick>,
}

/// A connection as the reactor keeps it: the bytes of a partial request, replies not yet
/// written (the client's ring may be full), and whether the client closed.
#[derive(Default)]
struct Machine {
    lines: Lines,
    out: VecDeque<u8>,
    eof: bool,
    done: bool,
}

/// The reactor: one thread, every connection. Each turn asks which connections are ready,
/// as `select()` does (bytes to read, or room to write pending replies), and sleeps in
/// [`Readiness::wait_past`] when none is; then it reads what came without blocking, answers
/// every whole request, and writes what fits. A slow request (a big `fib`) holds up every
/// connection, since the loop computes it inline.
pub fn reactor(conns: &[Conn], readiness: &Readiness, origin: f64) -> (Loop, Vec<u64>) {
    let mut m: Vec<Machine> = conns.iter().map(|_| Machine::default()).collect();
    let mut served = vec![0u64; conns.len()];
    let mut lp = Loop { by_size: vec![0; conns.len() + 1], ..Loop::default() };
    let mut buf = [0u8; 128];
    while m.iter().any(|c| !c.done) {
        let seen = readiness.generation();
        let ready: Vec<usize> = (0..conns.len())
            .filter(|&i| !m[i].done && ((!m[i].eof && conns[i].up.readable_now()) || (!m[i].out.is_empty() && conns[i].down.writable_now())))
            .collect();
        if ready.is_empty() {
            lp.sleeps += 1;
            readiness.wait_past(seen); // select() blocks until some connection changes
            continue;
        }
        let at_ms = clock::since(origin);
        let mut answered = 0;
        for &i in &ready {
            let (c, conn) = (&mut m[i], &conns[i]);
            if !c.eof {
                match conn.up.read(&mut buf, false) {
                    Ok(0) => c.eof = true,
                    Ok(n) => {
                        for line in c.lines.feed(&buf[..n]) {
                            c.out.extend(handle(&line).as_bytes());
                            served[i] += 1;
                            answered += 1;
                        }
                    }
                    Err(WouldBlock) => {}
                }
            }
            if !c.out.is_empty() {
                let (a, _) = c.out.as_slices();
                let n = conn.down.try_write(a);
                c.out.drain(..n);
            }
            if c.eof && c.out.is_empty() {
                conn.down.close();
                c.done = true;
            }
        }
        lp.ticks += 1;
        lp.by_size[ready.len()] += 1;
        if lp.first.len() < TICKS_KEPT {
            lp.first.push(Tick { at_ms, ready: ready.iter().map(|&i| i as u32).collect(), answered });
        }
    }
    (lp, served)
}
// snippet:end server
