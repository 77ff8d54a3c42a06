//! A live feed of events from a running demo to the page.
//!
//! While a run blocks the engine worker, no message can leave it; but the page can read the
//! shared wasm memory. A [`Feed`] is a byte buffer in that memory plus a published length:
//! writers append one line of JSON per event under a small lock, then publish the new
//! length with `Release`; the page loads the length with `Atomics.load` and decodes the
//! bytes before it. Lines are never rewritten, so a reader never sees a torn line.
//!
//! Memory ordering: bytes are stored `Relaxed`, and the `Release` store of `len` orders them
//! before it; a reader that `Acquire`-loads `len` (JS `Atomics.load` is sequentially
//! consistent) sees every byte below it.

use serde::Serialize;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU8};
use std::sync::Mutex;

/// An append-only buffer of JSON lines with a published length.
pub struct Feed {
    len: AtomicU32,
    /// Events that did not fit; the page says so instead of silently losing them.
    dropped: AtomicU32,
    writer: Mutex<()>,
    bytes: Box<[AtomicU8]>,
}

impl Feed {
    pub fn with_capacity(bytes: usize) -> Self {
        Feed {
            len: AtomicU32::new(0),
            dropped: AtomicU32::new(0),
            writer: Mutex::new(()),
            bytes: (0..bytes).map(|_| AtomicU8::new(0)).collect(),
        }
    }

    /// Empties the feed for a new run.
    pub fn clear(&self) {
        let _w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.dropped.store(0, Relaxed);
        self.len.store(0, Release);
    }

    /// Appends one event as a JSON line; an event that does not fit is counted as dropped.
    pub fn push<E: Serialize>(&self, event: &E) {
        let mut line = serde_json::to_vec(event).expect("events are plain data");
        line.push(b'\n');
        let _w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let start = self.len.load(Relaxed) as usize;
        if start + line.len() > self.bytes.len() {
            self.dropped.fetch_add(1, Relaxed);
            return;
        }
        for (slot, b) in self.bytes[start..].iter().zip(&line) {
            slot.store(*b, Relaxed);
        }
        self.len.store((start + line.len()) as u32, Release);
    }

    /// Everything published so far (what the page would read), as text.
    pub fn text(&self) -> String {
        let len = self.len.load(Acquire) as usize;
        let bytes: Vec<u8> = self.bytes[..len].iter().map(|b| b.load(Relaxed)).collect();
        String::from_utf8(bytes).expect("the feed holds whole UTF-8 lines")
    }

    pub fn dropped(&self) -> u32 {
        self.dropped.load(Relaxed)
    }

    /// Byte addresses of the length word and of the first byte (for the page).
    pub fn addresses(&self) -> (usize, usize) {
        (&self.len as *const AtomicU32 as usize, self.bytes.as_ptr() as usize)
    }

    pub fn capacity(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Ev<'a> {
        t: u32,
        text: &'a str,
    }

    #[test]
    fn lines_append_in_order_and_clear_empties() {
        let f = Feed::with_capacity(1024);
        f.push(&Ev { t: 1, text: "A: 5" });
        f.push(&Ev { t: 2, text: "B: 5 ü" });
        assert_eq!(f.text(), "{\"t\":1,\"text\":\"A: 5\"}\n{\"t\":2,\"text\":\"B: 5 ü\"}\n");
        f.clear();
        assert_eq!(f.text(), "");
    }

    #[test]
    fn a_full_feed_drops_whole_events_and_counts_them() {
        let f = Feed::with_capacity(30);
        f.push(&Ev { t: 1, text: "first" });
        f.push(&Ev { t: 2, text: "second" });
        assert_eq!(f.text().lines().count(), 1);
        assert_eq!(f.dropped(), 1);
    }

    #[test]
    fn concurrent_writers_never_tear_a_line() {
        let f = Feed::with_capacity(1 << 16);
        let start = std::sync::Barrier::new(4); // all four write at once
        std::thread::scope(|s| {
            for t in 0..4 {
                let (f, start) = (&f, &start);
                s.spawn(move || {
                    start.wait();
                    for i in 0..100 {
                        f.push(&Ev { t: t * 1000 + i, text: "xxxxxxxx" });
                    }
                });
            }
        });
        let text = f.text();
        let mut seen: Vec<u64> = Vec::new();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["text"], "xxxxxxxx");
            seen.push(v["t"].as_u64().unwrap());
        }
        // Every event exactly once, and each writer's events in the order it pushed them.
        for t in 0..4 {
            let mine: Vec<u64> = seen.iter().copied().filter(|x| x / 1000 == t).collect();
            assert_eq!(mine, (0..100).map(|i| t * 1000 + i).collect::<Vec<u64>>(), "writer {t}");
        }
        assert_eq!((seen.len(), f.dropped()), (400, 0));
    }
}
