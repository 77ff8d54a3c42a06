//! The convoy effect: an I/O-bound thread that needs the GIL only briefly after each wait
//! still waits for a CPU-bound holder to drop it, about one switch interval each time.

use super::{Gil, Mode, IO_ROUNDS, IO_WAIT_MS, STEP_WORK};
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::demos::DemoError;
use crate::measure::Samples;
use crate::pool::{run_threads, Where};
use crate::sync::AtomicBool;
use crate::sync::Ordering::{Acquire, Release};
use serde::Serialize;

/// The convoy: an I/O-bound thread's wait for the interpreter after each of its I/O waits,
/// while a CPU-bound thread runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "gil/"))]
#[serde(rename_all = "camelCase")]
pub struct Convoy {
    pub latencies_ms: Vec<f64>,
    pub median_ms: f64,
    pub max_ms: f64,
}

/// The convoy effect: one CPU-bound thread counts down until an I/O-bound thread has done
/// [`IO_ROUNDS`] waits; after each wait the I/O thread notes how long it took to run again.
pub fn convoy(mode: Mode, interval: f64, ctl: &Control) -> Result<Convoy, DemoError> {
    let origin = clock::now_ms();
    let gil = Gil::new(interval, origin);
    let done = AtomicBool::new(false);
    let latencies = crate::sync::Mutex::new(Vec::new());
    run_threads(Where::Pool(2), 2, ctl, |i, rec| {
        let lane = rec.lane();
        if i == 0 {
            // CPU-bound.
            let mut acc = 0u64;
            let mut held = (mode == Mode::Gil).then(|| gil.take(0, lane));
            let mut n = 0u64;
            while !done.load(Acquire) {
                acc ^= crate::workload::busy(STEP_WORK);
                n += 1;
                if n.is_multiple_of(4096) {
                    ctl.check()?;
                }
                held = held.map(|h| h.check().0);
            }
            drop(held);
            std::hint::black_box(acc);
        } else {
            // I/O-bound: wait, then needs the interpreter briefly.
            let mut held = (mode == Mode::Gil).then(|| gil.take(1, lane));
            for _ in 0..IO_ROUNDS {
                let mut woke = 0.0;
                let mut wait = || -> Result<(), Cancelled> {
                    crate::workload::io_wait(IO_WAIT_MS, ctl)?;
                    woke = clock::now_ms();
                    Ok(())
                };
                let got = match held.take() {
                    Some(h) => {
                        let (h, r) = h.io(wait);
                        held = Some(h);
                        r
                    }
                    None => wait(),
                };
                if let Err(e) = got {
                    done.store(true, Release);
                    return Err(e);
                }
                latencies.lock().unwrap_or_else(|e| e.into_inner()).push(clock::since(woke));
                std::hint::black_box(crate::workload::busy(STEP_WORK));
            }
            drop(held);
            done.store(true, Release);
        }
        Ok(())
    })?;
    let latencies_ms = latencies.into_inner().unwrap_or_else(|e| e.into_inner());
    let s = Samples::of(latencies_ms.clone());
    Ok(Convoy { latencies_ms, median_ms: s.median, max_ms: s.max })
}
