//! The four litmus tests, twice: as data for the models (`sched::tso`), and as real code
//! that runs on pool threads many times, counting every outcome it sees.
//!
//! Each iteration the threads meet at a rendezvous (a spinning barrier on a generation
//! counter, as herdtools' `litmus7` synchronises its iterations), the last to arrive resets
//! the variables to 0 and lets everyone go, and each thread runs its two or so
//! instructions at once, then writes its registers down. So every iteration is a real race
//! of threads that started together, not threads that happened to run one after another.
//!
//! **Plain accesses** are `read_volatile` / `write_volatile` on the shared words. What the
//! compiler may not do to volatile accesses: remove them, merge two into one, invent
//! others, or reorder them with each other; each is one load or store instruction
//! (`i32.load` / `i32.store` in wasm, a `mov` once V8 compiles it for x86). What it does not
//! stop: the CPU, which may still let a load pass an earlier store to another address (the
//! store buffer). Rust's own model calls concurrent non-atomic accesses a data race, so
//! this is outside what Rust promises; WebAssembly's memory model defines a racy plain load
//! (it returns some value written to that address), and that is what runs here.
//!
//! **Atomic accesses** are `SeqCst` loads and stores (`i32.atomic.load` /
//! `i32.atomic.store`: in wasm every atomic is sequentially consistent, see `mod.rs`).

use crate::control::{Cancelled, Control};
use crate::sched::tso::{Litmus, Op};
use crate::sync::Ordering::{Acquire, Relaxed, Release, SeqCst};
use crate::sync::{AtomicBool, AtomicU32};
use std::time::Duration;

crate::choice! {
    #[cfg_attr(test, ts(export_to = "atomics/"))]
    /// Which litmus test a run races.
    pub enum Test { Sb = "sb", Mp = "mp", Lb = "lb", Iriw = "iriw" }
}

crate::choice! {
    #[cfg_attr(test, ts(export_to = "atomics/"))]
    /// How the litmus threads touch the shared variables.
    pub enum Access { Plain = "plain", Atomic = "atomic" }
}

const X: usize = 0;
const Y: usize = 1;

impl Test {
    /// The test as data for the models: variables x and y, registers numbered in thread order.
    pub fn litmus(self) -> Litmus {
        use Op::{Load, Store};
        let threads = match self {
            // T0: x = 1; r0 = y   T1: y = 1; r1 = x
            Test::Sb => vec![vec![Store { var: X, value: 1 }, Load { var: Y, reg: 0 }], vec![Store { var: Y, value: 1 }, Load { var: X, reg: 1 }]],
            // T0: x = 1; y = 1    T1: r0 = y; r1 = x
            Test::Mp => vec![vec![Store { var: X, value: 1 }, Store { var: Y, value: 1 }], vec![Load { var: Y, reg: 0 }, Load { var: X, reg: 1 }]],
            // T0: r0 = x; y = 1   T1: r1 = y; x = 1
            Test::Lb => vec![vec![Load { var: X, reg: 0 }, Store { var: Y, value: 1 }], vec![Load { var: Y, reg: 1 }, Store { var: X, value: 1 }]],
            // T0: x = 1  T1: y = 1  T2: r0 = x; r1 = y  T3: r2 = y; r3 = x
            Test::Iriw => vec![
                vec![Store { var: X, value: 1 }],
                vec![Store { var: Y, value: 1 }],
                vec![Load { var: X, reg: 0 }, Load { var: Y, reg: 1 }],
                vec![Load { var: Y, reg: 2 }, Load { var: X, reg: 3 }],
            ],
        };
        let regs = if self == Test::Iriw { 4 } else { 2 };
        Litmus { vars: &["x", "y"], regs, threads }
    }

    pub fn threads(self) -> usize {
        if self == Test::Iriw { 4 } else { 2 }
    }

    /// The outcome the test is about: the one no interleaving can give.
    pub fn weak(self) -> &'static [u8] {
        match self {
            Test::Sb => &[0, 0],
            Test::Mp => &[1, 0],
            Test::Lb => &[1, 1],
            Test::Iriw => &[1, 0, 1, 0],
        }
    }

    /// The threads' code as the page lists it, one line per thread.
    pub fn code(self) -> &'static [&'static str] {
        match self {
            Test::Sb => &["x = 1; r0 = y", "y = 1; r1 = x"],
            Test::Mp => &["x = 1; y = 1", "r0 = y; r1 = x"],
            Test::Lb => &["r0 = x; y = 1", "r1 = y; x = 1"],
            Test::Iriw => &["x = 1", "y = 1", "r0 = x; r1 = y", "r2 = y; r3 = x"],
        }
    }
}

// snippet:start atomics-litmus
/// One way to load and store a shared word.
trait Mem {
    fn load(w: &AtomicU32) -> u32;
    fn store(w: &AtomicU32, v: u32);
}

/// Plain accesses: one machine load or store each, in program order, never removed or merged
/// by the compiler; the CPU may still reorder them.
struct Plain;
impl Mem for Plain {
    #[inline(always)]
    fn load(w: &AtomicU32) -> u32 {
        // SAFETY: the pointer is the atomic's own aligned, live word. Other threads write it
        // at the same time: a data race by Rust's rules, done on purpose to show what the
        // hardware does (see the module's header).
        unsafe { w.as_ptr().read_volatile() }
    }
    #[inline(always)]
    fn store(w: &AtomicU32, v: u32) {
        // SAFETY: as in `load`.
        unsafe { w.as_ptr().write_volatile(v) }
    }
}

/// Atomic accesses, sequentially consistent (in wasm they all are).
struct Atomic;
impl Mem for Atomic {
    #[inline(always)]
    fn load(w: &AtomicU32) -> u32 {
        w.load(SeqCst)
    }
    #[inline(always)]
    fn store(w: &AtomicU32, v: u32) {
        w.store(v, SeqCst)
    }
}

/// Thread `t` of `test`, once: its registers, as bits at their register numbers.
#[inline(always)]
fn body<M: Mem>(test: Test, t: usize, x: &AtomicU32, y: &AtomicU32) -> u8 {
    let bit = |r: u32, reg: u8| ((r & 1) as u8) << reg;
    match (test, t) {
        (Test::Sb, 0) => { M::store(x, 1); bit(M::load(y), 0) }
        (Test::Sb, _) => { M::store(y, 1); bit(M::load(x), 1) }
        (Test::Mp, 0) => { M::store(x, 1); M::store(y, 1); 0 }
        (Test::Mp, _) => { let r0 = M::load(y); bit(r0, 0) | bit(M::load(x), 1) }
        (Test::Lb, 0) => { let r0 = M::load(x); M::store(y, 1); bit(r0, 0) }
        (Test::Lb, _) => { let r1 = M::load(y); M::store(x, 1); bit(r1, 1) }
        (Test::Iriw, 0) => { M::store(x, 1); 0 }
        (Test::Iriw, 1) => { M::store(y, 1); 0 }
        (Test::Iriw, 2) => { let r0 = M::load(x); bit(r0, 0) | bit(M::load(y), 1) }
        (Test::Iriw, _) => { let r2 = M::load(y); bit(r2, 2) | bit(M::load(x), 3) }
    }
}
// snippet:end atomics-litmus

/// The per-iteration meeting point: `k` threads arrive, the last resets the variables and
/// bumps the generation, which lets the others (spinning on it) go at once.
pub struct Rendezvous {
    k: u32,
    arrived: AtomicU32,
    generation: AtomicU32,
    stop: AtomicBool,
    pub x: AtomicU32,
    pub y: AtomicU32,
}

/// Iterations between two looks at Cancel (and two steps of progress).
pub const CHUNK: u32 = 1024;

impl Rendezvous {
    pub fn new(k: usize) -> Rendezvous {
        Rendezvous { k: k as u32, arrived: AtomicU32::new(0), generation: AtomicU32::new(0), stop: AtomicBool::new(false), x: AtomicU32::new(0), y: AtomicU32::new(0) }
    }

    /// Waits until all `k` threads arrived for iteration `i`; false when the run was cancelled.
    fn meet(&self, i: u32, ctl: &Control) -> bool {
        let generation = self.generation.load(Acquire);
        if self.arrived.fetch_add(1, SeqCst) + 1 == self.k {
            self.arrived.store(0, Relaxed);
            self.x.store(0, Relaxed);
            self.y.store(0, Relaxed);
            if i > 0 && i.is_multiple_of(CHUNK) {
                ctl.advance(1);
                if ctl.is_cancelled() {
                    self.stop.store(true, Relaxed);
                }
            }
            // Release: the resets and the stop flag are seen by whoever sees the new generation.
            self.generation.store(generation.wrapping_add(1), Release);
        } else {
            let mut spins = 0u32;
            while self.generation.load(Acquire) == generation {
                spins += 1;
                if spins < 1 << 14 {
                    std::hint::spin_loop();
                } else {
                    // More threads than free cores: let the one we wait for run.
                    std::thread::sleep(Duration::from_micros(20));
                }
            }
        }
        !self.stop.load(Relaxed)
    }

    /// Thread `t`'s part of `iterations` rounds of `test`: its register bits, round by round.
    pub fn race(&self, test: Test, access: Access, t: usize, iterations: u32, ctl: &Control) -> Result<Vec<u8>, Cancelled> {
        let mut regs = Vec::with_capacity(iterations as usize);
        for i in 0..iterations {
            if !self.meet(i, ctl) {
                return Err(Cancelled);
            }
            regs.push(match access {
                Access::Plain => body::<Plain>(test, t, &self.x, &self.y),
                Access::Atomic => body::<Atomic>(test, t, &self.x, &self.y),
            });
        }
        Ok(regs)
    }
}
