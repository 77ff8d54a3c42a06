//! What replaces "one new thread per task" here: the cost of handing one task to an idle
//! pool worker, measured.

use super::lock;
use crate::clock;
use crate::control::{Cancelled, Control};
use crate::pool::{run_threads, Stopped, Where};
use crate::queue::Queue;
use crate::sync::{Mutex, PoisonError};
use serde::Serialize;

/// Handing one task to an idle pool worker: from `put` to the worker's `get` returning.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(export_to = "pool/"))]
pub struct Handoff {
    pub median_us: f64,
    pub min_us: f64,
    pub samples: u32,
}

/// Hand-offs measured for [`Handoff`].
pub(super) const HANDOFFS: u32 = 25;

/// The cost of handing one task to an idle pool worker: a worker blocks in `get` on an empty
/// queue (its thread sleeps); another thread puts the time of the put; the worker reads the
/// clock when `get` returns. Median of [`HANDOFFS`].
pub(super) fn handoff(ctl: &Control) -> Result<Option<Handoff>, Stopped> {
    if rayon::current_num_threads() < 2 {
        return Ok(None);
    }
    ctl.add_total(2);
    let to_worker: Queue<Option<f64>> = Queue::fifo(0);
    let back: Queue<f64> = Queue::fifo(0);
    let samples = Mutex::new(Vec::new());
    run_threads(Where::Pool(2), 2, ctl, |role, _| {
        if role == 0 {
            while let Ok(Some(sent)) = to_worker.get(true, None) {
                let _ = back.put_nowait(clock::since(sent));
            }
            return Ok(());
        }
        let measure = || -> Result<(), Cancelled> {
            for _ in 0..HANDOFFS {
                // Put only once the worker is blocked in get: then the hand-off wakes a sleeper.
                while to_worker.waiters().getters == 0 {
                    ctl.check()?;
                    std::hint::spin_loop();
                }
                let _ = to_worker.put_nowait(Some(clock::now_ms()));
                let took = back.get(true, None).expect("the worker answers every task");
                lock(&samples).push(took * 1000.0);
            }
            Ok(())
        };
        let result = measure();
        let _ = to_worker.put_nowait(None); // the pill
        result
    })?;
    let mut us = samples.into_inner().unwrap_or_else(PoisonError::into_inner);
    us.sort_by(f64::total_cmp);
    Ok(us.first().map(|&min_us| Handoff { median_us: us[us.len() / 2], min_us, samples: us.len() as u32 }))
}
