//! The sentence under a run's numbers: what happened, and why, for each policy.

use super::compete::Config;
use super::{Meter, Rule, HIGH_PRIORITY};

pub(super) fn explain(policy: Rule, starving: &Meter, others: &Meter, j: f64, cfg: &Config) -> String {
    let pct = |x: f64| (x * 100.0).round();
    let wait = |ms: f64| format!("{} ms", ms.round());
    let fairness = format!("Jain's fairness index is {j:.2} (1 means equal shares).");
    match policy {
        Rule::Readers if starving.starved => format!(
            "The writers starved: {} write{} against {} reads, and a writer waited {} of the {} ms for one turn. With \
             reader preference a reader never waits for a waiting writer; once the readers' reads overlapped, the \
             lock was never empty long enough for a writer. {fairness}",
            starving.accesses,
            if starving.accesses == 1 { "" } else { "s" },
            others.accesses,
            wait(starving.longest_wait_ms),
            cfg.budget
        ),
        Rule::Readers => format!(
            "The writers got {} % of the accesses; their longest wait was {}. Reader preference starves writers only \
             while readers overlap: with pauses between reads, or few readers, the lock is sometimes empty. {fairness}",
            pct(starving.share),
            wait(starving.longest_wait_ms)
        ),
        Rule::Writers if others.starved => format!(
            "The writers got in ({} writes, longest wait {}), but now the readers starved: {} reads. A waiting writer \
             holds new readers back, and with writers coming back at once some writer is always waiting. Give the \
             writers a pause, or use the fair lock. {fairness}",
            starving.accesses,
            wait(starving.longest_wait_ms),
            others.accesses
        ),
        Rule::Writers => format!(
            "With writer preference a waiting writer holds new readers back, so the writers got {} % of the accesses \
             and waited at most {}. The readers' longest wait was {}. {fairness}",
            pct(starving.share),
            wait(starving.longest_wait_ms),
            wait(others.longest_wait_ms)
        ),
        Rule::Fair => format!(
            "Everyone takes a ticket and is served in arrival order, readers in a row together: the writers got {} % of \
             the accesses, and nobody waited more than {} (readers) or {} (writers). {fairness}",
            pct(starving.share),
            wait(others.longest_wait_ms),
            wait(starving.longest_wait_ms)
        ),
        Rule::Priority if starving.accesses == 0 => format!(
            "The low-priority task never ran: the CPU always went to a waiting high-priority task, and one was always \
             waiting. It waited {} of the {} ms. Turn aging on. {fairness}",
            wait(starving.longest_wait_ms),
            cfg.budget
        ),
        Rule::Priority => format!(
            "The low-priority task ran {} time{}, only when no high-priority task happened to be waiting, and once \
             waited {} of the {} ms. {fairness}",
            starving.accesses,
            if starving.accesses == 1 { "" } else { "s" },
            wait(starving.longest_wait_ms),
            cfg.budget
        ),
        Rule::Aging => format!(
            "With aging the low-priority task gains a level every time the CPU goes to someone else; after {HIGH_PRIORITY} \
             hand-offs it outranks the newcomers. It ran {} time{} and waited at most {}. {fairness}",
            starving.accesses,
            if starving.accesses == 1 { "" } else { "s" },
            wait(starving.longest_wait_ms)
        ),
    }
}
