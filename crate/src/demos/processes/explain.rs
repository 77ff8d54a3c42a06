//! The sentences under a run of the processes demo.

use super::seen::ExitedBy;
use super::{Ending, Outcome};

fn ms(x: f64) -> String {
    if x < 0.1 {
        format!("{:.0} µs", x * 1000.0)
    } else if x < 10.0 {
        format!("{x:.1} ms")
    } else {
        format!("{x:.0} ms")
    }
}

/// What the run showed, in a few sentences.
pub fn explanation(o: &Outcome) -> String {
    let mut s = Vec::new();
    let consumers: Vec<_> = o.workers.iter().filter(|w| w.name.starts_with("consumer-")).collect();
    let taken: u32 = consumers.iter().map(|w| w.tasks).sum();
    let idle = consumers.iter().filter(|w| w.tasks == 0).count();
    let stuck = consumers.iter().filter(|w| w.exited_by == ExitedBy::Timeout).count();
    match o.ending {
        Ending::Poll => s.push(format!(
            "The consumers took {taken} items and left {} in the queue: each stopped the first time queue.empty() said so, which happens whenever it is faster than the producer{}{}.",
            o.left,
            if idle > 0 { format!("; {idle} of them took none") } else { String::new() },
            if stuck > 0 { format!("; {stuck} saw an item in empty() that another took first, and waited in get() until main's join gave up") } else { String::new() },
        )),
        Ending::Pills => s.push(format!(
            "The consumers took {taken} items and left {}: each waited in get() until its poison pill, which the producer put after the last item.",
            o.left
        )),
    }
    if let Some(start) = &o.process_start {
        s.push(format!(
            "A process took {} from new Worker to its own wasm instance ready (median of {}); an empty task on the pool's threads, which already share the memory, {}.",
            ms(start.median),
            start.ms.len(),
            ms(o.task_start.median)
        ));
    }
    let mb = f64::from(o.copy.bytes) / (1024.0 * 1024.0);
    s.push(format!(
        "Passing {mb:.0} MB: {} by clone (the bytes are copied, like pickling), {} by transfer (they move, and main's buffer is {}), {} through shared memory (nothing moves: the pool thread reads them where they are). The process's write into its copy {} in main's memory.",
        ms(o.copy.clone.median),
        ms(o.copy.transfer.median),
        if o.copy.detached { "empty afterwards" } else { "still full (the transfer did not happen)" },
        ms(o.copy.shared.median),
        if o.shared_memory { "showed" } else { "did not show" }
    ));
    if let Some(fine) = o.dispatch.first() {
        s.push(format!(
            "{} tasks of about {:.0} µs: {} through messages, {} on the shared-memory pool ({:.0}× faster).",
            fine.tasks,
            fine.task_us,
            ms(fine.message.median),
            ms(fine.pool.median),
            fine.ratio
        ));
    }
    s.push(match o.messages_stop_mattering_us {
        Some(us) => format!("Messages stop mattering (at most a quarter more time) once a task does about {} of work.", ms(us / 1000.0)),
        None => "Even the biggest tasks measured here did not make the messages' cost negligible.".to_string(),
    });
    let pool = o.workers.iter().filter(|w| w.name.starts_with("pool-")).count();
    s.push(format!("Main terminated every daemon when it finished; {pool} pool processes and {} others were started, and none is left.", o.workers.len() - pool));
    s.join(" ")
}
