//! The sentences under a structures run: what was lost, what lagged, what scaled, and why.

use super::{Final, Point, Structure, Variant};

pub(super) fn explain(structure: Structure, k: usize, threshold: u64, gap: u32, points: &[Point], finals: &[Final], sequential: bool) -> String {
    let mut parts = Vec::new();
    if sequential {
        parts.push(format!(
            "This page has no worker threads (it is not cross-origin isolated), so the {k} threads ran one after another on one thread: nothing raced, and the times are one thread's."
        ));
    }
    let at = |v: Variant, n: usize| points.iter().find(|p| p.variant == v && p.threads as usize == n).map(|p| p.ops_per_sec);
    let fin = |v: Variant| finals.iter().find(|f| f.variant == v);
    let mops = |x: f64| format!("{:.1} M ops/s", x / 1e6);
    let gap_words = |what: &str| if gap == 0 { format!("nothing between {what}") } else { format!("a spin of {gap} iterations between {what}, the book's sleep") };
    match structure {
        Structure::Counters => {
            if let Some(f) = fin(Variant::Unlocked) {
                parts.push(if f.lost > 0 {
                    format!("Unlocked (with {}), the count ended at {} of {}: {} increments were lost, each time two threads loaded the same value and both stored value + 1.", gap_words("load and store"), f.actual, f.expected, f.lost)
                } else if k == 1 || sequential {
                    "Unlocked, nothing was lost: with one thread at a time, nobody stores between a load and its store.".to_string()
                } else {
                    format!("Unlocked, this time no increment of {} was lost; a race depends on timing, and the window between load and store is {}. Run again, or widen the gap.", f.expected, if gap == 0 { "a few instructions".to_string() } else { format!("a spin of {gap} iterations") })
                });
                if gap > 0 {
                    parts.push("Its throughput includes the gap, which the other counters do not have.".to_string());
                }
            }
            parts.push("The mutex and fetch_add end exact.".to_string());
            if let Some(f) = fin(Variant::ShardedPadded) {
                parts.push(format!(
                    "The approximate counter's global count lagged by {} when the threads finished (at most threads × (threshold − 1) = {}); the flush made it exact.",
                    f.lag.unwrap_or(0),
                    k as u64 * (threshold - 1)
                ));
            }
            if !sequential && k > 1 {
                if let (Some(m1), Some(mk), Some(pad), Some(pack)) = (at(Variant::Mutex, 1), at(Variant::Mutex, k), at(Variant::ShardedPadded, k), at(Variant::ShardedPacked, k)) {
                    parts.push(format!(
                        "With {k} threads the mutex did {} against {} on one: adding threads to one lock adds waiting, not speed. Padded shards did {}, packed ones {}: shards on one cache line make the cores pass the line back and forth (false sharing).",
                        mops(mk),
                        mops(m1),
                        mops(pad),
                        mops(pack)
                    ));
                }
            }
        }
        Structure::Stacks => {
            let bad: Vec<&Final> = finals.iter().filter(|f| f.lost > 0 || f.duplicated.unwrap_or(0) > 0).collect();
            parts.push(if bad.is_empty() {
                format!("Every value pushed was popped exactly once, by every variant ({} values each).", finals.first().map(|f| f.expected).unwrap_or(0))
            } else {
                format!("A variant lost or duplicated values: {:?}. That is a bug.", bad.iter().map(|f| f.variant).collect::<Vec<_>>())
            });
            let s = if k == 1 { "" } else { "s" };
            if let (Some(l), Some(t), Some(e)) = (at(Variant::LockedStack, k), at(Variant::Treiber, k), at(Variant::EpochTreiber, k)) {
                parts.push(format!(
                    "At {k} thread{s}, the mutex stack did {}, Treiber's stack as written here {} and with crossbeam-epoch {}; the queues, {} behind a mutex, {} for Michael and Scott's, {} for crossbeam's SegQueue and {} for its ArrayQueue. A lock-free structure promises progress, not speed: under contention every failed compare-and-swap is work thrown away.",
                    mops(l),
                    mops(t),
                    mops(e),
                    at(Variant::LockedQueue, k).map(mops).unwrap_or_default(),
                    at(Variant::MsQueue, k).map(mops).unwrap_or_default(),
                    at(Variant::SegQueue, k).map(mops).unwrap_or_default(),
                    at(Variant::ArrayQueue, k).map(mops).unwrap_or_default(),
                ));
            }
            parts.push("Reclamation: the Treiber stack and the Michael-Scott queue written here free no popped node while the run lasts, so no thread can read freed memory and no address is reused (no ABA), at the price of holding every node until the threads join; crossbeam-epoch's stack frees popped nodes as it goes, once no pinned thread can still hold them, at the price of a pin per operation; SegQueue frees a segment of 31 values once all are read, and ArrayQueue allocates nothing after its start.".to_string());
        }
        Structure::Dict => {
            if let (Some(c), Some(s)) = (fin(Variant::CheckThenRead), fin(Variant::CopyOnRead)) {
                let readers = k.saturating_sub(1);
                let r = if readers == 1 { "" } else { "s" };
                parts.push(if c.key_errors.unwrap_or(0) > 0 {
                    format!(
                        "{readers} reader{r} checked “key in d” and then read d[key] as two locked steps (with {}) while one thread deleted the key and put it back, with the same gap after each: {} of {} reads found the key there and then gone, a KeyError.",
                        gap_words("them"),
                        c.key_errors.unwrap_or(0),
                        c.expected
                    )
                } else if sequential {
                    "The reader ran before the deleter, on one thread: nothing deleted between its check and its read, so no KeyError.".to_string()
                } else {
                    format!("This time none of the {} reads met a delete between its check and its read; a race depends on timing. Run again, or widen the gap.", c.expected)
                });
                parts.push(format!(
                    "Copy-on-read ({} KeyErrors in {} reads) takes a snapshot under the lock and reads the snapshot, which no other thread can change: a key it has cannot vanish. The price is a copy of the dictionary for every read.",
                    s.key_errors.unwrap_or(0),
                    s.expected
                ));
            }
        }
    }
    parts.join(" ")
}
