//! Simulated sockets. A page has no raw sockets, so a connection here is two byte rings in the
//! shared wasm memory, one each way, between a client worker and the server. They behave as a
//! TCP stream does to its two ends: bytes arrive in order, in pieces of any size (a reply may
//! be split where the ring wraps), a writer waits while the ring is full (back-pressure), a
//! read either blocks until bytes come or, non-blocking, says "would block", and a closed end
//! reads as end of file once drained. There is no network in between: no loss, no delay but
//! the threads' own.
//!
//! A [`Readiness`] stands for `select()`'s kernel side: every ring of a reactor's connections
//! bumps it when its state changes, so the reactor can sleep until some connection is ready
//! instead of spinning over them.

use crate::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Bytes a ring holds: small, so that requests and replies wrap around its end all the time.
pub const CAPACITY: usize = 256;

/// A non-blocking read found no bytes, and the writer has not closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WouldBlock;

/// Bumped on every change of the rings that share it; a waiter sleeps until it moves on.
#[derive(Default)]
pub struct Readiness {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl Readiness {
    pub fn generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.changed.notify_all();
    }

    /// Sleeps until the generation differs from `seen` (at once if it already does): read
    /// `seen` before looking at the rings, and no change after that look is missed.
    pub fn wait_past(&self, seen: u64) {
        let mut g = self.generation.lock().unwrap_or_else(|e| e.into_inner());
        while *g == seen {
            g = self.changed.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    }
}

struct State {
    buf: Box<[u8]>,
    /// Where the next read starts.
    head: usize,
    len: usize,
    closed: bool,
    /// Times a write or read went past the end of `buf` and carried on at its start.
    wraps: u64,
}

/// One direction of a connection: a fixed ring of [`CAPACITY`] bytes.
pub struct Ring {
    state: Mutex<State>,
    readable: Condvar,
    writable: Condvar,
    notify: Option<Arc<Readiness>>,
}

impl Ring {
    pub fn new(notify: Option<Arc<Readiness>>) -> Ring {
        Ring::with_capacity(CAPACITY, notify)
    }

    pub fn with_capacity(capacity: usize, notify: Option<Arc<Readiness>>) -> Ring {
        let state = State { buf: vec![0; capacity].into_boxed_slice(), head: 0, len: 0, closed: false, wraps: 0 };
        Ring { state: Mutex::new(state), readable: Condvar::new(), writable: Condvar::new(), notify }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        if let Some(n) = &self.notify {
            n.bump();
        }
    }

    /// Copies as many bytes of `data` as fit, without waiting; returns how many.
    pub fn try_write(&self, data: &[u8]) -> usize {
        let n = {
            let mut s = self.lock();
            assert!(!s.closed, "a write after close");
            let cap = s.buf.len();
            let n = data.len().min(cap - s.len);
            let tail = (s.head + s.len) % cap;
            for (i, &b) in data[..n].iter().enumerate() {
                s.buf[(tail + i) % cap] = b;
            }
            if tail + n > cap {
                s.wraps += 1;
            }
            s.len += n;
            n
        };
        if n > 0 {
            self.readable.notify_all();
            self.changed();
        }
        n
    }

    /// Writes all of `data`, waiting while the ring is full (the reader makes room).
    pub fn write_all(&self, mut data: &[u8]) {
        while !data.is_empty() {
            let n = self.try_write(data);
            data = &data[n..];
            if !data.is_empty() {
                let s = self.lock();
                if s.len == s.buf.len() {
                    drop(self.writable.wait(s).unwrap_or_else(|e| e.into_inner()));
                }
            }
        }
    }

    /// Reads up to `out.len()` bytes. `Ok(0)`: end of file (closed and drained). Non-blocking,
    /// an empty open ring is `Err(WouldBlock)`; blocking, the read waits for bytes or close.
    pub fn read(&self, out: &mut [u8], blocking: bool) -> Result<usize, WouldBlock> {
        let n = {
            let mut s = self.lock();
            while s.len == 0 && !s.closed {
                if !blocking {
                    return Err(WouldBlock);
                }
                s = self.readable.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            let cap = s.buf.len();
            let n = out.len().min(s.len);
            for (i, o) in out[..n].iter_mut().enumerate() {
                *o = s.buf[(s.head + i) % cap];
            }
            if s.head + n > cap {
                s.wraps += 1;
            }
            s.head = (s.head + n) % cap;
            s.len -= n;
            n
        };
        if n > 0 {
            self.writable.notify_all();
            self.changed();
        }
        Ok(n)
    }

    /// The writer is done: the reader gets end of file after the bytes already in the ring.
    pub fn close(&self) {
        self.lock().closed = true;
        self.readable.notify_all();
        self.changed();
    }

    /// A read would not block: bytes are waiting, or the writer closed.
    pub fn readable_now(&self) -> bool {
        let s = self.lock();
        s.len > 0 || s.closed
    }

    /// A write of at least one byte would not block.
    pub fn writable_now(&self) -> bool {
        let s = self.lock();
        s.len < s.buf.len()
    }

    pub fn wraps(&self) -> u64 {
        self.lock().wraps
    }
}

/// A connection: the client writes `up` and reads `down`; the server the other way round.
pub struct Conn {
    pub up: Ring,
    pub down: Ring,
}

impl Conn {
    pub fn new(notify: Option<Arc<Readiness>>) -> Conn {
        Conn { up: Ring::new(notify.clone()), down: Ring::new(notify) }
    }
}

/// Cuts a byte stream into `\n`-terminated lines, keeping a partial line for the next bytes.
#[derive(Default)]
pub struct Lines {
    partial: Vec<u8>,
}

impl Lines {
    /// Adds `bytes` and returns every line they complete, without its `\n`.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                out.push(String::from_utf8_lossy(&self.partial).into_owned());
                self.partial.clear();
            } else {
                self.partial.push(b);
            }
        }
        out
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.partial.is_empty()
    }
}

/// Reads from `ring` (blocking) until one whole line is there; `None` at end of file.
pub fn read_line(ring: &Ring, lines: &mut Lines, pending: &mut std::collections::VecDeque<String>) -> Option<String> {
    let mut buf = [0u8; 64];
    loop {
        if let Some(l) = pending.pop_front() {
            return Some(l);
        }
        match ring.read(&mut buf, true) {
            Ok(0) => return None,
            Ok(n) => pending.extend(lines.feed(&buf[..n])),
            Err(WouldBlock) => unreachable!("a blocking read does not say would-block"),
        }
    }
}
