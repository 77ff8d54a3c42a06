//! Compact, exact keys for the explorer's state cache.

use crate::sched::machine::{State, ThreadStatus};
use std::collections::HashMap;

/// Compact, exact keys for states: a state's values as zigzag varints, every list prefixed by
/// its length, names and texts as numbers from an interner. Within one program the maps of a
/// [`State`] always have the same names in the same order, so two states have the same key
/// exactly when they are equal.
#[derive(Default)]
pub(super) struct Keys {
    /// The node of each state seen so far.
    pub(super) index: HashMap<Box<[u8]>, u32>,
    texts: HashMap<String, u64>,
}

impl Keys {
    pub(super) fn encode(&mut self, s: &State) -> Box<[u8]> {
        let mut out = Vec::with_capacity(32);
        let put = |out: &mut Vec<u8>, v: i64| {
            let mut z = ((v << 1) ^ (v >> 63)) as u64; // zigzag: small negatives stay short
            while z >= 0x80 {
                out.push((z as u8) | 0x80);
                z >>= 7;
            }
            out.push(z as u8);
        };
        let mut text = |t: &str| -> i64 {
            let n = self.texts.len() as u64;
            *self.texts.entry(t.to_string()).or_insert(n) as i64
        };
        s.vars.values().for_each(|&v| put(&mut out, v));
        s.locks.values().for_each(|o| put(&mut out, o.map_or(0, |t| t as i64 + 1)));
        for items in s.queues.values() {
            put(&mut out, items.len() as i64);
            items.iter().for_each(|&v| put(&mut out, v));
        }
        for waiting in s.waiters.values() {
            put(&mut out, waiting.len() as i64);
            waiting.iter().for_each(|&t| put(&mut out, t as i64));
        }
        for th in &s.threads {
            put(&mut out, th.pc as i64);
            let (code, arg) = match &th.status {
                ThreadStatus::Active => (0, 0),
                ThreadStatus::Waiting { cond } => (1, text(cond)),
                ThreadStatus::Reacquiring { lock } => (2, text(lock)),
                ThreadStatus::Finished => (3, 0),
                ThreadStatus::Failed { message } => (4, text(message)),
            };
            put(&mut out, code);
            put(&mut out, arg);
            th.locals.values().for_each(|&v| put(&mut out, v));
        }
        put(&mut out, s.output.len() as i64);
        for line in &s.output {
            put(&mut out, line.thread as i64);
            let t = text(&line.text);
            put(&mut out, t);
        }
        out.into_boxed_slice()
    }
}
