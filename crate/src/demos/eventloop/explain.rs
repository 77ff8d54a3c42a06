//! The sentence under a real run's headline.

use super::{Outcome, Program};

fn secs(ms: f64) -> String {
    format!("{:.2} s", ms / 1000.0)
}

pub fn real(o: &Outcome) -> String {
    let mut s = format!(
        "On the real clock at speed {}: {} of the program's time ({} of wall time), against {} on the virtual clock.",
        o.speed,
        secs(o.total_ms),
        secs(o.total_ms / f64::from(o.speed)),
        secs(o.virtual_ms)
    );
    if o.late_ms.count > 0 {
        s += &format!(" Its {} timers fired a median {:.1} ms late (at most {:.1} ms).", o.late_ms.count, o.late_ms.median, o.late_ms.max);
    }
    if o.blocking {
        s += " The blocking call held the loop: every other task waited with it.";
    }
    if o.offloaded > 0 {
        let k = o.pool_threads.len();
        s += &format!(
            " {} pieces of work went to the pool and ran on {k} pool thread{} while the loop kept serving its timers.",
            o.offloaded,
            if k == 1 { "" } else { "s" }
        );
    } else if o.program == Program::Countdowns && o.per_task.iter().any(|t| t.busy_ms > 1.0) {
        s += " The work ran on the loop's own thread: while one countdown computed, no other could tick.";
    }
    s
}
